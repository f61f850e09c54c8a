using EnvTools.Conda;
using EnvTools.Install;
using EnvTools.Tests.Install;
using Xunit;
using EnvTools.Environments;

namespace EnvTools.Tests.Windows;

/// <summary>Issue 17 behaviour 8: for a win-* target, prefix paths compare ignoring case (clobber detection, the removed
/// set, the journal), as NTFS does.</summary>
public class WindowsPathCaseTests
{
    [Fact]
    public void Two_packages_shipping_Lib_x_and_lib_x_are_a_clobber_for_a_win64_target()
    {
        using var fx = new InstallFixture();
        var upper = fx.Build("alpha", "1.0", new[] { new FixtureFile("Lib/site.txt", "alpha\n") });
        var lower = fx.Build("beta", "1.0", new[] { new FixtureFile("lib/site.txt", "beta\n") });
        var result = fx.Install(WindowsTestOptions.For(fx), upper, lower);

        var clobber = Assert.Single(result.Clobbers);
        Assert.Equal("Lib/site.txt", clobber.Path, StringComparer.OrdinalIgnoreCase);
        Assert.Equal("alpha", clobber.Winner);
        Assert.Equal(new[] { "alpha", "beta" }, clobber.Packages);
        Assert.Equal("alpha\n", fx.ReadText("Lib/site.txt"));
        Assert.Equal("beta\n", fx.ReadText("__clobbers__/beta/lib/site.txt"));
        Assert.Equal("lib/site.txt", Assert.Single(fx.Record("beta").PathsData!.Paths).OriginalPath);

        // removing the owner restores the other package's copy at its own spelling
        fx.Remove(WindowsTestOptions.For(fx), "alpha");
        Assert.Equal("beta\n", fx.ReadText("lib/site.txt"));
    }

    [Fact]
    public void The_same_packages_for_a_linux_target_are_two_files_where_the_host_tells_case()
    {
        using var fx = new InstallFixture { Target = Platform.Linux64 };
        var upper = fx.Build("alpha", "1.0", new[] { new FixtureFile("Lib/site.txt", "alpha\n") });
        var lower = fx.Build("beta", "1.0", new[] { new FixtureFile("lib/site.txt", "beta\n") });
        var result = fx.Install(fx.Options(), upper, lower);
        if (OperatingSystem.IsWindows())
        {
            // a Windows host's file system ignores case whatever the target: one file, a clobber as for win-64
            Assert.Equal("alpha", Assert.Single(result.Clobbers).Winner);
            Assert.Equal("alpha\n", fx.ReadText("Lib/site.txt"));
            return;
        }

        Assert.Empty(result.Clobbers);
        Assert.Equal("beta\n", fx.ReadText("lib/site.txt"));
        Assert.Equal("alpha\n", fx.ReadText("Lib/site.txt"));
    }

    [Fact]
    public void The_journal_of_a_win64_change_ignores_case_and_a_rollback_keeps_a_file_not_yet_trashed()
    {
        using var fx = new InstallFixture();
        Directory.CreateDirectory(Path.Combine(fx.Prefix, "conda-meta"));
        Directory.CreateDirectory(Path.Combine(fx.Prefix, "Lib"));
        // The old package's 'lib/x.py' is, on NTFS, the file at 'Lib/x.py'; the change that replaces it by 'Lib/x.py'
        // was killed before it moved the old file into its trash.
        File.WriteAllText(Path.Combine(fx.Prefix, "Lib", "x.py"), "old\n");
        var data = new JournalData { IgnoreCase = true, Removed = { "lib/x.py" }, Created = { "Lib/x.py" } };
        var parsed = JournalData.Parse(data.ToJson());
        Assert.True(parsed.IgnoreCase);

        PrefixJournal.Rollback(fx.Prefix, parsed);
        Assert.Equal("old\n", fx.ReadText("Lib/x.py"));

        // a case-sensitive journal (a linux target) deletes what it created
        PrefixJournal.Rollback(fx.Prefix, JournalData.Parse(new JournalData { Removed = { "lib/x.py" }, Created = { "Lib/x.py" } }.ToJson()));
        Assert.False(File.Exists(Path.Combine(fx.Prefix, "Lib", "x.py")));
    }

    [Fact]
    public void Path_comparer_follows_the_target()
    {
        Assert.Same(StringComparer.OrdinalIgnoreCase, TransactionRunner.PathComparer(Platform.Win64));
        Assert.Same(StringComparer.OrdinalIgnoreCase, TransactionRunner.PathComparer(Platform.WinArm64));
        Assert.Same(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal, TransactionRunner.PathComparer(Platform.Linux64));
    }
}
