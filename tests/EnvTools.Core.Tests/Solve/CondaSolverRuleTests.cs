using EnvTools.Conda;
using EnvTools.Solve;
using Xunit;
using static EnvTools.Tests.Solve.SolveTestUtil;

namespace EnvTools.Tests.Solve;

/// <summary>One test per conda solving rule, on inline records.</summary>
public class CondaSolverRuleTests
{
    private static SolveResult Solve(SolverChannel[] channels, string[] specs, ChannelPriority priority = ChannelPriority.Flexible,
        RepoDataRecord[]? installed = null, UpdateModifier modifier = UpdateModifier.UpdateSpecs, string[]? pins = null,
        string[]? remove = null, string[]? history = null) =>
        CondaSolver.Solve(new SolveRequest
        {
            Channels = channels,
            Specs = Specs(specs),
            ChannelPriority = priority,
            Installed = installed ?? Array.Empty<RepoDataRecord>(),
            UpdateModifier = modifier,
            PinnedSpecs = Specs(pins ?? Array.Empty<string>()),
            SpecsToRemove = Specs(remove ?? Array.Empty<string>()),
            HistorySpecs = Specs(history ?? Array.Empty<string>()),
        });

    [Fact]
    public void PreferenceOrder_VersionThenBuildNumberThenTimestamp()
    {
        var ch = Channel("c",
            Rec("a", "1.0", "0", 5, timestamp: 9), Rec("a", "2.0", "x", 0, timestamp: 1), Rec("a", "2.0", "y", 1, timestamp: 1),
            Rec("a", "2.0", "z", 1, timestamp: 2));
        Assert.Equal(new[] { "a-2.0-z" }, Nvb(Solve(new[] { ch }, new[] { "a" })));
    }

    [Fact]
    public void CondaArchivePreferredOverTarBz2Twin()
    {
        var ch = Channel("c", Rec("a", "1.0", fileName: "a-1.0-0.tar.bz2"), Rec("a", "1.0", fileName: "a-1.0-0.conda"));
        Assert.Equal("a-1.0-0.conda", Solve(new[] { ch }, new[] { "a" }).Records.Single().FileName);
    }

    [Fact]
    public void ChannelPriority_FlexibleStrictDisabled()
    {
        var high = Channel("high", Rec("a", "1.0", channel: "high"), Rec("b", "1.0", channel: "high"));
        var low = Channel("low", Rec("a", "2.0", channel: "low"), Rec("b", "2.0", channel: "low"));

        // Flexible: the high channel's a 1.0 wins; the request a>=2 falls back to the low channel.
        Assert.Equal("https://conda.anaconda.org/high/linux-64", Solve(new[] { high, low }, new[] { "a" }).Records.Single().Channel);
        Assert.Equal("2.0", Solve(new[] { high, low }, new[] { "a>=2" }).Records.Single().Version);

        // Strict: only the high channel has candidates for a.
        Assert.Throws<PackagesNotFoundException>(() => Solve(new[] { high, low }, new[] { "a>=2" }, ChannelPriority.Strict));

        // Disabled: the highest version wins wherever it is.
        Assert.Equal("2.0", Solve(new[] { high, low }, new[] { "a" }, ChannelPriority.Disabled).Records.Single().Version);
    }

    [Fact]
    public void TrackFeaturesAreDownWeighted()
    {
        // the real conda 25.11.1 (classic): a requested package gets its highest version first, features or not
        // (Resolve.version_key has none); a dependency gets the build that tracks fewer features (the feature count
        // of the whole solution comes before the other packages' versions)
        var ch = Channel("c", Rec("a", "2.0", "tf", trackFeatures: new[] { "debug" }), Rec("a", "1.0"), Rec("b", "1.0", depends: new[] { "a" }));
        Assert.Equal(new[] { "a-2.0-tf" }, Nvb(Solve(new[] { ch }, new[] { "a" })));
        Assert.Equal(new[] { "a-1.0-0", "b-1.0-0" }, Nvb(Solve(new[] { ch }, new[] { "b" })));
        Assert.Equal(new[] { "a-2.0-tf", "b-1.0-0" }, Nvb(Solve(new[] { ch }, new[] { "b", "a>=2" })));
    }

    [Fact]
    public void ConstrainsExcludeNonMatchingCandidatesWithoutPullingThemIn()
    {
        var ch = Channel("c", Rec("a", "1.0", depends: new[] { "b" }, constrains: new[] { "b <2", "c <1" }),
            Rec("b", "1.0"), Rec("b", "2.0"), Rec("c", "5.0"));
        Assert.Equal(new[] { "a-1.0-0", "b-1.0-0" }, Nvb(Solve(new[] { ch }, new[] { "a" })));
    }

    [Fact]
    public void VirtualPackagesAreCandidatesAndNotInTheResult()
    {
        var ch = Channel("c", Rec("gpu", "2.0", depends: new[] { "__cuda >=12" }), Rec("gpu", "1.0", depends: new[] { "__cuda >=11" }));
        var result = CondaSolver.Solve(new SolveRequest
        {
            Channels = new[] { ch },
            Specs = Specs("gpu"),
            VirtualPackages = new[] { new PackageRecord { Name = "__cuda", Version = "11.8", Build = "0" } },
        });
        Assert.Equal(new[] { "gpu-1.0-0" }, Nvb(result));
        var ex = Assert.Throws<UnsatisfiableException>(() => CondaSolver.Solve(new SolveRequest { Channels = new[] { ch }, Specs = Specs("gpu") }));
        Assert.Contains("__cuda >=11, for which no candidates were found.", ex.Message);
    }

    [Fact]
    public void UpdateAllKeepsTheInstalledPythonsMajorMinor()
    {
        // conda update --all on python=3.11 + numpy, with python 3.12 and numpy 2.0 for both pythons in the channel: the
        // real conda 25.11.1 answered "All requested packages already installed" with numpy-2.0.0-py311_0 and
        // python-3.11.9 installed (its business rule: python never moves past its minor version unless requested).
        var py311 = Rec("python", "3.11.9");
        var np1 = Rec("numpy", "1.26.4", "py311_0", depends: new[] { "python >=3.11,<3.12.0a0" });
        var ch = Channel("c", py311, Rec("python", "3.12.3"), np1,
            Rec("numpy", "2.0.0", "py311_0", depends: new[] { "python >=3.11,<3.12.0a0" }),
            Rec("numpy", "2.0.0", "py312_0", depends: new[] { "python >=3.12,<3.13.0a0" }));
        var installed = new[] { py311, np1 };
        Assert.Equal(new[] { "numpy-2.0.0-py311_0", "python-3.11.9-0" },
            Nvb(Solve(new[] { ch }, Array.Empty<string>(), installed: installed, modifier: UpdateModifier.UpdateAll, history: new[] { "python=3.11", "numpy" })));
        Assert.Equal(new[] { "numpy-2.0.0-py311_0", "python-3.11.9-0" },
            Nvb(Solve(new[] { ch }, Array.Empty<string>(), installed: installed, modifier: UpdateModifier.UpdateAll)));
        // named, python moves (conda's test_pinned_1 "update without pinning" does so)
        Assert.Equal(new[] { "numpy-2.0.0-py312_0", "python-3.12.3-0" },
            Nvb(Solve(new[] { ch }, new[] { "python" }, installed: installed, modifier: UpdateModifier.UpdateAll)));
    }

    [Fact]
    public void InstalledRecordIsKeptUnlessUpdateAll()
    {
        var a1 = Rec("a", "1.0");
        var ch = Channel("c", a1, Rec("a", "2.0"), Rec("b", "1.0"));
        var kept = Solve(new[] { ch }, new[] { "b" }, installed: new[] { a1 });
        Assert.Equal(new[] { "a-1.0-0", "b-1.0-0" }, Nvb(kept));
        Assert.Equal(new[] { "b-1.0-0" }, kept.ToInstall.Select(r => $"{r.Name}-{r.Version}-{r.Build}"));
        Assert.Equal(new[] { "a-2.0-0", "b-1.0-0" }, Nvb(Solve(new[] { ch }, new[] { "b" }, installed: new[] { a1 }, modifier: UpdateModifier.UpdateAll)));
    }

    [Fact]
    public void FreezeInstalledPrefersAnOlderRequestedVersionOverChangingInstalledPackages()
    {
        // b 2.0 needs a >=2 while a 1.0 is installed: freezing keeps a 1.0 and takes b 1.0; updating specs takes b 2.0 and a 2.0.
        var a1 = Rec("a", "1.0");
        var ch = Channel("c", a1, Rec("a", "2.0"), Rec("b", "1.0", depends: new[] { "a" }), Rec("b", "2.0", depends: new[] { "a >=2" }));
        Assert.Equal(new[] { "a-1.0-0", "b-1.0-0" }, Nvb(Solve(new[] { ch }, new[] { "b" }, installed: new[] { a1 }, modifier: UpdateModifier.FreezeInstalled)));
        Assert.Equal(new[] { "a-2.0-0", "b-2.0-0" }, Nvb(Solve(new[] { ch }, new[] { "b" }, installed: new[] { a1 }, modifier: UpdateModifier.UpdateSpecs)));

        // when the frozen solve has no answer, conda retries without freezing
        var ch2 = Channel("c", a1, Rec("a", "2.0"), Rec("b", "2.0", depends: new[] { "a >=2" }));
        Assert.Equal(new[] { "a-2.0-0", "b-2.0-0" }, Nvb(Solve(new[] { ch2 }, new[] { "b" }, installed: new[] { a1 }, modifier: UpdateModifier.FreezeInstalled)));
    }

    [Fact]
    public void BuildsTiedOnVersionGoToTheOneWhoseDependenciesReachHigherVersions()
    {
        // No python 3.4 exists: its build must rank last, not make the order cyclic (py27 < py34 < py35 < py27).
        var ch = Channel("c",
            Rec("nb", "4.0", "py27_0", depends: new[] { "python 2.7*" }), Rec("nb", "4.0", "py34_0", depends: new[] { "python 3.4*" }),
            Rec("nb", "4.0", "py35_0", depends: new[] { "python 3.5*" }),
            Rec("python", "2.7.15"), Rec("python", "3.5.5"));
        Assert.Equal(new[] { "nb-4.0-py35_0", "python-3.5.5-0" }, Nvb(Solve(new[] { ch }, new[] { "nb" })));
    }

    [Fact]
    public void PinnedSpecsConstrainTheResult()
    {
        var ch = Channel("c", Rec("a", "1.0", depends: new[] { "b" }), Rec("b", "1.0"), Rec("b", "2.0"));
        Assert.Equal(new[] { "a-1.0-0", "b-1.0-0" }, Nvb(Solve(new[] { ch }, new[] { "a" }, pins: new[] { "b <2" })));
        Assert.Equal(new[] { "a-1.0-0", "b-2.0-0" }, Nvb(Solve(new[] { ch }, new[] { "a" })));
    }

    [Fact]
    public void RemoveDropsThePackageAndWhatOnlyItNeeded()
    {
        var a = Rec("a", "1.0", depends: new[] { "b" });
        var b = Rec("b", "1.0");
        var c = Rec("c", "1.0");
        var ch = Channel("ch", a, b, c);
        var result = Solve(new[] { ch }, Array.Empty<string>(), installed: new[] { a, b, c }, remove: new[] { "a" }, history: new[] { "a", "c" });
        Assert.Equal(new[] { "c-1.0-0" }, Nvb(result));
        Assert.Equal(new[] { "a", "b" }, result.ToRemove.Select(r => r.Name).OrderBy(x => x));
    }

    [Fact]
    public void PackagesNotFoundListsEveryMissingSpecWithCloseMatches()
    {
        var ch = Channel("c", Rec("numpy", "1.0"), Rec("scipy", "1.0"));
        var ex = Assert.Throws<PackagesNotFoundException>(() => Solve(new[] { ch }, new[] { "numpi", "scipy>=2", "scipy" }));
        Assert.Equal(new[] { "numpi", "scipy>=2" }, ex.Missing.Select(m => m.ToString()));
        Assert.Contains("numpy", ex.Missing[0].CloseMatches);
        Assert.Contains(ex.Missing[1].CloseMatches, m => m.StartsWith("scipy 1.0", StringComparison.Ordinal));
        Assert.Equal("PackagesNotFound", ex.ErrorId);
    }

    [Fact]
    public void ExplanationSnapshotForASmallConflict()
    {
        var ch = Channel("c",
            Rec("a", "2.0", depends: new[] { "b >=2" }), Rec("a", "2.1", depends: new[] { "b >=2" }),
            Rec("b", "1.0"), Rec("b", "2.0"), Rec("c", "1.0", depends: new[] { "b <2" }));
        var ex = Assert.Throws<UnsatisfiableException>(() => Solve(new[] { ch }, new[] { "a >=2", "c" }));
        const string Expected = """
            The following packages are incompatible
            ├─ a >=2 cannot be installed because there are no viable options:
            │  └─ a 2.1 | 2.0 would require
            │     └─ b >=2, which can be installed with any of the following options:
            │        └─ b 2.0
            └─ c cannot be installed because there are no viable options:
               └─ c 1.0 would require
                  └─ b <2, which can be installed with any of the following options:
                     └─ b 1.0
            """;
        Assert.Equal(Expected.ReplaceLineEndings("\n"), ex.Message);
        Assert.Equal(new[] { "a", "c" }, ex.ConflictingSpecs.Select(s => s.Name));
        Assert.Equal(ConflictNodeKind.Root, ex.Tree.Kind);
        Assert.Equal(2, ex.Tree.Children.Count);
    }

    [Fact]
    public void InstallOrderIsDependenciesFirstTiesByName()
    {
        var ch = Channel("c", Rec("app", "1.0", depends: new[] { "zlib", "lib" }), Rec("lib", "1.0", depends: new[] { "zlib" }), Rec("zlib", "1.0"),
            Rec("aaa", "1.0"));
        var order = Solve(new[] { ch }, new[] { "app", "aaa" }).Records.Select(r => r.Name);
        Assert.Equal(new[] { "aaa", "zlib", "lib", "app" }, order);
    }

    [Fact]
    public void PreCancelledTokenThrowsOperationCanceled()
    {
        var ch = Channel("c", Rec("a", "1.0"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            CondaSolver.Solve(new SolveRequest { Channels = new[] { ch }, Specs = Specs("a") }, cts.Token));
    }

    [Fact]
    public void TimeoutStopsAHardSolveWithSolveTimeout()
    {
        // Pigeonhole: 11 pigeons p_i each need one of 10 holes (hole_j versions), every pair of pigeons excludes sharing.
        const int Holes = 10, Pigeons = 11;
        var records = new List<RepoDataRecord>();
        for (int p = 0; p < Pigeons; p++)
        {
            for (int h = 0; h < Holes; h++)
            {
                records.Add(Rec($"p{p}", h.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    depends: Enumerable.Range(0, Pigeons).Where(q => q != p).Select(q => $"p{q} !={h}").ToArray()));
            }
        }

        var ex = Assert.Throws<EnvToolsException>(() => CondaSolver.Solve(new SolveRequest
        {
            Channels = new[] { Channel("c", records.ToArray()) },
            Specs = Specs(Enumerable.Range(0, Pigeons).Select(p => $"p{p}").ToArray()),
            Timeout = TimeSpan.FromMilliseconds(300),
        }));
        Assert.Equal("SolveTimeout", ex.ErrorId);
        Assert.Equal(ErrorKind.OperationStopped, ex.Kind);
    }

    [Fact]
    public void ForceRemoveTakesOutOnlyTheMatchingRecords()
    {
        var lib = Rec("lib", "1.0");
        var app = Rec("app", "1.0", depends: new[] { "lib" });
        var request = new SolveRequest
        {
            Channels = new[] { Channel("c", lib, app) },
            Installed = new[] { lib, app },
            HistorySpecs = Specs("app"),
            SpecsToRemove = Specs("lib"),
        };
        Assert.Empty(CondaSolver.Solve(request).Records); // a normal removal takes app (which needs lib) along
        var forced = CondaSolver.Solve(new SolveRequest
        {
            Channels = request.Channels, Installed = request.Installed, HistorySpecs = request.HistorySpecs,
            SpecsToRemove = request.SpecsToRemove, ForceRemove = true,
        });
        Assert.Equal(new[] { "app-1.0-0" }, Nvb(forced));
    }

    [Fact]
    public void PinsApplyUnlessIgnored()
    {
        var ch = Channel("c", Rec("a", "1.0"), Rec("a", "2.0"));
        Assert.Equal(new[] { "a-1.0-0" }, Nvb(CondaSolver.Solve(new SolveRequest { Channels = new[] { ch }, Specs = Specs("a"), PinnedSpecs = Specs("a <2") })));
        Assert.Equal(new[] { "a-2.0-0" }, Nvb(CondaSolver.Solve(new SolveRequest { Channels = new[] { ch }, Specs = Specs("a"), PinnedSpecs = Specs("a <2"), IgnorePinned = true })));
    }

    [Fact]
    public void RequestedVersionsAreMaximisedTogether()
    {
        // The greedy search takes x 2.1 build 1 first (higher build number), which needs z 1 and leaves y at 1.0.
        // conda maximises the requested versions together: x 2.1 build 0 (z 2) allows y 2.0, so that is the answer.
        var ch = Channel("c",
            Rec("x", "2.1", depends: new[] { "z 2" }), Rec("x", "2.1", "1", buildNumber: 1, depends: new[] { "z 1" }),
            Rec("y", "1.0"), Rec("y", "2.0", depends: new[] { "z 2" }),
            Rec("z", "1"), Rec("z", "2"));
        var result = CondaSolver.Solve(new SolveRequest { Channels = new[] { ch }, Specs = Specs("x", "y") });
        Assert.Contains("y-2.0-0", Nvb(result));
        Assert.Contains("x-2.1-0", Nvb(result));
    }
}
