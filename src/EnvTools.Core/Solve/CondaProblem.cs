using System.Diagnostics;
using EnvTools.Conda;
using EnvTools.Solve.Sat;

namespace EnvTools.Solve;

/// <summary>A candidate record of a package name: one SAT variable.</summary>
internal sealed class Candidate
{
    public Candidate(RepoDataRecord record, NameEntry name, int channel)
    {
        Record = record;
        Name = name;
        Channel = channel;
    }

    public RepoDataRecord Record { get; }

    public NameEntry Name { get; }

    /// <summary>Position in its name's final preference order (0 = most preferred).</summary>
    public int Order { get; set; }

    /// <summary>Channel index (priority: lower is better); the channel count for installed-only and virtual records.</summary>
    public int Channel { get; }

    /// <summary>The installed record this candidate stands for, when it is installed.</summary>
    public RepoDataRecord? Installed { get; set; }

    public bool IsVirtual { get; init; }

    public int Var { get; set; } = -1;

    public Requirement[] Depends { get; set; } = Array.Empty<Requirement>();

    public Requirement[] Constrains { get; set; } = Array.Empty<Requirement>();

    /// <summary>A root spec of its name (a requested, history or installed spec, all hard) does not match it, so no
    /// solution holds it: its dependencies are neither loaded nor encoded.</summary>
    public bool RootExcluded { get; set; }

    /// <summary>Stamp of the decision provider's walk.</summary>
    public int Stamp { get; set; }

    public string Display => $"{Record.Name} {Record.Version} {Record.Build}";

    public override string ToString() => Display;
}

/// <summary>All candidates of one package name, best first.</summary>
internal sealed class NameEntry
{
    public NameEntry(string name) => Name = name;

    public string Name { get; }

    public List<Candidate> Candidates { get; } = new();
}

/// <summary>A spec and the candidates that match it (in preference order).</summary>
internal sealed class Requirement
{
    public Requirement(MatchSpec spec, NameEntry? name, Candidate[] matches)
    {
        Spec = spec;
        Name = name;
        Matches = matches;
    }

    public MatchSpec Spec { get; }

    public NameEntry? Name { get; }

    public Candidate[] Matches { get; }

    public override string ToString() => Spec.ToString();
}

internal enum RootKind
{
    Spec,
    History,
    Installed,
    Virtual,
}

internal sealed record Root(RootKind Kind, MatchSpec Spec, Requirement Requirement);

internal enum TagKind
{
    Root,
    Depends,
    Constrains,
    Pin,
    Removed,
}

/// <summary>What a tagged clause stands for (for the unsatisfiability explanation).</summary>
internal sealed record TagInfo(TagKind Kind, Root? Root, Candidate? Candidate, Requirement? Requirement, Candidate? Other, MatchSpec? Spec);

/// <summary>One solve: candidates, clauses, search, answer.</summary>
internal sealed partial class CondaProblem
{
    private readonly SolveRequest _request;
    private readonly CancellationToken _ct;
    private readonly Dictionary<string, NameEntry> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MatchSpec> _specCache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Requirement> _reqCache = new(StringComparer.Ordinal);
    private readonly List<Candidate> _all = new();
    private readonly List<Root> _roots = new();
    private readonly HashSet<string> _removedNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _specNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _favoured = new(StringComparer.Ordinal);
    private readonly List<TagInfo> _tags = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private readonly Dictionary<string, RepoDataRecord> _addBack = new(StringComparer.Ordinal);
    private readonly List<RepoDataRecord> _omitted = new();
    private readonly bool _unfavourSpecs;
    private readonly IReadOnlySet<string>? _onlyDepsNames;

    public CondaProblem(SolveRequest request, CancellationToken ct, bool unfavourSpecs = false, IReadOnlySet<string>? onlyDepsNames = null)
    {
        _request = request;
        _ct = ct;
        _unfavourSpecs = unfavourSpecs;
        _onlyDepsNames = onlyDepsNames;
    }

    private static string? MajorMinor(string version)
    {
        var parts = version.Split('.');
        return parts.Length >= 2 && parts[0].Length > 0 && parts[1].Length > 0 && parts[0].All(char.IsAsciiDigit)
            && parts[1].All(char.IsAsciiDigit) ? $"{parts[0]}.{parts[1]}" : null;
    }

    private int ChannelCount => _request.Channels.Count;

    public SolveResult Run()
    {
        if (_request.ForceRemove && _request.SpecsToRemove.Count > 0)
        {
            // conda's force_remove: take out exactly the matching records, nothing else is solved.
            var kept = _request.Installed.Where(r => !_request.SpecsToRemove.Any(s => s.Matches(r))).ToList();
            return Finish(kept, TimeSpan.Zero, null);
        }

        if (_request.UpdateModifier == UpdateModifier.SpecsSatisfiedSkipSolve && _request.SpecsToRemove.Count == 0 && !_request.Prune
            && _request.Specs.All(s => _request.Installed.Any(s.Matches)))
        {
            return Finish(_request.Installed.ToList(), TimeSpan.Zero, null);
        }

        if (_request.UpdateModifier is UpdateModifier.UpdateDeps or UpdateModifier.UpdateDepsOnlyDeps)
        {
            return UpdateDeps();
        }

        _request.Progress?.Report(new SolveProgress("Loading"));
        Load();
        TimeSpan loadTime = _clock.Elapsed;
        _request.Progress?.Report(new SolveProgress("Solving", $"{_all.Count} candidates of {_names.Count} names"));

        bool freeze = _request.UpdateModifier == UpdateModifier.FreezeInstalled;
        SatSolver solver;
        SatResult result;
        // Frozen installed records are assumptions; their SAT variables exist only once Search has created them.
        var locked = new List<Candidate>();
        if (freeze)
        {
            foreach (var entry in _names.Values)
            {
                foreach (var c in entry.Candidates)
                {
                    if (c.Installed is not null && !_specNames.Contains(c.Name.Name) && !_removedNames.Contains(c.Name.Name))
                    {
                        locked.Add(c);
                    }
                }
            }
        }

        // Small problems keep proof tracking on from the start, so that an unsatisfiable answer is explained
        // without solving again; large ones are solved untracked and re-solved only when there is no solution.
        bool track = _names.Values.Sum(e => e.Candidates.Count) <= TrackFromTheStartUpTo;
        (solver, result) = Search(trackCore: track, locked);
        if (result == SatResult.Unsatisfiable && locked.Count > 0)
        {
            // conda: "failed with initial frozen solve, retrying with flexible solve".
            locked.Clear();
            (solver, result) = Search(trackCore: track, locked);
        }

        var lockedLits = locked.Select(c => Lit.Pos(c.Var)).ToList();

        switch (result)
        {
            case SatResult.Cancelled:
                throw new OperationCanceledException(_ct);
            case SatResult.TimedOut:
                throw TimeoutError();
            case SatResult.Unsatisfiable:
                throw Explain(track ? solver : null);
        }

        var model = ImproveRequested(solver, lockedLits);
        model = MinimiseFeatures(solver, model, lockedLits);
        var chosen = Reachable(model);
        var records = PostProcess(chosen);
        foreach (var (name, rec) in _addBack)
        {
            records.RemoveAll(r => r.Name == name);
            records.Add(rec);
        }

        return Finish(records, loadTime, solver);
    }

    private SolveResult Finish(List<RepoDataRecord> records, TimeSpan loadTime, SatSolver? solver)
    {
        var ordered = Toposort.Sort(records);
        var installed = _request.Installed;
        var installedKeys = new HashSet<string>(installed.Select(Key), StringComparer.Ordinal);
        var finalKeys = new HashSet<string>(ordered.Select(Key), StringComparer.Ordinal);
        var toInstall = ordered.Where(r => !installedKeys.Contains(Key(r))).ToList();
        var toRemove = installed.Where(r => !finalKeys.Contains(Key(r))).ToList();
        _request.Progress?.Report(new SolveProgress("Done", $"{ordered.Count} packages"));
        return new SolveResult(ordered, toInstall, toRemove)
        {
            LoadTime = loadTime,
            SolveTime = _clock.Elapsed - loadTime,
            Variables = solver?.VariableCount ?? 0,
            Clauses = solver?.ClauseCount ?? 0,
            Conflicts = (int)Math.Min(int.MaxValue, solver?.Conflicts ?? 0),
            Omitted = _omitted.ToArray(),
        };
    }

    internal static string Key(PackageRecord r) => $"{r.Name}-{r.Version}-{r.Build}";

    private EnvToolsException TimeoutError() =>
        new("SolveTimeout", ErrorKind.OperationStopped,
            $"The solve did not finish within {_request.Timeout?.TotalSeconds:0.###} s.", _request);

    private TimeSpan? Remaining()
    {
        if (_request.Timeout is not { } t)
        {
            return null;
        }

        var left = t - _clock.Elapsed;
        return left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1);
    }

    // =====================================================================================================
    // Loading
    // =====================================================================================================

    internal MatchSpec ParseSpec(string text)
    {
        if (!_specCache.TryGetValue(text, out var spec))
        {
            spec = MatchSpec.Parse(text);
            _specCache[text] = spec;
        }

        return spec;
    }

    private void Load()
    {
        var removeSpecs = _request.SpecsToRemove;
        foreach (var s in removeSpecs)
        {
            _removedNames.Add(s.Name);
        }

        foreach (var s in _request.Specs)
        {
            _specNames.Add(s.Name);
        }

        var mod = _request.UpdateModifier;
        var installedNames = new HashSet<string>(_request.Installed.Select(r => r.Name), StringComparer.Ordinal);
        var installedByName = new Dictionary<string, RepoDataRecord>(StringComparer.Ordinal);
        foreach (var r in _request.Installed)
        {
            installedByName[r.Name] = r;
        }

        bool removing = removeSpecs.Count > 0;

        // Removing a package takes out the installed packages that depend on it, too (conda's PrefixGraph.remove_spec):
        // their history specs no longer apply.
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        if (removing)
        {
            foreach (var r in _request.Installed)
            {
                if (removeSpecs.Any(s => s.Matches(r)))
                {
                    dropped.Add(r.Name);
                }
            }

            for (bool changed = true; changed;)
            {
                changed = false;
                foreach (var r in _request.Installed)
                {
                    if (!dropped.Contains(r.Name) && r.Depends.Any(d => TryParse(d) is { } ds && dropped.Contains(ds.Name)))
                    {
                        dropped.Add(r.Name);
                        changed = true;
                    }
                }
            }

            dropped.UnionWith(_removedNames);
        }

        // Which installed names are favoured (their installed record sorted first).
        if (mod is not UpdateModifier.UpdateAll)
        {
            // Spec names too: an installed record that satisfies the spec is kept (conda: "all requested packages
            // already installed"; rattler: the installed package is favoured).
            _favoured.UnionWith(installedNames);
        }

        if (_unfavourSpecs || _request.UpdateRequested)
        {
            _favoured.ExceptWith(_specNames);
        }

        // Roots: requested specs, then history specs, then installed names.
        var pending = new List<(RootKind Kind, MatchSpec Spec)>();
        foreach (var s in _request.Specs)
        {
            pending.Add((RootKind.Spec, s));
        }

        // conda's aggressive_update_packages: installed ones are requested by name (overriding history) and updated.
        var aggressive = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in _request.AggressiveUpdatePackages)
        {
            if (installedNames.Contains(a.Name) && !_specNames.Contains(a.Name) && !dropped.Contains(a.Name) && aggressive.Add(a.Name))
            {
                pending.Add((RootKind.History, a));
                _favoured.Remove(a.Name);
            }
        }

        // conda's auto_update_conda in conda's own environment: conda is updated along, never downgraded.
        if (_request.AutoUpdateConda && installedByName.TryGetValue("conda", out var conda) && !_specNames.Contains("conda")
            && !dropped.Contains("conda") && !aggressive.Contains("conda"))
        {
            pending.Add((RootKind.History, ParseSpec($"conda >={conda.Version}")));
            aggressive.Add("conda");
            _favoured.Remove("conda");
        }

        var historyNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in _request.HistorySpecs)
        {
            historyNames.Add(s.Name);
            if (!_specNames.Contains(s.Name) && !dropped.Contains(s.Name) && !aggressive.Contains(s.Name) && !_request.Prune)
            {
                // UPDATE_ALL relaxes the history specs to their names (conda's _add_specs); pins still apply.
                pending.Add((RootKind.History, mod == UpdateModifier.UpdateAll ? ParseSpec(s.Name) : s));
            }
        }

        // UPDATE_ALL with a history keeps only what the history and the request need (conda drops the rest).
        bool installedRoots = !removing && !_request.Prune && !(mod == UpdateModifier.UpdateAll && _request.HistorySpecs.Count > 0);
        if (installedRoots)
        {
            foreach (var r in _request.Installed)
            {
                if (!_specNames.Contains(r.Name) && !historyNames.Contains(r.Name) && !_removedNames.Contains(r.Name)
                    && !aggressive.Contains(r.Name)
                    && pending.All(p => p.Kind != RootKind.Installed || p.Spec.Name != r.Name))
                {
                    pending.Add((RootKind.Installed, MatchSpec.Parse(r.Name)));
                }
            }
        }

        // conda's business rule: an installed python stays within its major.minor version unless the request names
        // python.
        if (installedByName.TryGetValue("python", out var python) && !_specNames.Contains("python") && !dropped.Contains("python")
            && mod != UpdateModifier.FreezeInstalled && MajorMinor(python.Version) is { } mm)
        {
            var minor = ParseSpec($"python {mm}.*");
            int at = pending.FindIndex(p => p.Spec.Name == "python");
            if (at < 0)
            {
                pending.Add((RootKind.Installed, minor));
            }
            else if (pending[at].Spec.Version is null)
            {
                pending[at] = (pending[at].Kind, pending[at].Spec.MergeWith(minor));
            }
        }

        // conda's inconsistent environments: an installed record whose dependencies the installed records do not meet,
        // and that no spec names, is put back as it is after the solve.
        if (_request.HistorySpecs.Count > 0)
        {
            foreach (var r in _request.Installed)
            {
                if (_specNames.Contains(r.Name) || historyNames.Contains(r.Name) || aggressive.Contains(r.Name) || dropped.Contains(r.Name))
                {
                    continue;
                }

                bool broken = r.Depends.Any(d => TryParse(d) is { } ds
                    && !(installedByName.TryGetValue(ds.Name, out var dep) && ds.Matches(dep)));
                if (broken)
                {
                    _addBack[r.Name] = r;
                }
            }
        }

        // Virtual packages are always present (their constrains and the constrains against them apply).
        foreach (var vp in _request.VirtualPackages)
        {
            if (pending.All(p => p.Kind != RootKind.Virtual || p.Spec.Name != vp.Name))
            {
                pending.Add((RootKind.Virtual, MatchSpec.Parse(vp.Name)));
            }
        }

        // Breadth-first over names reachable from the roots (and the installed names, whose records must be
        // candidates); constrains do not pull names in.
        var queue = new Queue<string>();
        void Enqueue(string name)
        {
            if (!_names.ContainsKey(name))
            {
                _names[name] = new NameEntry(name);
                queue.Enqueue(name);
            }
        }

        foreach (var p in pending)
        {
            Enqueue(p.Spec.Name);
        }

        foreach (var r in _request.Installed)
        {
            Enqueue(r.Name);
        }

        foreach (var r in _request.Installed)
        {
            if (pending.Any(p => p.Spec.Name == r.Name))
            {
                _activeFeatures.UnionWith(r.TrackFeatures);
            }
        }

        var scannedFeatures = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            while (queue.Count > 0)
            {
                _ct.ThrowIfCancellationRequested();
                var entry = _names[queue.Dequeue()];
                LoadCandidates(entry);
                ExcludeByRoots(entry, pending);
                foreach (var c in entry.Candidates)
                {
                    if (c.RootExcluded)
                    {
                        continue;
                    }

                    foreach (var d in c.Record.Depends)
                    {
                        if (TryParse(d) is { } spec)
                        {
                            Enqueue(spec.Name);
                        }
                    }
                }
            }

            // conda's legacy `features` are requirements (Resolve.ms_depends): a record with feature f needs an
            // installed record that tracks f. Trackers that no dependency reaches are looked up in the channels.
            EnqueueFeatureTrackers(scannedFeatures, Enqueue);
        }
        while (queue.Count > 0);

        // Features tracked by the preferred candidate of a root are activated: records with those features are then
        // preferred (conda's legacy features), the others stay down-weighted.
        foreach (var p in pending)
        {
            if (_names.TryGetValue(p.Spec.Name, out var e) && e.Candidates.FirstOrDefault(c => p.Spec.Matches(c.Record)) is { } best)
            {
                _activeFeatures.UnionWith(best.Record.TrackFeatures);
            }
        }

        // Final order: ties (same channel, features, version, build number) go to the candidate whose
        // dependencies allow higher versions (rattler's and libmamba's tie-break; conda's classic solver gets the
        // same effect by maximising the versions of every package).
        _depTieBreak = true;
        foreach (var entry in _names.Values)
        {
            entry.Candidates.Sort(Compare);
            for (int i = 0; i < entry.Candidates.Count; i++)
            {
                entry.Candidates[i].Order = i;
            }
        }

        // Requirements made while loading (the requested specs among them) listed their candidates in the earlier
        // order: the decisions follow these lists, so they must follow the final order too.
        foreach (var req in _reqCache.Values)
        {
            Array.Sort(req.Matches, static (x, y) => x.Order.CompareTo(y.Order));
        }

        // Requirements of every candidate (now that every reachable name is loaded).
        foreach (var entry in _names.Values)
        {
            foreach (var c in entry.Candidates)
            {
                if (c.RootExcluded)
                {
                    continue;
                }

                var deps = new List<Requirement>(c.Record.Depends.Count);
                foreach (var d in c.Record.Depends)
                {
                    if (TryParse(d) is { } spec)
                    {
                        deps.Add(GetRequirement(spec));
                    }
                }

                foreach (var f in c.Record.Features)
                {
                    deps.Add(FeatureRequirement(f));
                }

                c.Depends = deps.ToArray();
                var cons = new List<Requirement>();
                foreach (var k in c.Record.Constrains)
                {
                    if (TryParse(k) is { } spec && _names.ContainsKey(spec.Name))
                    {
                        cons.Add(GetRequirement(spec));
                    }
                }

                c.Constrains = cons.ToArray();
            }
        }

        foreach (var p in pending)
        {
            _roots.Add(new Root(p.Kind, p.Spec, GetRequirement(p.Spec)));
        }

        // Requested specs that nothing matches: report them all at once.
        var missing = _roots.Where(r => r.Kind == RootKind.Spec && r.Requirement.Matches.Length == 0).ToList();
        if (missing.Count > 0)
        {
            throw NotFound(missing);
        }

        _roots.RemoveAll(r => r.Requirement.Matches.Length == 0);
    }

    /// <summary>
    /// Marks the candidates of <paramref name="entry"/> that a root spec of its name rules out. Every root with a match
    /// is a hard clause (at least one of its matches) and a name holds at most one candidate, so such a candidate is in
    /// no solution; leaving its dependencies out keeps the names only it would reach out of the problem (the candidates
    /// of <c>python</c> other than 3.9 pull in every other interpreter's packages). A root that matches nothing is
    /// dropped later, so it rules nothing out here.
    /// </summary>
    private static void ExcludeByRoots(NameEntry entry, List<(RootKind Kind, MatchSpec Spec)> pending)
    {
        foreach (var (_, spec) in pending)
        {
            if (spec.Name != entry.Name || spec.IsNameOnly || !entry.Candidates.Any(c => spec.Matches(c.Record)))
            {
                continue;
            }

            foreach (var c in entry.Candidates)
            {
                if (!spec.Matches(c.Record))
                {
                    c.RootExcluded = true;
                }
            }
        }
    }

    /// <summary>The spec, or null when it is malformed: an unparsable dependency cannot be satisfied (a requirement with no match).</summary>
    private MatchSpec? TryParse(string text)
    {
        if (_specCache.TryGetValue(text, out MatchSpec? spec))
        {
            return spec;
        }

        if (MatchSpec.TryParse(text, out spec) && spec is not null)
        {
            _specCache[text] = spec;
        }

        return spec;
    }

    internal Requirement GetRequirement(MatchSpec spec)
    {
        string key = spec.ToString();
        if (_reqCache.TryGetValue(key, out var req))
        {
            return req;
        }

        _names.TryGetValue(spec.Name, out var entry);
        var matches = entry is null
            ? Array.Empty<Candidate>()
            : entry.Candidates.Where(c => spec.Matches(c.Record)).ToArray();
        req = new Requirement(spec, entry, matches);
        _reqCache[key] = req;
        return req;
    }

    private void LoadCandidates(NameEntry entry)
    {
        string name = entry.Name;
        var list = entry.Candidates;
        if (name.StartsWith("__", StringComparison.Ordinal))
        {
            foreach (var vp in _request.VirtualPackages)
            {
                if (vp.Name == name)
                {
                    var rec = vp as RepoDataRecord ?? new RepoDataRecord(vp) { Channel = "@", FileName = $"{vp.Name}-{vp.Version}-{vp.Build}" };
                    list.Add(new Candidate(rec, entry, ChannelCount) { IsVirtual = true });
                }
            }
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int firstChannel = -1;
        for (int ci = 0; ci < _request.Channels.Count; ci++)
        {
            if (_request.ChannelPriority == ChannelPriority.Strict && firstChannel >= 0)
            {
                break;
            }

            foreach (var source in _request.Channels[ci].Subdirs)
            {
                foreach (var r in source.GetRecords(name))
                {
                    if (!string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }

                    // A .conda and its .tar.bz2 twin (same name-version-build in one channel subdir): keep the .conda.
                    string twin = $"{ci}/{source.Subdir}/{r.Version}/{r.Build}";
                    bool isConda = r.FileName.EndsWith(".conda", StringComparison.OrdinalIgnoreCase);
                    if (seen.TryGetValue(twin, out int at))
                    {
                        if (isConda && !list[at].Record.FileName.EndsWith(".conda", StringComparison.OrdinalIgnoreCase))
                        {
                            list[at] = new Candidate(r, entry, ci);
                        }

                        continue;
                    }

                    seen[twin] = list.Count;
                    list.Add(new Candidate(r, entry, ci));
                    firstChannel = ci;
                }
            }
        }

        // Installed records: mark the matching candidate, or add the record itself.
        foreach (var inst in _request.Installed)
        {
            if (!string.Equals(inst.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var match = list.FirstOrDefault(c => !c.IsVirtual && c.Record.Version == inst.Version && c.Record.Build == inst.Build
                && SameOrigin(c.Record, inst));
            if (match is not null)
            {
                match.Installed = inst;
            }
            else
            {
                list.Add(new Candidate(inst, entry, ChannelCount) { Installed = inst });
            }
        }

        list.Sort(Compare);
    }

    private static bool SameOrigin(RepoDataRecord a, RepoDataRecord b)
    {
        if (ReferenceEquals(a, b) || a.Channel is null || b.Channel is null)
        {
            return true;
        }

        return string.Equals(a.Channel.TrimEnd('/'), b.Channel.TrimEnd('/'), StringComparison.Ordinal)
            || string.Equals(a.Url, b.Url, StringComparison.Ordinal)
            || a.Channel.StartsWith(b.Channel.TrimEnd('/'), StringComparison.Ordinal)
            || b.Channel.StartsWith(a.Channel.TrimEnd('/'), StringComparison.Ordinal);
    }

    private readonly HashSet<string> _activeFeatures = new(StringComparer.Ordinal);

    private int FeaturePenalty(Candidate c) => c.Record.TrackFeatures.Count + LegacyFeaturePenalty(c);

    /// <summary>Legacy <c>features</c>: -1 per feature that an active track_features asks for, +1 per other one.</summary>
    private int LegacyFeaturePenalty(Candidate c)
    {
        int penalty = 0;
        foreach (var f in c.Record.Features)
        {
            penalty += _activeFeatures.Contains(f) ? -1 : 1;
        }

        return penalty;
    }

    // =====================================================================================================
    // Clauses and search
    // =====================================================================================================

    private int Tag(TagInfo info)
    {
        _tags.Add(info);
        return _tags.Count - 1;
    }
}
