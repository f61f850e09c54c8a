using System.Globalization;

namespace EnvTools.Solve.Sat;

/// <summary>A CNF formula as read from DIMACS: clauses of DIMACS literals (1-based, negative = negated).</summary>
internal sealed class DimacsFormula
{
    /// <summary>Creates a formula.</summary>
    public DimacsFormula(int variableCount, List<int[]> clauses)
    {
        VariableCount = variableCount;
        Clauses = clauses;
    }

    /// <summary>The variable count: the larger of the header's and the highest variable used.</summary>
    public int VariableCount { get; }

    /// <summary>The clauses, in file order.</summary>
    public List<int[]> Clauses { get; }

    /// <summary>Adds the variables and clauses to <paramref name="solver"/> (clause i tagged i); returns the first variable.</summary>
    public int LoadInto(SatSolver solver)
    {
        int first = solver.NewVariables(VariableCount);
        var buf = new List<Lit>();
        for (int i = 0; i < Clauses.Count; i++)
        {
            buf.Clear();
            foreach (int d in Clauses[i])
            {
                var l = Lit.FromDimacs(d);
                buf.Add(new Lit(l.Code + (2 * first)));
            }

            solver.AddClause(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buf), i);
        }

        return first;
    }
}

/// <summary>Reads DIMACS CNF (<c>p cnf V C</c> header, <c>c</c> comments, clauses ended by 0, <c>%</c> ends the file).</summary>
internal static class DimacsReader
{
    /// <summary>Parses DIMACS text.</summary>
    /// <exception cref="FormatException">On a malformed header or token.</exception>
    public static DimacsFormula Parse(TextReader reader)
    {
        int declaredVars = 0, maxVar = 0;
        bool header = false;
        var clauses = new List<int[]>();
        var current = new List<int>();
        string? line;
        int lineNo = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            var span = line.AsSpan().Trim();
            if (span.IsEmpty || span[0] == 'c')
            {
                continue;
            }

            if (span[0] == '%')
            {
                break;
            }

            if (span[0] == 'p')
            {
                var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (header || parts.Length < 4 || parts[1] != "cnf"
                    || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out declaredVars))
                {
                    throw new FormatException($"DIMACS line {lineNo}: bad header '{line}'.");
                }

                header = true;
                continue;
            }

            foreach (var token in line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int lit))
                {
                    throw new FormatException($"DIMACS line {lineNo}: bad literal '{token}'.");
                }

                if (lit == 0)
                {
                    clauses.Add(current.ToArray());
                    current.Clear();
                }
                else
                {
                    current.Add(lit);
                    maxVar = Math.Max(maxVar, Math.Abs(lit));
                }
            }
        }

        if (current.Count > 0)
        {
            clauses.Add(current.ToArray());
        }

        return new DimacsFormula(Math.Max(declaredVars, maxVar), clauses);
    }

    /// <summary>Parses a DIMACS file.</summary>
    public static DimacsFormula ParseFile(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader);
    }
}
