using System.Globalization;
using EnvTools.Config;
using EnvTools.Environments;

namespace EnvTools.Activation;

/// <summary>
/// Computes and applies activations as conda does, as data: <see cref="Plan"/> works out the variables, PATH
/// entries and scripts; <see cref="Begin"/> applies the variables and PATH and snapshots the environment;
/// the host then runs the scripts (<see cref="ActivationPlan.ActivateScripts"/>; <see cref="ShellScriptRunner"/>
/// for <c>.sh</c>/<c>.bat</c>) and calls <see cref="Complete"/>, which records every change; <see cref="Restore"/>
/// undoes a frame exactly.
/// </summary>
public sealed class EnvironmentActivator
{
    /// <summary>The PATH variable's name (looked up ignoring case on Windows).</summary>
    public const string PathVariable = "PATH";

    /// <summary>Creates an activator for Windows or Unix layouts; <paramref name="changePrompt"/> is conda's <c>changeps1</c>.</summary>
    public EnvironmentActivator(bool isWindows, bool changePrompt = true)
    {
        IsWindows = isWindows;
        ChangePrompt = changePrompt;
    }

    /// <summary>An activator for the running OS.</summary>
    public EnvironmentActivator(bool changePrompt = true)
        : this(OperatingSystem.IsWindows(), changePrompt)
    {
    }

    /// <summary>Whether Windows layouts (PATH entries, <c>CUDA_PATH</c>, <c>.bat</c> scripts) are used.</summary>
    public bool IsWindows { get; }

    /// <summary>conda's <c>env_prompt</c>: the format of <c>CONDA_PROMPT_MODIFIER</c>, with <c>{default_env}</c> (the name, else
    /// the prefix), <c>{name}</c> (the prefix's last folder) and <c>{prefix}</c>.</summary>
    public string EnvPrompt { get; init; } = "({default_env}) ";

    /// <summary>Whether <c>CONDA_PROMPT_MODIFIER</c> is set (<c>changeps1</c>).</summary>
    public bool ChangePrompt { get; }

    private char Separator => IsWindows ? ';' : ':';

    /// <summary>
    /// The environment an activation command names: <paramref name="prefix"/> (a full path) when given, else
    /// <paramref name="name"/> (looked up in the envs dirs), else the active environment (<c>CONDA_PREFIX</c> of the
    /// process) when <paramref name="activeByDefault"/>, else <c>base</c>; with its name in the envs dirs, if any.
    /// </summary>
    /// <exception cref="EnvironmentNotFoundException">The name or prefix names no environment.</exception>
    /// <exception cref="NoActiveEnvironmentException">The active environment was asked for and none is active.</exception>
    public static EnvironmentLocation ResolveEnvironment(Settings settings, string? name, string? prefix, bool activeByDefault)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var locator = new EnvironmentLocator(settings);
        string found;
        if (!string.IsNullOrEmpty(prefix))
        {
            found = locator.Find(prefix);
        }
        else if (string.IsNullOrEmpty(name) && activeByDefault)
        {
            string? active = Environment.GetEnvironmentVariable("CONDA_PREFIX");
            found = string.IsNullOrEmpty(active)
                ? throw new NoActiveEnvironmentException("No environment is active: give -Name or -Prefix.")
                : active;
        }
        else
        {
            found = locator.Find(string.IsNullOrEmpty(name) ? "base" : name);
        }

        return new EnvironmentLocation(locator.NameInEnvsDirs(found), found);
    }

    /// <summary>
    /// The PATH entries of <paramref name="prefix"/>, in PATH order: <c>bin</c> on Unix; the prefix,
    /// <c>Library\mingw-w64\bin</c>, <c>Library\usr\bin</c>, <c>Library\bin</c>, <c>Scripts</c>, <c>bin</c> on Windows.
    /// </summary>
    public static IReadOnlyList<string> PathEntries(string prefix, bool isWindows)
    {
        if (!isWindows)
        {
            return new[] { prefix.TrimEnd('/') + "/bin" };
        }

        string p = prefix.TrimEnd('\\', '/');
        return new[] { p, p + @"\Library\mingw-w64\bin", p + @"\Library\usr\bin", p + @"\Library\bin", p + @"\Scripts", p + @"\bin" };
    }

    /// <summary>
    /// Works out the activation of <paramref name="prefix"/> over the state of <paramref name="environment"/>
    /// (<c>CONDA_SHLVL</c>, <c>CONDA_PREFIX</c>) and the frames of <paramref name="stack"/>. Without
    /// <paramref name="stacked"/> the active environment's PATH entries and variables are replaced, as conda does.
    /// </summary>
    /// <param name="prefix">The environment's folder (with <c>conda-meta</c>).</param>
    /// <param name="name">The environment's name when it lives in an envs dir, else null (the prefix is shown).</param>
    /// <param name="environment">The variables now.</param>
    /// <param name="stack">The activations EnvTools applied in this session.</param>
    /// <param name="stacked">Keep the PATH of the level below (<c>--stack</c>).</param>
    public ActivationPlan Plan(string prefix, string? name, IEnvironmentVariables environment, ActivationStack stack, bool stacked)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(stack);
        prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(prefix));
        string display = string.IsNullOrEmpty(name) ? prefix : name;
        int oldLevel = int.TryParse(environment.Get("CONDA_SHLVL"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int l) && l > 0 ? l : 0;
        string? oldPrefix = environment.Get("CONDA_PREFIX");
        int level = oldLevel + 1;

        var variables = new List<KeyValuePair<string, string?>>();
        var replacedPath = new List<string>();
        if (oldLevel > 0 && !string.IsNullOrEmpty(oldPrefix))
        {
            variables.Add(new($"CONDA_PREFIX_{oldLevel}", oldPrefix));
            if (!stacked)
            {
                ActivationFrame? below = stack.Top is { } top && PathEquals(top.Prefix, oldPrefix) ? top : null;
                replacedPath.AddRange(below?.AddedPathEntries ?? PathEntries(oldPrefix, IsWindows));
                // The variables of the environment below give way, as conda unsets them.
                foreach (EnvironmentVariableEntry e in below?.GetPlan().EnvironmentVariables ?? SafeVariables(oldPrefix))
                {
                    if (below is null)
                    {
                        variables.Add(new(e.Name, null));
                    }
                    else if (below.Saved.TryGetValue(e.Name, out string? saved))
                    {
                        variables.Add(new(e.Name, saved));
                    }
                }
            }
        }

        variables.Add(new("CONDA_PREFIX", prefix));
        variables.Add(new("CONDA_SHLVL", level.ToString(CultureInfo.InvariantCulture)));
        variables.Add(new("CONDA_DEFAULT_ENV", display));
        variables.Add(new("CONDA_PROMPT_MODIFIER", ChangePrompt ? FormatPrompt(EnvPrompt, display, prefix) : null));
        if (stacked && oldLevel > 0)
        {
            variables.Add(new($"CONDA_STACKED_{level}", "true"));
        }

        CudaToolkitInfo? cuda = CudaToolkit.Find(prefix);
        if (cuda is not null)
        {
            KeyValuePair<string, string> v = CudaToolkit.Variable(prefix, IsWindows);
            variables.Add(new(v.Key, v.Value));
        }

        IReadOnlyList<EnvironmentVariableEntry> envVars = EnvironmentConfigVariables.ForActivation(prefix);
        foreach (EnvironmentVariableEntry e in envVars)
        {
            variables.Add(new(e.Name, e.Value == EnvironmentConfigVariables.UnsetValue ? null : e.Value));
        }

        string etc = Path.Combine(prefix, "etc", "conda");
        return new ActivationPlan(prefix, display, level, stacked, PathEntries(prefix, IsWindows), replacedPath, variables, envVars, cuda,
            ActivationScript.InFolder(Path.Combine(etc, "activate.d"), IsWindows),
            ActivationScript.InFolder(Path.Combine(etc, "deactivate.d"), IsWindows, reverse: true));
    }

    /// <summary>
    /// Snapshots <paramref name="environment"/>, then applies the plan's variables and PATH. Run the plan's
    /// scripts next, then <see cref="Complete"/>.
    /// </summary>
    public ActivationFrame Begin(ActivationPlan plan, IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(environment);
        var frame = new ActivationFrame(plan, environment.GetAll(), environment.IgnoreCase);
        List<string> path = PathList.Split(environment.Get(PathVariable), Separator);
        path = PathList.Remove(path, plan.ReplacedPathEntries, environment.IgnoreCase);
        environment.Set(PathVariable, PathList.Join(plan.PathEntries.Concat(path), Separator));
        foreach (var (name, value) in plan.Variables)
        {
            environment.Set(name, value);
        }

        return frame;
    }

    /// <summary>Records every change made since <see cref="Begin"/> (by the plan and by the scripts).</summary>
    public void Complete(ActivationFrame frame, IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(environment);
        frame.Complete(environment.GetAll(), Separator, environment.IgnoreCase);
    }

    /// <summary>
    /// Undoes a complete frame (after its deactivation scripts ran): every variable it changed gets its old
    /// value back or is removed; PATH is restored whole when it is as activation left it, else the entries
    /// activation added are taken out one by one and the ones it took out are put back in front.
    /// </summary>
    public void Restore(ActivationFrame frame, IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(environment);
        if (!frame.IsComplete)
        {
            Complete(frame, environment);
        }

        string? pathNow = environment.Get(PathVariable);
        foreach (var (name, old) in frame.Saved)
        {
            if (!string.Equals(name, PathVariable, environment.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                environment.Set(name, old);
            }
        }

        if (!frame.Saved.ContainsKey(PathVariable) || string.Equals(pathNow, frame.PathAfter, StringComparison.Ordinal))
        {
            if (frame.Saved.TryGetValue(PathVariable, out string? oldPath))
            {
                environment.Set(PathVariable, oldPath);
            }

            return;
        }

        List<string> entries = PathList.Remove(PathList.Split(pathNow, Separator), frame.AddedPathEntries, environment.IgnoreCase);
        environment.Set(PathVariable, PathList.Join(frame.RemovedPathEntries.Concat(entries), Separator));
    }

    private static IReadOnlyList<EnvironmentVariableEntry> SafeVariables(string prefix)
    {
        try
        {
            return EnvironmentConfigVariables.ForActivation(prefix);
        }
        catch (Exception ex) when (ex is EnvToolsException or IOException or UnauthorizedAccessException)
        {
            return Array.Empty<EnvironmentVariableEntry>();
        }
    }

    private bool PathEquals(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b),
            IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>conda's <c>env_prompt.format(default_env=…, prefix=…, name=…)</c>; other braces stay as written.</summary>
    internal static string FormatPrompt(string format, string defaultEnv, string prefix) => format
        .Replace("{default_env}", defaultEnv, StringComparison.Ordinal)
        .Replace("{name}", Path.GetFileName(prefix), StringComparison.Ordinal)
        .Replace("{prefix}", prefix, StringComparison.Ordinal);
}
