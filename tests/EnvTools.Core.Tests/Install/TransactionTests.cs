using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Install;
using Xunit;

namespace EnvTools.Tests.Install;

[Collection(TransactionHookCollection.Name)]
public class TransactionTests
{
    private static LinkPackage Lib(InstallFixture fx, string version, params string[] extra) =>
        fx.Build("lib", version, new[]
        {
            new FixtureFile("lib/liblib.txt", $"lib {version}\n"),
            new FixtureFile("share/lib/only-" + version + ".txt", version + "\n"),
            new FixtureFile("etc/lib.conf", $"prefix=/opt/build_placeholder_prefix_{version}\n") { Placeholder = $"/opt/build_placeholder_prefix_{version}" },
        }.Concat(extra.Select(e => new FixtureFile(e, e))));

    private static LinkPackage App(InstallFixture fx, string version) =>
        fx.Build("app", version, new[] { new FixtureFile("bin/app", $"#!/bin/sh\necho app {version}\n") { Mode = (UnixFileMode)0b111_101_101 } }, depends: new[] { "lib >=1" });

    [Fact]
    public void Plan_diffs_installed_against_the_solution_in_dependency_order()
    {
        RepoDataRecord R(string name, string version, params string[] deps) => new()
        {
            Name = name, Version = version, Build = "0", Depends = deps, Subdir = "linux-64", FileName = $"{name}-{version}-0.conda",
            Channel = "https://conda.anaconda.org/c/linux-64",
        };
        PrefixRecord P(RepoDataRecord r) => new(r);

        var installed = new[] { P(R("a", "1")), P(R("b", "1", "a")), P(R("c", "1", "b")), P(R("gone", "1", "c")) };
        var solution = new[] { R("a", "1"), R("b", "2", "a"), R("c", "1", "b"), R("d", "1", "b") };
        var plan = TransactionPlan.Create("/tmp/p", installed, solution, r => "/pkgs/" + r.Name, new Dictionary<string, string> { ["d"] = "d>=1" });
        Assert.Equal(new[] { "gone", "b" }, plan.Unlink.Select(r => r.Name));
        Assert.Equal(new[] { "b", "d" }, plan.Link.Select(p => p.Record.Name));
        Assert.Equal("d>=1", plan.Link[1].RequestedSpec);
        Assert.Equal("/pkgs/b", plan.Link[0].ExtractedDirectory);

        // another channel is another package; force-reinstall relinks the requested ones
        var otherChannel = new RepoDataRecord(R("a", "1")) { Channel = "https://conda.anaconda.org/other/linux-64" };
        var plan2 = TransactionPlan.Create("/tmp/p", installed, new[] { otherChannel, R("b", "1", "a"), R("c", "1", "b") }, r => "/x");
        Assert.Equal(new[] { "gone", "a" }, plan2.Unlink.Select(r => r.Name));
        var plan3 = TransactionPlan.Create("/tmp/p", installed, new[] { R("a", "1"), R("b", "1", "a"), R("c", "1", "b"), R("gone", "1", "c") }, r => "/x",
            new Dictionary<string, string> { ["c"] = "c" }, forceReinstall: true);
        Assert.Equal("c", Assert.Single(plan3.Unlink).Name);
        Assert.Equal("c", Assert.Single(plan3.Link).Record.Name);
        Assert.True(TransactionPlan.Create("/tmp/p", installed, installed, r => "/x").IsEmpty);
    }

    [Fact]
    public void Upgrade_replaces_files_and_remove_prunes_and_forgets()
    {
        using var fx = new InstallFixture();
        fx.Install(Lib(fx, "1.0"), App(fx, "1.0"));
        Assert.Equal("prefix=" + fx.TextPrefix + "\n", fx.ReadText("etc/lib.conf"));

        var result = fx.Install(Lib(fx, "2.0"));
        Assert.Equal("lib", Assert.Single(result.Unlinked).Name);
        Assert.Equal("2.0", Assert.Single(result.Linked).Version);
        Assert.Equal("lib 2.0\n", fx.ReadText("lib/liblib.txt"));
        Assert.False(File.Exists(Path.Combine(fx.Prefix, "share/lib/only-1.0.txt")));
        Assert.True(File.Exists(Path.Combine(fx.Prefix, "share/lib/only-2.0.txt")));
        Assert.Equal(new[] { "app-1.0-0.json", "lib-2.0-0.json" },
            Directory.GetFiles(Path.Combine(fx.Prefix, "conda-meta"), "*.json").Select(Path.GetFileName).Order());

        var history = PrefixHistory.Load(PrefixHistory.PathFor(fx.Prefix));
        Assert.Equal(2, history.Revisions.Count);
        Assert.Equal("test-channel/linux-64::lib-1.0-0", Assert.Single(history.Revisions[1].Removed).Text);

        fx.Remove(fx.Options(), "lib", "app");
        Assert.Empty(PrefixState.ReadInstalled(fx.Prefix));
        Assert.Equal(new[] { "conda-meta" }, Directory.GetFileSystemEntries(fx.Prefix).Select(Path.GetFileName));
    }

    [Fact]
    public void Empty_new_environment_gets_history_and_is_registered()
    {
        using var fx = new InstallFixture();
        var result = PrefixTransaction.Execute(new TransactionPlan { Prefix = fx.Prefix }, fx.Options());
        Assert.Empty(result.Linked);
        Assert.True(File.Exists(PrefixHistory.PathFor(fx.Prefix)));
        Assert.Contains(fx.Prefix, new EnvironmentsFile(fx.EnvironmentsTxt).Read());
    }

    [Fact]
    public void Failing_post_link_rolls_everything_back_byte_for_byte()
    {
        using var fx = new InstallFixture();
        fx.Install(Lib(fx, "1.0"), App(fx, "1.0"));
        var before = InstallFixture.Snapshot(fx.Prefix);
        var lib2 = Lib(fx, "2.0");
        var bad = fx.Build("bad", "1.0", new[]
        {
            InstallFixture.PostLink("bad", "echo 'about to fail' >> \"$PREFIX/.messages.txt\"\necho failing\nexit 3\n",
                "@echo about to fail>> \"%PREFIX%\\.messages.txt\"\n@echo failing\n@exit /b 3\n"),
            new FixtureFile("share/bad/data.txt", "data\n"),
        });
        var ex = Assert.Throws<LinkScriptFailedException>(() => fx.Install(fx.Options(scripts: true), lib2, bad));
        Assert.Equal("LinkScriptFailed", ex.ErrorId);
        Assert.Equal(3, ex.ExitCode);
        Assert.Contains("failing", ex.Output, StringComparison.Ordinal);
        Assert.Equal(before, InstallFixture.Snapshot(fx.Prefix));
    }

    [ConformanceFact]
    public void Real_failing_post_link_package_is_rolled_back()
    {
        using var fx = new InstallFixture();
        fx.Install(Lib(fx, "1.0"));
        var before = InstallFixture.Snapshot(fx.Prefix);
        var pkg = fx.Extract(ConformanceData.PathOf("packages/conda-tests/test-recipes/noarch/failing_post_link-1.0-0.conda")!);
        var ex = Assert.Throws<LinkScriptFailedException>(() => fx.Install(fx.Options(scripts: true), pkg));
        Assert.Equal("post-link", ex.Action);
        Assert.Equal(before, InstallFixture.Snapshot(fx.Prefix));

        // without permission the script is not run and the package installs, with a note
        var result = fx.Install(fx.Options(scripts: false), pkg);
        Assert.Contains(result.Messages, m => m.Contains("post-link script of failing_post_link", StringComparison.Ordinal));
    }

    public static IEnumerable<object[]> CrashPoints() => new[]
    {
        new object[] { "unlink", 1 },
        new object[] { "unlink", 4 },
        new object[] { "link", 1 },
        new object[] { "link", 2 },
        new object[] { "link", 4 },
        new object[] { "records", 0 },
        new object[] { "commit", 0 },
    };

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public void Interrupted_transaction_is_rolled_back_by_the_next_command(string point, int count)
    {
        using var fx = new InstallFixture();
        fx.Install(Lib(fx, "1.0", "share/lib/extra-a.txt", "share/lib/extra-b.txt"), App(fx, "1.0"));
        var before = InstallFixture.Snapshot(fx.Prefix);
        var lib2 = Lib(fx, "2.0");
        var app2 = App(fx, "2.0");

        PrefixTransaction.TestHook = (p, n) =>
        {
            if (p == point && n >= count)
            {
                throw new SimulatedCrashException(p);
            }
        };
        try
        {
            Assert.Throws<SimulatedCrashException>(() => fx.Install(lib2, app2));
        }
        finally
        {
            PrefixTransaction.TestHook = null;
        }

        Assert.True(File.Exists(Path.Combine(fx.Prefix, "conda-meta", PrefixJournal.FileName)));
        Assert.NotEqual(before, InstallFixture.Snapshot(fx.Prefix));
        Assert.True(PrefixJournal.RecoverIfNeeded(fx.Prefix));
        var after = InstallFixture.Snapshot(fx.Prefix);
        Assert.True(before.SequenceEqual(after), string.Join("\n", before.Except(after).Select(kv => "- " + kv)) + "\n" + string.Join("\n", after.Except(before).Select(kv => "+ " + kv)));
        Assert.False(PrefixJournal.RecoverIfNeeded(fx.Prefix));

        // and the next transaction works
        fx.Install(Lib(fx, "2.0"), App(fx, "2.0"));
        Assert.Equal("lib 2.0\n", fx.ReadText("lib/liblib.txt"));
    }

    [Fact]
    public void Crash_after_the_commit_mark_is_completed_not_rolled_back()
    {
        using var fx = new InstallFixture();
        fx.Install(Lib(fx, "1.0"));
        PrefixTransaction.TestHook = (p, _) =>
        {
            if (p == "committed")
            {
                throw new SimulatedCrashException(p);
            }
        };
        try
        {
            Assert.Throws<SimulatedCrashException>(() => fx.Install(Lib(fx, "2.0")));
        }
        finally
        {
            PrefixTransaction.TestHook = null;
        }

        Assert.True(Directory.Exists(Path.Combine(fx.Prefix, PrefixJournal.TrashDirectoryName)));
        Assert.True(PrefixJournal.RecoverIfNeeded(fx.Prefix));
        Assert.Equal("lib 2.0\n", fx.ReadText("lib/liblib.txt"));
        Assert.Equal("2.0", Assert.Single(PrefixState.ReadInstalled(fx.Prefix)).Version);
        Assert.False(Directory.Exists(Path.Combine(fx.Prefix, PrefixJournal.TrashDirectoryName)));
        Assert.False(Directory.Exists(Path.Combine(fx.Prefix, "share/lib/only-1.0.txt")));
        Assert.False(Directory.Exists(Path.Combine(fx.Prefix, "share/lib")) && File.Exists(Path.Combine(fx.Prefix, "share/lib/only-1.0.txt")));
    }

    [Fact]
    public void Cancellation_rolls_back()
    {
        using var fx = new InstallFixture();
        fx.Install(Lib(fx, "1.0"));
        var before = InstallFixture.Snapshot(fx.Prefix);
        using var cts = new CancellationTokenSource();
        var plan = TransactionPlan.Create(fx.Prefix, PrefixState.ReadInstalled(fx.Prefix), new[] { Lib(fx, "2.0").Record }, r => Path.Combine(fx.Pkgs, "lib-2.0-0"));
        var progress = new SyncProgress(p =>
        {
            if (p.Phase == LinkPhase.Link)
            {
                cts.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => PrefixTransaction.Execute(plan, fx.Options(), progress, cts.Token));
        Assert.Equal(before, InstallFixture.Snapshot(fx.Prefix));
    }

    [Fact]
    public void Locked_prefix_times_out_with_PrefixLocked()
    {
        using var fx = new InstallFixture();
        Directory.CreateDirectory(fx.Prefix);
        using (PrefixLock.Acquire(fx.Prefix, TimeSpan.FromSeconds(1), CancellationToken.None))
        {
            var options = new InstallOptions { EnvironmentsFile = fx.EnvironmentsTxt, LockTimeout = TimeSpan.FromMilliseconds(200) };
            var ex = Assert.Throws<PrefixLockedException>(() => fx.Install(options, Lib(fx, "1.0")));
            Assert.Equal("PrefixLocked", ex.ErrorId);
            Assert.Equal(ErrorKind.ResourceBusy, ex.Kind);
        }

        fx.Install(Lib(fx, "1.0"));
        Assert.Single(PrefixState.ReadInstalled(fx.Prefix));
    }

    [Fact]
    public void Untracked_file_in_the_way_is_replaced_and_restored_on_rollback()
    {
        using var fx = new InstallFixture();
        Directory.CreateDirectory(Path.Combine(fx.Prefix, "lib"));
        File.WriteAllText(Path.Combine(fx.Prefix, "lib", "liblib.txt"), "mine\n");
        var before = InstallFixture.Snapshot(fx.Prefix);
        var bad = fx.Build("bad", "1.0", new[] { InstallFixture.PostLink("bad", "exit 1\n", "@exit /b 1\n") });
        Assert.Throws<LinkScriptFailedException>(() => fx.Install(fx.Options(scripts: true), Lib(fx, "1.0"), bad));
        Assert.Equal(before, InstallFixture.Snapshot(fx.Prefix));

        var result = fx.Install(Lib(fx, "1.0"));
        Assert.Equal("lib 1.0\n", fx.ReadText("lib/liblib.txt"));
        Assert.Contains(result.Messages, m => m.Contains("lib/liblib.txt", StringComparison.Ordinal));
    }

    [Fact]
    public void Remove_environment_deletes_it_and_unregisters_it()
    {
        using var fx = new InstallFixture();
        fx.Install(Lib(fx, "1.0"), App(fx, "1.0"));
        Assert.Contains(fx.Prefix, new EnvironmentsFile(fx.EnvironmentsTxt).Read());
        PrefixRemoval.RemoveEnvironment(fx.Prefix, CancellationToken.None, fx.Options());
        Assert.False(Directory.Exists(fx.Prefix));
        Assert.DoesNotContain(fx.Prefix, new EnvironmentsFile(fx.EnvironmentsTxt).Read());
        Assert.True(File.Exists(Path.Combine(fx.Pkgs, "lib-1.0-0", "lib", "liblib.txt"))); // the cache is untouched
    }

    [Fact]
    public void Pinned_specs_are_read_without_comments()
    {
        using var fx = new InstallFixture();
        Directory.CreateDirectory(Path.Combine(fx.Prefix, "conda-meta"));
        File.WriteAllText(Path.Combine(fx.Prefix, "conda-meta", "pinned"), "# pins\nnumpy 1.26.*\n\n  python=3.11 # keep\n");
        Assert.Equal(new[] { "numpy 1.26.*", "python=3.11" }, PrefixState.ReadPinned(fx.Prefix));
        Assert.Empty(PrefixState.ReadPinned(fx.Root));
    }

    private sealed class SyncProgress : IProgress<LinkProgress>
    {
        private readonly Action<LinkProgress> _action;

        public SyncProgress(Action<LinkProgress> action) => _action = action;

        public void Report(LinkProgress value) => _action(value);
    }
}

/// <summary>Tests that set <see cref="PrefixTransaction.TestHook"/> (a static) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TransactionHookCollection
{
    public const string Name = "PrefixTransaction hooks";
}
