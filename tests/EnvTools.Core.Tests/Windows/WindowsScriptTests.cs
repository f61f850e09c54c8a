using System.Text;
using EnvTools.Activation;
using EnvTools.Install;
using EnvTools.Tests.Install;
using Xunit;

namespace EnvTools.Tests.Windows;

/// <summary>Issue 17 behaviour 9: cmd's variable listings (UTF-8 under code page 65001, CRLF, <c>=C:</c> entries) and
/// a win-64 install from Linux, which never runs a <c>.bat</c> link script in bash.</summary>
public class WindowsScriptTests
{
    [Fact]
    public void Cmd_listings_with_CRLF_drive_folders_and_non_ASCII_values_give_only_real_variable_changes()
    {
        // What cmd writes under code page 65001, decoded as UTF-8: the session's variables, the marker, the script's.
        string listing = string.Join("\r\n",
            "=C:=C:\\Users\\me",
            "=ExitCode=00000000",
            "Path=C:\\Windows;C:\\Users\\Zoë\\bin",
            "PROMPT=$P$G",
            "OLD=1",
            "__ENVTOOLS_AFTER_SCRIPT__ ",
            "=C:=C:\\Users\\me\\envs\\demo\\etc",
            "=D:=D:\\data",
            "=ExitCode=00000001",
            "Path=C:\\Users\\me\\envs\\démo\\Library\\bin;C:\\Windows;C:\\Users\\Zoë\\bin",
            "PROMPT=$P$G",
            "GDAL_DATA=C:\\Users\\me\\envs\\démo\\Library\\share\\gdal",
            "__ENVTOOLS_END__",
            string.Empty);
        byte[] bytes = Encoding.UTF8.GetBytes(listing);
        var (before, after) = ShellScriptRunner.ParseCmd(new UTF8Encoding(false).GetString(bytes), ignoreCase: true);
        Assert.DoesNotContain(before.Keys.Concat(after.Keys), k => k.StartsWith('='));
        Assert.Equal("C:\\Windows;C:\\Users\\Zoë\\bin", before["PATH"]); // case-insensitive, no trailing '\r'

        var changes = ShellScriptRunner.Diff(before, after);
        Assert.Equal(new[] { "GDAL_DATA", "OLD", "Path" }, changes.Select(c => c.Name));
        Assert.Equal("C:\\Users\\me\\envs\\démo\\Library\\bin;C:\\Windows;C:\\Users\\Zoë\\bin", changes.Single(c => c.Name == "Path").NewValue);
        Assert.Null(changes.Single(c => c.Name == "OLD").NewValue);
    }

    [Fact]
    public void Cmd_runs_the_script_under_code_page_65001()
    {
        string args = ShellScriptRunner.CmdArguments(@"C:\envs\démo\etc\conda\activate.d\gdal.bat");
        Assert.StartsWith("/d /s /c \"chcp 65001>nul & set & ", args, StringComparison.Ordinal);
        Assert.Contains("call \"C:\\envs\\démo\\etc\\conda\\activate.d\\gdal.bat\" 1>&2", args, StringComparison.Ordinal);
    }

    [Fact]
    public void Cmd_ends_with_the_error_level_of_a_failing_script()
    {
        // "call x.bat & set & echo END" exits with the last echo's 0: a failing activate.d .bat passed as done (seen in
        // the Windows lane: no ActivationScriptFailed). The cmd-side check runs in the lane; here the command line.
        string args = ShellScriptRunner.CmdArguments(@"C:\e\etc\conda\activate.d\x.bat");
        Assert.Contains("1>&2 || exit /b & set & ", args, StringComparison.Ordinal);
    }

    [NotOnWindowsFact]
    public void A_win64_install_from_linux_does_not_run_bat_link_scripts_in_bash()
    {
        using var fx = new InstallFixture();
        string marker = Path.Combine(fx.Root, "ran");
        var pkg = fx.Build("tool", "1.0", new[]
        {
            new FixtureFile("Library/bin/tool.dll", "x"),
            // a .bat that bash would run (and that would leave a marker and fail): never run on Linux
            new FixtureFile("Scripts/.tool-post-link.bat", $"@echo off\r\ntouch '{marker}'\r\nexit 3\r\n"),
            new FixtureFile("Scripts/.tool-pre-link.bat", $"touch '{marker}'\r\n"),
        });
        var options = WindowsTestOptions.For(fx);
        var result = fx.Install(new InstallOptions
        {
            EnvironmentsFile = options.EnvironmentsFile,
            CompilePyc = false,
            LockTimeout = options.LockTimeout,
            TargetPlatform = options.TargetPlatform,
            AllowLinkScripts = true,
        }, pkg);

        Assert.False(File.Exists(marker));
        Assert.Contains(result.Messages, m => m.StartsWith("The post-link script of tool-1.0-0 was not run: '.tool-post-link.bat' is a Windows script", StringComparison.Ordinal));
        Assert.Contains(result.Messages, m => m.StartsWith("The pre-link script of tool-1.0-0 was not run", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(fx.Prefix, "Library", "bin", "tool.dll")));
    }
}
