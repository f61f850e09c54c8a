using System.Diagnostics;
using EnvTools.Solve.Sat;
using Xunit;
using static EnvTools.Tests.Solve.Sat.SatTestUtil;

namespace EnvTools.Tests.Solve.Sat;

public class SatSolverTests
{
    private static SatSolverOptions Tracking() => new() { TrackCore = true };

    // ----------------------------------------------------------------------------------- hand cases

    [Fact]
    public void NoClausesIsSatisfiable()
    {
        var s = new SatSolver();
        s.NewVariables(3);
        Assert.Equal(SatResult.Satisfiable, s.Solve());
        Assert.Equal(3, s.GetModel().Length);
    }

    [Fact]
    public void EmptyClauseIsUnsatisfiableAndIsTheCore()
    {
        var s = new SatSolver(Tracking());
        s.NewVariables(2);
        s.AddClause(Lits(1, 2), 7);
        s.AddClause(ReadOnlySpan<Lit>.Empty, 3);
        Assert.False(s.IsOk);
        Assert.Equal(SatResult.Unsatisfiable, s.Solve());
        Assert.Equal(new[] { 3 }, s.GetCoreTags());
        Assert.Equal(SatResult.Unsatisfiable, s.Solve()); // stays unsatisfiable
    }

    [Fact]
    public void UnitsAreHonoured()
    {
        var s = Load(3, new[] { new[] { 1 }, new[] { -2 }, new[] { 2, 3 } });
        Assert.Equal(SatResult.Satisfiable, s.Solve());
        Assert.True(s.ModelValue(0));
        Assert.False(s.ModelValue(1));
        Assert.True(s.ModelValue(2));
    }

    [Fact]
    public void ContradictoryUnitsGiveTheirTagsAsCore()
    {
        var s = Load(3, new[] { new[] { 2, 3 }, new[] { 1 }, new[] { -1, 2 }, new[] { -2 }, new[] { 3 } }, Tracking());
        Assert.Equal(SatResult.Unsatisfiable, s.Solve());
        Assert.Equal(new[] { 1, 2, 3 }, s.GetCoreTags());
        Assert.Empty(s.FailedAssumptions);
    }

    [Fact]
    public void AllFourClausesOverTwoVariablesAreUnsatisfiable()
    {
        var clauses = new[] { new[] { 1, 2 }, new[] { -1, 2 }, new[] { 1, -2 }, new[] { -1, -2 } };
        var s = Load(2, clauses);
        Assert.Equal(SatResult.Unsatisfiable, s.Solve());
        var t = Load(2, clauses.Take(3));
        Assert.Equal(SatResult.Satisfiable, t.Solve());
        Assert.True(t.ModelValue(0) && t.ModelValue(1));
    }

    [Fact]
    public void TautologiesAndDuplicatesAreHarmless()
    {
        var s = Load(2, new[] { new[] { 1, -1 }, new[] { 2, 2, 2 }, new[] { -2, -2, 1 } });
        Assert.Equal(SatResult.Satisfiable, s.Solve());
        Assert.True(s.ModelValue(0) && s.ModelValue(1));
    }

    [Fact]
    public void LiteralOfUnknownVariableIsRejected()
    {
        var s = new SatSolver();
        s.NewVariables(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.AddClause(Lits(1, 3)));
    }

    [Fact]
    public void LubySequence()
    {
        var expected = new double[] { 1, 1, 2, 1, 1, 2, 4, 1, 1, 2, 1, 1, 2, 4, 8, 1 };
        Assert.Equal(expected, Enumerable.Range(0, expected.Length).Select(SatSolver.Luby));
    }

    // ----------------------------------------------------------------------------------- random vs brute force

    [Theory]
    [InlineData(0)] // RestartPolicy.Glucose
    [InlineData(1)] // RestartPolicy.Luby
    [InlineData(2)] // RestartPolicy.None
    public void Random3SatAgreesWithBruteForce(int policyNumber)
    {
        var policy = (RestartPolicy)policyNumber;
        var rng = new Random(12345 + (int)policy);
        int sat = 0, unsat = 0;
        for (int iter = 0; iter < 1200; iter++)
        {
            int n = iter % 40 == 0 ? rng.Next(13, 17) : rng.Next(1, 13);
            int m = (int)Math.Round(n * (3.2 + (rng.NextDouble() * 2.2)));
            bool mixed = iter % 3 == 0;
            var clauses = Random(rng, n, m, mixed);
            var options = new SatSolverOptions
            {
                Restarts = policy,
                LubyUnit = 2,
                TrackCore = iter % 2 == 0,
                FirstReduce = iter % 4 < 2 ? 3 : 2000, // exercise clause deletion and garbage collection
                ReduceIncrement = 1,
            };
            var s = Load(n, clauses, options);
            var result = s.Solve();
            bool expected = BruteForceSat(n, clauses);
            Assert.Equal(expected ? SatResult.Satisfiable : SatResult.Unsatisfiable, result);
            if (expected)
            {
                sat++;
                AssertModel(s, clauses);
            }
            else
            {
                unsat++;
                if (options.TrackCore)
                {
                    var core = s.GetCoreTags();
                    Assert.False(BruteForceSat(n, core.Select(t => clauses[t]).ToList()), "core is satisfiable");
                }
            }
        }

        Assert.True(sat > 300 && unsat > 300, $"degenerate mix: {sat} sat, {unsat} unsat");
    }

    [Fact]
    public void IncrementalSolvingUnderAssumptionsAgreesWithBruteForce()
    {
        var rng = new Random(777);
        int failedSeen = 0;
        for (int iter = 0; iter < 600; iter++)
        {
            int n = rng.Next(3, 12);
            var all = Random(rng, n, (int)(n * 4.5), iter % 2 == 0);
            var s = new SatSolver(new SatSolverOptions { TrackCore = true, FirstReduce = 5, ReduceIncrement = 1 });
            s.NewVariables(n);
            var added = new List<int[]>();
            int chunk = Math.Max(1, all.Count / 3);
            for (int from = 0; from < all.Count; from += chunk)
            {
                foreach (var c in all.Skip(from).Take(chunk))
                {
                    s.AddClause(Lits(c), added.Count);
                    added.Add(c);
                }

                var assumptions = Enumerable.Range(1, n).OrderBy(_ => rng.Next()).Take(rng.Next(0, 4))
                    .Select(v => rng.Next(2) == 0 ? v : -v).ToArray();
                var result = s.Solve(Lits(assumptions));
                bool expected = BruteForceSat(n, added, assumptions);
                Assert.Equal(expected ? SatResult.Satisfiable : SatResult.Unsatisfiable, result);
                if (expected)
                {
                    AssertModel(s, added);
                    Assert.All(assumptions, a => Assert.True(s.ModelValue(L(a))));
                    continue;
                }

                var failed = s.FailedAssumptions.Select(l => l.ToDimacs()).ToArray();
                Assert.All(failed, f => Assert.Contains(f, assumptions));
                Assert.False(BruteForceSat(n, added, failed), "failed assumptions are not a refutation");
                var core = s.GetCoreTags().Select(t => added[t]).ToList();
                Assert.False(BruteForceSat(n, core, failed), "core + failed assumptions is satisfiable");
                if (failed.Length > 0)
                {
                    failedSeen++;
                }

                if (!s.IsOk)
                {
                    break;
                }
            }
        }

        Assert.True(failedSeen > 50, $"only {failedSeen} refutations used assumptions");
    }

    [Fact]
    public void ClausesAddedLazilyDuringSearchAreHonoured()
    {
        var rng = new Random(4242);
        int sat = 0, unsat = 0;
        for (int iter = 0; iter < 600; iter++)
        {
            int n = rng.Next(4, 13);
            var clauses = Random(rng, n, (int)(n * 4.3), iter % 2 == 0);
            int eager = clauses.Count / 3;
            var s = new SatSolver(new SatSolverOptions { TrackCore = true });
            s.NewVariables(n);
            for (int i = 0; i < eager; i++)
            {
                s.AddClause(Lits(clauses[i]), i);
            }

            var feeder = new Feeder(clauses, eager, rng.Next(1, 4));
            s.DecisionProvider = feeder;
            var result = s.Solve();
            bool expected = BruteForceSat(n, clauses);
            Assert.Equal(expected ? SatResult.Satisfiable : SatResult.Unsatisfiable, result);
            if (expected)
            {
                sat++;
                Assert.Equal(clauses.Count, feeder.Next); // a model is only reported once all clauses are in
                AssertModel(s, clauses);
            }
            else
            {
                unsat++;
                var core = s.GetCoreTags().Select(t => clauses[t]).ToList();
                Assert.False(BruteForceSat(n, core), "core is satisfiable");
            }
        }

        Assert.True(sat > 100 && unsat > 100, $"degenerate mix: {sat} sat, {unsat} unsat");
    }

    /// <summary>Adds a few held-back clauses each time it is asked for a decision.</summary>
    private sealed class Feeder : IDecisionProvider
    {
        private readonly List<int[]> _clauses;
        private readonly int _perCall;

        public Feeder(List<int[]> clauses, int start, int perCall)
        {
            _clauses = clauses;
            Next = start;
            _perCall = perCall;
        }

        public int Next { get; private set; }

        public Lit NextDecision(SatSolver solver)
        {
            for (int k = 0; k < _perCall && Next < _clauses.Count; k++, Next++)
            {
                solver.AddClause(Lits(_clauses[Next]), Next);
            }

            return Lit.Undef;
        }
    }

    [Fact]
    public void BlockingClausesEnumerateEveryModel()
    {
        var rng = new Random(99);
        for (int iter = 0; iter < 60; iter++)
        {
            int n = rng.Next(3, 9);
            var clauses = Random(rng, n, n * 2, false);
            var s = Load(n, clauses);
            int found = 0;
            while (s.Solve() == SatResult.Satisfiable)
            {
                AssertModel(s, clauses);
                found++;
                s.AddClause(Enumerable.Range(0, n).Select(v => Lit.Of(v, !s.ModelValue(v))).ToArray());
                Assert.True(found <= 1 << n);
            }

            Assert.Equal(CountModels(n, clauses), found);
        }
    }

    // ----------------------------------------------------------------------------------- pigeonhole

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void PigeonholeIsUnsatisfiable(int holes)
    {
        var s = Load((holes + 1) * holes, Pigeonhole(holes + 1, holes));
        Assert.Equal(SatResult.Unsatisfiable, s.Solve());
    }

    [Theory]
    [InlineData(5)]
    [InlineData(8)]
    public void PigeonholeWithEnoughHolesIsSatisfiable(int holes)
    {
        var clauses = Pigeonhole(holes, holes);
        var s = Load(holes * holes, clauses);
        Assert.Equal(SatResult.Satisfiable, s.Solve());
        AssertModel(s, clauses);
    }

    [Fact]
    public void PigeonholeCoreIsUnsatisfiableOnItsOwn()
    {
        var clauses = Pigeonhole(6, 5);
        clauses.Add(new[] { 1, 2, 31 }); // irrelevant clauses over fresh variables
        clauses.Add(new[] { -31, 32 });
        var s = Load(32, clauses, Tracking());
        Assert.Equal(SatResult.Unsatisfiable, s.Solve());
        var core = s.GetCoreTags();
        Assert.DoesNotContain(clauses.Count - 1, core);
        Assert.DoesNotContain(clauses.Count - 2, core);
        var again = Load(30, core.Select(t => clauses[t]));
        Assert.Equal(SatResult.Unsatisfiable, again.Solve());
    }

    [Fact]
    public void AtMostOneLadderMatchesPairwise()
    {
        foreach (int n in new[] { 2, 5, 7, 12, 40 })
        {
            // Exactly one of n, plus unit forcing x_k: every other x must be false, AMO forbids pairs.
            var s = new SatSolver();
            s.NewVariables(n);
            var xs = Enumerable.Range(0, n).Select(Lit.Pos).ToArray();
            s.AddExactlyOne(xs);
            Assert.Equal(SatResult.Satisfiable, s.Solve());
            Assert.Equal(1, Enumerable.Range(0, n).Count(v => s.ModelValue(v)));
            Assert.Equal(SatResult.Unsatisfiable, s.Solve(new[] { xs[0], xs[n - 1] }));
            Assert.Equal(SatResult.Unsatisfiable, s.Solve(new[] { xs[n / 2], xs[(n / 2) - 1] }));
            Assert.Equal(SatResult.Satisfiable, s.Solve(new[] { xs[n - 1] }));
            Assert.True(s.ModelValue(n - 1));
            Assert.Equal(SatResult.Unsatisfiable, s.Solve(xs.Select(x => ~x).ToArray()));
        }
    }

    // ----------------------------------------------------------------------------------- assumptions

    [Fact]
    public void FailedAssumptionsNameOnlyTheResponsibleOnes()
    {
        // a -> b, b -> c; d is unrelated.
        var s = Load(4, new[] { new[] { -1, 2 }, new[] { -2, 3 } }, Tracking());
        Assert.Equal(SatResult.Unsatisfiable, s.Solve(Lits(4, 1, -3)));
        Assert.Equal(new[] { -3, 1 }, s.FailedAssumptions.Select(l => l.ToDimacs()).OrderBy(x => x));
        Assert.Equal(new[] { 0, 1 }, s.GetCoreTags());
        Assert.True(s.IsOk);
        Assert.Equal(SatResult.Satisfiable, s.Solve(Lits(4, 1)));
        Assert.True(s.ModelValue(2) && s.ModelValue(3));
        Assert.Equal(SatResult.Unsatisfiable, s.Solve(Lits(1, -1)));
        Assert.Equal(new[] { -1, 1 }, s.FailedAssumptions.Select(l => l.ToDimacs()).OrderBy(x => x));
    }

    [Fact]
    public void ManyRepeatedAssumptionsAreFine()
    {
        var s = Load(2, new[] { new[] { -1, 2 } });
        var assumptions = Enumerable.Repeat(L(1), 100).Append(L(2)).ToArray();
        Assert.Equal(SatResult.Satisfiable, s.Solve(assumptions));
        Assert.True(s.ModelValue(0) && s.ModelValue(1));
        Assert.Equal(SatResult.Unsatisfiable, s.Solve(assumptions.Append(L(-2)).ToArray()));
        Assert.Equal(new[] { -2, 1 }, s.FailedAssumptions.Select(l => l.ToDimacs()).Distinct().OrderBy(x => x));
    }

    [Fact]
    public void AssumptionFalseAtLevelZeroFailsAlone()
    {
        var s = Load(3, new[] { new[] { -1 }, new[] { 2, 3 } }, Tracking());
        Assert.Equal(SatResult.Unsatisfiable, s.Solve(Lits(2, 1)));
        Assert.Equal(new[] { 1 }, s.FailedAssumptions.Select(l => l.ToDimacs()));
        Assert.Equal(new[] { 0 }, s.GetCoreTags());
    }

    // ----------------------------------------------------------------------------------- limits

    [Fact]
    public void PreCancelledTokenReturnsCancelled()
    {
        var s = Load(12, Pigeonhole(4, 3));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Equal(SatResult.Cancelled, s.Solve(cts.Token));
        Assert.Equal(SatResult.Unsatisfiable, s.Solve()); // still usable
    }

    [Fact]
    public void CancellationDuringSearchStopsIt()
    {
        var s = Load(13 * 12, Pigeonhole(13, 12));
        using var cts = new CancellationTokenSource();
        s.DecisionProvider = new CancelAfter(cts, 500);
        var sw = Stopwatch.StartNew();
        Assert.Equal(SatResult.Cancelled, s.Solve(cts.Token));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
    }

    private sealed class CancelAfter : IDecisionProvider
    {
        private readonly CancellationTokenSource _cts;
        private int _left;

        public CancelAfter(CancellationTokenSource cts, int decisions)
        {
            _cts = cts;
            _left = decisions;
        }

        public Lit NextDecision(SatSolver solver)
        {
            if (--_left == 0)
            {
                _cts.Cancel();
            }

            return Lit.Undef;
        }
    }

    [Fact]
    public void TimeLimitReturnsTimedOut()
    {
        var s = Load(13 * 12, Pigeonhole(13, 12), new SatSolverOptions { TimeLimit = TimeSpan.FromMilliseconds(150) });
        var sw = Stopwatch.StartNew();
        Assert.Equal(SatResult.TimedOut, s.Solve());
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"took {sw.Elapsed}");
    }

    // ----------------------------------------------------------------------------------- decision provider

    private sealed class Prefer : IDecisionProvider
    {
        private readonly Lit[] _order;

        public Prefer(params Lit[] order) => _order = order;

        public int Calls { get; private set; }

        public Lit NextDecision(SatSolver solver)
        {
            Calls++;
            foreach (var l in _order)
            {
                if (!solver.IsAssigned(l.Var))
                {
                    return l;
                }
            }

            return Lit.Undef;
        }
    }

    [Fact]
    public void ProviderPreferenceIsUsedWhenSatisfiable()
    {
        for (int preferred = 0; preferred < 10; preferred++)
        {
            var s = new SatSolver();
            s.NewVariables(10);
            s.AddExactlyOne(Enumerable.Range(0, 10).Select(Lit.Pos).ToArray());
            s.DecisionProvider = new Prefer(Lit.Pos(preferred));
            Assert.Equal(SatResult.Satisfiable, s.Solve());
            Assert.True(s.ModelValue(preferred));
        }
    }

    [Fact]
    public void ProviderFallsBackToTheNextPreferenceWhenTheFirstIsInfeasible()
    {
        // Exactly one of x0..x4; x4 -> y, x3 -> y, y false; so x4 and x3 are out and x2 is the best left.
        var s = new SatSolver();
        s.NewVariables(6);
        s.AddExactlyOne(Enumerable.Range(0, 5).Select(Lit.Pos).ToArray());
        s.AddClause(Lit.Neg(4), Lit.Pos(5));
        s.AddClause(Lit.Neg(3), Lit.Pos(5));
        s.AddClause(Lit.Neg(5), Lit.Neg(0)); // y excludes x0 too, so y is only ruled out by search
        s.AddClause(Lit.Neg(5), Lit.Neg(1));
        s.AddClause(Lit.Neg(5), Lit.Neg(2));
        s.AddClause([Lit.Neg(5), Lit.Pos(1), Lit.Pos(2)]);
        var provider = new Prefer(Lit.Pos(4), Lit.Pos(3), Lit.Pos(2), Lit.Pos(1), Lit.Pos(0));
        s.DecisionProvider = provider;
        Assert.Equal(SatResult.Satisfiable, s.Solve());
        Assert.Equal(new[] { false, false, true, false, false, false }, s.GetModel());
        Assert.True(provider.Calls > 0);
    }

    [Fact]
    public void ProviderReturningAnAssignedLiteralIsAnError()
    {
        var s = new SatSolver();
        s.NewVariables(2);
        s.AddUnit(Lit.Pos(0));
        s.DecisionProvider = new Prefer(Lit.Neg(0));
        var bad = new Bad();
        s.DecisionProvider = bad;
        Assert.Throws<InvalidOperationException>(() => s.Solve());
    }

    private sealed class Bad : IDecisionProvider
    {
        public Lit NextDecision(SatSolver solver) => Lit.Pos(0);
    }

    [Fact]
    public void PhasePreferenceSteersVsids()
    {
        var s = new SatSolver();
        s.NewVariables(20);
        for (int v = 0; v < 20; v++)
        {
            s.SetPhase(v, v % 3 == 0);
        }

        Assert.Equal(SatResult.Satisfiable, s.Solve());
        Assert.All(Enumerable.Range(0, 20), v => Assert.Equal(v % 3 == 0, s.ModelValue(v)));
    }
}
