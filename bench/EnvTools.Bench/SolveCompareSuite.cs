using System.Globalization;
using System.Text;

namespace EnvTools.Bench;

/// <summary>
/// Same-run before/after comparison of the solver (<c>build.ps1 Bench -Suite SolveCompare [-Base REV]</c>): the
/// fixed cases of <see cref="SolveSuite"/> (no reference solver) in two warm child processes, one running the base
/// commit's EnvTools.Core.dll and one the current one, alternating side by side, case by case and round by round.
/// </summary>
internal static class SolveCompareSuite
{
    internal const string Section = "solve_compare";
    private const int Rounds = 11;

    internal static string Run(string data, string work, string root, string baseRev)
    {
        var (baseCommit, baseSubject) = BaseEngine.Resolve(root, baseRev);
        string current = BaseEngine.Current(root);
        string baseBin = BaseEngine.Prepare(root, work, baseCommit);
        SolveChannels.Ensure(data, work);
        string? scale = CondaForgeScaleGenerator.Existing(work);
        List<SolveCase> cases = SolveSuite.Cases(data, work, scale ?? string.Empty)
            .Where(c => scale is not null || !c.Id.StartsWith("scale-", StringComparison.Ordinal)).ToList();
        string? only = Environment.GetEnvironmentVariable("ENVTOOLS_BENCH_SOLVE_CASES");
        if (!string.IsNullOrEmpty(only))
        {
            string[] wanted = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            cases = cases.Where(c => wanted.Any(w => c.Id.StartsWith(w, StringComparison.Ordinal))).ToList();
        }

        string[] jobs = cases.Select(c => SolveSuite.WriteJob(c, work)).ToArray();
        string loadBefore = LoadAverage();
        var rows = cases.Select(c => new Row(c)).ToList();
        string caches = Path.Combine(work, "solve-compare");
        using (var baseSide = new SolveServer("base", baseBin, Path.Combine(caches, "index-cache-base")))
        using (var currentSide = new SolveServer("current", AppContext.BaseDirectory, Path.Combine(caches, "index-cache-current")))
        {
            if (baseSide.Engine == currentSide.Engine)
            {
                throw new InvalidOperationException($"both sides loaded the same EnvTools.Core.dll (module {baseSide.Engine}): {baseCommit} and the current engine compile alike");
            }

            // round 0 is the warm-up (JIT, on-disk indexes built); its answers are checked, its times dropped
            for (int round = 0; round <= Rounds; round++)
            {
                Console.WriteLine(round == 0 ? "solve compare: warm-up round" : $"solve compare: round {round} of {Rounds}");
                for (int i = 0; i < cases.Count; i++)
                {
                    // the side that goes first alternates by case and by round
                    bool baseFirst = (round + i) % 2 == 0;
                    EnvToolsRun a = (baseFirst ? baseSide : currentSide).Run(jobs[i]);
                    EnvToolsRun b = (baseFirst ? currentSide : baseSide).Run(jobs[i]);
                    rows[i].Add(round > 0, baseFirst ? a : b, baseFirst ? b : a);
                }
            }
        }

        var runs = rows.Select(r => r.Summarize()).ToList();
        foreach (Summary s in runs)
        {
            Console.WriteLine($"  {s.Case.Id}: base {Ms(s.BaseBest)} / current {Ms(s.CurrentBest)} (best), {Ms(s.BaseMedian)} / {Ms(s.CurrentMedian)} (median); {s.Answer}");
        }

        return Render(runs, baseCommit, baseSubject, current, loadBefore, LoadAverage(), scale is not null);
    }

    private static string Render(List<Summary> rows, string baseCommit, string baseSubject, string current, string loadBefore, string loadAfter, bool withScale)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"## Solve: this commit against {baseCommit} (`-Suite SolveCompare`)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Program.Describe()}; load average (1, 5, 15 min) {loadBefore} before, {loadAfter} after. Base: `{baseCommit}` ({baseSubject.Replace("|", "\\|", StringComparison.Ordinal)}); current: `{current}`.");
        sb.AppendLine();
        sb.AppendLine("How: `dotnet pwsh ./build.ps1 Bench -Suite SolveCompare [-Base REV]` (default base `HEAD~1`) builds the base commit's `src/EnvTools.Core` in a temporary `git worktree` (removed afterwards) and runs the harness twice as warm child processes (`--solve-server`), one with the base commit's EnvTools.Core.dll in place of the current one. Both get the same job files: the fixed cases of `-Suite Solve` without the reference solver"
            + (withScale ? string.Empty : " (the conda-forge-scale cases only when `-Suite Solve` has generated that channel; not this time)") + ".");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Each time is one `RepoDataIndex.Load` of every subdir + `CondaSolver.Solve`, timed in the child; each side has its own on-disk index folder. One warm-up round, then {Rounds} rounds; within a round the two sides run each case back to back, the side that goes first alternating by case and by round. **ratio** = current / base (below 1: the current commit is faster). **answer**: both sides gave the same installed name-version-build set in every run (or both no solution).");
        sb.AppendLine();
        sb.AppendLine("| case | specs | base best | current best | ratio | base median | current median | ratio | answer |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (Summary r in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| `{r.Case.Id}` | {Specs(r.Case)} | {Ms(r.BaseBest)} | {Ms(r.CurrentBest)} | {Ratio(r.CurrentBest, r.BaseBest)} | {Ms(r.BaseMedian)} | {Ms(r.CurrentMedian)} | {Ratio(r.CurrentMedian, r.BaseMedian)} | {r.Answer} |");
        }

        double bb = rows.Sum(r => r.BaseBest), cb = rows.Sum(r => r.CurrentBest), bm = rows.Sum(r => r.BaseMedian), cm = rows.Sum(r => r.CurrentMedian);
        int same = rows.Count(r => r.Same);
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"| **sum** | {rows.Count} cases | **{Ms(bb)}** | **{Ms(cb)}** | **{Ratio(cb, bb)}** | **{Ms(bm)}** | **{Ms(cm)}** | **{Ratio(cm, bm)}** | {same} of {rows.Count} the same |");
        sb.AppendLine();
        return sb.ToString();
    }

    private static string Specs(SolveCase c) =>
        c.Specs.Count > 4 ? $"{c.Specs.Count} specs" : string.Join(" ", c.Specs.Select(s => $"`{s}`"));

    private static string Ms(double seconds) => ReferenceSolver.Format(seconds);

    private static string Ratio(double current, double baseline) =>
        baseline > 0 ? string.Create(CultureInfo.InvariantCulture, $"{current / baseline:F2}×") : "—";

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private sealed record Summary(SolveCase Case, double BaseBest, double CurrentBest, double BaseMedian, double CurrentMedian, bool Same, string Answer);

    /// <summary>One case's timed runs on both sides, and whether their answers ever differed.</summary>
    private sealed class Row(SolveCase c)
    {
        private readonly List<double> _base = new();
        private readonly List<double> _current = new();
        private string? _difference;
        private SolveOutcome? _answer;

        internal void Add(bool timed, EnvToolsRun baseRun, EnvToolsRun currentRun)
        {
            _answer ??= baseRun.Outcome;
            _difference ??= Differ(baseRun.Outcome, currentRun.Outcome) ?? Differ(_answer, currentRun.Outcome);
            if (timed)
            {
                _base.Add(baseRun.Total);
                _current.Add(currentRun.Total);
            }
        }

        internal Summary Summarize()
        {
            SolveOutcome first = _answer ?? throw new InvalidOperationException("no run");
            string answer = _difference is not null ? $"✗ {_difference}"
                : first.Status == "ok" ? $"same ({first.Records.Count} records)"
                : first.Status == "unsat" ? "same (no solution)"
                : $"✗ both {first.Status}: {first.Error?.Replace("|", "\\|", StringComparison.Ordinal)}";
            bool same = _difference is null && first.Status is "ok" or "unsat";
            return new Summary(c, _base.Min(), _current.Min(), Median(_base), Median(_current), same, answer);
        }

        private static string? Differ(SolveOutcome a, SolveOutcome b)
        {
            if (a.Status != b.Status)
            {
                return $"base {a.Status}, current {b.Status}";
            }

            if (a.Status != "ok")
            {
                return null;
            }

            var onlyBase = a.Records.Except(b.Records, StringComparer.Ordinal).ToList();
            var onlyCurrent = b.Records.Except(a.Records, StringComparer.Ordinal).ToList();
            return onlyBase.Count == 0 && onlyCurrent.Count == 0
                ? null
                : $"differ: base only {string.Join(", ", onlyBase.Take(3))}; current only {string.Join(", ", onlyCurrent.Take(3))}";
        }

        private static double Median(List<double> xs)
        {
            var s = xs.Order().ToList();
            return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
        }
    }
}
