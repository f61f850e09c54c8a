using EnvTools.Conda;
using EnvTools.Solve.Sat;

namespace EnvTools.Solve;

/// <summary>conda's first objective (the joint improvement of the requested versions) and the post-processing of the answer.</summary>
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
        foreach (var root in _provider.Roots)
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
            var current = names.Select(e => e.Candidates.FirstOrDefault(c => model[c.Id])).ToList();
            for (int i = 0; i < names.Count && probes < MaxImprovementProbes; i++)
            {
                var cur = current[i];
                // only a candidate the root specs allow can improve on the current one (setuptools<67.3.3 at 67.3.2
                // has nothing better: no probe)
                if (cur is null || cur.Installed is not null || !names[i].Candidates.Any(c => !c.RootExcluded && _provider.RequestedRank(c, cur) < 0))
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
                        int rank = _provider.RequestedRank(c, other);
                        if (j == i ? rank >= 0 : rank > 0)
                        {
                            assumptions.Add(Lit.Neg(c.Id));
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

    private List<RepoDataRecord> PostProcess(List<Candidate> chosen)
    {
        var records = chosen.Where(c => !c.IsVirtual).Select(c => c.Installed ?? c.Record).ToList();
        switch (_request.UpdateModifier)
        {
            case UpdateModifier.OnlyDeps:
                {
                    var installedNames = new HashSet<string>(_request.Installed.Select(r => r.Name), StringComparer.Ordinal);
                    var names = _onlyDepsNames ?? _provider.SpecNames;
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
                        if (!_provider.SpecNames.Contains(inst.Name) && !_provider.RemovedNames.Contains(inst.Name))
                        {
                            result.Add(inst);
                        }
                    }

                    foreach (var n in _provider.SpecNames)
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
