using EnvTools.Solve.Sat;
using Xunit;

namespace EnvTools.Tests.Solve.Sat;

/// <summary>A 9x9 sudoku generated and checked for a unique solution by an independent backtracker, solved by SAT.</summary>
public class SudokuTests
{
    private const int GivenTagBase = 1000;

    [Fact]
    public void GeneratedPuzzleSolvesToItsUniqueSolution()
    {
        var rng = new Random(2024);
        var solution = FullGrid(rng);
        Assert.True(IsValidGrid(solution));
        var puzzle = MakePuzzle(rng, solution);
        Assert.Equal(1, CountSolutions((int[])puzzle.Clone(), 2));
        Assert.True(puzzle.Count(x => x != 0) < 40, "the puzzle should leave most cells to the solver");

        var s = Encode(puzzle, trackCore: false);
        Assert.Equal(SatResult.Satisfiable, s.Solve());
        var grid = Decode(s);
        Assert.True(IsValidGrid(grid));
        Assert.Equal(solution, grid);

        // Uniqueness, seen by SAT too: excluding the solution leaves nothing.
        s.AddClause(Enumerable.Range(0, 81).Select(cell => Lit.Neg(Var(cell / 9, cell % 9, grid[cell] - 1))).ToArray());
        Assert.Equal(SatResult.Unsatisfiable, s.Solve());
    }

    [Fact]
    public void TwoEqualGivensInARowAreUnsatisfiableAndTheCoreNamesTheClash()
    {
        var rng = new Random(7);
        var solution = FullGrid(rng);
        var puzzle = MakePuzzle(rng, solution);
        int row = Enumerable.Range(0, 9).First(r => Enumerable.Range(0, 9).Any(c => puzzle[(r * 9) + c] != 0)
            && Enumerable.Range(0, 9).Any(c => puzzle[(r * 9) + c] == 0));
        int given = Enumerable.Range(0, 9).Select(c => (row * 9) + c).First(i => puzzle[i] != 0);
        int empty = Enumerable.Range(0, 9).Select(c => (row * 9) + c).First(i => puzzle[i] == 0);
        var bad = (int[])puzzle.Clone();
        bad[empty] = puzzle[given];
        Assert.Equal(0, CountSolutions((int[])bad.Clone(), 1));

        var s = Encode(bad, trackCore: true);
        Assert.Equal(SatResult.Unsatisfiable, s.Solve());
        var core = s.GetCoreTags();
        Assert.Contains(GivenTagBase + empty, core); // without the added given the puzzle is solvable

        // The core alone is unsatisfiable.
        var again = Encode(bad, trackCore: false, keepTag: t => core.Contains(t));
        Assert.Equal(SatResult.Unsatisfiable, again.Solve());
        Assert.Equal(SatResult.Satisfiable, Encode(puzzle, trackCore: false, keepTag: t => core.Contains(t)).Solve());
    }

    private static int Var(int r, int c, int d) => (81 * r) + (9 * c) + d;

    private static SatSolver Encode(int[] puzzle, bool trackCore, Func<int, bool>? keepTag = null)
    {
        keepTag ??= _ => true;
        var s = new SatSolver(new SatSolverOptions { TrackCore = trackCore });
        s.NewVariables(729);
        var lits = new Lit[9];
        int tag = 0;
        for (int kind = 0; kind < 4; kind++)
        {
            for (int a = 0; a < 9; a++)
            {
                for (int b = 0; b < 9; b++, tag++)
                {
                    for (int k = 0; k < 9; k++)
                    {
                        lits[k] = kind switch
                        {
                            0 => Lit.Pos(Var(a, b, k)),                                       // cell (a,b) has one digit
                            1 => Lit.Pos(Var(a, k, b)),                                       // row a has digit b once
                            2 => Lit.Pos(Var(k, a, b)),                                       // column a has digit b once
                            _ => Lit.Pos(Var((a / 3 * 3) + (k / 3), (a % 3 * 3) + (k % 3), b)), // box a has digit b once
                        };
                    }

                    if (keepTag(tag))
                    {
                        s.AddExactlyOne(lits, tag);
                    }
                }
            }
        }

        for (int cell = 0; cell < 81; cell++)
        {
            if (puzzle[cell] != 0 && keepTag(GivenTagBase + cell))
            {
                s.AddUnit(Lit.Pos(Var(cell / 9, cell % 9, puzzle[cell] - 1)), GivenTagBase + cell);
            }
        }

        return s;
    }

    private static int[] Decode(SatSolver s)
    {
        var grid = new int[81];
        for (int cell = 0; cell < 81; cell++)
        {
            var digits = Enumerable.Range(0, 9).Where(d => s.ModelValue(Var(cell / 9, cell % 9, d))).ToArray();
            Assert.Single(digits);
            grid[cell] = digits[0] + 1;
        }

        return grid;
    }

    private static bool IsValidGrid(int[] g)
    {
        for (int i = 0; i < 9; i++)
        {
            var row = Enumerable.Range(0, 9).Select(k => g[(i * 9) + k]);
            var col = Enumerable.Range(0, 9).Select(k => g[(k * 9) + i]);
            var box = Enumerable.Range(0, 9).Select(k => g[(((i / 3 * 3) + (k / 3)) * 9) + (i % 3 * 3) + (k % 3)]);
            if (new[] { row, col, box }.Any(unit => !unit.OrderBy(x => x).SequenceEqual(Enumerable.Range(1, 9))))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A random valid grid: the canonical pattern under random band/row/stack/column/digit permutations.</summary>
    private static int[] FullGrid(Random rng)
    {
        int[] Perm3() => Enumerable.Range(0, 3).OrderBy(_ => rng.Next()).ToArray();
        var bands = Perm3();
        var stacks = Perm3();
        var rows = Enumerable.Range(0, 3).SelectMany(b => Perm3().Select(r => (bands[b] * 3) + r)).ToArray();
        var cols = Enumerable.Range(0, 3).SelectMany(b => Perm3().Select(c => (stacks[b] * 3) + c)).ToArray();
        var digits = Enumerable.Range(1, 9).OrderBy(_ => rng.Next()).ToArray();
        var g = new int[81];
        for (int r = 0; r < 9; r++)
        {
            for (int c = 0; c < 9; c++)
            {
                int pr = rows[r], pc = cols[c];
                g[(r * 9) + c] = digits[((3 * (pr % 3)) + (pr / 3) + pc) % 9];
            }
        }

        return g;
    }

    private static int[] MakePuzzle(Random rng, int[] solution)
    {
        var g = (int[])solution.Clone();
        foreach (int cell in Enumerable.Range(0, 81).OrderBy(_ => rng.Next()))
        {
            int keep = g[cell];
            g[cell] = 0;
            if (CountSolutions((int[])g.Clone(), 2) != 1)
            {
                g[cell] = keep;
            }
        }

        return g;
    }

    /// <summary>Counts solutions up to <paramref name="limit"/> by backtracking on the most constrained cell.</summary>
    private static int CountSolutions(int[] g, int limit)
    {
        int best = -1, bestMask = 0, bestCount = 10;
        for (int cell = 0; cell < 81; cell++)
        {
            if (g[cell] != 0)
            {
                continue;
            }

            int used = 0, r = cell / 9, c = cell % 9, b0 = (r / 3 * 27) + (c / 3 * 3);
            for (int k = 0; k < 9; k++)
            {
                used |= 1 << g[(r * 9) + k];
                used |= 1 << g[(k * 9) + c];
                used |= 1 << g[b0 + (k / 3 * 9) + (k % 3)];
            }

            int free = ~used & 0x3FE;
            int count = System.Numerics.BitOperations.PopCount((uint)free);
            if (count < bestCount)
            {
                best = cell;
                bestMask = free;
                bestCount = count;
            }
        }

        if (best < 0)
        {
            // Full grid: valid only if no unit repeats a digit (givens may clash).
            return IsValidGrid(g) ? 1 : 0;
        }

        int found = 0;
        for (int d = 1; d <= 9 && found < limit; d++)
        {
            if ((bestMask & (1 << d)) != 0)
            {
                g[best] = d;
                found += CountSolutions(g, limit - found);
                g[best] = 0;
            }
        }

        return found;
    }
}
