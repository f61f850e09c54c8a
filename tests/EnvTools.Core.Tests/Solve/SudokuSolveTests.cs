using System.Diagnostics;
using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.RepoData;
using EnvTools.Solve;
using Xunit;
using static EnvTools.Tests.Solve.SolveTestUtil;

namespace EnvTools.Tests.Solve;

/// <summary>mamba's sudoku channel (unsatisfiable with its 30 givens) and a correct sudoku channel built here.</summary>
public class SudokuSolveTests
{
    [ConformanceFact]
    public void MambaSudokuWith30GivensIsUnsatisfiableQuickly()
    {
        var caseJson = JsonNode.Parse(File.ReadAllText(ConformanceData.PathOf("solver-cases/mamba_sudoku_case.json")!))!;
        var index = RepoDataIndex.Load(ConformanceData.PathOf("repodata/mamba/repodata/sudoku.json")!,
            "https://conda.anaconda.org/jjhelmus/label/sudoku/noarch");
        var channel = new SolverChannel("jjhelmus/label/sudoku", new IRecordSource[] { new RepoDataIndexSource(index, "jjhelmus/label/sudoku", "noarch") });
        var specs = caseJson["specs"]!.AsArray().Select(x => (string)x!).ToArray();
        Assert.Equal(30, specs.Length);
        // Speed is the benchmark's business; the time-out only keeps a regression from hanging the suite.
        var ex = Assert.Throws<UnsatisfiableException>(() => CondaSolver.Solve(new SolveRequest
        {
            Channels = new[] { channel },
            Specs = Specs(specs),
            Timeout = TimeSpan.FromSeconds(60),
        }));
        Assert.NotEmpty(ex.ConflictingSpecs);
        Assert.All(ex.ConflictingSpecs, s => Assert.StartsWith("sudoku_", s.Name, StringComparison.Ordinal));
    }

    /// <summary>A standard sudoku as a channel: cell r_c has versions 1..9; version v depends on every peer != v.</summary>
    [ConformanceFact]
    public void MambaSudokuSingleCellIsUnsatisfiable()
    {
        // The channel's peer lists admit no grid at all, so even one requested cell has no solution: a
        // pigeonhole-like refutation (mamba REQUIREs UnSolvable for the whole problem).
        var index = RepoDataIndex.Load(ConformanceData.PathOf("repodata/mamba/repodata/sudoku.json")!,
            "https://conda.anaconda.org/jjhelmus/label/sudoku/noarch");
        var channel = new SolverChannel("jjhelmus/label/sudoku", new IRecordSource[] { new RepoDataIndexSource(index, "jjhelmus/label/sudoku", "noarch") });
        var ex = Assert.Throws<UnsatisfiableException>(() => CondaSolver.Solve(new SolveRequest
        {
            Channels = new[] { channel },
            Specs = Specs(new[] { "sudoku_0_0" }),
            Timeout = TimeSpan.FromSeconds(120),
        }));
        Assert.Contains(ex.ConflictingSpecs, s => s.Name == "sudoku_0_0");
    }

    private static SolverChannel StandardSudokuChannel()
    {
        var records = new List<RepoDataRecord>();
        for (int r = 0; r < 9; r++)
        {
            for (int c = 0; c < 9; c++)
            {
                var peers = new List<(int R, int C)>();
                for (int i = 0; i < 9; i++)
                {
                    if (i != c) peers.Add((r, i));
                    if (i != r) peers.Add((i, c));
                }

                int br = r / 3 * 3, bc = c / 3 * 3;
                for (int i = br; i < br + 3; i++)
                {
                    for (int j = bc; j < bc + 3; j++)
                    {
                        if (i != r && j != c) peers.Add((i, j));
                    }
                }

                for (int v = 1; v <= 9; v++)
                {
                    records.Add(Rec($"sudoku_{r}_{c}", v.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        depends: peers.Distinct().Select(p => $"sudoku_{p.R}_{p.C} !={v}").ToArray()));
                }
            }
        }

        return Channel("sudoku", records.ToArray());
    }

    [Fact]
    public void ArtoInkalaSudokuIsSolvedAndTheGridIsValid()
    {
        string[] puzzle =
        {
            "8........", "..36.....", ".7..9.2..", ".5...7...", "....457..", "...1...3.", "..1....68", "..85...1.", ".9....4..",
        };
        var specs = new List<string>();
        for (int r = 0; r < 9; r++)
        {
            for (int c = 0; c < 9; c++)
            {
                specs.Add(puzzle[r][c] == '.' ? $"sudoku_{r}_{c}" : $"sudoku_{r}_{c} =={puzzle[r][c]}");
            }
        }

        var result = CondaSolver.Solve(new SolveRequest
        {
            Channels = new[] { StandardSudokuChannel() }, Specs = Specs(specs.ToArray()), Timeout = TimeSpan.FromSeconds(60),
        });
        Assert.Equal(81, result.Records.Count);
        var grid = new int[9, 9];
        foreach (var rec in result.Records)
        {
            var parts = rec.Name.Split('_');
            grid[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)] =
                int.Parse(rec.Version, System.Globalization.CultureInfo.InvariantCulture);
        }

        for (int r = 0; r < 9; r++)
        {
            for (int c = 0; c < 9; c++)
            {
                if (puzzle[r][c] != '.')
                {
                    Assert.Equal(puzzle[r][c] - '0', grid[r, c]);
                }
            }
        }

        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(9, Enumerable.Range(0, 9).Select(j => grid[i, j]).Distinct().Count());
            Assert.Equal(9, Enumerable.Range(0, 9).Select(j => grid[j, i]).Distinct().Count());
            Assert.Equal(9, Enumerable.Range(0, 9).Select(j => grid[i / 3 * 3 + j / 3, i % 3 * 3 + j % 3]).Distinct().Count());
        }
    }

    [Fact]
    public void ContradictoryGivensAreUnsatisfiable()
    {
        var ex = Assert.Throws<UnsatisfiableException>(() => CondaSolver.Solve(new SolveRequest
        {
            Channels = new[] { StandardSudokuChannel() },
            Specs = Specs("sudoku_0_0 ==5", "sudoku_0_8 ==5"),
        }));
        Assert.Contains("sudoku_0_0 ==5", ex.Message);
        Assert.Contains("sudoku_0_8 ==5", ex.Message);
    }
}
