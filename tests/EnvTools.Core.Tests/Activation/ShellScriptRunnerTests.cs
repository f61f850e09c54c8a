using EnvTools.Activation;
using Xunit;

namespace EnvTools.Tests.Activation;

public class ShellScriptRunnerTests
{
    [Fact]
    public void ReportsWhatABashScriptSetsChangesAndUnsets()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var env = new ActivationTestPrefix();
        string script = env.Write("etc/conda/activate.d/x.sh",
            "export NEW_VAR=\"multi\nline = with equals\"\nexport CHANGED=\"$CHANGED-more\"\nunset DOOMED\ncd /\necho said something\n");
        var session = new EnvironmentVariableMap(new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH")!,
            ["CHANGED"] = "base",
            ["DOOMED"] = "x",
            ["UNTOUCHED"] = "y",
        });
        var result = ShellScriptRunner.Run(new ActivationScript(script, ActivationScriptKind.Bash), session);
        Assert.Equal(new[]
        {
            new VariableChange("CHANGED", "base", "base-more"),
            new VariableChange("DOOMED", "x", null),
            new VariableChange("NEW_VAR", null, "multi\nline = with equals"),
        }, result.Changes);
        Assert.Contains("said something", result.Output);

        ShellScriptRunner.Apply(result.Changes, session);
        Assert.Null(session.Get("DOOMED"));
        Assert.Equal("base-more", session.Get("CHANGED"));
    }

    [Theory]
    [InlineData("exit 0", "ended the shell")]
    [InlineData("false", "exit code 1")]
    public void AFailingOrExitingScriptIsActivationScriptFailed(string body, string reason)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var env = new ActivationTestPrefix();
        string script = env.Write("etc/conda/activate.d/bad.sh", body + "\n");
        var session = new EnvironmentVariableMap(new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH")! });
        var ex = Assert.Throws<ActivationScriptFailedException>(() => ShellScriptRunner.Run(new ActivationScript(script, ActivationScriptKind.Bash), session));
        Assert.Equal("ActivationScriptFailed", ex.ErrorId);
        Assert.Contains(reason, ex.Message);
    }
}
