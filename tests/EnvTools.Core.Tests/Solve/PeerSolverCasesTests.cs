using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.RepoData;
using EnvTools.Solve;
using Xunit;
using static EnvTools.Tests.Solve.SolveTestUtil;

namespace EnvTools.Tests.Solve;

/// <summary>rattler's solver cases (dummy channel and inline repositories) and mamba's unsatisfiable problems.</summary>
public class PeerSolverCasesTests
{
    private static SolverChannel Dummy()
    {
        string path = ConformanceData.PathOf("repodata/rattler/channels/dummy/linux-64/repodata.json")!;
        var index = RepoDataIndex.Load(path, "https://conda.anaconda.org/conda-forge/linux-64");
        return new SolverChannel("conda-forge", new IRecordSource[] { new RepoDataIndexSource(index, "conda-forge", "linux-64") });
    }

    internal static SolveResult SolveDummy(string[] specs, PackageRecord[]? virtuals = null, MatchSpec[]? pins = null) =>
        CondaSolver.Solve(new SolveRequest
        {
            Channels = new[] { Dummy() },
            Specs = Specs(specs),
            VirtualPackages = virtuals ?? Array.Empty<PackageRecord>(),
            PinnedSpecs = pins ?? Array.Empty<MatchSpec>(),
        });

    [ConformanceFact]
    public void Dummy_InstallNew_PicksTheConda3_0_2Build3WithItsUrlAndHashes()
    {
        var r = Assert.Single(SolveDummy(new[] { "foo<4" }).Records);
        Assert.Equal("foo-3.0.2-py36h1af98f8_3.conda", r.FileName);
        Assert.Equal("https://conda.anaconda.org/conda-forge/linux-64/foo-3.0.2-py36h1af98f8_3.conda", r.Url);
        Assert.Equal("67a63bec3fd3205170eaad532d487595b8aaceb9814d13c6858d7bac3ef24cd4", r.Sha256);
        Assert.Equal("fb731d9290f0bcbf3a054665f33ec94f", r.Md5);
        Assert.Equal(3, r.BuildNumber);
    }

    [ConformanceFact]
    public void Dummy_PrefersCondaOverTarBz2Twin()
    {
        var r = Assert.Single(SolveDummy(new[] { "foo=3.0.2=py36h1af98f8_1" }).Records);
        Assert.Equal("foo-3.0.2-py36h1af98f8_1.conda", r.FileName);
    }

    [ConformanceFact]
    public void Dummy_SolveWithError_TreeNamesBothSpecs()
    {
        var ex = Assert.Throws<UnsatisfiableException>(() => SolveDummy(new[] { "foobar >=2", "bors >= 2" }));
        Assert.Contains("foobar >=2", ex.Message);
        Assert.Contains("bors >= 2", ex.Message);
        Assert.Contains("bors <2.0", ex.Message);
        Assert.Equal(2, ex.ConflictingSpecs.Count);
        Assert.Equal("Unsatisfiable", ex.ErrorId);
    }

    [ConformanceFact]
    public void Dummy_InstallNonExistent_IsPackagesNotFound()
    {
        var ex = Assert.Throws<PackagesNotFoundException>(() => SolveDummy(new[] { "asdfasdf", "foo<4" }));
        Assert.Equal("asdfasdf", Assert.Single(ex.Missing).Spec.Name);
        Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
    }

    [ConformanceFact]
    public void Dummy_MissingVirtualPackage_IsUnsatisfiableNamingUnix()
    {
        var ex = Assert.Throws<UnsatisfiableException>(() => SolveDummy(new[] { "bar" }));
        Assert.Contains("__unix", ex.Message);
        Assert.Contains("no candidates", ex.Message);
    }

    [ConformanceFact]
    public void Dummy_WithVirtualPackage_InstallsBar()
    {
        var result = SolveDummy(new[] { "bar" }, new[] { new PackageRecord { Name = "__unix", Version = "0", Build = "0" } });
        var r = Assert.Single(result.Records);
        Assert.Equal(("bar", "1.2.3"), (r.Name, r.Version));
    }

    [ConformanceFact]
    public void Dummy_VirtualPackageConstrains_Conflict()
    {
        var ex = Assert.Throws<UnsatisfiableException>(() =>
            SolveDummy(new[] { "cuda-version" }, new[] { new PackageRecord { Name = "__cuda", Version = "1", Build = "0" } }));
        Assert.Contains("cuda-version", ex.Message);
        Assert.Contains("__cuda", ex.Message);
    }

    [ConformanceFact]
    public void Dummy_SolveLocked_PinConflicts()
    {
        var ex = Assert.Throws<UnsatisfiableException>(() =>
            SolveDummy(new[] { "bors >=2" }, pins: new[] { MatchSpec.Parse("bors==1.0=bla_1") }));
        Assert.Contains("bors >=2", ex.Message);
        Assert.Contains("pinned", ex.Message);
    }

    public static IEnumerable<object[]> InlineCases()
    {
        string? path = ConformanceData.PathOf("solver-cases/rattler_solve/rattler_solve_cases.json");
        if (path is null || !File.Exists(path))
        {
            yield return new object[] { "absent" };
            yield break;
        }

        foreach (var c in JsonNode.Parse(File.ReadAllText(path))!["inline_cases"]!.AsArray())
        {
            yield return new object[] { (string)c!["name"]! };
        }
    }

    /// <summary>rattler-only request options that the conda API does not have.</summary>
    private static readonly Dictionary<string, string> NotApplicable = new()
    {
        ["exclude_newer filters out packages newer than timestamp"] = "exclude_newer is a rattler option, not conda's",
        ["exclude_newer prefers .tar.bz2 when .conda is too new"] = "exclude_newer is a rattler option, not conda's",
        ["override forces lower python version"] = "dependency overrides are a rattler option, not conda's",
        ["override does not apply when package doesn't match"] = "dependency overrides are a rattler option, not conda's",
    };

    [ConformanceTheory]
    [MemberData(nameof(InlineCases))]
    public void RattlerInlineCase(string name)
    {
        string path = ConformanceData.PathOf("solver-cases/rattler_solve/rattler_solve_cases.json")!;
        var c = JsonNode.Parse(File.ReadAllText(path))!["inline_cases"]!.AsArray().Single(x => (string)x!["name"]! == name)!;
        if (NotApplicable.ContainsKey(name))
        {
            Assert.True(c["exclude_newer"] is not null || c["dependency_overrides"] is not null);
            return;
        }

        RepoDataRecord ToRecord(JsonNode p) => Rec((string)p["name"]!, (string)p["version"]!, (string?)p["build"] ?? "0",
            depends: p["depends"]?.AsArray().Select(x => (string)x!).ToArray());
        var repo = c["repository"]!.AsArray().Select(p => ToRecord(p!)).ToArray();
        var locked = c["locked"]?.AsArray().Select(p => repo.First(r => r.Name == (string)p!["name"]! && r.Version == (string)p["version"]!)).ToArray()
            ?? Array.Empty<RepoDataRecord>();
        var request = new SolveRequest
        {
            Channels = new[] { Channel("test", repo) },
            Specs = Specs(c["specs"]!.AsArray().Select(x => (string)x!).ToArray()),
            PinnedSpecs = Specs(c["constraints"]?.AsArray().Select(x => (string)x!).ToArray() ?? Array.Empty<string>()),
            Installed = locked,
            Prune = true, // rattler's locked packages are preferences, not requirements
        };
        var result = CondaSolver.Solve(request);
        foreach (var present in c["expect_present"]?.AsArray() ?? new JsonArray())
        {
            string n = (string)present![0]!, v = (string)present[1]!;
            Assert.Contains(result.Records, r => r.Name == n && r.Version == v);
        }

        foreach (var absent in c["expect_absent"]?.AsArray() ?? new JsonArray())
        {
            Assert.DoesNotContain(result.Records, r => r.Name == (string)absent!);
        }
    }

    public static IEnumerable<object[]> MambaCases()
    {
        string? path = ConformanceData.PathOf("solver-cases/mamba_problems_graph_cases.json");
        if (path is null || !File.Exists(path))
        {
            yield return new object[] { "absent" };
            yield break;
        }

        foreach (var c in JsonNode.Parse(File.ReadAllText(path))!["cases"]!.AsArray())
        {
            yield return new object[] { (string)c!["name"]! };
        }
    }

    /// <summary>The solve request of mamba's problem <paramref name="name"/>; <paramref name="install"/>: its requested specs.</summary>
    internal static SolveRequest MambaRequest(string name, out string[] install)
    {
        string path = ConformanceData.PathOf("solver-cases/mamba_problems_graph_cases.json")!;
        var c = JsonNode.Parse(File.ReadAllText(path))!["cases"]!.AsArray().Single(x => (string)x!["name"]! == name)!;
        var repo = c["packages"]!.AsArray().Select(p => Rec((string)p!["name"]!, (string)p["version"]!, (string)p["build"]!,
            depends: p["depends"]!.AsArray().Select(x => (string)x!).ToArray())).ToArray();
        install = c["install"]!.AsArray().Select(x => (string)x!).ToArray();
        return new SolveRequest
        {
            Channels = new[] { Channel("test", repo) },
            Specs = Specs(install),
            PinnedSpecs = Specs(c["pins"]!.AsArray().Select(x => (string)x!).ToArray()),
        };
    }

    [ConformanceTheory]
    [MemberData(nameof(MambaCases))]
    public void MambaProblemIsUnsatisfiable(string name)
    {
        SolveRequest request = MambaRequest(name, out string[] install);
        if (name == "Basic conflict")
        {
            // Deliberate difference: like conda (PackagesNotFoundError), a requested spec that no record matches is
            // reported as not found, with the available versions as close matches, rather than as a conflict.
            var nf = Assert.Throws<PackagesNotFoundException>(() => CondaSolver.Solve(request));
            Assert.Equal("a", Assert.Single(nf.Missing).Spec.Name, ignoreCase: true);
            Assert.NotEmpty(nf.Missing[0].CloseMatches);
            return;
        }

        var ex = Assert.Throws<UnsatisfiableException>(() => CondaSolver.Solve(request));
        Assert.NotEmpty(ex.ConflictingSpecs);
        foreach (var spec in ex.ConflictingSpecs)
        {
            Assert.Contains(spec.ToString(), ex.Message);
        }

        // Every conflicting spec is one of the request's (or a pin).
        Assert.All(ex.ConflictingSpecs, s => Assert.Contains(s.Name, install.Select(i => MatchSpec.Parse(i).Name)));
        if (name == "Pin conflict")
        {
            Assert.Contains("pinned spec bar", ex.Message);
        }
    }
}
