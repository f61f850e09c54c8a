using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EnvTools.RepoData;
using EnvTools.Solve;
using EnvTools.Tests.Solve;

namespace EnvTools.Bench;

/// <summary>
/// The random-request part of <c>build.ps1 Bench -Suite Solve</c>: seeded realistic requests (the generator the
/// differential test against the real conda uses) on two real channels, EnvTools (index load + solve) and rattler's
/// resolvo (<c>simpleSolve</c>, repodata held in memory by its node process) timed alternately request by request,
/// best of <see cref="Rounds"/> each. <c>ENVTOOLS_BENCH_RANDOM_REQUESTS</c> sets the count per channel (default 300),
/// <c>ENVTOOLS_BENCH_RANDOM_REFERENCE=0</c> times EnvTools alone (for profiling; no ratios then).
/// </summary>
internal static class RandomSolveSuite
{
    private const int DefaultRequests = 300;
    private const int Rounds = 3;
    private const double TimeoutSeconds = 60;

    internal static readonly string[] Linux = { "__glibc=2.28", "__unix=0", "__linux=5.10", "__archspec=1=x86_64" };

    private sealed record Channel(string Id, string Title, string Dir, int Seed);

    private sealed record Sample(string[] Specs, EnvToolsRun EnvTools, double? Reference, string ReferenceStatus);

    internal static string Run(string data, string work, string nodeModules, string root)
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("ENVTOOLS_BENCH_RANDOM_REQUESTS"), out int n) && n > 0 ? n : DefaultRequests;
        var channels = new[]
        {
            new Channel("cf39", "conda-forge python 3.9 subset (linux-64 + noarch, 2,914 records)", Path.Combine(data, "repodata", "conda-forge-subchannel-python3.9-2024-05-16"), 39),
            new Channel("defaults2018", "defaults 2018 (conda's index4.json, 5,643 records)", Path.Combine(SolveChannels.Root(work), "channel-4"), 4),
        };

        var sb = new StringBuilder();
        sb.AppendLine("## Solving random requests (`-Suite Solve`)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Program.Describe()}; node: {Program.ToolVersion("node", "--version")}. Reference: rattler/resolvo, npm `{ReferenceSolver.Package}` {ReferenceSolver.PackageVersion} (WASM `simpleSolve`). The load average when the part started: {LoadAverage()}.");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{count} seeded requests per channel from the generator the differential test against the real conda uses (`tests/EnvTools.Core.Tests/Solve/RequestGenerator.cs`: 1–4 specs drawn with weight toward packages many others depend on, constraints from the channel's real versions, one in eight with a second, maybe conflicting, spec of the first name). For each request EnvTools (`RepoDataIndex.Load` of both subdirs + `CondaSolver.Solve`) and the reference (`simpleSolve`, its node process holding the repodata bytes in memory; it parses them on every call) run alternately, {Rounds} times each; the best of each is kept. **ratio** = EnvTools ÷ reference per request. Targets: median ≤ 0.5×, p90 ≤ 1.0×, none over 2×.");
        sb.AppendLine();
        sb.AppendLine("| channel | requests | solvable / unsat (both) | disagree on solvability | median ratio | p90 | max | over 2× | median ms EnvTools / reference | p90 ms EnvTools / reference |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
        var worst = new StringBuilder();
        foreach (Channel ch in channels)
        {
            EnvToolsSolveRunner.BuildDiskIndexes(new[] { ch.Dir });
            var requests = RequestGenerator.Generate(Load(ch.Dir), count, ch.Seed);
            List<Sample> samples = Measure(ch, requests, nodeModules, work);
            WriteTsv(Path.Combine(work, $"solve-random-{ch.Id}.tsv"), samples);
            sb.AppendLine(Summarise(ch, samples));
            worst.AppendLine(Worst(ch, samples));
        }

        sb.AppendLine();
        sb.Append(worst);
        sb.AppendLine();
        sb.Append(CmdletOverhead.Run(root, channels[0].Dir, new[] { "python=3.9" }));
        return sb.ToString();
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static SolverChannel Load(string dir)
    {
        var sources = new List<IRecordSource>();
        foreach (string subdir in SolveChannels.Subdirs)
        {
            string file = Path.Combine(dir, subdir, "repodata.json");
            if (File.Exists(file))
            {
                sources.Add(new RepoDataIndexSource(RepoDataIndex.Load(file), "c0", subdir));
            }
        }

        return new SolverChannel("c0", sources);
    }

    private static List<Sample> Measure(Channel ch, List<string[]> requests, string nodeModules, string work)
    {
        bool withReference = Environment.GetEnvironmentVariable("ENVTOOLS_BENCH_RANDOM_REFERENCE") != "0";
        using var reference = withReference ? new ReferenceProcess(nodeModules, ch.Dir, work, ch.Id) : null;
        foreach (string[] warmUp in requests.Take(3))
        {
            EnvToolsSolveRunner.Once(new[] { ch.Dir }, warmUp, Linux, TimeoutSeconds);
            reference?.Solve(warmUp);
        }

        var samples = new List<Sample>(requests.Count);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < requests.Count; i++)
        {
            string[] specs = requests[i];
            EnvToolsRun? best = null;
            (double Seconds, string Status)? bestRef = null;
            for (int round = 0; round < Rounds; round++)
            {
                EnvToolsRun e = EnvToolsSolveRunner.Once(new[] { ch.Dir }, specs, Linux, TimeoutSeconds);
                best = best is null || e.Total < best.Total ? e : best;
                if (reference is not null)
                {
                    var r = reference.Solve(specs);
                    bestRef = bestRef is null || r.Seconds < bestRef.Value.Seconds ? r : bestRef;
                }
            }

            samples.Add(new Sample(specs, best!, bestRef?.Seconds, bestRef?.Status ?? "—"));
            if ((i + 1) % 50 == 0)
            {
                Console.WriteLine($"solve random {ch.Id}: {i + 1}/{requests.Count} ({clock.Elapsed.TotalSeconds:F0} s)");
            }
        }

        return samples;
    }

    private static string Summarise(Channel ch, List<Sample> samples)
    {
        int solvable = samples.Count(s => s.EnvTools.Outcome.Status == "ok" && s.ReferenceStatus == "ok");
        int unsat = samples.Count(s => s.EnvTools.Outcome.Status == "unsat" && s.ReferenceStatus == "unsat");
        int disagree = samples.Count(s => s.Reference is not null && (s.EnvTools.Outcome.Status == "ok") != (s.ReferenceStatus == "ok"));
        var ratios = samples.Where(s => s.Reference is > 0).Select(s => s.EnvTools.Total / s.Reference!.Value).Order().ToList();
        var mine = samples.Select(s => s.EnvTools.Total * 1000).Order().ToList();
        var theirs = samples.Where(s => s.Reference is not null).Select(s => s.Reference!.Value * 1000).Order().ToList();
        string R(double? v) => v is null ? "—" : string.Create(CultureInfo.InvariantCulture, $"{v:F2}×");
        string Ms(List<double> xs, double q) => xs.Count == 0 ? "—" : string.Create(CultureInfo.InvariantCulture, $"{Quantile(xs, q):F1}");
        return string.Create(CultureInfo.InvariantCulture,
            $"| {ch.Title} | {samples.Count} | {solvable} / {unsat} | {disagree} | {R(ratios.Count > 0 ? Quantile(ratios, 0.5) : null)} | {R(ratios.Count > 0 ? Quantile(ratios, 0.9) : null)} | {R(ratios.Count > 0 ? ratios[^1] : null)} | {ratios.Count(r => r > 2)} | {Ms(mine, 0.5)} / {Ms(theirs, 0.5)} | {Ms(mine, 0.9)} / {Ms(theirs, 0.9)} |");
    }

    private static string Worst(Channel ch, List<Sample> samples)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Slowest ratios, {ch.Id}:");
        sb.AppendLine();
        var ranked = samples.Where(s => s.Reference is > 0).OrderByDescending(s => s.EnvTools.Total / s.Reference!.Value).Take(5).ToList();
        if (ranked.Count == 0)
        {
            ranked = samples.OrderByDescending(s => s.EnvTools.Total).Take(5).ToList();
        }

        foreach (Sample s in ranked)
        {
            string ratio = s.Reference is > 0 ? string.Create(CultureInfo.InvariantCulture, $"{s.EnvTools.Total / s.Reference.Value:F2}× — ") : string.Empty;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"- {ratio}`{string.Join("` `", s.Specs)}`: EnvTools {s.EnvTools.Total * 1000:F1} ms ({s.EnvTools.Outcome.Status}), reference {(s.Reference is null ? "—" : string.Create(CultureInfo.InvariantCulture, $"{s.Reference * 1000:F1} ms"))} ({s.ReferenceStatus})");
        }

        return sb.ToString();
    }

    private static double Quantile(List<double> sorted, double q)
    {
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (pos - lo));
    }

    private static void WriteTsv(string file, List<Sample> samples)
    {
        using var w = new StreamWriter(file);
        w.WriteLine("specs\tenvtools_ms\tload_ms\tstatus\treference_ms\treference_status");
        foreach (Sample s in samples)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{string.Join(' ', s.Specs.Select(x => x.Replace(' ', '~')))}\t{s.EnvTools.Total * 1000:F2}\t{s.EnvTools.LoadSeconds * 1000:F2}\t{s.EnvTools.Outcome.Status}\t{(s.Reference is null ? "" : (s.Reference.Value * 1000).ToString("F2", CultureInfo.InvariantCulture))}\t{s.ReferenceStatus}"));
        }
    }

    /// <summary>The long-lived node process (scripts/solve_rattler_serve.cjs): one request per line in, one answer out.</summary>
    private sealed class ReferenceProcess : IDisposable
    {
        private readonly Process _p;

        internal ReferenceProcess(string nodeModules, string dir, string work, string id)
        {
            string job = Path.Combine(work, "solve-jobs", $"random-{id}.node.json");
            Directory.CreateDirectory(Path.GetDirectoryName(job)!);
            File.WriteAllText(job, JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["nodeModules"] = nodeModules,
                ["channels"] = new[] { new Dictionary<string, string> { ["name"] = "c0", ["dir"] = dir } },
                ["platforms"] = SolveChannels.Subdirs,
                ["virtualPackages"] = Linux,
            }));
            var psi = new ProcessStartInfo("node")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add("--max-old-space-size=8192");
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "scripts", "solve_rattler_serve.cjs"));
            psi.ArgumentList.Add(job);
            _p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start node");
        }

        internal (double Seconds, string Status) Solve(string[] specs)
        {
            _p.StandardInput.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["specs"] = specs }));
            _p.StandardInput.Flush();
            string? line = _p.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the reference process ended");
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement r = doc.RootElement;
            double seconds = r.GetProperty("seconds").GetDouble();
            string status = r.TryGetProperty("error", out JsonElement err) ? ReferenceSolver.Classify(err.GetString() ?? string.Empty) : "ok";
            return (seconds, status);
        }

        public void Dispose()
        {
            try
            {
                _p.StandardInput.Close();
                if (!_p.WaitForExit(5000))
                {
                    _p.Kill(entireProcessTree: true);
                }
            }
            finally
            {
                _p.Dispose();
            }
        }
    }
}
