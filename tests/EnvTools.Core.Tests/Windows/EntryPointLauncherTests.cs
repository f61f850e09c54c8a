using System.Buffers.Binary;
using System.Diagnostics;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Install;
using EnvTools.Tests.Install;
using Xunit;

namespace EnvTools.Tests.Windows;

/// <summary>
/// The Windows entry-point launcher (src/EnvTools.Launcher): a win-64 install done from Linux writes
/// <c>Scripts\&lt;name&gt;.exe</c> (a real x64 console PE) beside every <c>&lt;name&gt;-script.py</c>, records it as conda does
/// (<c>windows_python_entry_point_exe</c>), Test-Env verifies it and uninstall removes it; the launcher's command-line
/// logic is compiled with the host's gcc and checked against the Windows rules.
/// </summary>
public class EntryPointLauncherTests
{
    private static InstallOptions Win64(InstallFixture fx, Platform? platform = null) => WindowsTestOptions.For(fx, platform);

    [LauncherFact]
    public void Win64_install_writes_a_launcher_per_entry_point_recorded_like_conda()
    {
        using var fx = new InstallFixture();
        var python = fx.Build("python", "3.11.7", new[] { new FixtureFile("python.exe", "MZ not really python") }, build: "h_fake_0");
        var tool = fx.Build("tool", "1.0", new[] { new FixtureFile("site-packages/tool/__init__.py", "def main():\n    return 0\n") },
            noarch: "python", depends: new[] { "python" }, entryPoints: new[] { "tool = tool:main", "tool-cli = tool.cli:app.run" });
        var result = fx.Install(Win64(fx), python, tool);

        Assert.DoesNotContain(result.Messages, m => m.Contains("launcher", StringComparison.Ordinal));
        var rec = fx.Record("tool");
        // conda's order: the scripts, then the launchers
        Assert.Equal(new[] { "Lib/site-packages/tool/__init__.py", "Scripts/tool-script.py", "Scripts/tool-cli-script.py", "Scripts/tool.exe", "Scripts/tool-cli.exe" },
            rec.Files);
        foreach (string name in new[] { "tool", "tool-cli" })
        {
            var entry = Assert.Single(rec.PathsData!.Paths, p => p.Path == $"Scripts/{name}.exe");
            Assert.Equal("windows_python_entry_point_exe", entry.PathType);
            byte[] exe = File.ReadAllBytes(Path.Combine(fx.Prefix, "Scripts", name + ".exe"));
            AssertX64ConsolePe(exe);
            Assert.Equal(InstallFixture.Sha256(exe), entry.Sha256InPrefix);
            Assert.Equal(exe.Length, entry.SizeInBytes);
            Assert.Equal("windows_python_entry_point_script", Assert.Single(rec.PathsData.Paths, p => p.Path == $"Scripts/{name}-script.py").PathType);
        }

        // Test-Env: clean, then a damaged launcher is reported
        Assert.Empty(PrefixVerifier.Verify(fx.Prefix));
        File.WriteAllBytes(Path.Combine(fx.Prefix, "Scripts", "tool.exe"), new byte[] { (byte)'M', (byte)'Z' });
        Assert.Contains(PrefixVerifier.Verify(fx.Prefix), i => i.Path == "Scripts/tool.exe");

        // uninstall removes the launchers with the scripts
        fx.Remove(Win64(fx), "tool");
        Assert.False(Directory.Exists(Path.Combine(fx.Prefix, "Scripts"))); // emptied, then pruned
    }

    [Fact]
    public void Non_x64_windows_targets_say_why_no_launcher_is_written()
    {
        using var fx = new InstallFixture();
        var python = fx.Build("python", "3.11.7", Array.Empty<FixtureFile>(), build: "h_fake_0");
        var tool = fx.Build("tool", "1.0", new[] { new FixtureFile("site-packages/tool/__init__.py", "def main():\n    return 0\n") },
            noarch: "python", depends: new[] { "python" }, entryPoints: new[] { "tool = tool:main" });
        var result = fx.Install(Win64(fx, Platform.Win32), python, tool);
        Assert.Contains(result.Messages, m => m.Contains("'Scripts/tool.exe' was not created (EnvTools has a launcher for win-64 only", StringComparison.Ordinal));
        Assert.Equal(new[] { "Lib/site-packages/tool/__init__.py", "Scripts/tool-script.py" }, fx.Record("tool").Files);
    }

    [HostGccFact]
    public void Program_name_is_skipped_by_the_argv0_rule_and_the_rest_passes_verbatim()
    {
        string driver = HostGccFactAttribute.Driver.Value;
        (string CommandLine, string Tail)[] cases =
        {
            ("tool.exe a b", "a b"),
            ("\"C:\\my env\\Scripts\\tool.exe\" --x=\"1 2\"  last", "--x=\"1 2\"  last"),
            ("\"C:\\my env\\Scripts\\tool.exe\"\"glued\" x", "\"glued\" x"), // argv[0] ends at its closing quote
            ("C:\\env\\Scripts\\tool.exe\t\t\"a\\\"b\" \\\\", "\"a\\\"b\" \\\\"),
            ("tool.exe", string.Empty),
            ("\"tool.exe", string.Empty),
            ("\"unterminated name", string.Empty),
            ("tool.exe    ", string.Empty),
            ("tool.exe ünïcødé ✓", "ünïcødé ✓"),
        };
        foreach (var (cmd, tail) in cases)
        {
            Assert.Equal($"[{tail}]", Run(driver, "skip", cmd));
        }
    }

    [HostGccFact]
    public void Python_and_script_are_found_from_the_launchers_own_path()
    {
        string driver = HostGccFactAttribute.Driver.Value;
        Assert.Equal(@"[C:\envs\my env\python.exe][C:\envs\my env\Scripts\black-script.py]", Run(driver, "paths", @"C:\envs\my env\Scripts\black.exe"));
        Assert.Equal(@"[\\?\D:\e\python.exe][\\?\D:\e\Scripts\x.y-script.py]", Run(driver, "paths", @"\\?\D:\e\Scripts\x.y.EXE"));
        Assert.Equal("refused", Run(driver, "paths", @"black.exe"));
        Assert.Equal("refused", Run(driver, "paths", @"Scripts\black.exe"));
        Assert.Equal(@"[""C:\e\python.exe"" ""C:\e\Scripts\t-script.py""]", Run(driver, "cmd", @"C:\e\python.exe", @"C:\e\Scripts\t-script.py", string.Empty));
        Assert.Equal(@"[""C:\e\python.exe"" ""C:\e\Scripts\t-script.py"" -k ""a b""]", Run(driver, "cmd", @"C:\e\python.exe", @"C:\e\Scripts\t-script.py", "-k \"a b\""));
        Assert.Equal("[ (error 5)\r\n]", Run(driver, "error", "5"));
        Assert.Equal("[ (error 4294967295)\r\n]", Run(driver, "error", "4294967295"));
    }

    /// <summary>The DOS header's <c>MZ</c>, the <c>PE\0\0</c> signature at <c>e_lfanew</c>, machine AMD64, a PE32+ optional header
    /// and the console subsystem.</summary>
    internal static void AssertX64ConsolePe(byte[] exe)
    {
        Assert.True(exe.Length > 0x40 && exe[0] == 'M' && exe[1] == 'Z', "no MZ header");
        int pe = BinaryPrimitives.ReadInt32LittleEndian(exe.AsSpan(0x3C));
        Assert.True(pe > 0 && pe + 24 + 70 < exe.Length, "e_lfanew out of range");
        Assert.Equal("PE\0\0"u8.ToArray(), exe.AsSpan(pe, 4).ToArray());
        Assert.Equal(0x8664, BinaryPrimitives.ReadUInt16LittleEndian(exe.AsSpan(pe + 4))); // IMAGE_FILE_MACHINE_AMD64
        int optional = pe + 24;
        Assert.Equal(0x20B, BinaryPrimitives.ReadUInt16LittleEndian(exe.AsSpan(optional))); // PE32+
        Assert.Equal(3, BinaryPrimitives.ReadUInt16LittleEndian(exe.AsSpan(optional + 68))); // IMAGE_SUBSYSTEM_WINDOWS_CUI
    }

    private static string Run(string driver, params string[] args)
    {
        var (code, output) = InstallFixture.RunProcess(driver, args);
        Assert.True(code == 0, output);
        return output.TrimEnd('\n');
    }
}

/// <summary>Needs the embedded launcher (EnvTools built with Debian's gcc-mingw-w64-x86-64-win32): skipped with that reason
/// when it is missing, failing instead under CI=true.</summary>
public sealed class LauncherFactAttribute : FactAttribute
{
    public LauncherFactAttribute()
    {
        if (!ConformanceData.IsCI && EntryPointLauncher.MissingReason(Platform.Win64) is { } why)
        {
            Skip = "no entry-point launcher: " + why;
        }
    }
}

/// <summary>Needs the host's C compiler (Debian package gcc) to build the launcher's logic natively: skipped when it is
/// missing, failing instead under CI=true.</summary>
public sealed class HostGccFactAttribute : FactAttribute
{
    /// <summary>The compiled driver (built once per run into the temp folder).</summary>
    internal static readonly Lazy<string> Driver = new(Build);

    public HostGccFactAttribute()
    {
        if (!ConformanceData.IsCI && !HasGcc())
        {
            Skip = "the host C compiler 'gcc' (Debian package gcc) is not installed";
        }
    }

    private static bool HasGcc()
    {
        try
        {
            return InstallFixture.RunProcess("gcc", "--version").Code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string Build()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EnvTools.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        string output = Path.Combine(Path.GetTempPath(), "envtools-launcher-test-" + Environment.ProcessId);
        var (code, text) = InstallFixture.RunProcess("gcc", "-Wall", "-Wextra", "-Werror", "-I", Path.Combine(dir.FullName, "src", "EnvTools.Launcher"),
            "-o", output, Path.Combine(dir.FullName, "tests", "EnvTools.Core.Tests", "Windows", "launcher_cmdline_test.c"));
        Assert.True(code == 0, "gcc failed: " + text);
        return output;
    }
}
