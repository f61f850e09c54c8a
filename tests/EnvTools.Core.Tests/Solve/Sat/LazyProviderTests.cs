using EnvTools.Solve.Sat;
using Xunit;

namespace EnvTools.Tests.Solve.Sat;

/// <summary>
/// A miniature resolvo-style client: packages with candidates in preference order, dependency clauses loaded
/// lazily when a candidate becomes true, and decisions "most preferred candidate of the first open requirement".
/// </summary>
public class LazyProviderTests
{
    private sealed class Universe : IDecisionProvider, IAssignmentObserver
    {
        private readonly Dictionary<string, List<string>> _candidates = new();    // name -> candidates, best first
        private readonly Dictionary<string, List<string[]>> _depends = new();     // candidate -> requirement sets
        private readonly Dictionary<string, List<string>> _conflicts = new();     // candidate -> excluded candidates
        private readonly Dictionary<string, int> _var = new();
        private readonly HashSet<string> _namesLoaded = new();
        private readonly List<(int Guard, int[] Candidates)> _requirements = new();

        public SatSolver Solver { get; } = new(new SatSolverOptions { TrackCore = true, PhaseSaving = false });

        public List<string> Tags { get; } = new();

        public HashSet<string> Loaded { get; } = new();

        public void Package(string name, params string[] candidates)
        {
            _candidates[name] = candidates.ToList();
            foreach (var c in candidates)
            {
                _var[c] = Solver.NewVariable();
            }
        }

        public void Depends(string candidate, params string[] anyOf) =>
            (_depends.TryGetValue(candidate, out var l) ? l : _depends[candidate] = new()).Add(anyOf);

        public void Conflicts(string a, string b) =>
            (_conflicts.TryGetValue(a, out var l) ? l : _conflicts[a] = new()).Add(b);

        public void Require(params string[] anyOf) => AddRequirement(-1, "root", anyOf);

        public string[] Model() => _var.Where(kv => Solver.ModelValue(kv.Value)).Select(kv => kv.Key).OrderBy(x => x).ToArray();

        public int Var(string candidate) => _var[candidate];

        private int Tag(string text)
        {
            Tags.Add(text);
            return Tags.Count - 1;
        }

        private void AddRequirement(int guard, string who, string[] anyOf)
        {
            foreach (var c in anyOf)
            {
                string name = c.Split('-')[0];
                if (_namesLoaded.Add(name))
                {
                    var all = _candidates[name].Select(x => Lit.Pos(_var[x])).ToArray();
                    Solver.AddAtMostOne(all, Tag($"one {name}"));
                    foreach (var x in _candidates[name])
                    {
                        Solver.Observe(_var[x]);
                    }
                }
            }

            var lits = anyOf.Select(c => Lit.Pos(_var[c])).ToList();
            if (guard >= 0)
            {
                lits.Insert(0, Lit.Neg(guard));
            }

            Solver.AddClause(lits.ToArray(), Tag($"{who} requires {string.Join('|', anyOf)}"));
            _requirements.Add((guard, anyOf.Select(c => _var[c]).ToArray()));
        }

        public void OnAssignedTrue(SatSolver solver, int variable)
        {
            string candidate = _var.First(kv => kv.Value == variable).Key;
            if (!Loaded.Add(candidate))
            {
                return;
            }

            foreach (var anyOf in _depends.GetValueOrDefault(candidate) ?? new())
            {
                AddRequirement(variable, candidate, anyOf);
            }

            foreach (var other in _conflicts.GetValueOrDefault(candidate) ?? new())
            {
                solver.AddClause(Lit.Neg(variable), Lit.Neg(_var[other]), Tag($"{candidate} conflicts {other}"));
            }
        }

        public Lit NextDecision(SatSolver solver)
        {
            foreach (var (guard, candidates) in _requirements)
            {
                if ((guard >= 0 && !solver.IsTrue(Lit.Pos(guard))) || candidates.Any(v => solver.IsTrue(Lit.Pos(v))))
                {
                    continue;
                }

                foreach (int v in candidates)
                {
                    if (!solver.IsAssigned(v))
                    {
                        return Lit.Pos(v);
                    }
                }
            }

            return Lit.Undef; // nothing else is needed: VSIDS assigns the rest false (phase false, no phase saving)
        }
    }

    private static Universe Build()
    {
        var u = new Universe();
        u.Package("a", "a-3", "a-2", "a-1");
        u.Package("b", "b-2", "b-1");
        u.Package("c", "c-1");
        u.Package("d", "d-1");
        u.Package("e", "e-2", "e-1"); // never required
        u.Depends("a-3"); // a requirement that no candidate matches
        u.Depends("a-2", "b-2", "b-1");
        u.Depends("b-2", "d-1");
        u.Conflicts("d-1", "a-2");
        u.Depends("a-1", "c-1");
        u.Solver.DecisionProvider = u;
        u.Solver.Observer = u;
        return u;
    }

    [Fact]
    public void PicksTheMostPreferredFeasibleCandidatesAndLoadsOnlyWhatBecameTrue()
    {
        var u = Build();
        u.Require("a-3", "a-2", "a-1");
        Assert.Equal(SatResult.Satisfiable, u.Solver.Solve());

        // a-3 needs a package with no candidates; a-2 with b-2 needs d-1, which conflicts a-2: so a-2 with b-1.
        Assert.Equal(new[] { "a-2", "b-1" }, u.Model());
        Assert.DoesNotContain("e-2", u.Loaded);
        Assert.DoesNotContain("a-1", u.Loaded);
        Assert.DoesNotContain(u.Tags, t => t.StartsWith("a-1", StringComparison.Ordinal));
        Assert.Contains("a-3", u.Loaded); // tried first, then excluded by its lazily loaded dependency
    }

    [Fact]
    public void ConflictingRequestsGiveACoreNamingTheRequirementsInvolved()
    {
        var u = Build();
        u.Require("a-2");
        u.Require("d-1");
        u.Require("e-2", "e-1");
        Assert.Equal(SatResult.Unsatisfiable, u.Solver.Solve());
        var core = u.Solver.GetCoreTags().Select(t => u.Tags[t]).ToArray();
        Assert.Contains("root requires a-2", core);
        Assert.Contains("root requires d-1", core);
        Assert.Contains("d-1 conflicts a-2", core);
        Assert.DoesNotContain(core, t => t.Contains("e-", StringComparison.Ordinal));
    }

    [Fact]
    public void AssumptionsSelectACandidateIncrementally()
    {
        var u = Build();
        u.Require("a-3", "a-2", "a-1");
        Assert.Equal(SatResult.Satisfiable, u.Solver.Solve(new[] { Lit.Pos(u.Var("a-1")) }));
        Assert.Equal(new[] { "a-1", "c-1" }, u.Model());
        Assert.Equal(SatResult.Unsatisfiable, u.Solver.Solve(new[] { Lit.Pos(u.Var("a-3")) }));
        Assert.Equal(new[] { Lit.Pos(u.Var("a-3")) }, u.Solver.FailedAssumptions);
        Assert.Equal(SatResult.Satisfiable, u.Solver.Solve());
        Assert.Equal(new[] { "a-2", "b-1" }, u.Model());
    }
}
