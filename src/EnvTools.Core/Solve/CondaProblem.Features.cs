using EnvTools.Solve.Sat;

namespace EnvTools.Solve;

/// <summary>
/// conda's objectives after the requested versions (conda/resolve.py <c>generate_feature_count</c>,
/// <c>generate_feature_metric</c>): the number of features tracked by the whole solution (a dependency's track_features
/// count as much as a requested package's), then the "misfeatures" (a record without a feature that the solution tracks,
/// of a name that has builds with it). Both are minimised on the solution found, by incremental solves under
/// assumptions that keep every requested package at least as good, no package removed that the solution kept, and no
/// feature tracked that was not before: greedy, one feature (then one name) at a time, so bounded.
/// </summary>
internal sealed partial class CondaProblem
{
    private bool[] MinimiseFeatures(SatSolver solver, bool[] model, List<Lit> baseAssumptions)
    {
        if (solver.Conflicts > MaxConflictsForImprovement)
        {
            return model; // a puzzle-like problem: keep its solution
        }

        var trackers = new Dictionary<string, List<Candidate>>(StringComparer.Ordinal);
        foreach (var c in _provider.Solvables)
        {
            foreach (var f in c.Record.TrackFeatures)
            {
                if (!trackers.TryGetValue(f, out var list))
                {
                    trackers[f] = list = new List<Candidate>();
                }

                list.Add(c);
            }
        }

        if (trackers.Count == 0)
        {
            return model; // nothing loaded tracks a feature (most requests): nothing to minimise
        }

        var chosen = Reachable(model);
        var active = TrackedFeatures(chosen);

        // 1. Fewer tracked features: try none at all, then drop them one at a time.
        if (active.Count > 0)
        {
            var eliminated = new HashSet<string>(StringComparer.Ordinal);
            foreach (var candidateSet in new[] { active.ToList() }.Concat(active.Order(StringComparer.Ordinal).Select(f => new List<string> { f })))
            {
                if (candidateSet.All(eliminated.Contains))
                {
                    continue;
                }

                var forbidden = new HashSet<string>(trackers.Keys.Where(f => !active.Contains(f)), StringComparer.Ordinal);
                forbidden.UnionWith(eliminated);
                forbidden.UnionWith(candidateSet);
                var assumptions = KeepAtLeastAsGood(baseAssumptions, chosen);
                foreach (var f in forbidden)
                {
                    foreach (var c in trackers[f])
                    {
                        assumptions.Add(Lit.Neg(c.Id));
                    }
                }

                if (TrySolve(solver, assumptions, chosen, out var better))
                {
                    model = better;
                    eliminated.UnionWith(candidateSet);
                    chosen = Reachable(model);
                    active = TrackedFeatures(chosen);
                    if (active.Count == 0)
                    {
                        break;
                    }
                }
            }
        }

        // 2. Fewer misfeatures: where the solution tracks a feature, prefer the builds that have it.
        if (active.Count > 0)
        {
            var fixedNames = new List<(NameEntry Entry, string Feature)>();
            foreach (var c in chosen.ToList())
            {
                foreach (var f in active.Order(StringComparer.Ordinal))
                {
                    if (c.IsVirtual || c.Record.Features.Contains(f) || !c.Name.Candidates.Any(o => o.Record.Features.Contains(f)))
                    {
                        continue;
                    }

                    var assumptions = KeepAtLeastAsGood(baseAssumptions, chosen);
                    foreach (var t in trackers.Where(kv => !active.Contains(kv.Key)).SelectMany(kv => kv.Value))
                    {
                        assumptions.Add(Lit.Neg(t.Id));
                    }

                    foreach (var (entry, feature) in fixedNames.Append((c.Name, f)))
                    {
                        foreach (var o in entry.Candidates)
                        {
                            if (!o.Record.Features.Contains(feature))
                            {
                                assumptions.Add(Lit.Neg(o.Id));
                            }
                        }
                    }

                    if (TrySolve(solver, assumptions, chosen, out var better))
                    {
                        model = better;
                        fixedNames.Add((c.Name, f));
                        chosen = Reachable(model);
                    }
                }
            }
        }

        return model;
    }

    private static HashSet<string> TrackedFeatures(List<Candidate> chosen)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in chosen)
        {
            set.UnionWith(c.Record.TrackFeatures);
        }

        return set;
    }

    /// <summary>Assumptions that keep each requested package no worse (channel, version) than in <paramref name="chosen"/>.</summary>
    private List<Lit> KeepAtLeastAsGood(List<Lit> baseAssumptions, List<Candidate> chosen)
    {
        var assumptions = new List<Lit>(baseAssumptions);
        foreach (var root in _provider.Roots)
        {
            if (root.Kind != RootKind.Spec || root.Requirement.Name is not { } entry)
            {
                continue;
            }

            var current = chosen.FirstOrDefault(c => c.Name == entry);
            if (current is null)
            {
                continue;
            }

            foreach (var c in entry.Candidates)
            {
                if (c != current && (current.Installed is not null || _provider.RequestedRank(c, current) > 0))
                {
                    assumptions.Add(Lit.Neg(c.Id));
                }
            }
        }

        return assumptions;
    }

    /// <summary>Solves under <paramref name="assumptions"/>; true with the model when there is a solution that removes no
    /// installed package <paramref name="chosen"/> kept.</summary>
    private bool TrySolve(SatSolver solver, List<Lit> assumptions, List<Candidate> chosen, out bool[] model)
    {
        model = Array.Empty<bool>();
        var result = solver.Solve(assumptions.ToArray(), _ct);
        if (result != SatResult.Satisfiable)
        {
            _ct.ThrowIfCancellationRequested();
            return false;
        }

        var candidate = solver.GetModel();
        var kept = new HashSet<NameEntry>(Reachable(candidate).Select(c => c.Name));
        if (chosen.Any(c => c.Installed is not null && !kept.Contains(c.Name)))
        {
            return false;
        }

        model = candidate;
        return true;
    }
}
