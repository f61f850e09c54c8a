using EnvTools.Conda;

namespace EnvTools.Solve;

/// <summary>What to solve: the specs, the channels, and the state of the target environment.</summary>
public sealed class SolveRequest
{
    /// <summary>The requested specs (to install or update).</summary>
    public IReadOnlyList<MatchSpec> Specs { get; init; } = Array.Empty<MatchSpec>();

    /// <summary>Specs whose packages are removed (with what only they needed).</summary>
    public IReadOnlyList<MatchSpec> SpecsToRemove { get; init; } = Array.Empty<MatchSpec>();

    /// <summary>The channels, highest priority first.</summary>
    public IReadOnlyList<SolverChannel> Channels { get; init; } = Array.Empty<SolverChannel>();

    /// <summary>The virtual packages of the target (<c>__unix</c>, <c>__glibc</c>, <c>__cuda</c> …).</summary>
    public IReadOnlyList<PackageRecord> VirtualPackages { get; init; } = Array.Empty<PackageRecord>();

    /// <summary>The records installed in the target environment.</summary>
    public IReadOnlyList<RepoDataRecord> Installed { get; init; } = Array.Empty<RepoDataRecord>();

    /// <summary>The specs the user asked for before (conda-meta/history); they keep constraining the environment.</summary>
    public IReadOnlyList<MatchSpec> HistorySpecs { get; init; } = Array.Empty<MatchSpec>();

    /// <summary>Pinned specs (conda-meta/pinned, <c>pinned_packages</c>): constraints on the result.</summary>
    public IReadOnlyList<MatchSpec> PinnedSpecs { get; init; } = Array.Empty<MatchSpec>();

    /// <summary>Channel priority mode; default <see cref="Solve.ChannelPriority.Flexible"/>.</summary>
    public ChannelPriority ChannelPriority { get; init; } = ChannelPriority.Flexible;

    /// <summary>Treatment of installed packages; default <see cref="Solve.UpdateModifier.UpdateSpecs"/>.</summary>
    public UpdateModifier UpdateModifier { get; init; } = UpdateModifier.UpdateSpecs;

    /// <summary>Drop installed packages that neither the request, the history specs nor another kept package need
    /// (conda's <c>prune</c>).</summary>
    public bool Prune { get; init; }

    /// <summary>Ignore <see cref="PinnedSpecs"/> (conda's <c>ignore_pinned</c>).</summary>
    public bool IgnorePinned { get; init; }

    /// <summary>Remove only the records that match <see cref="SpecsToRemove"/>, leaving what depends on them in place
    /// (conda's <c>force_remove</c>; the result may be an inconsistent environment). Needs no <see cref="Specs"/>.</summary>
    public bool ForceRemove { get; init; }

    /// <summary>Installed packages that are always updated to the newest version the request allows, whatever the
    /// history says (conda's <c>aggressive_update_packages</c>; conda's default is <c>ca-certificates</c>,
    /// <c>certifi</c>, <c>openssl</c>). They also stay when a removal leaves nothing else that needs them.</summary>
    public IReadOnlyList<MatchSpec> AggressiveUpdatePackages { get; init; } = Array.Empty<MatchSpec>();

    /// <summary>The target is the environment conda itself runs from, with conda's <c>auto_update_conda</c> on: an
    /// installed <c>conda</c> that the request does not name is updated to the newest version the request allows (never
    /// downgraded).</summary>
    public bool AutoUpdateConda { get; init; }

    /// <summary>The requested names are to be updated (conda update, mamba update): their installed records are not
    /// preferred, so each moves to the newest version the other constraints allow.</summary>
    public bool UpdateRequested { get; init; }

    /// <summary>Wall-clock limit of the solve; null for none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Receives progress reports, or null.</summary>
    public IProgress<SolveProgress>? Progress { get; init; }

    /// <summary>A copy with other specs, history specs and update modifier (conda's second UPDATE_DEPS solve).</summary>
    internal SolveRequest With(IReadOnlyList<MatchSpec> specs, IReadOnlyList<MatchSpec> historySpecs, UpdateModifier modifier, TimeSpan? timeout) => new()
    {
        Specs = specs,
        SpecsToRemove = SpecsToRemove,
        Channels = Channels,
        VirtualPackages = VirtualPackages,
        Installed = Installed,
        HistorySpecs = historySpecs,
        PinnedSpecs = PinnedSpecs,
        ChannelPriority = ChannelPriority,
        UpdateModifier = modifier,
        Prune = Prune,
        IgnorePinned = IgnorePinned,
        ForceRemove = ForceRemove,
        AggressiveUpdatePackages = AggressiveUpdatePackages,
        AutoUpdateConda = AutoUpdateConda,
        UpdateRequested = UpdateRequested,
        Timeout = timeout,
        Progress = Progress,
    };
}

/// <summary>The answer of a solve.</summary>
public sealed class SolveResult
{
    /// <summary>Creates a result.</summary>
    public SolveResult(IReadOnlyList<RepoDataRecord> records, IReadOnlyList<RepoDataRecord> toInstall, IReadOnlyList<RepoDataRecord> toRemove)
    {
        Records = records;
        ToInstall = toInstall;
        ToRemove = toRemove;
    }

    /// <summary>The final state of the environment, in install order: dependencies first (ties by name).</summary>
    public IReadOnlyList<RepoDataRecord> Records { get; }

    /// <summary>Records of <see cref="Records"/> that are not installed yet (in install order).</summary>
    public IReadOnlyList<RepoDataRecord> ToInstall { get; }

    /// <summary>Installed records that are not part of <see cref="Records"/>.</summary>
    public IReadOnlyList<RepoDataRecord> ToRemove { get; }

    /// <summary>With <see cref="UpdateModifier.OnlyDeps"/>: the requested records the solution needed but that are left
    /// out of <see cref="Records"/> (their dependencies are in it).</summary>
    public IReadOnlyList<RepoDataRecord> Omitted { get; init; } = Array.Empty<RepoDataRecord>();

    /// <summary>With <see cref="UpdateModifier.UpdateDeps"/>: the specs the second solve took as requested (every package of
    /// the requested packages' dependency chain by name, python by its major.minor, pins left out, the requested specs as
    /// given): conda records them as the update specs of the revision.</summary>
    public IReadOnlyList<MatchSpec> UpdatedSpecs { get; init; } = Array.Empty<MatchSpec>();

    /// <summary>Time spent decoding candidates and building clauses.</summary>
    public TimeSpan LoadTime { get; init; }

    /// <summary>Time spent in the SAT search.</summary>
    public TimeSpan SolveTime { get; init; }

    /// <summary>Number of SAT variables.</summary>
    public int Variables { get; init; }

    /// <summary>Number of SAT clauses.</summary>
    public int Clauses { get; init; }

    /// <summary>Number of conflicts of the search.</summary>
    public int Conflicts { get; init; }
}
