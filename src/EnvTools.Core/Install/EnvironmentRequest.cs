using EnvTools.Conda;
using EnvTools.Solve;

namespace EnvTools.Install;

/// <summary>What an <see cref="EnvironmentRequest"/> does to its environment.</summary>
public enum EnvironmentAction
{
    /// <summary>Create a new environment (replacing an existing one only with <see cref="EnvironmentRequest.Force"/>).</summary>
    Create,
    /// <summary>Add or change packages in an existing environment.</summary>
    Install,
    /// <summary>Update installed packages (the named ones, or all).</summary>
    Update,
    /// <summary>Remove packages (and what only they needed).</summary>
    Remove,
}

/// <summary>One change to one environment, as the cmdlets ask for it.</summary>
public sealed record EnvironmentRequest
{
    /// <summary>The environment's folder.</summary>
    public required string Prefix { get; init; }

    /// <summary>What to do.</summary>
    public required EnvironmentAction Action { get; init; }

    /// <summary>The specs to install, update or remove.</summary>
    public IReadOnlyList<MatchSpec> Specs { get; init; } = Array.Empty<MatchSpec>();

    /// <summary>With <see cref="EnvironmentAction.Update"/>: update every installed package.</summary>
    public bool UpdateAll { get; init; }

    /// <summary>The channels, highest priority first (not read for <see cref="EnvironmentAction.Remove"/>).</summary>
    public IReadOnlyList<Channel> Channels { get; init; } = Array.Empty<Channel>();

    /// <summary>The target platform; the host's by default.</summary>
    public Platform Platform { get; init; } = Platform.Current;

    /// <summary>The virtual packages of the target.</summary>
    public IReadOnlyList<PackageRecord> VirtualPackages { get; init; } = Array.Empty<PackageRecord>();

    /// <summary>The channel priority; the configured one when null.</summary>
    public ChannelPriority? ChannelPriority { get; init; }

    /// <summary>Create: replace an existing environment. Install: relink the requested packages even when unchanged.</summary>
    public bool Force { get; init; }

    /// <summary>Install only the requested packages, not their dependencies (conda's --no-deps; the environment may be
    /// left with unmet dependencies).</summary>
    public bool NoDeps { get; init; }

    /// <summary>Install: keep every installed package that does not conflict with the request exactly as it is (conda's
    /// <c>--freeze-installed</c>); when that has no solution, solve again without freezing, as conda does.</summary>
    public bool FreezeInstalled { get; init; }

    /// <summary>Install: update the dependencies of the requested packages to the newest versions the request allows
    /// (conda's <c>--update-deps</c>).</summary>
    public bool UpdateDependencies { get; init; }

    /// <summary>Install: install only the dependencies of the requested packages, not the packages themselves (conda's
    /// <c>--only-deps</c>); a requested package that is installed already stays.</summary>
    public bool OnlyDependencies { get; init; }

    /// <summary>Remove: take out only the matching packages, leaving the packages that depend on them (and the
    /// dependencies only they needed) in place (conda's <c>remove --force</c>; the environment may be left
    /// inconsistent).</summary>
    public bool ForceRemove { get; init; }

    /// <summary>Drop installed packages that neither the request nor another kept package needs (conda's
    /// <c>env update --prune</c>).</summary>
    public bool Prune { get; init; }

    /// <summary>Create: do not add the configured <c>create_default_packages</c>.</summary>
    public bool NoDefaultPackages { get; init; }

    /// <summary>Wall-clock limit of the solve; null for none.</summary>
    public TimeSpan? SolveTimeout { get; init; }

    /// <summary>Run the packages' link scripts (besides the configuration allowing them).</summary>
    public bool AllowLinkScripts { get; init; }

    /// <summary>The command line recorded in <c>conda-meta/history</c>.</summary>
    public string? HistoryCommand { get; init; }

    /// <summary>The exact final package set (an @EXPLICIT or lock file): no solve. Null to solve.</summary>
    public IReadOnlyList<RepoDataRecord>? ExplicitRecords { get; init; }

    /// <summary>With <see cref="EnvironmentAction.Install"/>: bring the environment back to the package set of this
    /// revision of its history (conda's <c>install --revision N</c>; negative counts from the end), without a solve.
    /// <see cref="Specs"/> is ignored; the channels are read only for packages neither installed nor cached.</summary>
    public int? Revision { get; init; }
}
