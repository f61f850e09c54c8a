using EnvTools.Solve.Sat;
using Xunit;
using static EnvTools.Tests.Solve.Sat.SatTestUtil;

namespace EnvTools.Tests.Solve.Sat;

/// <summary>
/// Binary clauses are propagated from their watchers alone (the clause is only touched to put the implied literal
/// first); these formulas are mostly binary, with some longer clauses and the at-most-one encodings, so that
/// binary reasons and binary learnt clauses meet analysis, minimisation, core extraction and deletion.
/// </summary>
public class SatSolverBinaryTests
{
    private static List<int[]> BinaryHeavy(Random rng, int n, int m)
    {
        var clauses = new List<int[]>(m);
        for (int i = 0; i < m; i++)
        {
            int len = rng.Next(10) switch { 0 => 1, < 7 => 2, 7 or 8 => 3, _ => 4 };
            len = Math.Min(len, n);
            var vars = Enumerable.Range(1, n).OrderBy(_ => rng.Next()).Take(len);
            clauses.Add(vars.Select(v => rng.Next(2) == 0 ? v : -v).ToArray());
        }

        return clauses;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void BinaryHeavyFormulasAgreeWithBruteForce(int policyNumber)
    {
        var rng = new Random(777 + policyNumber);
        int sat = 0, unsat = 0;
        for (int iter = 0; iter < 1500; iter++)
        {
            int n = rng.Next(2, 15);
            int m = (int)Math.Round(n * (0.6 + (rng.NextDouble() * 1.6)));
            var clauses = BinaryHeavy(rng, n, m);
            var options = new SatSolverOptions
            {
                Restarts = (RestartPolicy)policyNumber,
                LubyUnit = 2,
                TrackCore = iter % 2 == 0,
                FirstReduce = iter % 4 < 2 ? 3 : 2000,
                ReduceIncrement = 1,
                BinaryMinimisation = iter % 3 != 0,
                Tier2Lbd = iter % 5 < 2 ? 2 : 6,
                PairwiseAtMostOneLimit = iter % 2 == 0 ? 6 : 12,
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

        Assert.True(sat > 200 && unsat > 200, $"degenerate mix: {sat} sat, {unsat} unsat");
    }

    [Fact]
    public void BinaryHeavyIncrementalUnderAssumptionsAgreesWithBruteForce()
    {
        var rng = new Random(4242);
        for (int iter = 0; iter < 300; iter++)
        {
            int n = rng.Next(4, 14);
            var s = new SatSolver(new SatSolverOptions { FirstReduce = 5, ReduceIncrement = 1, BinaryMinimisation = iter % 2 == 0, Tier2Lbd = 6 });
            s.NewVariables(n);
            var clauses = new List<int[]>();
            for (int round = 0; round < 4; round++)
            {
                foreach (var c in BinaryHeavy(rng, n, rng.Next(1, n)))
                {
                    clauses.Add(c);
                    s.AddClause(Lits(c));
                }

                var assumptions = Enumerable.Range(1, n).OrderBy(_ => rng.Next()).Take(rng.Next(0, 4))
                    .Select(v => rng.Next(2) == 0 ? v : -v).ToArray();
                var result = s.Solve(Lits(assumptions));
                bool expected = BruteForceSat(n, clauses, assumptions);
                Assert.Equal(expected ? SatResult.Satisfiable : SatResult.Unsatisfiable, result);
                if (expected)
                {
                    AssertModel(s, clauses);
                    Assert.All(assumptions, a => Assert.True(s.ModelValue(L(a))));
                }
                else if (s.IsOk)
                {
                    var failed = s.FailedAssumptions.Select(l => l.ToDimacs()).ToArray();
                    Assert.All(failed, f => Assert.Contains(f, assumptions));
                    Assert.False(BruteForceSat(n, clauses, failed), "failed assumptions are satisfiable");
                }
            }
        }
    }

    [Theory]
    [InlineData(7, 6)]
    [InlineData(8, 7)]
    public void GraphColouringWithImpliedBinariesMatchesWithout(int pigeons, int holes)
    {
        // A clique of `pigeons` nodes coloured with `holes` colours, in the conda-style encoding: x_{p,c} requires a
        // colour of every neighbour other than c (¬x ∨ OR), plus the implied binaries ¬x_{p,c} ∨ ¬x_{q,c}.
        foreach (bool implied in new[] { false, true })
        {
            var s = new SatSolver();
            s.NewVariables(pigeons * holes);
            Lit X(int p, int c) => Lit.Pos((p * holes) + c);
            for (int p = 0; p < pigeons; p++)
            {
                s.AddAtMostOne(Enumerable.Range(0, holes).Select(c => X(p, c)).ToArray());
            }

            s.AddClause(Enumerable.Range(0, holes).Select(c => X(0, c)).ToArray());
            for (int p = 0; p < pigeons; p++)
            {
                for (int q = 0; q < pigeons; q++)
                {
                    if (p == q)
                    {
                        continue;
                    }

                    for (int c = 0; c < holes; c++)
                    {
                        var clause = new List<Lit> { ~X(p, c) };
                        clause.AddRange(Enumerable.Range(0, holes).Where(d => d != c).Select(d => X(q, d)));
                        s.AddClause(clause.ToArray());
                        if (implied)
                        {
                            s.AddClause(~X(p, c), ~X(q, c));
                        }
                    }
                }
            }

            Assert.Equal(SatResult.Unsatisfiable, s.Solve());
        }
    }
}
