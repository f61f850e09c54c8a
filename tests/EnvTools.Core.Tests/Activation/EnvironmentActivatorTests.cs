using EnvTools.Activation;
using Xunit;

namespace EnvTools.Tests.Activation;

public class EnvironmentActivatorTests
{
    private static EnvironmentVariableMap Session(bool windows = false) => new(new Dictionary<string, string>
    {
        ["PATH"] = windows ? @"C:\Windows\system32;C:\Windows" : "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = "/home/u",
        ["KEEP_ME"] = "before",
    }, ignoreCase: windows);

    private static ActivationFrame Activate(EnvironmentActivator a, string prefix, string? name, IEnvironmentVariables env, ActivationStack stack, bool stacked = false)
    {
        ActivationFrame frame = a.Begin(a.Plan(prefix, name, env, stack, stacked), env);
        a.Complete(frame, env);
        stack.Push(frame);
        return frame;
    }

    [Fact]
    public void UnixPlanHasBinCondaVariablesStateVariablesAndCuda()
    {
        using var env = new ActivationTestPrefix("ml");
        env.Record("cuda-version", "12.4", "h3060b56_3");
        env.Write("conda-meta/state", """{"env_vars": {"KEEP_ME": "changed", "GONE": "***unset***"}}""");
        env.Write("etc/conda/activate.d/a.sh", "true");
        env.Write("etc/conda/activate.d/b.ps1", "");
        env.Write("etc/conda/activate.d/b.sh", "true");   // has a .ps1 twin: not run
        env.Write("etc/conda/activate.d/c.bat", "");       // Windows only
        env.Write("etc/conda/deactivate.d/a.ps1", "");
        env.Write("etc/conda/deactivate.d/z.ps1", "");

        var plan = new EnvironmentActivator(isWindows: false).Plan(env.Prefix, "ml", Session(), new ActivationStack(), stacked: false);

        Assert.Equal(new[] { env.Prefix + "/bin" }, plan.PathEntries);
        Assert.Equal(1, plan.Level);
        var vars = plan.Variables.ToDictionary(v => v.Key, v => v.Value);
        Assert.Equal(env.Prefix, vars["CONDA_PREFIX"]);
        Assert.Equal("1", vars["CONDA_SHLVL"]);
        Assert.Equal("ml", vars["CONDA_DEFAULT_ENV"]);
        Assert.Equal("(ml) ", vars["CONDA_PROMPT_MODIFIER"]);
        Assert.Equal(env.Prefix, vars["CUDA_HOME"]);
        Assert.Equal("changed", vars["KEEP_ME"]);
        Assert.True(vars.ContainsKey("GONE") && vars["GONE"] is null);
        Assert.False(vars.ContainsKey("CONDA_PREFIX_0"));
        Assert.Equal(("cuda-version", "12.4"), (plan.Cuda!.PackageName, plan.Cuda.Version));
        Assert.Equal(new[] { ("a.sh", ActivationScriptKind.Bash), ("b.ps1", ActivationScriptKind.PowerShell) },
            plan.ActivateScripts.Select(s => (Path.GetFileName(s.Path), s.Kind)));
        Assert.Equal(new[] { "z.ps1", "a.ps1" }, plan.DeactivateScripts.Select(s => Path.GetFileName(s.Path)));
    }

    [Fact]
    public void WindowsPlanHasCondasSixPathEntriesAndCudaPath()
    {
        using var env = new ActivationTestPrefix("gpu");
        env.Record("cudatoolkit", "11.8.0", "h09e9e62_13");
        env.Write("etc/conda/activate.d/c.bat", "");
        env.Write("etc/conda/activate.d/d.sh", "");
        var plan = new EnvironmentActivator(isWindows: true, changePrompt: false).Plan(@"C:\envs\gpu", null, Session(windows: true), new ActivationStack(), false);
        // the prefix is taken as given on a non-Windows test host; the layout is what is checked
        string p = plan.Prefix;
        Assert.Equal(new[] { p, p + @"\Library\mingw-w64\bin", p + @"\Library\usr\bin", p + @"\Library\bin", p + @"\Scripts", p + @"\bin" }, plan.PathEntries);
        Assert.Contains(plan.Variables, v => v.Key == "CONDA_PROMPT_MODIFIER" && v.Value is null);
        Assert.Equal(p, plan.Name);

        var windowsPlan = new EnvironmentActivator(isWindows: true).Plan(env.Prefix, "gpu", Session(windows: true), new ActivationStack(), false);
        Assert.Contains(windowsPlan.Variables, v => v.Key == "CUDA_PATH" && v.Value == Path.Combine(env.Prefix, "Library"));
        Assert.DoesNotContain(windowsPlan.Variables, v => v.Key == "CUDA_HOME");
        Assert.Equal(new[] { "c.bat" }, windowsPlan.ActivateScripts.Select(s => Path.GetFileName(s.Path)));
    }

    [UnixFact("Unix activation rules with a prefix in the temp folder: on Windows its drive letter's colon splits the Unix PATH (the Windows rules' exact restore is the lane scenario's Disable-Env check)")]
    public void RestoreGivesBackExactlyTheSessionBefore()
    {
        using var env = new ActivationTestPrefix("ml");
        env.Record("cuda-version", "12.4", "h3060b56_3");
        env.Write("conda-meta/state", """{"env_vars": {"KEEP_ME": "changed", "NEW_ONE": "x"}}""");
        var session = Session();
        var before = session.GetAll();
        var a = new EnvironmentActivator(isWindows: false);
        var stack = new ActivationStack();
        ActivationFrame frame = Activate(a, env.Prefix, "ml", session, stack);

        Assert.Equal("changed", session.Get("KEEP_ME"));
        Assert.Equal(env.Prefix + "/bin:/usr/local/bin:/usr/bin:/bin", session.Get("PATH"));
        Assert.Equal("before", frame.Saved["KEEP_ME"]);
        Assert.Null(frame.Saved["NEW_ONE"]);
        Assert.Equal(new[] { env.Prefix + "/bin" }, frame.AddedPathEntries);

        a.Restore(stack.Pop(), session);
        Assert.Equal(before.OrderBy(kv => kv.Key), session.GetAll().OrderBy(kv => kv.Key));
    }

    [UnixFact("Unix activation rules with a prefix in the temp folder: on Windows its drive letter's colon splits the Unix PATH")]
    public void ScriptChangesBetweenBeginAndCompleteAreUndoneToo()
    {
        using var env = new ActivationTestPrefix();
        var session = Session();
        var before = session.GetAll();
        var a = new EnvironmentActivator(isWindows: false);
        ActivationFrame frame = a.Begin(a.Plan(env.Prefix, null, session, new ActivationStack(), false), session);
        session.Set("FROM_SCRIPT", "1");
        session.Set("HOME", null);
        session.Set("PATH", "/script/bin:" + session.Get("PATH"));
        a.Complete(frame, session);
        Assert.Equal(new[] { "/script/bin", env.Prefix + "/bin" }, frame.AddedPathEntries);
        a.Restore(frame, session);
        Assert.Equal(before.OrderBy(kv => kv.Key), session.GetAll().OrderBy(kv => kv.Key));
    }

    [Fact]
    public void PathIsRestoredEntryByEntryWhenTheUserChangedIt()
    {
        using var env = new ActivationTestPrefix();
        var session = Session();
        var a = new EnvironmentActivator(isWindows: false);
        var stack = new ActivationStack();
        Activate(a, env.Prefix, null, session, stack);
        session.Set("PATH", "/mine:" + session.Get("PATH")!.Replace(":/usr/bin", string.Empty) + ":/late");
        a.Restore(stack.Pop(), session);
        Assert.Equal("/mine:/usr/local/bin:/bin:/late", session.Get("PATH"));
    }

    [Fact]
    public void StackedLevelsKeepTheLowerPathAndPopOneAtATime()
    {
        using var lower = new ActivationTestPrefix("lower");
        using var upper = new ActivationTestPrefix("upper");
        var session = Session();
        var a = new EnvironmentActivator(isWindows: false);
        var stack = new ActivationStack();
        var before = session.GetAll();
        Activate(a, lower.Prefix, "lower", session, stack);
        var afterLower = session.GetAll();
        Activate(a, upper.Prefix, "upper", session, stack, stacked: true);

        Assert.Equal("2", session.Get("CONDA_SHLVL"));
        Assert.Equal(lower.Prefix, session.Get("CONDA_PREFIX_1"));
        Assert.Equal("true", session.Get("CONDA_STACKED_2"));
        Assert.Equal($"{upper.Prefix}/bin:{lower.Prefix}/bin:/usr/local/bin:/usr/bin:/bin", session.Get("PATH"));

        a.Restore(stack.Pop(), session);
        Assert.Equal(afterLower.OrderBy(kv => kv.Key), session.GetAll().OrderBy(kv => kv.Key));
        a.Restore(stack.Pop(), session);
        Assert.Equal(before.OrderBy(kv => kv.Key), session.GetAll().OrderBy(kv => kv.Key));
        Assert.Throws<EnvTools.Environments.NoActiveEnvironmentException>(() => stack.Pop());
    }

    [Fact]
    public void NotStackedReplacesTheLowerPathAndVariablesAndBringsThemBack()
    {
        using var lower = new ActivationTestPrefix("lower");
        lower.Write("conda-meta/state", """{"env_vars": {"LOWER_VAR": "1", "KEEP_ME": "lower"}}""");
        using var upper = new ActivationTestPrefix("upper");
        var session = Session();
        var a = new EnvironmentActivator(isWindows: false);
        var stack = new ActivationStack();
        Activate(a, lower.Prefix, "lower", session, stack);
        var afterLower = session.GetAll();
        Activate(a, upper.Prefix, "upper", session, stack);

        Assert.Equal($"{upper.Prefix}/bin:/usr/local/bin:/usr/bin:/bin", session.Get("PATH"));
        Assert.Null(session.Get("LOWER_VAR"));
        Assert.Equal("before", session.Get("KEEP_ME"));
        a.Restore(stack.Pop(), session);
        Assert.Equal(afterLower.OrderBy(kv => kv.Key), session.GetAll().OrderBy(kv => kv.Key));
    }

    [Fact]
    public void ALevelActivatedByCondaIsReplacedByItsLayout()
    {
        using var upper = new ActivationTestPrefix("upper");
        var session = Session();
        session.Set("CONDA_SHLVL", "1");
        session.Set("CONDA_PREFIX", "/opt/conda");
        session.Set("PATH", "/opt/conda/bin:" + session.Get("PATH"));
        var plan = new EnvironmentActivator(isWindows: false).Plan(upper.Prefix, "upper", session, new ActivationStack(), false);
        Assert.Equal(2, plan.Level);
        Assert.Equal(new[] { "/opt/conda/bin" }, plan.ReplacedPathEntries);
        Assert.Contains(plan.Variables, v => v.Key == "CONDA_PREFIX_1" && v.Value == "/opt/conda");
    }
}
