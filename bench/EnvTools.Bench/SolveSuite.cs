using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EnvTools.Bench;

/// <summary>One benchmark case: local channel folders (highest priority first), specs, virtual packages.</summary>
internal sealed record SolveCase(
    string Id,
    string Group,
    string Title,
    IReadOnlyList<string> Channels,
    IReadOnlyList<string> Specs,
    IReadOnlyList<string> VirtualPackages,
    double TimeoutSeconds = 120,
    bool SudokuGrid = false,
    string? CondaCase = null,
    IReadOnlyList<string>? CondaExpected = null);

/// <summary>
/// Solve benchmark (<c>build.ps1 Bench -Suite Solve</c>): EnvTools' CondaSolver side by side with rattler's
/// resolvo (npm <c>@conda-org/rattler</c> 0.3.5, WASM) on the same local channels, in the same run.
/// </summary>
internal static class SolveSuite
{
    private const int Repeats = 5;
    private const int ReferenceRepeats = 4; // 1 cold + 3 warm
    private const string InkalaGrid = "800000000003600000070090200050007000000045700000100030001000068008500010090000400";

    private static readonly string[] Linux = { "__glibc=2.28", "__unix=0", "__linux=5.10", "__archspec=1=x86_64" };

    internal static string Run(string data, string work, string root)
    {
        string nodeModules = ReferenceSolver.EnsureInstalled(root);
        SolveChannels.Ensure(data, work);
        string scale = CondaForgeScaleGenerator.Ensure(data, work);
        List<SolveCase> cases = Cases(data, work, scale);
        string? only = Environment.GetEnvironmentVariable("ENVTOOLS_BENCH_SOLVE_CASES");
        if (!string.IsNullOrEmpty(only))
        {
            var wanted = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            cases = cases.Where(c => wanted.Any(w => c.Id.StartsWith(w, StringComparison.Ordinal))).ToList();
        }

        var rows = new List<Row>();
        foreach (SolveCase c in cases)
        {
            string job = WriteJob(c, work);
            Console.WriteLine($"solve: {c.Id}: {string.Join(' ', c.Specs.Take(4))}{(c.Specs.Count > 4 ? " …" : string.Empty)}");
            var (scan, scanWall) = EnvToolsSolveRunner.Cold(job, c.TimeoutSeconds, useDiskIndex: false);
            Console.WriteLine($"  EnvTools cold child, no disk index: {EnvToolsSolveRunner.Describe(scan)} (wall {scanWall:F2}s) {scan.Outcome.Error}");
            EnvToolsSolveRunner.BuildDiskIndexes(c.Channels);
            var (cold, coldWall) = EnvToolsSolveRunner.Cold(job, c.TimeoutSeconds);
            Console.WriteLine($"  EnvTools cold child, disk index built: {EnvToolsSolveRunner.Describe(cold)} (wall {coldWall:F2}s) {cold.Outcome.Error}");
            EnvToolsRun warm;
            int runs;
            if (cold.Total > 10 || cold.Outcome.Status is "timeout" or "error")
            {
                (warm, runs) = (cold, 0);
            }
            else
            {
                (warm, runs) = EnvToolsSolveRunner.Warm(c, Repeats);
            }

            Console.WriteLine($"  EnvTools warm: {EnvToolsSolveRunner.Describe(warm)} ({runs} runs)");
            ReferenceResult reference = ReferenceSolver.Run(c, nodeModules, work, ReferenceRepeats);
            Console.WriteLine($"  reference: {reference.Outcome.Status} cold {ReferenceSolver.Seconds(reference.ColdSeconds)} warm {ReferenceSolver.Seconds(reference.WarmSeconds)} {reference.Outcome.Error}");
            rows.Add(new Row(c, cold, coldWall, scan, scanWall, warm, runs, reference));
        }

        TimeoutCheck? timeoutCheck = cases.Any(c => c.Id == "sudoku-mamba-cell") ? CheckTimeout(cases.First(c => c.Id == "sudoku-mamba-cell")) : null;
        return Render(rows, timeoutCheck);
    }

    /// <summary>The fixed cases; <paramref name="scale"/> is the generated conda-forge-scale channel's folder.</summary>
    internal static List<SolveCase> Cases(string data, string work, string scale)
    {
        string ch = SolveChannels.Root(work);
        string cf39 = Path.Combine(data, "repodata", "conda-forge-subchannel-python3.9-2024-05-16");
        string[] pt = { Path.Combine(ch, "pytorch"), Path.Combine(ch, "pytorch-stubs") };
        var list = new List<SolveCase>
        {
            new("conda1-numpy", "conda test index", "channel-1 (index.json, 1,149 records); conda's own expected answer is `test_solve_1` of simple_cases.json", new[] { Path.Combine(ch, "channel-1") }, new[] { "numpy" }, Linux,
                CondaCase: "test_solve_1", CondaExpected: CondaExpectation(data, "test_solve_1")),
            new("conda1-scipy-pandas", "conda test index", "channel-1", new[] { Path.Combine(ch, "channel-1") }, new[] { "scipy", "pandas", "ipython" }, Linux),
            new("conda4-numpy", "conda test index", "channel-4 (index4.json, 5,643 records)", new[] { Path.Combine(ch, "channel-4") }, new[] { "numpy" }, Linux),
            new("conda4-jupyter", "conda test index", "channel-4", new[] { Path.Combine(ch, "channel-4") }, new[] { "jupyter" }, Linux),
            new("conda4-ipython-notebook", "conda test index", "channel-4", new[] { Path.Combine(ch, "channel-4") }, new[] { "ipython-notebook", "scipy", "pandas" }, Linux),
            new("pytorch", "pytorch", "pytorch linux-64 (2,181 records) + generated stubs", pt, new[] { "pytorch" }, Linux),
            new("pytorch-torchvision", "pytorch", "pytorch + stubs", pt, new[] { "pytorch", "torchvision", "torchaudio" }, Linux),
            new("cf39-python", "conda-forge python 3.9 subset", "linux-64 + noarch (2,914 records)", new[] { cf39 }, new[] { "python=3.9" }, Linux),
            new("cf39-python-pip", "conda-forge python 3.9 subset", "linux-64 + noarch", new[] { cf39 }, new[] { "python=3.9", "pip", "setuptools" }, Linux),
            new("scale-python", "conda-forge-scale (generated)", "linux-64 + noarch (501,208 records, 248 MB)", new[] { scale }, new[] { "python=3.9" }, Linux),
            new("scale-python-pip", "conda-forge-scale (generated)", "linux-64 + noarch", new[] { scale }, new[] { "python=3.9", "pip", "setuptools" }, Linux),
            new("scale-python-s171", "conda-forge-scale (generated)", "linux-64 + noarch: the last copy's names", new[] { scale }, new[] { "python_s171=3.9", "pip_s171", "wheel_s171" }, Linux),
            new("sudoku-inkala", "sudoku", "generated correct sudoku channel (729 records): Arto Inkala's \"world's hardest\", 21 givens", new[] { Path.Combine(ch, "sudoku") }, Givens(InkalaGrid), Linux, SudokuGrid: true),
            new("sudoku-empty", "sudoku", "generated correct sudoku channel: `sudoku_0_0` alone", new[] { Path.Combine(ch, "sudoku") }, new[] { "sudoku_0_0" }, Linux, SudokuGrid: true),
            new("sudoku-mamba-30", "sudoku", "mamba's sudoku.json (729 records, unsatisfiable peers): its 30 givens", new[] { Path.Combine(ch, "mamba-sudoku") }, MambaGivens(data), Linux),
            new("sudoku-mamba-cell", "sudoku", "mamba's sudoku.json: `sudoku_0_0` alone", new[] { Path.Combine(ch, "mamba-sudoku") }, new[] { "sudoku_0_0" }, Linux),
        };
        int i = 0;
        foreach (var (name, dir, specs) in SolveChannels.MambaProblemCases(data, work))
        {
            list.Add(new($"mamba-problem-{++i}", "mamba problems", name, new[] { dir }, specs, Linux));
        }

        return list;
    }

    /// <summary>The expected final state of one of conda's simple_cases.json cases, as sorted name-version-build.</summary>
    private static IReadOnlyList<string>? CondaExpectation(string data, string name)
    {
        string file = Path.Combine(data, "solver-cases", "conda-test_solve", "simple_cases.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(file));
        JsonElement cases = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement : doc.RootElement.GetProperty("cases");
        foreach (JsonElement c in cases.EnumerateArray())
        {
            if (c.TryGetProperty("test", out JsonElement n) && n.GetString() == name)
            {
                return c.GetProperty("expected_final_state").EnumerateArray()
                    .Select(e => e.GetString()!.Split("::")[^1]).Order(StringComparer.Ordinal).ToList();
            }
        }

        return null;
    }

    /// <summary>Specs <c>sudoku_X_Y ==v</c> (X = column, Y = row) for the given cells of a row-major 81-character grid.</summary>
    private static string[] Givens(string grid) =>
        Enumerable.Range(0, 81).Where(i => grid[i] != '0').Select(i => $"sudoku_{i % 9}_{i / 9} =={grid[i]}").ToArray();

    private static string[] MambaGivens(string data)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(data, "solver-cases", "mamba_sudoku_case.json")));
        return doc.RootElement.GetProperty("specs").EnumerateArray().Select(s => s.GetString()!).ToArray();
    }

    internal static string WriteJob(SolveCase c, string work)
    {
        string job = Path.Combine(work, "solve-jobs", c.Id + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(job)!);
        File.WriteAllText(job, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["channels"] = c.Channels.Select((d, i) => new Dictionary<string, string> { ["name"] = $"c{i}", ["dir"] = d }).ToArray(),
            ["specs"] = c.Specs,
            ["virtualPackages"] = c.VirtualPackages,
            ["timeoutSeconds"] = c.TimeoutSeconds,
        }));
        return job;
    }

    private sealed record Row(SolveCase Case, EnvToolsRun Cold, double ColdWall, EnvToolsRun Scan, double ScanWall, EnvToolsRun Warm, int Runs, ReferenceResult Reference);

    private sealed record TimeoutCheck(double LimitSeconds, double StoppedAfter, string Status, string? Error);

    /// <summary>SolveRequest.Timeout (what <c>-TimeoutSec</c> sets) on the hardest case: does it stop cleanly and promptly?</summary>
    private static TimeoutCheck CheckTimeout(SolveCase c)
    {
        const double limit = 2;
        EnvToolsRun r = EnvToolsSolveRunner.Once(c.Channels, c.Specs, c.VirtualPackages, limit);
        Console.WriteLine($"solve: timeout check ({limit} s): {EnvToolsSolveRunner.Describe(r)} {r.Outcome.Error}");
        return new TimeoutCheck(limit, r.Total, r.Outcome.Status, r.Outcome.Error);
    }

    private static string Render(List<Row> rows, TimeoutCheck? timeoutCheck)
    {
        var sb = new StringBuilder();
        sb.AppendLine("## Solving (`-Suite Solve`)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Program.Describe()}; node: {Program.ToolVersion("node", "--version")}. Reference: rattler/resolvo, npm `{ReferenceSolver.Package}` {ReferenceSolver.PackageVersion} (WASM `simpleSolve`), fed the same local channel folders through a `fetch` replacement in its node process.");
        sb.AppendLine();
        sb.AppendLine("How to read the columns:");
        sb.AppendLine($"- **EnvTools load**: `RepoDataIndex.Load` of every subdir (maps the raw JSON and reads its on-disk index, built before the timed runs, no record decoded); **solve**: `CondaSolver.Solve` (decodes the names the request reaches, then solves; the decode part, `SolveResult.LoadTime`, is in brackets when there is a result). Best of {Repeats} runs in one process after one warm-up run; each run loads its own indexes. A case slower than 5 s runs once; over 10 s its cold child run stands for it.");
        sb.AppendLine("- **EnvTools cold**: one load + solve in a fresh child process of the harness (wall time of the whole process in brackets, .NET start-up included) that finds the on-disk index (`.etidx`, under bench/work/index-cache) already built; **cold, no index**: the same with the on-disk index disabled (the process reads and scans the JSON), run first.");
        sb.AppendLine($"- **reference cold / warm**: the first `simpleSolve` in a fresh node process (WASM module already compiled at `require`), and the best of the next {ReferenceRepeats - 1} in the same process (skipped when the cold one took over 20 s). `simpleSolve` fetches, parses and solves in one call and builds a new gateway each time, so load and solve cannot be timed apart; warm runs re-read the repodata too.");
        sb.AppendLine("- **ratio** = EnvTools total (load + solve) / reference warm (cold when there is no warm). Target ≤ 0.5×.");
        sb.AppendLine("- **agreement**: same record set (name-version-build, virtual packages left out), both without a solution, or how they differ.");
        sb.AppendLine("- Virtual packages `__glibc=2.28 __unix __linux=5.10 __archspec=1=x86_64` for every case (simpleSolve has no such parameter: they go to it as locked packages).");
        sb.AppendLine();
        foreach (var group in rows.GroupBy(r => r.Case.Group))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"### {group.Key}");
            sb.AppendLine();
            sb.AppendLine("| case | specs | EnvTools load | EnvTools solve | EnvTools total | EnvTools cold | EnvTools cold, no index | reference cold | reference warm | ratio | agreement |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (Row r in group)
            {
                sb.AppendLine(RenderRow(r));
            }

            sb.AppendLine();
            foreach (Row r in group.Where(r => r.Case.Title.Length > 0))
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- `{r.Case.Id}`: {r.Case.Title}.");
            }

            sb.AppendLine();
        }

        RenderTargets(sb, rows, timeoutCheck);
        RenderErrors(sb, rows);
        return sb.ToString();
    }

    private static string RenderRow(Row r)
    {
        SolveCase c = r.Case;
        string specs = c.Group == "sudoku" && c.Specs.Count > 4 ? $"{c.Specs.Count} givens" : string.Join(" ", c.Specs.Select(s => $"`{s}`"));
        EnvToolsRun w = r.Warm;
        string status = w.Outcome.Status == "ok" ? string.Empty : $" ({w.Outcome.Status})";
        string load = r.Runs == 0 && w.Outcome.Status is "timeout" or "error" ? "—" : ReferenceSolver.Format(w.LoadSeconds);
        string solve = w.Outcome.Status is "error" ? "—" : w.Outcome.Status == "ok" ? $"{ReferenceSolver.Format(w.SolveSeconds)} [{ReferenceSolver.Format(w.DecodeSeconds)}]" : ReferenceSolver.Format(w.SolveSeconds);
        string total = w.Outcome.Status is "error" ? "—" : ReferenceSolver.Format(w.Total) + status + (r.Runs is 0 or 1 ? " (1 run)" : string.Empty);
        string cold = r.Cold.Outcome.Status is "error" ? "error" : $"{ReferenceSolver.Format(r.Cold.Total)} ({ReferenceSolver.Format(r.ColdWall)})";
        string scan = r.Scan.Outcome.Status is "error" ? "error" : $"{ReferenceSolver.Format(r.Scan.Total)} ({ReferenceSolver.Format(r.ScanWall)})";
        ReferenceResult f = r.Reference;
        string refStatus = f.Outcome.Status == "ok" ? string.Empty : $" ({f.Outcome.Status})";
        string refCold = f.Outcome.Status == "timeout" ? $"timeout ({f.Outcome.Error})" : ReferenceSolver.Seconds(f.ColdSeconds) + refStatus;
        string refWarm = f.Outcome.Status == "timeout" ? "—" : ReferenceSolver.Seconds(f.WarmSeconds);
        return $"| `{c.Id}` | {specs} | {load} | {solve} | {total} | {cold} | {scan} | {refCold} | {refWarm} | {Ratio(r)} | {Agreement(r)} |";
    }

    private static double? RatioValue(Row r)
    {
        double? reference = r.Reference.WarmSeconds ?? r.Reference.ColdSeconds;
        if (r.Warm.Outcome.Status is "error" or "timeout" || reference is null or <= 0)
        {
            return null;
        }

        return r.Warm.Total / reference.Value;
    }

    private static string Ratio(Row r)
    {
        double? v = RatioValue(r);
        if (v is null)
        {
            return r.Reference.Outcome.Status == "timeout" && r.Warm.Outcome.Status is "ok" or "unsat" ? $"< {r.Warm.Total / r.Case.TimeoutSeconds:F2}×" : "—";
        }

        return string.Create(CultureInfo.InvariantCulture, $"{v:F2}× {(v <= 0.5 ? "✓" : "✗")}");
    }

    private static string Agreement(Row r)
    {
        SolveOutcome e = r.Warm.Outcome;
        SolveOutcome f = r.Reference.Outcome;
        if (e.Status == "ok" && f.Status == "ok")
        {
            string grid = r.Case.SudokuGrid ? $"; grids: EnvTools {SudokuCheck(e.Records)}, reference {SudokuCheck(f.Records)}" : string.Empty;
            if (r.Case.CondaExpected is { } expected)
            {
                grid += $"; conda's `{r.Case.CondaCase}`: EnvTools {(e.Records.SequenceEqual(expected) ? "✓" : "✗")}, reference {(f.Records.SequenceEqual(expected) ? "✓" : "✗")}";
            }

            if (e.Records.SequenceEqual(f.Records))
            {
                return $"same ({e.Records.Count} records){grid}";
            }

            return $"differ (EnvTools / reference): {Differences(e.Records, f.Records, r.Case.Specs)}{grid}";
        }

        if (e.Status == "unsat" && f.Status == "unsat")
        {
            return "both: no solution";
        }

        if (f.Status == "timeout")
        {
            return $"reference timed out; EnvTools: {e.Status}";
        }

        return $"EnvTools {e.Status}, reference {f.Status}";
    }

    /// <summary>Per package name: <c>name v-b / v-b</c> where the two solutions pick different records, requested
    /// names first; a name only one side has shows — on the other.</summary>
    private static string Differences(IReadOnlyList<string> envtools, IReadOnlyList<string> reference, IReadOnlyList<string> specs)
    {
        var requested = specs.Select(s => s.Split(' ', '=', '<', '>', '!')[0].ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        static Dictionary<string, string> ByName(IEnumerable<string> records) => records.ToDictionary(
            r => r[..r.LastIndexOf('-', r.LastIndexOf('-') - 1)],
            r => r[(r.LastIndexOf('-', r.LastIndexOf('-') - 1) + 1)..],
            StringComparer.Ordinal);
        var e = ByName(envtools);
        var f = ByName(reference);
        var diffs = e.Keys.Union(f.Keys).OrderBy(n => requested.Contains(n) ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal)
            .Where(n => !(e.TryGetValue(n, out string? a) && f.TryGetValue(n, out string? b) && a == b))
            .Select(n => $"`{n}` {e.GetValueOrDefault(n, "—")} / {f.GetValueOrDefault(n, "—")}")
            .ToList();
        return string.Join(", ", diffs.Take(8)) + (diffs.Count > 8 ? $" … ({diffs.Count} names differ)" : string.Empty);
    }

    /// <summary>"valid grid" when the records fill all 81 cells without a row, column or box repeat.</summary>
    private static string SudokuCheck(IReadOnlyList<string> records)
    {
        var grid = new int[9, 9];
        foreach (string rec in records)
        {
            string[] p = rec.Split('-');
            string[] xy = p[0].Split('_');
            grid[int.Parse(xy[1], CultureInfo.InvariantCulture), int.Parse(xy[2], CultureInfo.InvariantCulture)] = int.Parse(p[1], CultureInfo.InvariantCulture);
        }

        for (int a = 0; a < 9; a++)
        {
            for (int b = 0; b < 9; b++)
            {
                if (grid[a, b] == 0)
                {
                    return "incomplete";
                }

                for (int x = 0; x < 9; x++)
                {
                    for (int y = 0; y < 9; y++)
                    {
                        bool peer = (x == a || y == b || (x / 3 == a / 3 && y / 3 == b / 3)) && !(x == a && y == b);
                        if (peer && grid[x, y] == grid[a, b])
                        {
                            return "invalid";
                        }
                    }
                }
            }
        }

        return "valid";
    }

    private static void RenderTargets(StringBuilder sb, List<Row> rows, TimeoutCheck? timeoutCheck)
    {
        sb.AppendLine("### Targets (issue 3)");
        sb.AppendLine();
        var measured = rows.Where(r => RatioValue(r) is not null).ToList();
        var over = measured.Where(r => RatioValue(r) > 0.5).ToList();
        var unmeasured = rows.Where(r => RatioValue(r) is null).ToList();
        sb.AppendLine(
            $"- {(over.Count == 0 && unmeasured.Count == 0 && measured.Count > 0 ? "✓" : "✗")} load + solve ≤ 0.5× the reference's warm time on every case: {measured.Count - over.Count} of {rows.Count} cases meet it"
            + (over.Count > 0 ? $"; over: {string.Join(", ", over.Select(r => $"`{r.Case.Id}` {RatioValue(r):F2}×"))}" : string.Empty)
            + (unmeasured.Count > 0 ? $"; no ratio: {string.Join(", ", unmeasured.Select(r => $"`{r.Case.Id}`"))}" : string.Empty) + ".");

        var unsat = rows.Where(r => r.Case.Group == "mamba problems" || r.Case.Id == "sudoku-mamba-30").ToList();
        if (unsat.Count > 0)
        {
            bool ok = unsat.All(r => r.Warm.Outcome.Status == "unsat" && r.Warm.Total < 1);
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"- {(ok ? "✓" : "✗")} unsatisfiability proofs of mamba's problems and the 30-given sudoku < 1 s: {string.Join(", ", unsat.Select(r => $"`{r.Case.Id}` {r.Warm.Outcome.Status} in {ReferenceSolver.Format(r.Warm.Total)}"))}.");
        }

        Row? cell = rows.FirstOrDefault(r => r.Case.Id == "sudoku-mamba-cell");
        if (cell is not null)
        {
            bool ok = cell.Warm.Outcome.Status is "ok" or "unsat" && cell.Warm.Total <= 15;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"- {(ok ? "✓" : "✗")} `sudoku_0_0` on mamba's channel ≤ 15 s: EnvTools {cell.Warm.Outcome.Status} after {ReferenceSolver.Format(cell.Warm.Total)} (limit {cell.Case.TimeoutSeconds:F0} s); reference {(cell.Reference.Outcome.Status == "timeout" ? $"timeout ({cell.Reference.Outcome.Error})" : $"{cell.Reference.Outcome.Status} after {ReferenceSolver.Seconds(cell.Reference.ColdSeconds)}")}.");
        }

        if (timeoutCheck is not null)
        {
            bool ok = timeoutCheck.Status == "timeout" && timeoutCheck.StoppedAfter <= timeoutCheck.LimitSeconds + 1;
            bool finished = timeoutCheck.Status is "ok" or "unsat";
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"- {(ok ? "✓" : finished ? "–" : "✗")} `SolveRequest.Timeout` (what `-TimeoutSec` sets) of {timeoutCheck.LimitSeconds:F0} s on `sudoku_0_0`: {(finished ? $"not exercised, the solve finished first ({timeoutCheck.Status})" : $"{timeoutCheck.Status}")} after {ReferenceSolver.Format(timeoutCheck.StoppedAfter)}{(timeoutCheck.Error is null ? string.Empty : $" — {timeoutCheck.Error.TrimEnd('.')}")}.");
        }

        Row? scale = rows.FirstOrDefault(r => r.Case.Id == "scale-python");
        if (scale is not null)
        {
            bool ok = scale.Cold.Outcome.Status == "ok" && scale.Cold.Total <= 0.5;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"- {(ok ? "✓" : "✗")} `python=3.9` on the conda-forge-scale channel ≤ 0.5 s end to end in a process that finds the on-disk index already built: a fresh process: load {ReferenceSolver.Format(scale.Cold.LoadSeconds)} + solve {ReferenceSolver.Format(scale.Cold.SolveSeconds)} = {ReferenceSolver.Format(scale.Cold.Total)} (whole process {ReferenceSolver.Format(scale.ColdWall)}); without the index {ReferenceSolver.Format(scale.Scan.Total)} (whole process {ReferenceSolver.Format(scale.ScanWall)}); warm in-process {ReferenceSolver.Format(scale.Warm.Total)}. Reference: cold {ReferenceSolver.Seconds(scale.Reference.ColdSeconds)}, warm {ReferenceSolver.Seconds(scale.Reference.WarmSeconds)}.");
        }

        sb.AppendLine();
    }

    private static bool Noteworthy(SolveOutcome o) =>
        o.Error is not null && (o.Status != "unsat" || o.Error.StartsWith("proof found", StringComparison.Ordinal));

    private static void RenderErrors(StringBuilder sb, List<Row> rows)
    {
        var notes = rows.Where(r => Noteworthy(r.Warm.Outcome) || r.Reference.Outcome.Status == "error").ToList();
        if (notes.Count == 0)
        {
            return;
        }

        sb.AppendLine("### Errors and notes");
        sb.AppendLine();
        foreach (Row r in notes)
        {
            if (Noteworthy(r.Warm.Outcome))
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- `{r.Case.Id}` EnvTools: {r.Warm.Outcome.Error!.Replace("|", "\\|", StringComparison.Ordinal)}");
            }

            if (r.Reference.Outcome.Status == "error")
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- `{r.Case.Id}` reference: {r.Reference.Outcome.Error?.Replace("|", "\\|", StringComparison.Ordinal)}");
            }
        }

        sb.AppendLine();
    }
}
