using EnvTools.Solve.Sat;

namespace EnvTools.Tests.Solve.Sat;

/// <summary>Formula helpers for the SAT tests: clauses as DIMACS int arrays, brute force by bit masks.</summary>
internal static class SatTestUtil
{
    public static Lit L(int dimacs) => Lit.FromDimacs(dimacs);

    public static Lit[] Lits(params int[] dimacs) => dimacs.Select(Lit.FromDimacs).ToArray();

    public static SatSolver Load(int vars, IEnumerable<int[]> clauses, SatSolverOptions? options = null)
    {
        var s = new SatSolver(options);
        s.NewVariables(vars);
        int tag = 0;
        foreach (var c in clauses)
        {
            s.AddClause(Lits(c), tag++);
        }

        return s;
    }

    /// <summary>Whether some assignment of n (≤ 20) variables satisfies every clause and assumption.</summary>
    public static bool BruteForceSat(int n, IReadOnlyList<int[]> clauses, IEnumerable<int>? assumptions = null)
    {
        var all = clauses.ToList();
        if (assumptions != null)
        {
            all.AddRange(assumptions.Select(a => new[] { a }));
        }

        var pos = new uint[all.Count];
        var neg = new uint[all.Count];
        for (int i = 0; i < all.Count; i++)
        {
            if (all[i].Length == 0)
            {
                return false;
            }

            foreach (int d in all[i])
            {
                if (d > 0)
                {
                    pos[i] |= 1u << (d - 1);
                }
                else
                {
                    neg[i] |= 1u << (-d - 1);
                }
            }
        }

        uint limit = 1u << n;
        for (uint a = 0; a < limit; a++)
        {
            int i = 0;
            for (; i < pos.Length; i++)
            {
                if ((a & pos[i]) == 0 && (~a & neg[i]) == 0)
                {
                    break;
                }
            }

            if (i == pos.Length)
            {
                return true;
            }
        }

        return false;
    }

    public static int CountModels(int n, IReadOnlyList<int[]> clauses)
    {
        int count = 0;
        for (uint a = 0; a < 1u << n; a++)
        {
            if (clauses.All(c => c.Any(d => d > 0 ? (a & (1u << (d - 1))) != 0 : (a & (1u << (-d - 1))) == 0)))
            {
                count++;
            }
        }

        return count;
    }

    public static bool Satisfies(SatSolver s, int[] clause) => clause.Any(d => s.ModelValue(Lit.FromDimacs(d)));

    public static void AssertModel(SatSolver s, IEnumerable<int[]> clauses)
    {
        foreach (var c in clauses)
        {
            Xunit.Assert.True(Satisfies(s, c), $"model violates clause ({string.Join(' ', c)})");
        }
    }

    public static List<int[]> Random(Random rng, int n, int m, bool mixedLengths)
    {
        var clauses = new List<int[]>(m);
        for (int i = 0; i < m; i++)
        {
            int len = mixedLengths ? rng.Next(1, 5) : 3;
            len = Math.Min(len, n);
            var vars = Enumerable.Range(1, n).OrderBy(_ => rng.Next()).Take(len);
            clauses.Add(vars.Select(v => rng.Next(2) == 0 ? v : -v).ToArray());
        }

        return clauses;
    }

    /// <summary>PHP(pigeons, holes): every pigeon in a hole, no two pigeons share one. Variable p*holes+h+1.</summary>
    public static List<int[]> Pigeonhole(int pigeons, int holes)
    {
        var clauses = new List<int[]>();
        for (int p = 0; p < pigeons; p++)
        {
            clauses.Add(Enumerable.Range(0, holes).Select(h => (p * holes) + h + 1).ToArray());
        }

        for (int h = 0; h < holes; h++)
        {
            for (int p = 0; p < pigeons; p++)
            {
                for (int q = p + 1; q < pigeons; q++)
                {
                    clauses.Add(new[] { -((p * holes) + h + 1), -((q * holes) + h + 1) });
                }
            }
        }

        return clauses;
    }
}
