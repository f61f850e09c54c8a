using EnvTools.Install;
using EnvTools.Tests.Install;
using Xunit;
using EnvTools.IO;

namespace EnvTools.Tests.Windows;

/// <summary>Issue 17 behaviour 4: where the OS refuses a symbolic link (Windows without the privilege: ERROR_PRIVILEGE_NOT_HELD),
/// the file it leads to is copied with a warning, as rattler does; link targets use '\' on Windows.</summary>
public class SymlinkFallbackTests
{
    // What .NET throws on Windows for CreateSymbolicLink without the privilege (ERROR_PRIVILEGE_NOT_HELD, 1314).
    private static IOException PrivilegeNotHeld() => new("A required privilege is not held by the client.", unchecked((int)0x80070522));

    private static LinkPackage PackageWithLinks(InstallFixture fx) => fx.Build("links", "1.0", new[]
    {
        new FixtureFile("Library/bin/real.dll", "the library\n"),
        new FixtureFile("Library/bin/alias.dll", Array.Empty<byte>()) { LinkTarget = "real.dll" },
        new FixtureFile("Library/share", Array.Empty<byte>()) { LinkTarget = "bin" },
    });

    [NotUnderWineFact("Wine has no symbolic links (CreateSymbolicLink succeeds and leaves nothing usable): the package's own link in the cache is missing")]
    public void A_refused_file_link_becomes_a_copy_with_a_warning_and_a_folder_link_fails_clearly()
    {
        using var fx = new InstallFixture();
        var pkg = fx.Build("links", "1.0", new[]
        {
            new FixtureFile("Library/bin/real.dll", "the library\n"),
            new FixtureFile("Library/bin/alias.dll", Array.Empty<byte>()) { LinkTarget = "real.dll" },
        });
        PrefixTransaction.TestHook = (point, _) =>
        {
            if (point == "symlink")
            {
                throw PrivilegeNotHeld();
            }
        };
        TransactionResult result;
        try
        {
            result = fx.Install(WindowsTestOptions.For(fx), pkg);
        }
        finally
        {
            PrefixTransaction.TestHook = null;
        }

        string alias = Path.Combine(fx.Prefix, "Library", "bin", "alias.dll");
        Assert.Null(new FileInfo(alias).LinkTarget); // a regular file
        Assert.Equal("the library\n", File.ReadAllText(alias));
        Assert.Contains(result.Warnings, w => w.Contains("'Library/bin/alias.dll' was copied from what it links to ('real.dll')", StringComparison.Ordinal)
            && w.Contains("A required privilege is not held by the client", StringComparison.Ordinal));
        Assert.Equal("softlink", fx.Record("links").PathsData!.Paths.Single(p => p.Path == "Library/bin/alias.dll").PathType);

        // uninstall removes the copy like the link
        fx.Remove(WindowsTestOptions.For(fx), "links");
        Assert.False(File.Exists(alias));

        // a link to a folder is not copied as a tree: a clear LinkFailed, rolled back
        using var fx2 = new InstallFixture();
        PrefixTransaction.TestHook = (point, _) =>
        {
            if (point == "symlink")
            {
                throw PrivilegeNotHeld();
            }
        };
        try
        {
            var ex = Assert.Throws<LinkFailedException>(() => fx2.Install(WindowsTestOptions.For(fx2), PackageWithLinks(fx2)));
            Assert.Contains("leads to a folder, which is not copied instead", ex.Message, StringComparison.Ordinal);
            Assert.Equal("LinkFailed", ex.ErrorId);
        }
        finally
        {
            PrefixTransaction.TestHook = null;
        }

        Assert.False(File.Exists(Path.Combine(fx2.Prefix, "Library", "bin", "real.dll")));
    }

    [NotUnderWineFact("Wine has no symbolic links (CreateSymbolicLink succeeds and leaves nothing usable): the package's own link in the cache is missing")]
    public void Links_are_still_links_where_the_OS_allows_them()
    {
        using var fx = new InstallFixture();
        var result = fx.Install(WindowsTestOptions.For(fx), PackageWithLinks(fx));
        Assert.Equal("real.dll", new FileInfo(Path.Combine(fx.Prefix, "Library", "bin", "alias.dll")).LinkTarget);
        Assert.Equal("bin", new FileInfo(Path.Combine(fx.Prefix, "Library", "share")).LinkTarget);
        Assert.DoesNotContain(result.Warnings, w => w.Contains("copied", StringComparison.Ordinal));
    }

    [Fact]
    public void Link_targets_use_backslashes_on_windows_only()
    {
        Assert.Equal(@"..\lib\libz.dll", FileOps.LinkTargetText("../lib/libz.dll", windows: true));
        Assert.Equal("../lib/libz.dll", FileOps.LinkTargetText("../lib/libz.dll", windows: false));
    }
}
