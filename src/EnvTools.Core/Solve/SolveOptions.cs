namespace EnvTools.Solve;

/// <summary>How channel order affects candidate selection (conda's <c>channel_priority</c>).</summary>
public enum ChannelPriority
{
    /// <summary>Prefer candidates of higher-priority channels, but fall back to lower ones when needed (conda's default).</summary>
    Flexible,

    /// <summary>Only the highest-priority channel that has a package name provides its candidates.</summary>
    Strict,

    /// <summary>Channel order is ignored except as the last tie-breaker: the highest version wins wherever it is.</summary>
    Disabled,
}

/// <summary>How installed packages are treated (conda's <c>UpdateModifier</c> and <c>DepsModifier</c> in one).</summary>
public enum UpdateModifier
{
    /// <summary>Update the requested specs; keep installed packages unless the request needs them to change (conda's default).</summary>
    UpdateSpecs,

    /// <summary>Keep every installed package that does not conflict with the request exactly as it is.</summary>
    FreezeInstalled,

    /// <summary>Update every installed package to the most preferred version the constraints allow.</summary>
    UpdateAll,

    /// <summary>Update the requested specs and their dependencies.</summary>
    UpdateDeps,

    /// <summary>Install only the dependencies of the requested specs, not the requested packages themselves.</summary>
    OnlyDeps,

    /// <summary>Install only the requested packages, without their dependencies.</summary>
    NoDeps,

    /// <summary>Update the dependencies of the requested specs, and install only those dependencies (conda's
    /// <c>UPDATE_DEPS</c> with <c>ONLY_DEPS</c>).</summary>
    UpdateDepsOnlyDeps,

    /// <summary>When installed records already satisfy every requested spec (and nothing is removed or pruned), keep
    /// the environment as it is without solving; otherwise as <see cref="UpdateSpecs"/> (conda's
    /// <c>SPECS_SATISFIED_SKIP_SOLVE</c>).</summary>
    SpecsSatisfiedSkipSolve,
}

/// <summary>A progress report of a solve.</summary>
public sealed class SolveProgress
{
    /// <summary>Creates a report.</summary>
    public SolveProgress(string stage, string? detail = null)
    {
        Stage = stage;
        Detail = detail;
    }

    /// <summary>The stage: <c>Loading</c>, <c>Solving</c> or <c>Done</c>.</summary>
    public string Stage { get; }

    /// <summary>A short detail (e.g. the number of candidates loaded), or null.</summary>
    public string? Detail { get; }

    /// <inheritdoc />
    public override string ToString() => Detail is null ? Stage : $"{Stage}: {Detail}";
}
