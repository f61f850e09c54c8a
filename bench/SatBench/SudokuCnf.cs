using System.Text;
using System.Text.Json;
using EnvTools.Solve.Sat;

namespace EnvTools.SatBench;

/// <summary>
/// The conda-layer CNF of a request against mamba's sudoku channel, built the way CondaProblem encodes it: one
/// variable per record (names in discovery order from the request, candidates most preferred = highest version
/// first), an at-most-one group per name, a clause per requested spec and a clause <c>¬x ∨ OR(matches)</c> per
/// dependency. Optionally with the implied binaries <c>¬x ∨ ¬s</c> for every candidate s a dependency excludes
/// (when at most <c>impliedMaxExcluded</c> are excluded): x needs another candidate of that name, and the
/// name's at-most-one then forbids s.
/// </summary>
internal sealed class SudokuCnf
{
    /// <summary>Variables of the records (0-based; the at-most-one encodings add their own after these).</summary>
    public int RecordVars { get; private set; }

    /// <summary>Record names, per variable.</summary>
    public List<string> VarNames { get; } = new();

    /// <summary>At-most-one groups (one per name with more than one candidate), as literal lists.</summary>
    public List<Lit[]> AtMostOne { get; } = new();

    /// <summary>Dependency clauses, implied binaries (variant b) and the request clauses, in that order.</summary>
    public List<Lit[]> Clauses { get; } = new();

    /// <summary>Implied binaries added (variant b).</summary>
    public int ImpliedCount { get; private set; }

    /// <summary>Root requirements (the request) as candidate variable lists, most preferred first.</summary>
    public List<int[]> Roots { get; } = new();

    /// <summary>Dependencies of each record variable, as candidate variable lists (most preferred first).</summary>
    public List<int[]>[] Depends { get; private set; } = Array.Empty<List<int[]>>();

    /// <summary>Builds the CNF of <paramref name="request"/> (specs "name", "name ==v" or "name v").</summary>
    public static SudokuCnf Build(string repodataPath, IReadOnlyList<string> request, int impliedMaxExcluded)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(repodataPath));
        var byName = new Dictionary<string, List<(int Version, string[] Depends)>>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.GetProperty("packages").EnumerateObject())
        {
            string name = p.Value.GetProperty("name").GetString()!;
            int version = int.Parse(p.Value.GetProperty("version").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            var deps = p.Value.GetProperty("depends").EnumerateArray().Select(d => d.GetString()!).ToArray();
            if (!byName.TryGetValue(name, out var list))
            {
                byName[name] = list = new();
            }

            list.Add((version, deps));
        }

        var cnf = new SudokuCnf();
        var firstVar = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        var candidates = new List<(string Name, int Version, string[] Depends)>();

        void Discover(string name)
        {
            if (firstVar.ContainsKey(name))
            {
                return;
            }

            firstVar[name] = candidates.Count;
            order.Add(name);
            foreach (var c in byName[name].OrderByDescending(c => c.Version))
            {
                candidates.Add((name, c.Version, c.Depends));
            }
        }

        var parsedRequest = request.Select(ParseSpec).ToList();
        foreach (var r in parsedRequest)
        {
            Discover(r.Name);
        }

        for (int i = 0; i < candidates.Count; i++)
        {
            foreach (string d in candidates[i].Depends)
            {
                Discover(ParseSpec(d).Name);
            }
        }

        cnf.RecordVars = candidates.Count;
        cnf.VarNames.AddRange(candidates.Select(c => $"{c.Name}={c.Version}"));
        cnf.Depends = new List<int[]>[candidates.Count];

        int[] Matches((string Name, string Op, int Version) spec)
        {
            int first = firstVar[spec.Name];
            int count = byName[spec.Name].Count;
            var result = new List<int>();
            for (int v = first; v < first + count; v++)
            {
                int ver = candidates[v].Version;
                bool ok = spec.Op switch
                {
                    "" => true,
                    "==" => ver == spec.Version,
                    "!=" => ver != spec.Version,
                    _ => throw new InvalidDataException(spec.Op),
                };
                if (ok)
                {
                    result.Add(v);
                }
            }

            return result.ToArray();
        }

        foreach (string name in order)
        {
            int first = firstVar[name];
            int count = byName[name].Count;
            if (count > 1)
            {
                cnf.AtMostOne.Add(Enumerable.Range(first, count).Select(Lit.Pos).ToArray());
            }
        }

        for (int x = 0; x < candidates.Count; x++)
        {
            cnf.Depends[x] = new();
            foreach (string d in candidates[x].Depends)
            {
                var spec = ParseSpec(d);
                int[] m = Matches(spec);
                cnf.Depends[x].Add(m);
                var clause = new Lit[m.Length + 1];
                clause[0] = Lit.Neg(x);
                for (int k = 0; k < m.Length; k++)
                {
                    clause[k + 1] = Lit.Pos(m[k]);
                }

                cnf.Clauses.Add(clause);
                int first = firstVar[spec.Name];
                int count = byName[spec.Name].Count;
                int excluded = count - m.Length;
                if (excluded > 0 && excluded <= impliedMaxExcluded && count > 1)
                {
                    var inSet = new HashSet<int>(m);
                    for (int s = first; s < first + count; s++)
                    {
                        if (!inSet.Contains(s))
                        {
                            cnf.Clauses.Add(new[] { Lit.Neg(x), Lit.Neg(s) });
                            cnf.ImpliedCount++;
                        }
                    }
                }
            }
        }

        foreach (var r in parsedRequest)
        {
            int[] m = Matches(r);
            cnf.Roots.Add(m);
            cnf.Clauses.Add(m.Select(Lit.Pos).ToArray());
        }

        return cnf;
    }

    private static (string Name, string Op, int Version) ParseSpec(string spec)
    {
        string s = spec.Trim();
        int i = s.IndexOfAny(new[] { ' ', '=', '!', '<', '>' });
        if (i < 0)
        {
            return (s, "", 0);
        }

        string name = s[..i];
        string rest = s[i..].Replace(" ", "", StringComparison.Ordinal);
        string op = rest.StartsWith("!=", StringComparison.Ordinal) ? "!="
            : rest.StartsWith("==", StringComparison.Ordinal) ? "==" : rest.StartsWith('=') ? "==" : "==";
        string num = rest.TrimStart('!', '=');
        return (name, op, int.Parse(num, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Loads the CNF into <paramref name="solver"/> in CondaProblem's order (variables, at-most-ones, clauses).</summary>
    public void LoadInto(SatSolver solver)
    {
        solver.NewVariables(RecordVars);
        foreach (var g in AtMostOne)
        {
            solver.AddAtMostOne(g);
        }

        foreach (var c in Clauses)
        {
            solver.AddClause(c);
        }
    }

    /// <summary>DIMACS text; at-most-ones as the ladder SatSolver used before (<paramref name="ladder"/>) or pairwise.</summary>
    public string ToDimacs(bool ladder)
    {
        var clauses = new List<Lit[]>();
        int vars = RecordVars;
        foreach (var g in AtMostOne)
        {
            int n = g.Length;
            if (!ladder || n <= 6)
            {
                for (int i = 0; i < n; i++)
                {
                    for (int j = i + 1; j < n; j++)
                    {
                        clauses.Add(new[] { ~g[i], ~g[j] });
                    }
                }

                continue;
            }

            int s = vars;
            vars += n - 1;
            clauses.Add(new[] { ~g[0], Lit.Pos(s) });
            for (int i = 1; i < n - 1; i++)
            {
                clauses.Add(new[] { ~g[i], Lit.Pos(s + i) });
                clauses.Add(new[] { Lit.Neg(s + i - 1), Lit.Pos(s + i) });
                clauses.Add(new[] { ~g[i], Lit.Neg(s + i - 1) });
            }

            clauses.Add(new[] { ~g[n - 1], Lit.Neg(s + n - 2) });
        }

        clauses.AddRange(Clauses);
        var sb = new StringBuilder();
        sb.Append("p cnf ").Append(vars).Append(' ').Append(clauses.Count).Append('\n');
        foreach (var c in clauses)
        {
            foreach (var l in c)
            {
                sb.Append(l.ToDimacs()).Append(' ');
            }

            sb.Append("0\n");
        }

        return sb.ToString();
    }
}

/// <summary>The conda layer's decision rule (ClauseEncoder.NextDecision) over a <see cref="SudokuCnf"/>: the most preferred unassigned candidate
/// of the first open requirement (breadth first from the roots through the chosen candidates), then every other
/// record false; VSIDS after <c>vsidsAfter</c> conflicts.</summary>
internal sealed class ResolvoProvider : IDecisionProvider
{
    private readonly SudokuCnf _cnf;
    private readonly long _vsidsAfter;
    private readonly List<int[]> _queue = new();
    private readonly int[] _stamp;
    private int _stampCounter;

    /// <summary>Creates the provider.</summary>
    public ResolvoProvider(SudokuCnf cnf, long vsidsAfter)
    {
        _cnf = cnf;
        _vsidsAfter = vsidsAfter;
        _stamp = new int[cnf.RecordVars];
    }

    /// <inheritdoc/>
    public Lit NextDecision(SatSolver solver)
    {
        if (solver.Conflicts > _vsidsAfter)
        {
            return Lit.Undef;
        }

        _stampCounter++;
        _queue.Clear();
        _queue.AddRange(_cnf.Roots);
        for (int i = 0; i < _queue.Count; i++)
        {
            int chosen = -1, open = -1;
            foreach (int c in _queue[i])
            {
                if (solver.IsTrue(Lit.Pos(c)))
                {
                    chosen = c;
                    break;
                }

                if (open < 0 && !solver.IsAssigned(c))
                {
                    open = c;
                }
            }

            if (chosen >= 0)
            {
                if (_stamp[chosen] != _stampCounter)
                {
                    _stamp[chosen] = _stampCounter;
                    _queue.AddRange(_cnf.Depends[chosen]);
                }

                continue;
            }

            if (open >= 0)
            {
                return Lit.Pos(open);
            }
        }

        for (int v = 0; v < _cnf.RecordVars; v++)
        {
            if (!solver.IsAssigned(v))
            {
                return Lit.Neg(v);
            }
        }

        return Lit.Undef;
    }
}
