using EnvTools.Conda;
using EnvTools.Install;
using EnvTools.Packages;
using EnvTools.Tests.Install;
using Xunit;
using EnvTools.IO;

namespace EnvTools.Tests.Windows;

/// <summary>Issue 17 behaviour 10: long paths reach <c>CreateHardLinkW</c> in the <c>\\?\</c> form; reserved names
/// in a package for a win-* target are refused (also noarch packages installed into one).</summary>
public class WindowsLongPathTests
{
    [Fact]
    public void Paths_from_MAX_PATH_on_get_the_extended_form()
    {
        string dir = @"C:\Users\me\envs\" + new string('d', 200) + @"\Lib\site-packages\";
        string at259 = dir + new string('f', 259 - dir.Length);
        Assert.Equal(259, at259.Length);
        Assert.Same(at259, FileOps.Win32Path(at259)); // CreateHardLinkW takes 259 characters and the terminator

        string at260 = at259 + "x";
        Assert.Equal(@"\\?\" + at260, FileOps.Win32Path(at260));
        Assert.Equal(@"\\?\C:\a\b\" + new string('n', 300), FileOps.Win32Path("C:/a/b/" + new string('n', 300))); // '/' is not translated there
        Assert.Equal(@"\\?\UNC\server\share\" + new string('s', 300), FileOps.Win32Path(@"\\server\share\" + new string('s', 300)));
        string already = @"\\?\C:\" + new string('a', 300);
        Assert.Same(already, FileOps.Win32Path(already));
    }

    [Fact]
    public void A_noarch_package_with_a_reserved_name_is_refused_for_a_win64_target_and_on_a_Windows_host()
    {
        using var fx = new InstallFixture();
        var python = fx.Build("python", "3.11.7", Array.Empty<FixtureFile>(), build: "h_fake_0");
        var pkg = fx.Build("devices", "1.0", new[] { new FixtureFile("site-packages/devices/aux.py", "x = 1\n") }, noarch: "python", depends: new[] { "python" });
        var ex = Assert.Throws<UnsafeArchiveException>(() => fx.Install(WindowsTestOptions.For(fx), python, pkg));
        Assert.Contains("names the Windows device 'aux'", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(fx.Prefix, "Lib")));

        // a linux target: the name is fine where the host's file system can hold it; a Windows host cannot (aux.py
        // would be the AUX device), so there it is refused whatever the target
        using var linux = new InstallFixture { Target = Platform.Linux64 };
        var linuxPython = linux.Build("python", "3.11.7", Array.Empty<FixtureFile>(), build: "h_fake_0");
        var linuxPkg = linux.Build("devices", "1.0", new[] { new FixtureFile("site-packages/devices/aux.py", "x = 1\n") }, noarch: "python", depends: new[] { "python" });
        if (OperatingSystem.IsWindows())
        {
            var onWindows = Assert.Throws<UnsafeArchiveException>(() => linux.Install(linux.Options(compile: false), linuxPython, linuxPkg));
            Assert.Contains("names the Windows device 'aux'", onWindows.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(linux.Prefix, "lib")));
        }
        else
        {
            linux.Install(linux.Options(compile: false), linuxPython, linuxPkg);
            Assert.True(File.Exists(Path.Combine(linux.Prefix, "lib/python3.11/site-packages/devices/aux.py")));
        }
    }
}
