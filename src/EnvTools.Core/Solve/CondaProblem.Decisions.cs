using System.Diagnostics;
using EnvTools.Conda;
using EnvTools.Solve.Sat;

namespace EnvTools.Solve;

/// <summary>Decisions: resolvo-style preferred choices and the joint improvement of the requested versions.</summary>
internal sealed partial class CondaProblem
{
    private const int MaxImprovementProbes = 16;
    private const long MaxConflictsForImprovement = 1000;

    /// <summary>conda maximises the versions of the requested packages together (the sum of their version ranks)
    /// before anything else; the greedy search decides them one after the other, so an early choice may cost a later
    /// requested package its newest version. This pass asks the same solver, under assumptions, for a solution where one
    /// requested package gets a better (channel, version) and no other requested package a worse one, and keeps it
    /// while it can (a few incremental solves; installed records kept for a requested name are left alone).</summary>
    private bool[] ImproveRequested(SatSolver solver, List<Lit> baseAssumptions)
    {
        var model = solver.GetModel();
        if (solver.Conflicts > MaxConflictsForImprovement)
        {
            return model; // a puzzle-like problem: its solution is what it is, probes would only cost time
        }

        var names = new List<NameEntry>();
        foreach (var root in _roots)
        {
            if (root.Kind == RootKind.Spec && root.Requirement.Name is { } e && !names.Contains(e) && e.Candidates.Count > 1)
            {
                names.Add(e);
            }
        }

        int probes = 0;
        var assumptions = new List<Lit>();
        for (bool improved = true; improved && probes < MaxImprovementProbes;)
        {
            improved = false;
            var current = names.Select(e => e.Candidates.FirstOrDefault(c => model[c.Var])).ToList();
            for (int i = 0; i < names.Count && probes < MaxImprovementProbes; i++)
            {
                var cur = current[i];
                // only a candidate the root specs allow can improve on the current one (setuptools<67.3.3 at 67.3.2
                // has nothing better: no probe)
                if (cur is null || cur.Installed is not null || !names[i].Candidates.Any(c => !c.RootExcluded && RequestedRank(c, cur) < 0))
                {
                    continue;
                }

                assumptions.Clear();
                assumptions.AddRange(baseAssumptions);
                for (int j = 0; j < names.Count; j++)
                {
                    if (current[j] is not { } other)
                    {
                        continue;
                    }

                    foreach (var c in names[j].Candidates)
                    {
                        int rank = RequestedRank(c, other);
                        if (j == i ? rank >= 0 : rank > 0)
                        {
                            assumptions.Add(Lit.Neg(c.Var));
                        }
                    }
                }

                probes++;
                var result = solver.Solve(assumptions.ToArray(), _ct);
                if (result == SatResult.Satisfiable)
                {
                    model = solver.GetModel();
                    improved = true;
                    break;
                }

                if (result != SatResult.Unsatisfiable)
                {
                    _ct.ThrowIfCancellationRequested();
                    return model; // timed out: keep the solution found so far
                }
            }
        }

        return model;
    }

    /// <summary>Negative when <paramref name="a"/> is a better requested candidate than <paramref name="b"/> by conda's
    /// first objectives (channel unless priority is disabled, then version), positive when worse.</summary>
    private int RequestedRank(Candidate a, Candidate b)
    {
        int c;
        if (_request.ChannelPriority != ChannelPriority.Disabled && (c = a.Channel.CompareTo(b.Channel)) != 0)
        {
            return c;
        }

        // conda's version metric of the requested packages (Resolve.version_key) has no features: they are counted
        // over the whole solution afterwards (MinimiseFeatures)
        return CompareVersions(b.Record.Version, a.Record.Version);
    }

    /// <summary>resolvo-style decisions: the most preferred unassigned candidate of the first open requirement,
    /// walking from the roots through the dependencies of the chosen candidates; once every requirement is met,
    /// the remaining candidates are decided false. After many conflicts (hard, puzzle-like problems) VSIDS takes over.</summary>
    private sealed class PreferenceProvider : IDecisionProvider
    {
        private const long VsidsAfterConflicts = 100_000;
        private readonly CondaProblem _p;
        private readonly List<Requirement> _queue = new();
        private int _stamp;

        public PreferenceProvider(CondaProblem p) => _p = p;

        public Lit NextDecision(SatSolver solver)
        {
            if (solver.Conflicts > VsidsAfterConflicts)
            {
                return Lit.Undef;
            }

            _stamp++;
            _queue.Clear();
            foreach (var root in _p._roots)
            {
                _queue.Add(root.Requirement);
            }

            for (int i = 0; i < _queue.Count; i++)
            {
                var req = _queue[i];
                Candidate? chosen = null;
                Candidate? open = null;
                foreach (var c in req.Matches)
                {
                    if (solver.IsTrue(Lit.Pos(c.Var)))
                    {
                        chosen = c;
                        break;
                    }

                    if (open is null && !solver.IsAssigned(c.Var))
                    {
                        open = c;
                    }
                }

                if (chosen is not null)
                {
                    if (chosen.Stamp != _stamp)
                    {
                        chosen.Stamp = _stamp;
                        _queue.AddRange(chosen.Depends);
                    }

                    continue;
                }

                if (open is not null)
                {
                    // Its clauses go in before it is decided: a candidate whose dependencies the assignment already
                    // rules out is then propagated false instead of costing a conflict.
                    _p._encoder?.Encode(solver, open.Var);
                    return Lit.Pos(open.Var);
                }
            }

            foreach (var c in _p._all)
            {
                if (!solver.IsAssigned(c.Var))
                {
                    return Lit.Neg(c.Var);
                }
            }

            return Lit.Undef;
        }
    }

    /// <summary>The true candidates reachable from the roots (drops stray true variables of a VSIDS phase).</summary>
    private List<Candidate> Reachable(bool[] model)
    {
        var result = new List<Candidate>();
        var seen = new HashSet<Candidate>();
        var queue = new Queue<Requirement>(_roots.Select(r => r.Requirement));
        while (queue.Count > 0)
        {
            var req = queue.Dequeue();
            foreach (var c in req.Matches)
            {
                if (model[c.Var])
                {
                    if (seen.Add(c))
                    {
                        result.Add(c);
                        foreach (var d in c.Depends)
                        {
                            queue.Enqueue(d);
                        }
                    }

                    break;
                }
            }
        }

        return result;
    }

    private List<RepoDataRecord> PostProcess(List<Candidate> chosen)
    {
        var records = chosen.Where(c => !c.IsVirtual).Select(c => c.Installed ?? c.Record).ToList();
        switch (_request.UpdateModifier)
        {
            case UpdateModifier.OnlyDeps:
                {
                    var installedNames = new HashSet<string>(_request.Installed.Select(r => r.Name), StringComparer.Ordinal);
                    var names = _onlyDepsNames ?? _specNames;
                    _omitted.AddRange(records.Where(r => names.Contains(r.Name) && !installedNames.Contains(r.Name)));
                    records.RemoveAll(r => names.Contains(r.Name) && !installedNames.Contains(r.Name));
                    break;
                }

            case UpdateModifier.NoDeps:
                {
                    var byName = records.ToDictionary(r => r.Name, StringComparer.Ordinal);
                    var result = new List<RepoDataRecord>();
                    foreach (var inst in _request.Installed)
                    {
                        if (!_specNames.Contains(inst.Name) && !_removedNames.Contains(inst.Name))
                        {
                            result.Add(inst);
                        }
                    }

                    foreach (var n in _specNames)
                    {
                        if (byName.TryGetValue(n, out var r))
                        {
                            result.Add(r);
                        }
                    }

                    records = result;
                    break;
                }
        }

        return records;
    }
}
