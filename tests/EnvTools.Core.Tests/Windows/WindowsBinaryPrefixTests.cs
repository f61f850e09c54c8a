using System.IO.Compression;
using System.Text;
using EnvTools.Conda;
using EnvTools.Install;
using EnvTools.Packages;
using EnvTools.Tests.Install;
using Xunit;

namespace EnvTools.Tests.Windows;

/// <summary>Issue 17 behaviour 3: binary prefix replacement is skipped for win-* targets (as conda's <c>binary_replace</c>
/// does), except the <c>#!</c> line of a distlib/pyzzer entry point.</summary>
public class WindowsBinaryPrefixTests
{
    private const string Placeholder = "/opt/ph";

    [Fact]
    public void A_win64_binary_with_a_short_placeholder_is_linked_unchanged_where_linux_refuses_the_prefix()
    {
        byte[] dll = Encoding.UTF8.GetBytes("MZ\0\0signed-code\0" + Placeholder + "/Library/bin\0tail");
        var file = new FixtureFile("Library/bin/demo.dll", dll) { Placeholder = Placeholder, Binary = true };

        using (var linux = new InstallFixture())
        {
            var pkg = linux.Build("demo", "1.0", new[] { file });
            Assert.Throws<PrefixTooLongException>(() => linux.Install(linux.Options(), pkg));
        }

        using var fx = new InstallFixture();
        var win = fx.Build("demo", "1.0", new[] { file });
        fx.Install(WindowsTestOptions.For(fx), win);
        Assert.Equal(dll, File.ReadAllBytes(Path.Combine(fx.Prefix, "Library/bin/demo.dll")));
        var entry = Assert.Single(fx.Record("demo").PathsData!.Paths);
        Assert.Equal(InstallFixture.Sha256(dll), entry.Sha256InPrefix);
        Assert.Equal("binary", entry.FileMode);
    }

    [Fact]
    public void Binary_mode_on_windows_leaves_files_without_a_zip_alone_for_every_win_subdir()
    {
        byte[] data = Encoding.UTF8.GetBytes("#!" + Placeholder + "/python.exe\0" + Placeholder + "\0");
        foreach (string subdir in new[] { "win-64", "win-32", "win-arm64" })
        {
            Assert.Equal(data, PrefixReplacement.Replace(data, PrefixFileMode.Binary, Placeholder, @"C:\a much longer prefix\env", subdir));
        }

        // linux still rewrites it
        Assert.NotEqual(data, PrefixReplacement.Replace(data, PrefixFileMode.Binary, Placeholder, "/e", "linux-64"));
    }

    [Fact]
    public void A_pyzzer_entry_point_gets_its_shebang_rewritten_and_its_zip_kept()
    {
        byte[] launcher = Encoding.ASCII.GetBytes("MZ launcher code \0\0\0 PK not-an-end-record");
        byte[] shebang = Encoding.UTF8.GetBytes("#!" + Placeholder + "\\python.exe\r\n");
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var w = new StreamWriter(archive.CreateEntry("__main__.py").Open());
            w.Write("import sys; sys.exit(0)\n");
        }

        byte[] exe = launcher.Concat(shebang).Concat(zip.ToArray()).ToArray();
        string prefix = @"C:\Users\me\envs\a longer prefix than the placeholder";
        byte[] result = PrefixReplacement.Replace(exe, PrefixFileMode.Binary, Placeholder, prefix, "win-64");

        byte[] newShebang = Encoding.UTF8.GetBytes("#!" + prefix + "\\python.exe\r\n");
        Assert.Equal(launcher.Concat(newShebang).Concat(zip.ToArray()).ToArray(), result);

        // no launcher before the #! line, or a truncated end record: unchanged
        byte[] bare = shebang.Concat(zip.ToArray()).ToArray();
        Assert.Equal(bare, PrefixReplacement.Replace(bare, PrefixFileMode.Binary, Placeholder, prefix, "win-64"));
        byte[] truncated = exe[..^10];
        Assert.Equal(truncated, PrefixReplacement.Replace(truncated, PrefixFileMode.Binary, Placeholder, prefix, "win-64"));
    }
}
