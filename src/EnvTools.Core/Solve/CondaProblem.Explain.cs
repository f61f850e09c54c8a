using EnvTools.Conda;
using EnvTools.Solve.Encoding;
using EnvTools.Solve.Sat;

namespace EnvTools.Solve;

/// <summary>Failure reports: missing packages and unsatisfiability trees.</summary>
internal sealed partial class CondaProblem
{
    internal static string SpecText(MatchSpec spec) => spec.OriginalText?.Trim() is { Length: > 0 } t ? t : spec.ToString();

    // =====================================================================================================
    // Unsatisfiable
    // =====================================================================================================

    /// <summary>A first proof quicker than this is always explained in full.</summary>
    private static readonly TimeSpan ExplainFreeTime = TimeSpan.FromSeconds(2);

    /// <param name="tracked">The solver that just refuted the problem with proof tracking on, or null to solve again with it.</param>
    private Exception Explain(SatSolver? tracked = null)
    {
        // Re-solve with proof tracking to get the clauses of a refutation, then draw them as a tree. A refutation that
        // took long (a puzzle-like channel) is not searched for twice at full length: past its budget the explanation
        // names the requested specs only.
        TimeSpan? budget = _lastSearchTime > ExplainFreeTime
            ? ExplainFreeTime + TimeSpan.FromTicks(_lastSearchTime.Ticks / 4)
            : null;
        var (solver, result) = tracked is not null
            ? (tracked, SatResult.Unsatisfiable)
            : Search(trackCore: true, Array.Empty<Candidate>(), budget);
        if (result == SatResult.Cancelled)
        {
            return new OperationCanceledException(_ct);
        }

        var origins = _encoder!.Origins;
        IEnumerable<int> core = result == SatResult.Unsatisfiable
            ? solver.GetCoreTags().Distinct()
            : Enumerable.Range(0, origins.Count).Where(t => origins[t].Kind == ClauseKind.Root); // timed out while explaining: blame every root

        var byCandidate = new Dictionary<Candidate, List<TagInfo>>();
        var roots = new List<Root>();
        foreach (int t in core)
        {
            var info = Describe(origins[t]);
            if (info.Kind == TagKind.Root)
            {
                roots.Add(info.Root!);
            }
            else if (info.Candidate is { } c)
            {
                if (!byCandidate.TryGetValue(c, out var list))
                {
                    byCandidate[c] = list = new List<TagInfo>();
                }

                list.Add(info);
            }
        }

        roots.Sort((a, b) => IndexOfRoot(a).CompareTo(IndexOfRoot(b)));
        var builder = new TreeBuilder(byCandidate);
        var children = roots.Select(r => builder.Requirement(r.Requirement, r, top: true)).ToList();
        var tree = new ConflictNode(ConflictNodeKind.Root, "The following packages are incompatible", null, null, children);
        return new UnsatisfiableException(tree, roots.Select(r => r.Spec).ToList());
    }

    private int IndexOfRoot(Root root)
    {
        for (int i = 0; i < _provider.Roots.Count; i++)
        {
            if (_provider.Roots[i] == root)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The conda meaning of a clause origin of the encoder.</summary>
    private TagInfo Describe(ClauseOrigin o)
    {
        var solvables = _provider.Solvables;
        switch (o.Kind)
        {
            case ClauseKind.Root:
                var root = _provider.Roots[o.Index];
                return new TagInfo(TagKind.Root, root, null, root.Requirement, null, root.Spec);
            case ClauseKind.Depends:
            case ClauseKind.Constrains:
                var c = solvables[o.Solvable];
                var req = Array.Find(o.Kind == ClauseKind.Depends ? c.Depends : c.Constrains, r => r.Id == o.Requirement)!;
                return new TagInfo(o.Kind == ClauseKind.Depends ? TagKind.Depends : TagKind.Constrains, null, c, req,
                    o.Other >= 0 ? solvables[o.Other] : null, req.Spec);
            default:
                var (pin, spec) = _provider.ExclusionReason(o.Index);
                return new TagInfo(pin ? TagKind.Pin : TagKind.Removed, null, solvables[o.Solvable], null, null, spec);
        }
    }

    private sealed class TreeBuilder
    {
        private const int MaxDepth = 8;
        private readonly Dictionary<Candidate, List<TagInfo>> _reasons;
        private readonly HashSet<string> _shown = new(StringComparer.Ordinal);
        private int _depth;

        public TreeBuilder(Dictionary<Candidate, List<TagInfo>> reasons)
        {
            _reasons = reasons;
        }

        public ConflictNode Requirement(Requirement req, Root? root, bool top)
        {
            string spec = SpecText(req.Spec);
            string Label(string what) => top ? $"{spec} {what}" : $"{spec}, which {what}";
            string suffix = root switch
            {
                { Kind: RootKind.History } => " (previously requested)",
                { Kind: RootKind.Installed } => " (installed)",
                { Kind: RootKind.Virtual } => " (virtual package)",
                _ => string.Empty,
            };

            if (req.Matches.Length == 0)
            {
                return new ConflictNode(ConflictNodeKind.Missing, top ? $"No candidates were found for {spec}{suffix}." : $"{spec}, for which no candidates were found.", req.Spec, null, Array.Empty<ConflictNode>());
            }

            if (_shown.Contains(spec) || _depth >= MaxDepth)
            {
                return new ConflictNode(ConflictNodeKind.Conflict, Label("conflicts with the versions reported above.") , req.Spec, null, Array.Empty<ConflictNode>());
            }

            _shown.Add(spec);
            _depth++;
            var groups = new List<(string Key, List<Candidate> Members, List<TagInfo> Reasons)>();
            foreach (var c in req.Matches)
            {
                var reasons = _reasons.TryGetValue(c, out var r) ? r : new List<TagInfo>();
                string key = string.Join("\n", reasons.Select(x => $"{x.Kind}:{x.Spec}:{x.Other?.Display}").OrderBy(x => x, StringComparer.Ordinal));
                var g = groups.FindIndex(x => x.Key == key);
                if (g < 0)
                {
                    groups.Add((key, new List<Candidate> { c }, reasons));
                }
                else
                {
                    groups[g].Members.Add(c);
                }
            }

            bool viable = groups.Any(g => g.Reasons.Count == 0);
            var children = new List<ConflictNode>();
            foreach (var g in groups)
            {
                children.Add(CandidateGroup(g.Members, g.Reasons));
            }

            _depth--;
            string text = viable
                ? Label("can be installed with any of the following options:")
                : top ? $"{spec}{suffix} cannot be installed because there are no viable options:" : $"{spec}, which cannot be installed because there are no viable options:";
            if (viable && top)
            {
                text = $"{spec}{suffix} can be installed with any of the following options:";
            }

            return new ConflictNode(ConflictNodeKind.Requirement, text, req.Spec, null, children);
        }

        private ConflictNode CandidateGroup(List<Candidate> members, List<TagInfo> reasons)
        {
            var first = members[0];
            var versions = members.Select(m => m.Record.Version).Distinct().ToList();
            string label = versions.Count > 6
                ? $"{first.Record.Name} {string.Join(" | ", versions.Take(3))} | … | {versions[^1]}"
                : $"{first.Record.Name} {string.Join(" | ", versions)}";
            if (first.IsVirtual)
            {
                label += " (virtual package)";
            }
            else if (members.All(m => m.Installed is not null))
            {
                label += " (installed)";
            }

            if (reasons.Count == 0)
            {
                return new ConflictNode(ConflictNodeKind.Candidate, label, null, first.Record, Array.Empty<ConflictNode>());
            }

            var deps = reasons.Where(r => r.Kind == TagKind.Depends).ToList();
            var cons = reasons.Where(r => r.Kind == TagKind.Constrains).ToList();
            var children = new List<ConflictNode>();
            foreach (var d in deps.DistinctBy(d => d.Spec!.ToString()))
            {
                children.Add(Requirement(d.Requirement!, null, top: false));
            }

            foreach (var k in cons.GroupBy(k => k.Spec!.ToString()))
            {
                var others = k.Select(x => x.Other!).Distinct().ToList();
                string who = string.Join(" | ", others.Select(o => o.Record.Version).Distinct());
                string tail = others.All(o => o.IsVirtual) ? " (virtual package)" : others.All(o => o.Installed is not null) ? " (installed)" : string.Empty;
                children.Add(new ConflictNode(ConflictNodeKind.Conflict, $"{SpecText(k.First().Spec!)}, which conflicts with {others[0].Record.Name} {who}{tail}", k.First().Spec, others[0].Record, Array.Empty<ConflictNode>()));
            }

            foreach (var pin in reasons.Where(r => r.Kind == TagKind.Pin).DistinctBy(r => r.Spec!.ToString()))
            {
                children.Add(new ConflictNode(ConflictNodeKind.Locked, $"the pinned spec {SpecText(pin.Spec!)}, which excludes it", pin.Spec, first.Record, Array.Empty<ConflictNode>()));
            }

            foreach (var rm in reasons.Where(r => r.Kind == TagKind.Removed).DistinctBy(r => r.Spec!.ToString()))
            {
                children.Add(new ConflictNode(ConflictNodeKind.Locked, $"the removal of {SpecText(rm.Spec!)}, which excludes it", rm.Spec, first.Record, Array.Empty<ConflictNode>()));
            }

            string verb = deps.Count > 0 && cons.Count == 0 ? " would require"
                : cons.Count > 0 && deps.Count == 0 ? " would constrain"
                : deps.Count > 0 ? " would require and constrain"
                : " is excluded by";
            return new ConflictNode(ConflictNodeKind.Candidate, label + verb, null, first.Record, children);
        }
    }
}
