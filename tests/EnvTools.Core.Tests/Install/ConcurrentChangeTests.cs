using EnvTools.Environments;
using EnvTools.Install;
using EnvTools.Solve;
using Xunit;

namespace EnvTools.Tests.Install;

/// <summary>
/// One environment, many writers: a plan made before another change was applied is checked again under the prefix
/// lock (and solved again when the environment changed); a removed environment is never re-created; a create that never
/// committed leaves no environment behind. The interleavings are driven step by step (plan here, apply there), which is
/// what two processes racing do; the Pester suite (Concurrency.Tests.ps1) runs the same races with real processes.
/// </summary>
[Collection(TransactionHookCollection.Name)]
public sealed class ConcurrentChangeTests : IDisposable
{
    private readonly ChannelInstallFixture _fx = new();

    public ConcurrentChangeTests()
    {
        _fx.Package("base", "1.0");
        _fx.Package("dep", "1.0");
        _fx.Package("dep", "2.0");
        _fx.Package("pa", "1.0", new[] { "dep <2" });
        _fx.Package("pb", "1.0", new[] { "dep >=2" });
        _fx.Package("pc", "1.0");
        _fx.Index();
    }

    public void Dispose() => _fx.Dispose();

    [Fact]
    public void Install_planned_before_a_conflicting_install_was_applied_is_solved_again_and_is_unsatisfiable()
    {
        string prefix = _fx.PrefixOf("e");
        _fx.Run(prefix, EnvironmentAction.Create, "base");
        var installer = _fx.Installer();
        EnvironmentPlan a = installer.Plan(_fx.Request(prefix, EnvironmentAction.Install, "pa"));
        EnvironmentPlan b = installer.Plan(_fx.Request(prefix, EnvironmentAction.Install, "pb"));
        installer.Apply(a);

        var ex = Assert.Throws<UnsatisfiableException>(() => installer.Apply(b));
        Assert.Equal("Unsatisfiable", ex.ErrorId);
        Assert.Equal(new[] { "base=1.0", "dep=1.0", "pa=1.0" }, ChannelInstallFixture.Installed(prefix));
        Assert.Empty(PrefixVerifier.Verify(prefix));

        // run one after the other, the second is unsatisfiable too
        Assert.Throws<UnsatisfiableException>(() => _fx.Run(prefix, EnvironmentAction.Install, "pb"));
    }

    [Fact]
    public void Install_planned_before_a_compatible_install_was_applied_keeps_both()
    {
        string prefix = _fx.PrefixOf("e");
        _fx.Run(prefix, EnvironmentAction.Create, "base");
        var installer = _fx.Installer();
        EnvironmentPlan a = installer.Plan(_fx.Request(prefix, EnvironmentAction.Install, "pa"));
        EnvironmentPlan c = installer.Plan(_fx.Request(prefix, EnvironmentAction.Install, "pc", "dep"));
        installer.Apply(a);

        EnvironmentResult result = installer.Apply(c);
        Assert.Equal(new[] { "base=1.0", "dep=1.0", "pa=1.0", "pc=1.0" }, ChannelInstallFixture.Installed(prefix));
        Assert.Equal(new[] { "pc" }, result.Plan.Changes.Select(ch => ch.Name).ToArray());
        Assert.Empty(PrefixVerifier.Verify(prefix));
    }

    [Fact]
    public void Install_planned_before_the_environment_was_removed_fails_with_EnvironmentNotFound_and_creates_nothing()
    {
        string prefix = _fx.PrefixOf("e");
        _fx.Run(prefix, EnvironmentAction.Create, "base");
        var installer = _fx.Installer();
        EnvironmentPlan plan = installer.Plan(_fx.Request(prefix, EnvironmentAction.Install, "pa"));
        new EnvironmentRemover(new EnvironmentLocator(_fx.Settings)).Remove(prefix);

        var ex = Assert.Throws<EnvironmentNotFoundException>(() => installer.Apply(plan));
        Assert.Equal("EnvironmentNotFound", ex.ErrorId);
        Assert.False(Directory.Exists(prefix));
        Assert.DoesNotContain(new EnvironmentLocator(_fx.Settings).List(), e => e.Prefix == prefix);
    }

    [Fact]
    public void Install_into_an_environment_emptied_by_a_removal_fails_with_EnvironmentNotFound()
    {
        // What PrefixRemoval leaves for a moment (and what a process killed before its first change leaves): only the lock.
        string prefix = _fx.PrefixOf("e");
        _fx.Run(prefix, EnvironmentAction.Create, "base");
        var installer = _fx.Installer();
        EnvironmentPlan plan = installer.Plan(_fx.Request(prefix, EnvironmentAction.Install, "pa"));
        using (PrefixLock.Acquire(prefix, TimeSpan.FromSeconds(5), CancellationToken.None))
        {
            foreach (string e in Directory.EnumerateFileSystemEntries(prefix).Where(e => Path.GetFileName(e) != "conda-meta"))
            {
                EnvTools.IO.TreeDeletion.DeleteTree(e, CancellationToken.None);
            }

            foreach (string f in Directory.EnumerateFiles(Path.Combine(prefix, "conda-meta")).Where(f => Path.GetFileName(f) != PrefixLock.FileName))
            {
                File.Delete(f);
            }
        }

        Assert.Throws<EnvironmentNotFoundException>(() => installer.Apply(plan));
        Assert.Empty(ChannelInstallFixture.Installed(prefix));
        Assert.False(File.Exists(Path.Combine(prefix, "share", "pa", "pa.txt")));
    }

    [Fact]
    public void Lock_of_an_existing_environment_never_creates_one()
    {
        string prefix = _fx.PrefixOf("absent");
        Assert.Throws<EnvironmentNotFoundException>(() => PrefixLock.AcquireExisting(prefix, TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.False(Directory.Exists(prefix));
    }

    [UnixFact("the holder deletes the prefix, its open lock file included, while it holds the lock: Windows cannot delete an open file (there Remove-Env releases the lock before it moves the folder aside)")]
    public void Lock_of_an_environment_deleted_by_its_holder_is_EnvironmentNotFound_for_the_waiter()
    {
        string prefix = _fx.PrefixOf("absent");

        // a holder that deletes the environment (as Remove-Env does) leaves the waiter with EnvironmentNotFound
        _fx.Run(prefix, EnvironmentAction.Create, "base");
        var held = PrefixLock.AcquireExisting(prefix, TimeSpan.FromSeconds(1), CancellationToken.None);
        var waiter = Task.Run(() => PrefixLock.AcquireExisting(prefix, TimeSpan.FromSeconds(20), CancellationToken.None));
        Thread.Sleep(300);
        Assert.False(waiter.IsCompleted);
        // as Remove-Env does: moved aside under the lock, then deleted (a waiter that polls must not find conda-meta
        // half deleted at the old path: deleting in place raced with it on a loaded machine)
        string aside = prefix + ".removed";
        Directory.Move(prefix, aside);
        EnvTools.IO.TreeDeletion.DeleteTree(aside, CancellationToken.None);
        held.Dispose();
        Assert.Throws<EnvironmentNotFoundException>(() => waiter.GetAwaiter().GetResult());
        Assert.False(Directory.Exists(prefix));
    }

    public static IEnumerable<object[]> CreateKillPoints() => new[]
    {
        new object[] { "lock", 0 },
        new object[] { "link", 1 },
        new object[] { "link", 2 },
        new object[] { "records", 0 },
        new object[] { "commit", 0 },
    };

    [Theory]
    [MemberData(nameof(CreateKillPoints))]
    public void Create_killed_before_it_committed_leaves_no_environment_and_the_name_can_be_created_again(string point, int count)
    {
        string prefix = _fx.PrefixOf("ghost");
        if (point == "lock")
        {
            // killed after taking the lock, before the journal: only conda-meta/.envtools.lock
            PrefixLock.Acquire(prefix, TimeSpan.FromSeconds(5), CancellationToken.None).Dispose();
        }
        else
        {
            InterruptedReaderTests.Crash(point, count, () => _fx.Run(prefix, EnvironmentAction.Create, "pa"));
        }

        Assert.False(EnvironmentLocator.IsEnvironment(prefix));
        Assert.DoesNotContain(new EnvironmentLocator(_fx.Settings).List(), e => e.Prefix == prefix);
        Assert.Throws<EnvironmentNotFoundException>(() => _fx.Plan(prefix, EnvironmentAction.Install, "pc"));

        // New-Env of the same name just works (no -Force), and leaves only the new environment
        _fx.Run(prefix, EnvironmentAction.Create, "pb");
        Assert.Equal(new[] { "dep=2.0", "pb=1.0" }, ChannelInstallFixture.Installed(prefix));
        Assert.Empty(PrefixVerifier.Verify(prefix));
        Assert.False(File.Exists(Path.Combine(prefix, "share", "pa", "pa.txt")));
        Assert.False(File.Exists(Path.Combine(prefix, "conda-meta", PrefixJournal.FileName)));
        Assert.Contains(new EnvironmentLocator(_fx.Settings).List(), e => e.Prefix == prefix);
    }

    [Fact]
    public void Create_killed_after_it_committed_is_an_environment()
    {
        string prefix = _fx.PrefixOf("done");
        InterruptedReaderTests.Crash("committed", 0, () => _fx.Run(prefix, EnvironmentAction.Create, "pa"));
        Assert.True(EnvironmentLocator.IsEnvironment(prefix));
        Assert.Throws<EnvironmentExistsException>(() => _fx.Plan(prefix, EnvironmentAction.Create, "pb"));
        Assert.Equal(new[] { "dep=1.0", "pa=1.0" }, ChannelInstallFixture.Installed(prefix));
    }
}
