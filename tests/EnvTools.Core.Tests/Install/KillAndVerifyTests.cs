using EnvTools.Environments;
using EnvTools.Install;
using Xunit;
using Xunit.Abstractions;

namespace EnvTools.Tests.Install;

/// <summary>
/// Kill-and-verify, the short version (the long one with real processes is <c>build.ps1 Torture</c>): create,
/// install, update and uninstall are each stopped at random points inside the transaction, chosen among the steps a
/// complete run of the same change goes through (every unlinked and linked file, the records, the commit). A stop
/// leaves the prefix as a killed process would (<see cref="PrefixTransaction.TestHook"/>). Then readers work and
/// show the old or the new state, the next command restores the old or the new tree exactly, Test-Env is clean and the
/// package cache holds no partial file. ENVTOOLS_TORTURE_TRIALS sets the stops per change (10 by default).
/// </summary>
[Collection(TransactionHookCollection.Name)]
public sealed class KillAndVerifyTests : IDisposable
{
    private readonly ChannelInstallFixture _fx = new();
    private readonly ITestOutputHelper _output;

    public KillAndVerifyTests(ITestOutputHelper output)
    {
        _output = output;
        _fx.Package("lib", "1.0", null, Files("lib", "one", 5));
        _fx.Package("lib", "2.0", null, Files("lib", "two", 6));
        _fx.Package("app", "1.0", new[] { "lib" }, Files("app", "app", 3));
        _fx.Package("tool", "1.0", null, Files("tool", "tool", 8));
        _fx.Index();
    }

    public void Dispose() => _fx.Dispose();

    private static (string, string)[] Files(string name, string text, int n) =>
        Enumerable.Range(0, n).Select(i => ($"share/{name}/f{i}.txt", $"{name} {text} {i}\n")).Append(($"lib/{name}-{text}.txt", text)).ToArray();

    public static IEnumerable<object[]> Operations() => new[]
    {
        new object[] { "create" },
        new object[] { "install" },
        new object[] { "update" },
        new object[] { "uninstall" },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public void Change_stopped_at_random_points_leaves_old_or_new(string operation)
    {
        int trials = int.TryParse(Environment.GetEnvironmentVariable("ENVTOOLS_TORTURE_TRIALS"), out int t) && t > 0 ? t : 10;
        string prefix = _fx.PrefixOf(operation);

        // A complete run: the new tree, and the steps it goes through.
        Setup(operation, prefix);
        var oldTree = InstallFixture.Snapshot(prefix);
        var steps = new List<(string Point, int Count)>();
        PrefixTransaction.TestHook = (p, n) => steps.Add((p, n));
        try
        {
            Change(operation, prefix);
        }
        finally
        {
            PrefixTransaction.TestHook = null;
        }

        var newTree = InstallFixture.Snapshot(prefix);
        string[] newList = ChannelInstallFixture.Installed(prefix);
        Assert.True(steps.Count >= trials, $"{steps.Count} steps");
        var random = new Random(16 * 1000 + operation.Length);
        // always the step after the commit (the new state), then random others
        var chosen = steps.Distinct().OrderBy(s => s.Point == "committed" ? -1 : random.Next()).Take(trials).ToList();

        int old = 0, @new = 0;
        foreach (var (point, count) in chosen)
        {
            Remove(prefix);
            Setup(operation, prefix);
            string[] oldList = ChannelInstallFixture.Installed(prefix);
            InterruptedReaderTests.Crash(point, count, () => Change(operation, prefix));
            string at = $"{operation} stopped at {point} {count}";

            // readers work, and see the old or the new state
            string[] seen = PrefixData.Load(prefix).Records.Select(r => $"{r.Name}={r.Version}").ToArray();
            Assert.True(seen.SequenceEqual(oldList) || seen.SequenceEqual(newList), $"{at}: readers see {string.Join(" ", seen)}");
            _ = PrefixVerifier.Verify(prefix);
            _ = EnvironmentExport.ToExplicit(prefix);
            _ = new EnvironmentLocator(_fx.Settings).List();

            // the next command restores old or new
            bool isNew;
            if (operation == "create")
            {
                isNew = EnvironmentLocator.IsEnvironment(prefix);
                if (isNew)
                {
                    PrefixJournal.RecoverIfNeeded(prefix);
                    AssertTree(newTree, prefix, at);
                }
                else
                {
                    Assert.DoesNotContain(new EnvironmentLocator(_fx.Settings).List(), e => e.Prefix == prefix);
                    Change(operation, prefix); // New-Env of the same name just works
                    AssertTree(newTree, prefix, at);
                }
            }
            else
            {
                _fx.Plan(prefix, EnvironmentAction.Install, "lib"); // any command (a dry run) finishes what was interrupted
                var tree = InstallFixture.Snapshot(prefix);
                isNew = Same(tree, newTree);
                Assert.True(isNew || Same(tree, oldTree), $"{at}: neither old nor new:\n{Diff(oldTree, tree)}");
            }

            Assert.Empty(PrefixVerifier.Verify(prefix));
            Assert.False(File.Exists(Path.Combine(prefix, "conda-meta", PrefixJournal.FileName)), at);
            Assert.Empty(Directory.EnumerateFileSystemEntries(_fx.Pkgs, "*partial*"));
            if (isNew)
            {
                @new++;
            }
            else
            {
                old++;
            }
        }

        _output.WriteLine($"{operation,-10} trials {chosen.Count,3}  old {old,3}  new {@new,3}  broken 0");
        Assert.Equal(chosen.Count, old + @new);
    }

    private void Setup(string operation, string prefix)
    {
        switch (operation)
        {
            case "install":
                _fx.Run(prefix, EnvironmentAction.Create, "lib=1.0");
                break;
            case "update":
                _fx.Run(prefix, EnvironmentAction.Create, "lib<2", "app");
                File.WriteAllText(Path.Combine(prefix, "conda-meta", "history"), string.Empty); // requested: nothing pins lib
                break;
            case "uninstall":
                _fx.Run(prefix, EnvironmentAction.Create, "app", "tool");
                break;
        }
    }

    private void Change(string operation, string prefix)
    {
        var installer = _fx.Installer();
        EnvironmentRequest request = operation switch
        {
            "create" => _fx.Request(prefix, EnvironmentAction.Create, "app"),
            "install" => _fx.Request(prefix, EnvironmentAction.Install, "app", "tool"),
            "update" => _fx.Request(prefix, EnvironmentAction.Update, "lib"),
            _ => _fx.Request(prefix, EnvironmentAction.Remove, "tool"),
        };
        EnvironmentPlan plan = installer.Plan(request);
        Assert.NotEmpty(plan.Changes);
        installer.Apply(plan);
    }

    private static void Remove(string prefix)
    {
        if (Directory.Exists(prefix))
        {
            EnvTools.IO.TreeDeletion.DeleteTree(prefix, CancellationToken.None);
        }
    }

    private static bool Same(SortedDictionary<string, string> a, SortedDictionary<string, string> b) =>
        Comparable(a).SequenceEqual(Comparable(b));

    // The history gets a new revision (a timestamp) on each run; conda-meta/created_at holds the creation time (its
    // presence counts, not its content).
    private static IEnumerable<KeyValuePair<string, string>> Comparable(SortedDictionary<string, string> tree) =>
        tree.Where(kv => kv.Key != "conda-meta/history")
            .Select(kv => kv.Key == "conda-meta/created_at" ? new KeyValuePair<string, string>(kv.Key, "present") : kv);

    private static void AssertTree(SortedDictionary<string, string> expected, string prefix, string at)
    {
        var tree = InstallFixture.Snapshot(prefix);
        Assert.True(Same(expected, tree), $"{at}:\n{Diff(expected, tree)}");
    }

    private static string Diff(SortedDictionary<string, string> a, SortedDictionary<string, string> b) =>
        string.Join("\n", a.Except(b).Select(kv => "- " + kv).Concat(b.Except(a).Select(kv => "+ " + kv)));
}
