using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Environments;
using EnvTools.Fetch;
using EnvTools.RepoData;
using EnvTools.Solve;

namespace EnvTools.Install;

/// <summary>A step of an environment operation, for progress displays (one activity per step).</summary>
public enum OperationStep
{
    /// <summary>Reading channels.</summary>
    Load,
    /// <summary>Solving.</summary>
    Solve,
    /// <summary>Downloading and extracting packages.</summary>
    Fetch,
    /// <summary>Unlinking and linking files.</summary>
    Link,
}

/// <summary>Progress of an <see cref="EnvironmentInstaller"/> step.</summary>
/// <param name="Step">The step.</param>
/// <param name="Status">What is being done (a channel, a package, a phase).</param>
/// <param name="Percent">0–100, or -1 when unknown.</param>
/// <param name="Completed">True on the step's last report.</param>
/// <param name="Detail">A line for a verbose log: a channel read and where from (cache, 304, download), the cache hits
/// and downloads, the link summary, a step's time; null on plain progress reports.</param>
public readonly record struct OperationProgress(OperationStep Step, string Status, int Percent, bool Completed = false, string? Detail = null);

/// <summary>A solved, not yet applied change to one environment.</summary>
public sealed class EnvironmentPlan
{
    internal EnvironmentPlan(EnvironmentRequest request, string prefix, IReadOnlyList<PrefixRecord> installed,
        IReadOnlyList<RepoDataRecord> final, IReadOnlyList<PackageChange> changes, IReadOnlyDictionary<string, string> requestedSpecs,
        SolveResult? solve, bool replacesExisting)
    {
        Request = request;
        Prefix = prefix;
        Installed = installed;
        FinalRecords = final;
        Changes = changes;
        RequestedSpecs = requestedSpecs;
        Solve = solve;
        ReplacesExisting = replacesExisting;
    }

    /// <summary>The request planned.</summary>
    public EnvironmentRequest Request { get; }

    /// <summary>The environment's full path.</summary>
    public string Prefix { get; }

    /// <summary>The records installed when the plan was made (empty for a new environment).</summary>
    public IReadOnlyList<PrefixRecord> Installed { get; }

    /// <summary>The environment's packages after the change, dependencies first.</summary>
    public IReadOnlyList<RepoDataRecord> FinalRecords { get; }

    /// <summary>What changes, package by package.</summary>
    public IReadOnlyList<PackageChange> Changes { get; }

    /// <summary>Package name → the spec the user asked for in this request.</summary>
    public IReadOnlyDictionary<string, string> RequestedSpecs { get; }

    /// <summary>The solve's statistics; null when no solve ran (explicit records).</summary>
    public SolveResult? Solve { get; }

    /// <summary>Create with Force over an existing environment: it is removed first.</summary>
    public bool ReplacesExisting { get; }

    /// <summary>Names whose requested specs the history line drops (a restore to a revision before they were asked for).</summary>
    public IReadOnlyList<string> DroppedSpecs { get; internal init; } = Array.Empty<string>();

    /// <summary>True when applying the plan changes nothing (an existing environment that already satisfies the request).</summary>
    public bool IsEmpty => Changes.Count == 0 && Request.Action != EnvironmentAction.Create && !(Request.Force && Request.Action == EnvironmentAction.Install);

    /// <summary>What applying the plan does, as a confirmation asks it: the action (or the revision restored), then the changes.</summary>
    public string Description =>
        (Request.Revision is { } revision ? $"Restore revision {revision}" : Request.Action.ToString()) + ": " +
        (Changes.Count == 0 ? "create an empty environment" : ChangeList);

    /// <summary>What downloading the plan's packages does, as a confirmation asks it.</summary>
    public string DownloadDescription => "Download into the package cache: " + ChangeList;

    /// <summary>One line on the plan: the environment, the number of changes and the solve's times.</summary>
    public string Summary => $"{Request.Prefix}: {Changes.Count} change(s)" +
        (Solve is { } s ? $"; solved in {s.SolveTime.TotalMilliseconds:F0} ms (load {s.LoadTime.TotalMilliseconds:F0} ms)" : string.Empty);

    private string ChangeList => string.Join(", ", Changes.Select(c => c.ToString()));
}

/// <summary>What applying an <see cref="EnvironmentPlan"/> did.</summary>
/// <param name="Plan">The plan applied.</param>
/// <param name="Transaction">The linker's result; null when nothing had to change.</param>
/// <param name="Fetched">The packages taken from (or put into) the package cache.</param>
public sealed record EnvironmentResult(EnvironmentPlan Plan, TransactionResult? Transaction, IReadOnlyList<CachedPackage> Fetched);

/// <summary>
/// Creates environments and installs, updates and removes packages: reads the environment's state (conda-meta,
/// history, pinned), loads the channels, solves, fetches what the package cache lacks, and runs the transaction.
/// <see cref="Plan"/> changes nothing (a dry run stops there); <see cref="Apply"/> makes the change, all or nothing.
/// </summary>
public sealed class EnvironmentInstaller
{
    private readonly Settings _settings;
    private readonly PackageCache? _cache;
    private readonly InstallOptions _options;

    /// <summary>Creates an installer over the merged settings; the package cache and link options come from them unless given
    /// (the cache made from them sends the request channels' tokens and credentials with package downloads).</summary>
    public EnvironmentInstaller(Settings settings, PackageCache? cache = null, InstallOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _cache = cache;
        _options = options ?? InstallOptions.FromSettings(settings);
    }

    /// <summary>Solves the request against the environment's current state. Nothing on disk changes, except that an
    /// interrupted earlier transaction of the environment is rolled back first.</summary>
    /// <exception cref="EnvironmentExistsException">Create over an existing environment without Force.</exception>
    /// <exception cref="EnvironmentNotFoundException">Install, Update or Remove in a folder that is no environment.</exception>
    /// <exception cref="PackageNotInstalledException">Update or Remove of a package the environment lacks.</exception>
    public EnvironmentPlan Plan(EnvironmentRequest request, IProgress<OperationProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        string prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.Prefix));
        bool exists = EnvironmentLocator.IsEnvironment(prefix);
        bool replaces = false;
        if (request.Action == EnvironmentAction.Create)
        {
            if (Path.GetFileName(prefix) is "base" or "root")
            {
                // conda's RESERVED_ENV_NAMES: `base` is the root environment; a folder of that name would shadow it
                throw new EnvToolsException("ReservedEnvironmentName", ErrorKind.InvalidArgument,
                    $"'{Path.GetFileName(prefix)}' is a reserved environment name (conda's base environment): choose another name.", prefix);
            }

            // What a create that never committed left (killed New-Env) is no environment: the create replaces it.
            if (!exists && Directory.Exists(prefix) && !EnvironmentLocator.IsUncommittedCreate(prefix) && Directory.EnumerateFileSystemEntries(prefix).Any())
            {
                // Never delete a folder that is not an environment, Force or not.
                throw new EnvironmentExistsException(prefix, isEnvironment: false);
            }

            if (exists)
            {
                if (!request.Force)
                {
                    throw new EnvironmentExistsException(prefix, exists);
                }

                replaces = true;
            }
        }
        else if (!exists)
        {
            throw new EnvironmentNotFoundException(prefix, Array.Empty<string>());
        }

        IReadOnlyList<PrefixRecord> installed = Array.Empty<PrefixRecord>();
        var historySpecs = new List<MatchSpec>();
        var pinned = _settings.PinnedPackages.Select(MatchSpec.Parse).ToList();
        if (exists && !replaces)
        {
            try
            {
                PrefixJournal.RecoverIfNeeded(prefix);
                installed = PrefixState.ReadInstalled(prefix);
            }
            catch (DirectoryNotFoundException)
            {
                throw new EnvironmentNotFoundException(prefix, Array.Empty<string>()); // removed by another process meanwhile
            }

            string history = PrefixHistory.PathFor(prefix);
            if (File.Exists(history))
            {
                foreach (string spec in PrefixHistory.Load(history).GetRequestedSpecs(installed.Select(r => r.Name)).Values)
                {
                    if (MatchSpec.TryParse(spec, out MatchSpec? parsed))
                    {
                        historySpecs.Add(parsed!);
                    }
                }
            }

            pinned.AddRange(PrefixState.ReadPinned(prefix).Select(MatchSpec.Parse));
        }

        IReadOnlyList<MatchSpec> specs = request.Specs;
        if (request.Action == EnvironmentAction.Create && !request.NoDefaultPackages && request.ExplicitRecords is null)
        {
            var named = new HashSet<string>(specs.Select(s => s.Name), StringComparer.Ordinal);
            specs = specs.Concat(_settings.CreateDefaultPackages.Select(MatchSpec.Parse).Where(s => !named.Contains(s.Name))).ToArray();
        }

        CheckModifiers(request);
        CheckInstalled(request, prefix, installed);
        var requested = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.Action != EnvironmentAction.Remove)
        {
            foreach (MatchSpec s in specs)
            {
                requested[s.Name] = s.ToString();
            }
        }

        SolveResult? solve = null;
        IReadOnlyList<RepoDataRecord> final;
        IReadOnlyList<string> dropped = Array.Empty<string>();
        if (request.Revision is { } revision && request.Action == EnvironmentAction.Install)
        {
            RevisionTarget.Result target = RevisionTarget.Resolve(prefix, revision, installed, CacheFor(request),
                () => LoadChannels(request, progress, ct), request.Channels.Select(c => c.ToString()).ToArray());
            final = Toposort.Sort(target.Records.ToList());
            requested = new Dictionary<string, string>(target.RequestedSpecs, StringComparer.Ordinal);
            dropped = target.DroppedSpecs;
        }
        else if (request.ExplicitRecords is not null)
        {
            final = Toposort.Sort(request.ExplicitRecords.ToList());
        }
        else if (request.Action == EnvironmentAction.Create && specs.Count == 0)
        {
            final = Array.Empty<RepoDataRecord>(); // an empty environment needs no channel (offline too), as in micromamba and pixi
        }
        else
        {
            solve = Solve(request, specs, installed, historySpecs, pinned, progress, ct);
            final = solve.Records;
            foreach (MatchSpec chained in solve.UpdatedSpecs)
            {
                // conda's --update-deps records the whole dependency chain it updated as requested (its update specs)
                requested.TryAdd(chained.Name, chained.ToString());
            }

            foreach (RepoDataRecord omitted in solve.Omitted)
            {
                // conda's --only-deps records the dependencies of the packages it left out as requested, beside them
                foreach (string d in omitted.Depends)
                {
                    if (MatchSpec.TryParse(d, out MatchSpec? dep) && !requested.ContainsKey(dep!.Name))
                    {
                        requested[dep.Name] = dep.ToString();
                    }
                }
            }
        }

        IReadOnlyList<PackageChange> changes = PackageChange.Diff(installed, final);
        if (request.Force && request.Action == EnvironmentAction.Install)
        {
            changes = AddReinstalls(changes, installed, final, requested.Keys);
        }

        return new EnvironmentPlan(request, prefix, installed, final, changes, requested, solve, replaces) { DroppedSpecs = dropped };
    }

    /// <summary>
    /// Applies a plan under the prefix lock, held from before the installed state is checked until the change is
    /// done: an interrupted transaction is finished first; an environment changed by another process since the plan was
    /// made is solved again (so two processes installing into one environment end as if one ran after the other); one
    /// that was removed meanwhile is <see cref="EnvironmentNotFoundException"/>, and one created meanwhile by another
    /// create is <see cref="EnvironmentExistsException"/>. Then the packages to link are fetched (verified, into the
    /// package cache) and unlinked and linked with a journal; on any failure the environment is left in its old state.
    /// </summary>
    /// <returns>What was done; its <see cref="EnvironmentResult.Plan"/> is the plan applied, solved again when the
    /// environment had changed.</returns>
    /// <exception cref="EnvironmentNotFoundException">The environment was removed after the plan was made.</exception>
    /// <exception cref="EnvironmentExistsException">A create, and another process created the environment meanwhile.</exception>
    /// <exception cref="PrefixLockedException">Another process held the environment past the lock time-out.</exception>
    public EnvironmentResult Apply(EnvironmentPlan plan, IProgress<OperationProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.IsEmpty)
        {
            return new EnvironmentResult(plan, null, Array.Empty<CachedPackage>());
        }

        string prefix = plan.Prefix;
        bool create = plan.Request.Action == EnvironmentAction.Create;
        bool existed = Directory.Exists(prefix);
        bool metaExisted = Directory.Exists(Path.Combine(prefix, "conda-meta")) && !EnvironmentLocator.IsUncommittedCreate(prefix);
        try
        {
            using PrefixLock held = create
                ? PrefixLock.Acquire(prefix, _options.LockTimeout, ct)
                : PrefixLock.AcquireExisting(prefix, _options.LockTimeout, ct);
            var warnings = new List<string>();
            PrefixJournal.RecoverLocked(prefix, warnings);
            if (create)
            {
                if (!plan.ReplacesExisting && EnvironmentLocator.IsEnvironment(prefix))
                {
                    throw new EnvironmentExistsException(prefix, isEnvironment: true);
                }
            }
            else
            {
                if (!EnvironmentLocator.IsEnvironment(prefix))
                {
                    throw new EnvironmentNotFoundException(prefix, Array.Empty<string>());
                }

                if (!SameRecords(PrefixState.ReadInstalled(prefix), plan.Installed))
                {
                    // Another process changed the environment after this plan was made: solve again against what is there.
                    plan = Plan(plan.Request, progress, ct);
                    if (plan.IsEmpty)
                    {
                        return new EnvironmentResult(plan, null, Array.Empty<CachedPackage>());
                    }
                }
            }

            EnvironmentResult result = ApplyLocked(plan, warnings, progress, ct);
            if (create && plan.Request.Platform.Name != Platform.Current.Name)
            {
                // as conda create --platform: the environment's own .condarc keeps its platform for later changes
                CondarcEditor rc = CondarcEditor.Open(Path.Combine(prefix, ".condarc"));
                rc.Set("subdir", plan.Request.Platform.Name);
                rc.Save();
            }

            return result;
        }
        catch (Exception ex) when (create && !metaExisted && ex is not SimulatedCrashException)
        {
            // A create that fails leaves nothing (the lock is released by now).
            PrefixTransaction.RemoveIfOnlyLock(prefix, removePrefix: !existed);
            throw;
        }
    }

    /// <summary>
    /// Fetches the packages a plan would link into the package cache (verified and extracted), and changes nothing in
    /// the environment (conda's <c>--download-only</c>): a later install of the same plan, also offline, links from the
    /// cache.
    /// </summary>
    /// <returns>The packages fetched or found in the cache, in the plan's install order.</returns>
    public IReadOnlyList<CachedPackage> Download(EnvironmentPlan plan, IProgress<OperationProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        IReadOnlyList<PrefixRecord> installed = plan.ReplacesExisting ? Array.Empty<PrefixRecord>() : plan.Installed;
        bool force = plan.Request.Force && plan.Request.Action == EnvironmentAction.Install;
        TransactionPlan probe = TransactionPlan.Create(plan.Prefix, installed, plan.FinalRecords, _ => string.Empty, plan.RequestedSpecs, force);
        var toFetch = probe.Link.Select(l => l.Record).ToList();
        if (toFetch.Count == 0)
        {
            return Array.Empty<CachedPackage>();
        }

        var fetchProgress = progress is null ? null : new InlineProgress<PackageFetchProgress>(p =>
            progress.Report(new OperationProgress(OperationStep.Fetch, FetchStatus(p), FetchPercent(p), Detail: FetchDetail(p))));
        IReadOnlyList<CachedPackage> fetched = CacheFor(plan.Request).EnsureAsync(toFetch, fetchProgress, ct).GetAwaiter().GetResult();
        progress?.Report(new OperationProgress(OperationStep.Fetch, "done", 100, Completed: true));
        return fetched;
    }

    private EnvironmentResult ApplyLocked(EnvironmentPlan plan, List<string> warnings, IProgress<OperationProgress>? progress, CancellationToken ct)
    {
        EnvironmentRequest request = plan.Request;
        bool force = request.Force && request.Action == EnvironmentAction.Install;
        IReadOnlyList<PrefixRecord> installed = plan.ReplacesExisting ? Array.Empty<PrefixRecord>() : plan.Installed;

        // Which records the transaction links decides what to fetch.
        TransactionPlan probe = TransactionPlan.Create(plan.Prefix, installed, plan.FinalRecords, _ => string.Empty, plan.RequestedSpecs, force);
        var toFetch = probe.Link.Select(l => l.Record).ToList();
        IReadOnlyList<CachedPackage> fetched = Array.Empty<CachedPackage>();
        if (toFetch.Count > 0)
        {
            var downloaded = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            var fetchProgress = progress is null ? null : new InlineProgress<PackageFetchProgress>(p =>
            {
                if (p.Phase == PackageFetchPhase.Download)
                {
                    downloaded[p.FileName] = p.BytesTotal ?? p.BytesDone;
                }

                progress.Report(new OperationProgress(OperationStep.Fetch, FetchStatus(p), FetchPercent(p), Detail: FetchDetail(p)));
            });
            var fetchWatch = System.Diagnostics.Stopwatch.StartNew();
            PackageCache cache = CacheFor(request);
            if (force)
            {
                // A forced reinstall also repairs cache entries whose hard-linked files were edited in an environment.
                foreach (RepoDataRecord r in toFetch.Where(r => plan.RequestedSpecs.ContainsKey(r.Name)))
                {
                    cache.DiscardIfModified(r, ct);
                }
            }

            fetched = cache.EnsureAsync(toFetch, fetchProgress, ct).GetAwaiter().GetResult();
            string[] hits = toFetch.Select(r => r.FileName).Where(f => !downloaded.ContainsKey(f)).ToArray();
            string detail = $"Packages: {hits.Length} from the cache" + (hits.Length > 0 ? $" ({string.Join(", ", hits)})" : string.Empty) +
                $", {downloaded.Count} downloaded" + (downloaded.IsEmpty ? string.Empty : $" ({string.Join(", ", downloaded.Keys.Order(StringComparer.Ordinal))}; {downloaded.Values.Sum():N0} bytes)") +
                $" in {fetchWatch.ElapsedMilliseconds:N0} ms";
            progress?.Report(new OperationProgress(OperationStep.Fetch, "done", 100, Completed: true, Detail: detail));
        }

        var extracted = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (CachedPackage p in fetched)
        {
            extracted[Key(p.Record)] = p.ExtractedDirectory;
        }

        ct.ThrowIfCancellationRequested();
        if (plan.ReplacesExisting && EnvironmentLocator.IsEnvironment(plan.Prefix))
        {
            foreach (string m in PrefixRemoval.ClearLocked(plan.Prefix, _options, ct))
            {
                warnings.Add(m);
            }
        }

        // An explicit or lock file names packages by URL: their metadata (depends, constrains, noarch …) is in the
        // archives' info/index.json, which conda-meta records must carry as conda writes them.
        IReadOnlyList<RepoDataRecord> finalRecords = request.ExplicitRecords is null
            ? plan.FinalRecords
            : plan.FinalRecords.Select(r => fetched.FirstOrDefault(f => Key(f.Record) == Key(r)) is { } f ? WithIndexMetadata(r, f) : r).ToArray();
        TransactionPlan transaction = TransactionPlan.Create(plan.Prefix, installed, finalRecords,
            r => extracted.TryGetValue(Key(r), out string? dir) ? dir : throw new InvalidOperationException($"{r.FileName} was not fetched"),
            plan.RequestedSpecs, force);
        InstallOptions options = WithHistory(request, plan);
        var linkProgress = progress is null ? null : new InlineProgress<LinkProgress>(p =>
            progress.Report(new OperationProgress(OperationStep.Link, p.Package is null ? p.Phase.ToString() : $"{p.Phase} {p.Package}",
                p.Total > 0 ? (int)(100L * p.Completed / p.Total) : -1)));
        var linkWatch = System.Diagnostics.Stopwatch.StartNew();
        TransactionResult result = PrefixTransaction.ExecuteLocked(plan.Prefix, transaction, options, linkProgress, ct, warnings);
        progress?.Report(new OperationProgress(OperationStep.Link, "done", 100, Completed: true,
            Detail: $"Linking: {result.Linked.Count} package(s) linked, {result.Unlinked.Count} unlinked, " +
                    $"{result.Linked.Sum(r => r.Files.Count):N0} files, in {linkWatch.ElapsedMilliseconds:N0} ms"));
        return new EnvironmentResult(plan, result, fetched);
    }

    /// <summary>Whether two sets of installed records are the same packages (name, version, build, channel).</summary>
    private static bool SameRecords(IReadOnlyList<PrefixRecord> a, IReadOnlyList<PrefixRecord> b)
    {
        static string Key(PrefixRecord r) => $"{r.Name}-{r.Version}-{r.Build} {r.Channel}";
        return a.Count == b.Count && a.Select(Key).Order(StringComparer.Ordinal).SequenceEqual(b.Select(Key).Order(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    private static RepoDataRecord WithIndexMetadata(RepoDataRecord wanted, CachedPackage package)
    {
        if (wanted is PrefixRecord)
        {
            return wanted; // a clone: conda-meta records carry the metadata already
        }

        string indexJson = Path.Combine(package.ExtractedDirectory, "info", "index.json");
        if (!File.Exists(indexJson))
        {
            return wanted;
        }

        PrefixRecord index = PrefixRecord.Read(indexJson);
        return new RepoDataRecord(index)
        {
            FileName = wanted.FileName,
            Url = wanted.Url,
            Channel = wanted.Channel,
            Md5 = wanted.Md5 ?? package.Record.Md5,
            Sha256 = wanted.Sha256 ?? package.Record.Sha256,
            Size = wanted.Size ?? package.Record.Size,
        };
    }

    private PackageCache CacheFor(EnvironmentRequest request) =>
        _cache ?? new PackageCache(_settings.PkgsDirs, PackageFetchOptions.From(_settings) with { Channels = request.Channels });

    private IReadOnlyList<SolverChannel> LoadChannels(EnvironmentRequest request, IProgress<OperationProgress>? progress, CancellationToken ct)
    {
        if (request.Action == EnvironmentAction.Remove || request.Channels.Count == 0)
        {
            return Array.Empty<SolverChannel>();
        }

        var loadProgress = progress is null ? null : new InlineProgress<RepoDataProgress>(p =>
            progress.Report(new OperationProgress(OperationStep.Load, $"{p.Channel}/{p.Subdir}", 100 * p.Completed / Math.Max(1, p.Total),
                Detail: $"Channel {p.Channel}/{p.Subdir}: {p.Origin ?? "loaded"}")));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<SolverChannel> channels = RepoDataGateway.Load(request.Channels, request.Platform, _settings, loadProgress, ct);
        progress?.Report(new OperationProgress(OperationStep.Load, "done", 100, Completed: true,
            Detail: $"Loading channels: {request.Channels.Count} channel(s), {channels.Sum(c => c.Subdirs.Count)} subdir(s) read in {watch.ElapsedMilliseconds:N0} ms"));
        return channels;
    }

    private SolveResult Solve(EnvironmentRequest request, IReadOnlyList<MatchSpec> specs, IReadOnlyList<PrefixRecord> installed,
        List<MatchSpec> historySpecs, List<MatchSpec> pinned, IProgress<OperationProgress>? progress, CancellationToken ct)
    {
        IReadOnlyList<SolverChannel> channels = LoadChannels(request, progress, ct);

        progress?.Report(new OperationProgress(OperationStep.Solve, string.Join(", ", specs.Select(s => s.ToString())), -1));
        bool updateAll = request.Action == EnvironmentAction.Update && request.UpdateAll;
        var solveRequest = new SolveRequest
        {
            // update --all requests nothing by name (conda's specs_to_add stay the user's): every installed package floats
            // as a root of its own, and python keeps its major.minor unless the user names it
            Specs = request.Action == EnvironmentAction.Remove ? Array.Empty<MatchSpec>() : specs,
            SpecsToRemove = request.Action == EnvironmentAction.Remove ? specs : Array.Empty<MatchSpec>(),
            Channels = channels,
            VirtualPackages = request.VirtualPackages,
            Installed = installed,
            HistorySpecs = historySpecs,
            PinnedSpecs = pinned,
            ChannelPriority = request.ChannelPriority ?? _settings.ChannelPriority,
            UpdateModifier = updateAll ? UpdateModifier.UpdateAll : ModifierOf(request),
            ForceRemove = request.Action == EnvironmentAction.Remove && request.ForceRemove,
            UpdateRequested = request.Action == EnvironmentAction.Update,
            Prune = request.Prune,
            Timeout = request.SolveTimeout,
        };
        SolveResult result;
        try
        {
            result = CondaSolver.Solve(solveRequest, ct);
        }
        finally
        {
            SolverChannel.DisposeAll(channels); // the repodata mappings go now, not at a later collection
        }

        progress?.Report(new OperationProgress(OperationStep.Solve, "done", 100, Completed: true));
        return result;
    }

    /// <summary>The solver's modifier for the request's switches (conda's update and deps modifiers in one).</summary>
    private static UpdateModifier ModifierOf(EnvironmentRequest request) => request switch
    {
        { NoDeps: true } => UpdateModifier.NoDeps,
        { UpdateDependencies: true, OnlyDependencies: true } => UpdateModifier.UpdateDepsOnlyDeps,
        { UpdateDependencies: true } => UpdateModifier.UpdateDeps,
        { OnlyDependencies: true } => UpdateModifier.OnlyDeps,
        { FreezeInstalled: true } => UpdateModifier.FreezeInstalled,
        _ => UpdateModifier.UpdateSpecs,
    };

    /// <summary>Refuses switches that contradict each other or the action (conda's mutually exclusive groups: the
    /// update modifiers --freeze-installed and --update-deps; the deps modifiers --no-deps and --only-deps), and
    /// combinations the solver has no mode for.</summary>
    /// <exception cref="EnvToolsException">ConflictingModifiers.</exception>
    private static void CheckModifiers(EnvironmentRequest request)
    {
        var on = new List<string>();
        void Add(bool set, string name)
        {
            if (set)
            {
                on.Add(name);
            }
        }

        Add(request.FreezeInstalled, "FreezeInstalled");
        Add(request.UpdateDependencies, "UpdateDependencies");
        Add(request.OnlyDependencies, "OnlyDependencies");
        Add(request.NoDeps, "NoDeps");
        if (on.Count == 0 && !request.ForceRemove)
        {
            return;
        }

        string? problem = null;
        if (request.ForceRemove && request.Action != EnvironmentAction.Remove)
        {
            problem = "ForceRemove applies only to removing packages";
        }
        else if (on.Count > 0 && request.Action is not (EnvironmentAction.Install or EnvironmentAction.Create))
        {
            problem = $"{string.Join(", ", on)} applies only to installing packages";
        }
        else if (on.Count > 1 && !(on.Count == 2 && request.UpdateDependencies && request.OnlyDependencies))
        {
            problem = $"{string.Join(" and ", on)} cannot be combined (only UpdateDependencies with OnlyDependencies can)";
        }
        else if (request.ExplicitRecords is not null || request.Revision is not null)
        {
            problem = $"{string.Join(", ", on)} applies only to a solve, not to exact packages or a revision";
        }

        if (problem is not null)
        {
            throw new EnvToolsException("ConflictingModifiers", ErrorKind.InvalidArgument, problem + ".", request);
        }
    }

    private static void CheckInstalled(EnvironmentRequest request, string prefix, IReadOnlyList<PrefixRecord> installed)
    {
        if (request.Action == EnvironmentAction.Remove || (request.Action == EnvironmentAction.Update && !request.UpdateAll))
        {
            foreach (MatchSpec s in request.Specs)
            {
                bool present = request.Action == EnvironmentAction.Remove ? installed.Any(s.Matches) : installed.Any(r => r.Name == s.Name);
                if (!present)
                {
                    throw new PackageNotInstalledException(s.ToString(), prefix,
                        installed.Any(r => r.Name == s.Name) ? Array.Empty<string>() : TextDistance.CloseNames(installed.Select(r => r.Name), s.Name));
                }
            }
        }
    }

    private static IReadOnlyList<PackageChange> AddReinstalls(IReadOnlyList<PackageChange> changes, IReadOnlyList<PrefixRecord> installed,
        IReadOnlyList<RepoDataRecord> final, IEnumerable<string> names)
    {
        var list = changes.ToList();
        var changed = new HashSet<string>(changes.Select(c => c.Name), StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (changed.Contains(name) || installed.FirstOrDefault(r => r.Name == name) is not { } old || final.FirstOrDefault(r => r.Name == name) is not { } next)
            {
                continue;
            }

            list.Add(new PackageChange
            {
                Action = PackageChangeAction.Reinstall,
                Name = name,
                OldVersion = old.Version,
                OldBuild = old.Build,
                Version = next.Version,
                Build = next.Build,
                Channel = CondaMetaNames.ShortChannel(next.Channel),
                Size = next.Size,
                Record = next,
                OldRecord = old,
            });
        }

        return list;
    }

    private InstallOptions WithHistory(EnvironmentRequest request, EnvironmentPlan plan) => new()
    {
        AlwaysCopy = _options.AlwaysCopy,
        AllowSoftlinks = _options.AllowSoftlinks,
        AlwaysSoftlink = _options.AlwaysSoftlink,
        AllowLinkScripts = _options.AllowLinkScripts || request.AllowLinkScripts,
        CompilePyc = _options.CompilePyc,
        TargetPlatform = request.Platform,
        LockTimeout = _options.LockTimeout,
        EnvironmentsFile = _options.EnvironmentsFile,
        RegisterEnvironment = _options.RegisterEnvironment,
        ToolVersion = _options.ToolVersion,
        HistoryCommand = request.HistoryCommand ?? _options.HistoryCommand,
        UpdateSpecs = request.Action == EnvironmentAction.Remove ? Array.Empty<string>() : plan.RequestedSpecs.Values.ToArray(),
        RemoveSpecs = request.Action == EnvironmentAction.Remove ? request.Specs.Select(s => s.ToString()).ToArray() : plan.DroppedSpecs,
    };

    // One record per name-version-build in an environment; the cache may hand back the record it stored for another
    // channel's identical archive (same checksums), so URLs are not the key.
    private static string Key(RepoDataRecord r) => $"{r.Name}-{r.Version}-{r.Build}";

    private static string FetchStatus(PackageFetchProgress p) =>
        $"{p.Phase} {p.Name} ({p.PackagesDone}/{p.PackagesTotal} packages, {p.OverallBytesDone / 1048576.0:F1}/{p.OverallBytesTotal / 1048576.0:F1} MiB)";

    /// <summary>A verbose line for the one report that names the mirror a package came from; null for the others.</summary>
    private static string? FetchDetail(PackageFetchProgress p) => p.Source is { } source ? $"Package {p.FileName}: downloaded {source}" : null;

    private static int FetchPercent(PackageFetchProgress p) =>
        p.OverallBytesTotal > 0 ? (int)Math.Clamp(100L * p.OverallBytesDone / p.OverallBytesTotal, 0, 100)
        : p.PackagesTotal > 0 ? 100 * p.PackagesDone / p.PackagesTotal : -1;

    private sealed class InlineProgress<T> : IProgress<T>
    {
        private readonly Action<T> _handler;

        internal InlineProgress(Action<T> handler) => _handler = handler;

        public void Report(T value) => _handler(value);
    }
}

/// <summary>Create over an existing environment (or a non-empty folder) without Force.</summary>
public sealed class EnvironmentExistsException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public EnvironmentExistsException(string prefix, bool isEnvironment)
        : base("EnvironmentExists", ErrorKind.ResourceExists,
            isEnvironment
                ? $"An environment already exists at '{prefix}'. Use -Force to replace it, or Install-EnvPackage to add packages to it."
                : $"'{prefix}' exists, is not empty and is not an environment.", prefix)
    {
        Prefix = prefix;
    }

    /// <summary>The folder.</summary>
    public string Prefix { get; }
}
