using EnvTools.Environments;
namespace EnvTools.Activation;

/// <summary>
/// What activating an environment changes, computed before anything is changed: the variables to set or
/// unset (in order), the PATH entries to put in front and those of a replaced level to take out, and the
/// scripts to run.
/// </summary>
public sealed class ActivationPlan
{
    internal ActivationPlan(string prefix, string name, int level, bool stacked, IReadOnlyList<string> pathEntries,
        IReadOnlyList<string> replacedPathEntries, IReadOnlyList<KeyValuePair<string, string?>> variables,
        IReadOnlyList<EnvironmentVariableEntry> environmentVariables, CudaToolkitInfo? cuda,
        IReadOnlyList<ActivationScript> activateScripts, IReadOnlyList<ActivationScript> deactivateScripts)
    {
        Prefix = prefix;
        Name = name;
        Level = level;
        Stacked = stacked;
        PathEntries = pathEntries;
        ReplacedPathEntries = replacedPathEntries;
        Variables = variables;
        EnvironmentVariables = environmentVariables;
        Cuda = cuda;
        ActivateScripts = activateScripts;
        DeactivateScripts = deactivateScripts;
    }

    /// <summary>The environment's prefix.</summary>
    public string Prefix { get; }

    /// <summary>What <c>CONDA_DEFAULT_ENV</c> and the prompt show: the name in an envs dir, else the prefix.</summary>
    public string Name { get; }

    /// <summary>The new <c>CONDA_SHLVL</c>.</summary>
    public int Level { get; }

    /// <summary>Whether the level above keeps the PATH of the one below (<c>--stack</c>).</summary>
    public bool Stacked { get; }

    /// <summary>The PATH entries put in front, in order.</summary>
    public IReadOnlyList<string> PathEntries { get; }

    /// <summary>The PATH entries of the environment below that a non-stacked activation takes out.</summary>
    public IReadOnlyList<string> ReplacedPathEntries { get; }

    /// <summary>The variables set (value) or unset (null), in the order they are applied.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Variables { get; }

    /// <summary>The environment's own variables (<c>conda-meta/state</c>, <c>env_vars.d</c>), part of <see cref="Variables"/>.</summary>
    public IReadOnlyList<EnvironmentVariableEntry> EnvironmentVariables { get; }

    /// <summary>The CUDA toolkit the environment carries, or null.</summary>
    public CudaToolkitInfo? Cuda { get; }

    /// <summary>The <c>activate.d</c> scripts, in the order they run.</summary>
    public IReadOnlyList<ActivationScript> ActivateScripts { get; }

    /// <summary>The <c>deactivate.d</c> scripts, in the order they will run on deactivation.</summary>
    public IReadOnlyList<ActivationScript> DeactivateScripts { get; }
}
