using EnvTools.Conda;

namespace EnvTools.Solve;

/// <summary>Loading: the names the roots reach, their candidates in conda's order, their requirements, the ids.</summary>
internal sealed partial class CondaProvider
{
    /// <summary>Loads everything a solve of the request needs; afterwards the provider is fixed.</summary>
    /// <exception cref="PackagesNotFoundException">A requested spec matches nothing.</exception>
    public void Load()
    {
        var pending = PlanRoots();
        LoadNames(pending);
        OrderCandidates();
        AssignIds();
        LinkRequirements();
        MakeRoots(pending);
        AddExclusions();
    }

    /// <summary>Breadth-first over the names reachable from the roots (and the installed names, whose records must be
    /// candidates); constrains do not pull names in. Then the features tracked by the preferred candidate of a root are
    /// activated: records with those features are then preferred (conda's legacy features), the others stay
    /// down-weighted.</summary>
    private void LoadNames(List<(RootKind Kind, MatchSpec Spec)> pending)
    {
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

        foreach (var p in pending)
        {
            if (_names.TryGetValue(p.Spec.Name, out var e) && e.Candidates.FirstOrDefault(c => p.Spec.Matches(c.Record)) is { } best)
            {
                _activeFeatures.UnionWith(best.Record.TrackFeatures);
            }
        }
    }

    /// <summary>Final order: ties (same channel, features, version, build number) go to the candidate whose dependencies
    /// allow higher versions (rattler's and libmamba's tie-break; conda's classic solver gets the same effect by
    /// maximising the versions of every package).</summary>
    private void OrderCandidates()
    {
        _depTieBreak = true;
        foreach (var entry in _names.Values)
        {
            entry.Candidates.Sort(Compare);
            for (int i = 0; i < entry.Candidates.Count; i++)
            {
                entry.Candidates[i].Order = i;
            }
        }

        // Requirements made while loading listed their candidates in the earlier order: the decisions follow these
        // lists, so they must follow the final order too.
        foreach (var req in _reqCache.Values)
        {
            Array.Sort(req.Matches, static (x, y) => x.Order.CompareTo(y.Order));
        }
    }

    /// <summary>Requirements of every candidate (now that every reachable name is loaded): dependencies, legacy
    /// features as dependencies on their trackers, and constrains on loaded names.</summary>
    private void LinkRequirements()
    {
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
    }

    /// <summary>The roots with their requirements; requested specs that nothing matches are reported all at once, other
    /// roots without a match are dropped.</summary>
    private void MakeRoots(List<(RootKind Kind, MatchSpec Spec)> pending)
    {
        foreach (var p in pending)
        {
            _roots.Add(new Root(p.Kind, p.Spec, GetRequirement(p.Spec)));
        }

        var missing = _roots.Where(r => r.Kind == RootKind.Spec && r.Requirement.Matches.Length == 0).ToList();
        if (missing.Count > 0)
        {
            throw NotFound(missing);
        }

        _roots.RemoveAll(r => r.Requirement.Matches.Length == 0);
        _rootIds = _roots.Select(r => r.Requirement.Id).ToArray();
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

    internal MatchSpec ParseSpec(string text)
    {
        if (!_specCache.TryGetValue(text, out var spec))
        {
            spec = MatchSpec.Parse(text);
            _specCache[text] = spec;
        }

        return spec;
    }

    /// <summary>The spec, or null when it is malformed: an unparsable dependency cannot be satisfied (a requirement with no match).</summary>
    internal MatchSpec? TryParse(string text)
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
        req = NewRequirement(spec, entry, matches);
        _reqCache[key] = req;
        return req;
    }

    private Requirement NewRequirement(MatchSpec spec, NameEntry? entry, Candidate[] matches)
    {
        var req = new Requirement(_requirements.Count, spec, entry, matches);
        _requirements.Add(req);
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

        LoadChannelRecords(entry);

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

    /// <summary>The channels' records of the name: strict priority stops at the first channel that has it; of a .conda
    /// and its .tar.bz2 twin (same name-version-build in one channel subdir) the .conda is kept.</summary>
    private void LoadChannelRecords(NameEntry entry)
    {
        string name = entry.Name;
        var list = entry.Candidates;
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

    private PackagesNotFoundException NotFound(List<Root> missing)
    {
        var allNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ch in _request.Channels)
        {
            foreach (var s in ch.Subdirs)
            {
                allNames.UnionWith(s.Names);
            }
        }

        var entries = new List<MissingPackage>();
        foreach (var root in missing)
        {
            var spec = root.Spec;
            var close = new List<string>();
            if (_names.TryGetValue(spec.Name, out var entry) && entry.Candidates.Count > 0)
            {
                // The name exists: list what there is (other versions, builds, channels, subdirs).
                foreach (var c in entry.Candidates.Take(5))
                {
                    close.Add($"{c.Record.Name} {c.Record.Version} {c.Record.Build} ({ChannelLabel(c)})");
                }

                if (entry.Candidates.Count > 5)
                {
                    close.Add($"… {entry.Candidates.Count - 5} more");
                }
            }
            else
            {
                close.AddRange(TextDistance.CloseNames(allNames, spec.Name));
            }

            entries.Add(new MissingPackage(spec, Array.Empty<string>(), close));
        }

        return new PackagesNotFoundException(entries, _request.Channels.Select(c => c.Name).ToList());
    }

    private string ChannelLabel(Candidate c) =>
        c.IsVirtual ? "virtual package"
        : c.Channel < ChannelCount ? $"{_request.Channels[c.Channel].Name}/{c.Record.Subdir}"
        : "installed";
}
