using EnvTools.Solve.Sat;
using Xunit;

namespace EnvTools.Tests.Solve.Sat;

public class DimacsReaderTests
{
    [Fact]
    public void ParsesHeaderCommentsAndClausesAcrossLines()
    {
        const string text = """
            c pigeonhole 3 pigeons, 2 holes
            p cnf 6 9
            1 2 0
            3 4 0 5
            6 0
            -1 -3 0 -1 -5 0 -3 -5 0
            -2 -4 0
            -2 -6 0 -4 -6 0
            %
            0
            """;
        var f = DimacsReader.Parse(new StringReader(text));
        Assert.Equal(6, f.VariableCount);
        Assert.Equal(9, f.Clauses.Count);
        Assert.Equal(new[] { 5, 6 }, f.Clauses[2]);
        Assert.Equal(new[] { -4, -6 }, f.Clauses[8]);

        var s = new SatSolver(new SatSolverOptions { TrackCore = true });
        f.LoadInto(s);
        Assert.Equal(SatResult.Unsatisfiable, s.Solve());
        Assert.Equal(Enumerable.Range(0, 9), s.GetCoreTags()); // PHP is minimally unsatisfiable
    }

    [Fact]
    public void VariableCountCoversLiteralsBeyondTheHeaderAndAFinalUnterminatedClause()
    {
        var f = DimacsReader.Parse(new StringReader("p cnf 2 2\n1 -2 0\n-7 3"));
        Assert.Equal(7, f.VariableCount);
        Assert.Equal(new[] { -7, 3 }, f.Clauses[1]);
        var s = new SatSolver();
        f.LoadInto(s);
        Assert.Equal(SatResult.Satisfiable, s.Solve());
        Assert.True(!s.ModelValue(6) || s.ModelValue(2));
    }

    [Theory]
    [InlineData("p cnf x 2\n1 0")]
    [InlineData("p dnf 2 2\n1 0")]
    [InlineData("p cnf 2 2\n1 a 0")]
    public void MalformedInputIsRejected(string text)
    {
        Assert.Throws<FormatException>(() => DimacsReader.Parse(new StringReader(text)));
    }
}
