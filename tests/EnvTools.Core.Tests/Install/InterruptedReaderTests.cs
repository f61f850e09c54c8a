using EnvTools.Environments;
using EnvTools.Install;
using Xunit;

namespace EnvTools.Tests.Install;

/// <summary>
/// Readers (Get-EnvPackage, Test-Env, Export-Env, Get-Env) of a prefix whose transaction was interrupted (or is
/// running): they never parse the journal as a record, and they see the last committed state.
/// </summary>
[Collection(TransactionHookCollection.Name)]
public class InterruptedReaderTests
{
    private static LinkPackage Lib(InstallFixture fx, string version) =>
        fx.Build("lib", version, new[]
        {
            new FixtureFile("lib/liblib.txt", $"lib {version}\n"),
            new FixtureFile("share/lib/only-" + version + ".txt", version + "\n"),
        });

    private static LinkPackage Tool(InstallFixture fx) =>
        fx.Build("tool", "1.0", new[] { new FixtureFile("share/tool.txt", "tool\n") });

    public static IEnumerable<object[]> Points() => new[]
    {
        new object[] { "unlink", 1, "1.0" },
        new object[] { "link", 1, "1.0" },
        new object[] { "link", 3, "1.0" },
        new object[] { "records", 0, "1.0" },
        new object[] { "commit", 0, "1.0" },
        new object[] { "committed", 0, "2.0" },
    };

    [Theory]
    [MemberData(nameof(Points))]
    public void Readers_of_an_interrupted_prefix_see_the_last_committed_state(string point, int count, string expected)
    {
        using var fx = new InstallFixture();
        fx.Install(Lib(fx, "1.0"));
        var lib2 = Lib(fx, "2.0");
        var tool = Tool(fx);
        Crash(point, count, () => fx.Install(lib2, tool));
        Assert.True(File.Exists(Path.Combine(fx.Prefix, "conda-meta", PrefixJournal.FileName)));

        PrefixData data = PrefixData.Load(fx.Prefix);
        string[] want = expected == "1.0" ? new[] { "lib=1.0" } : new[] { "lib=2.0", "tool=1.0" };
        Assert.Equal(want, data.Records.Select(r => $"{r.Name}={r.Version}").ToArray());
        Assert.Equal(want, data.GetPackages().Select(p => $"{p.Name}={p.Version}").ToArray());
        Assert.Equal(want.Length, EnvironmentInfo.Read(fx.Prefix).PackageCount);
        Assert.Contains(expected == "1.0" ? "lib-1.0-0" : "lib-2.0-0", EnvironmentExport.ToExplicit(fx.Prefix), StringComparison.Ordinal);
        _ = PrefixVerifier.Verify(fx.Prefix); // never throws; may list the files a pending transaction has moved
        Assert.Equal(point != "committed", data.TransactionPending);

        // nothing was changed by reading, and the next command still restores old-or-new
        Assert.True(File.Exists(Path.Combine(fx.Prefix, "conda-meta", PrefixJournal.FileName)));
        Assert.True(PrefixJournal.RecoverIfNeeded(fx.Prefix));
        Assert.Equal(want, PrefixState.ReadInstalled(fx.Prefix).Select(r => $"{r.Name}={r.Version}").ToArray());
        Assert.Empty(PrefixVerifier.Verify(fx.Prefix));
        Assert.False(PrefixData.Load(fx.Prefix).TransactionPending);
    }

    [Fact]
    public void Reader_ignores_dot_files_and_temporary_records_in_conda_meta()
    {
        using var fx = new InstallFixture();
        fx.Install(Lib(fx, "1.0"));
        File.WriteAllText(Path.Combine(fx.Prefix, "conda-meta", ".envtools-other.json"), "{ not json");
        File.WriteAllText(Path.Combine(fx.Prefix, "conda-meta", PrefixJournal.FileName), "{ torn");
        Assert.Equal("lib", Assert.Single(PrefixData.Load(fx.Prefix).Records).Name);
        Assert.Equal(1, EnvironmentInfo.Read(fx.Prefix).PackageCount);
    }

    [Fact]
    public async Task Readers_running_beside_changes_never_fail_and_see_old_or_new()
    {
        using var fx = new InstallFixture();
        var one = Lib(fx, "1.0");
        var two = Lib(fx, "2.0");
        fx.Install(one);
        using var stop = new CancellationTokenSource();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int reads = 0;
        using var firstRead = new ManualResetEventSlim();
        var reader = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                // another thread's PrefixLock is another open file: the same exclusion as between processes
                string state = string.Join(" ", PrefixData.Load(fx.Prefix).Records.Select(r => $"{r.Name}={r.Version}"));
                _ = EnvironmentInfo.Read(fx.Prefix);
                lock (seen)
                {
                    seen.Add(state);
                }

                reads++;
                firstRead.Set();
            }
        }, TaskCreationOptions.LongRunning); // its own thread: on a loaded machine a pool thread started only after the changes
        try
        {
            Assert.True(firstRead.Wait(TimeSpan.FromSeconds(30)), "the reader never read");
            for (int i = 0; i < 15; i++)
            {
                fx.Install(i % 2 == 0 ? two : one);
            }
        }
        finally
        {
            stop.Cancel();
        }

        await reader; // rethrows what a reader hit
        Assert.True(reads > 0);
        Assert.Subset(new HashSet<string>(new[] { "lib=1.0", "lib=2.0" }, StringComparer.Ordinal), seen);
    }

    [Fact]
    public void Journal_torn_while_it_was_first_written_is_cleaned_by_the_next_command()
    {
        // killed inside the atomic write of the first journal (found by build.ps1 Torture: SIGKILL): nothing was
        // changed yet, but the temporary file was left in conda-meta
        using var fx = new InstallFixture();
        fx.Install(Lib(fx, "1.0"));
        var before = InstallFixture.Snapshot(fx.Prefix);
        string torn = Path.Combine(fx.Prefix, "conda-meta", PrefixJournal.FileName + ".tmp-12345");
        File.WriteAllText(torn, "{\"version\": 1, \"id\": \"ab");

        Assert.Equal("lib", Assert.Single(PrefixData.Load(fx.Prefix).Records).Name);
        Assert.True(PrefixJournal.RecoverIfNeeded(fx.Prefix)); // what every command does first
        Assert.False(File.Exists(torn));
        Assert.Equal(before, InstallFixture.Snapshot(fx.Prefix));
    }

    internal static void Crash(string point, int count, Action action)
    {
        PrefixTransaction.TestHook = (p, n) =>
        {
            if (p == point && n >= count)
            {
                throw new SimulatedCrashException(p);
            }
        };
        try
        {
            Assert.Throws<SimulatedCrashException>(action);
        }
        finally
        {
            PrefixTransaction.TestHook = null;
        }
    }
}
