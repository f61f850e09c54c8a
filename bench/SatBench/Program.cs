using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using EnvTools.Solve.Sat;

namespace EnvTools.SatBench;

/// <summary>
/// <c>dotnet run -c Release -- gen</c> writes the sudoku CNFs to bench/work/;
/// <c>dotnet run -c Release -- run --case 00|30 --variant a|b [--provider none|resolvo] [--vsids-after N]
/// [--timeout S] [--repeat N] [--opt Name=Value]... [--cnf file.cnf] [--request spec,spec]</c> times SatSolver on one of them.
/// </summary>
internal static class Program
{
    private static readonly string[] Givens =
    {
        "sudoku_0_0 ==5", "sudoku_1_0 ==3", "sudoku_4_0 ==7", "sudoku_0_1 ==6", "sudoku_3_1 ==1", "sudoku_4_1 ==9",
        "sudoku_5_1 ==5", "sudoku_1_2 ==9", "sudoku_2_2 ==8", "sudoku_7_2 ==6", "sudoku_0_3 ==8", "sudoku_4_3 ==6",
        "sudoku_8_3 ==3", "sudoku_0_4 ==4", "sudoku_3_4 ==8", "sudoku_5_4 ==3", "sudoku_8_4 ==1", "sudoku_0_5 ==7",
        "sudoku_4_5 ==2", "sudoku_8_5 ==6", "sudoku_1_6 ==6", "sudoku_6_6 ==2", "sudoku_7_6 ==8", "sudoku_3_7 ==4",
        "sudoku_4_7 ==1", "sudoku_5_7 ==9", "sudoku_8_7 ==5", "sudoku_4_8 ==8", "sudoku_7_8 ==7", "sudoku_8_8 ==9",
    };

    private static int Main(string[] args)
    {
        string root = FindRoot();
        string data = Environment.GetEnvironmentVariable("ENVTOOLS_CONFORMANCE_DATA") is { Length: > 0 } env
            ? env : Path.Combine(root, "..", "shared", "data");
        string repodata = Path.Combine(data, "repodata", "mamba", "repodata", "sudoku.json");
        string work = Path.Combine(root, "bench", "work");
        Directory.CreateDirectory(work);

        if (args.Length > 0 && args[0] == "gen")
        {
            foreach (string c in new[] { "00", "30" })
            {
                foreach (string variant in new[] { "a", "b" })
                {
                    var cnf = Build(repodata, c, variant);
                    foreach (bool ladder in new[] { true, false })
                    {
                        string file = Path.Combine(work, $"sudoku{c}_{variant}_{(ladder ? "ladder" : "pairwise")}.cnf");
                        File.WriteAllText(file, cnf.ToDimacs(ladder));
                        Console.WriteLine($"{file}: {cnf.RecordVars} records, {cnf.Clauses.Count} clauses ({cnf.ImpliedCount} implied) + {cnf.AtMostOne.Count} AMO");
                    }
                }
            }

            foreach (string cell in new[] { "sudoku_4_4", "sudoku_8_8" })
            {
                var cnf = SudokuCnf.Build(repodata, new[] { cell }, 3);
                File.WriteAllText(Path.Combine(work, $"{cell}_b_ladder.cnf"), cnf.ToDimacs(true));
            }

            return 0;
        }

        string caseName = Arg(args, "--case") ?? "00";
        string variantName = Arg(args, "--variant") ?? "b";
        string provider = Arg(args, "--provider") ?? "none";
        long vsidsAfter = long.Parse(Arg(args, "--vsids-after") ?? "4000", CultureInfo.InvariantCulture);
        double timeout = double.Parse(Arg(args, "--timeout") ?? "120", CultureInfo.InvariantCulture);
        int repeat = int.Parse(Arg(args, "--repeat") ?? "1", CultureInfo.InvariantCulture);
        string? cnfFile = Arg(args, "--cnf");
        string? request = Arg(args, "--request");
        var cnfModel = cnfFile is not null ? null
            : request is not null ? SudokuCnf.Build(repodata, request.Split(','), variantName == "b" ? 3 : 0)
            : Build(repodata, caseName, variantName);
        if (request is not null)
        {
            caseName = request;
        }

        for (int r = 0; r < repeat; r++)
        {
            var opts = new SatSolverOptions { TimeLimit = TimeSpan.FromSeconds(timeout) };
            for (int i = 0; i < args.Length - 1; i++)
            {
                if (args[i] == "--opt")
                {
                    SetOption(opts, args[i + 1]);
                }
            }

            var solver = new SatSolver(opts);
            var sw = Stopwatch.StartNew();
            if (cnfModel is not null)
            {
                cnfModel.LoadInto(solver);
                if (provider == "resolvo")
                {
                    solver.DecisionProvider = new ResolvoProvider(cnfModel, vsidsAfter);
                }
            }
            else
            {
                DimacsReader.ParseFile(cnfFile!).LoadInto(solver);
            }

            var result = solver.Solve();
            sw.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"case={cnfFile ?? caseName + variantName} provider={provider} {result} wall={sw.Elapsed.TotalSeconds:F2}s cpu={Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F2}s conflicts={solver.Conflicts} decisions={solver.Decisions} props={solver.Propagations} learnts={solver.LearntCount} peakMB={Process.GetCurrentProcess().PeakWorkingSet64 >> 20}"));
        }

        return 0;
    }

    private static SudokuCnf Build(string repodata, string caseName, string variant) =>
        SudokuCnf.Build(repodata, caseName == "30" ? Givens : new[] { "sudoku_0_0" }, variant == "b" ? 3 : 0);

    private static void SetOption(SatSolverOptions opts, string assignment)
    {
        int eq = assignment.IndexOf('=', StringComparison.Ordinal);
        var prop = typeof(SatSolverOptions).GetProperty(assignment[..eq], BindingFlags.Public | BindingFlags.Instance)
            ?? throw new ArgumentException($"no option {assignment[..eq]}");
        string text = assignment[(eq + 1)..];
        object value = prop.PropertyType.IsEnum
            ? Enum.Parse(prop.PropertyType, text, ignoreCase: true)
            : Convert.ChangeType(text, Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType, CultureInfo.InvariantCulture);
        prop.SetValue(opts, value);
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EnvTools.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
