using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EnvTools.Conda;
using EnvTools.RepoData;
using EnvTools.Solve;
using EnvTools.Platforms;

namespace EnvTools.Bench;

/// <summary>One EnvTools solve: load (RepoDataIndex.Load per subdir) and solve (CondaSolver.Solve) timed apart.</summary>
/// <param name="DecodeSeconds">The engine's own <see cref="SolveResult.LoadTime"/> (decoding the reachable names; part of the solve).</param>
internal sealed record EnvToolsRun(SolveOutcome Outcome, double LoadSeconds, double SolveSeconds, double DecodeSeconds)
{
    internal double Total => LoadSeconds + SolveSeconds;
}

/// <summary>The EnvTools side of the solve benchmark.</summary>
internal static class EnvToolsSolveRunner
{
    /// <summary>Warm figures: one untimed warm-up run, then the best of <paramref name="repeats"/> runs in this
    /// process, each loading its own indexes. A case whose warm-up takes over 5 s is run only once.</summary>
    internal static (EnvToolsRun Best, int Runs) Warm(SolveCase c, int repeats)
    {
        EnvToolsRun first = Once(c.Channels, c.Specs, c.VirtualPackages, c.TimeoutSeconds);
        if (first.Total > 5)
        {
            return (first, 1);
        }

        EnvToolsRun best = first;
        for (int i = 0; i < repeats; i++)
        {
            EnvToolsRun r = Once(c.Channels, c.Specs, c.VirtualPackages, c.TimeoutSeconds);
            best = i == 0 || r.Total < best.Total ? r : best;
            GC.Collect();
        }

        return (best, repeats);
    }

    /// <summary>Cold figure: a fresh child process (this harness, <c>--solve-child job.json</c>) loads and solves once.</summary>
    internal static (EnvToolsRun Run, double WallSeconds) Cold(string jobFile, double timeoutSeconds, bool useDiskIndex = true)
    {
        string self = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(self)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(EnvToolsSolveRunner).Assembly.Location);
        }

        psi.ArgumentList.Add("--solve-child");
        psi.ArgumentList.Add(jobFile);
        if (!useDiskIndex)
        {
            psi.ArgumentList.Add("--no-disk-index");
        }
        var sw = Stopwatch.StartNew();
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the child");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds + 30)))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return (new EnvToolsRun(SolveOutcome.Timeout("child killed"), 0, sw.Elapsed.TotalSeconds, 0), sw.Elapsed.TotalSeconds);
        }

        double wall = sw.Elapsed.TotalSeconds;
        string line = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? string.Empty;
        if (p.ExitCode != 0 || !line.StartsWith('{'))
        {
            return (new EnvToolsRun(new SolveOutcome("error", Array.Empty<string>(), ReferenceSolver.First(stderr.Result + line)), 0, 0, 0), wall);
        }

        return (ParseLine(line), wall);
    }

    /// <summary>One JSON line of <see cref="RunJob"/> back as a run.</summary>
    internal static EnvToolsRun ParseLine(string line)
    {
        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement r = doc.RootElement;
        var outcome = new SolveOutcome(
            r.GetProperty("status").GetString()!,
            r.GetProperty("records").EnumerateArray().Select(x => x.GetString()!).ToList(),
            r.TryGetProperty("error", out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null);
        return new EnvToolsRun(outcome, r.GetProperty("load").GetDouble(), r.GetProperty("solve").GetDouble(), r.GetProperty("decode").GetDouble());
    }

    /// <summary>Child mode: <c>--solve-child job.json</c> (the job file the reference reads too); prints one JSON line.</summary>
    internal static int RunChild(string[] args)
    {
        Console.WriteLine(RunJob(args[0], useDiskIndex: !args.Contains("--no-disk-index")));
        return 0;
    }

    /// <summary>Server mode (<c>--solve-server</c>, the SolveCompare suite's children): one job file path per line
    /// on stdin, one JSON line per job on stdout, until stdin closes. The process stays warm between jobs.</summary>
    internal static int RunServer()
    {
        // first line: which engine this process runs, so that the parent can tell the two sides apart
        Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["engine"] = typeof(CondaSolver).Assembly.ManifestModule.ModuleVersionId.ToString(),
        }));
        Console.Out.Flush();
        while (Console.In.ReadLine() is { } jobFile)
        {
            if (jobFile.Length > 0)
            {
                Console.Out.WriteLine(RunJob(jobFile, useDiskIndex: true));
                Console.Out.Flush();
                GC.Collect();
            }
        }

        return 0;
    }

    /// <summary>Loads and solves one job file once; the run as one JSON line.</summary>
    private static string RunJob(string jobFile, bool useDiskIndex)
    {
        using JsonDocument job = JsonDocument.Parse(File.ReadAllBytes(jobFile));
        JsonElement j = job.RootElement;
        EnvToolsRun run = Once(
            j.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("dir").GetString()!).ToArray(),
            j.GetProperty("specs").EnumerateArray().Select(s => s.GetString()!).ToArray(),
            j.GetProperty("virtualPackages").EnumerateArray().Select(s => s.GetString()!).ToArray(),
            j.GetProperty("timeoutSeconds").GetDouble(),
            useDiskIndex);
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["status"] = run.Outcome.Status,
            ["records"] = run.Outcome.Records,
            ["error"] = run.Outcome.Error,
            ["load"] = run.LoadSeconds,
            ["solve"] = run.SolveSeconds,
            ["decode"] = run.DecodeSeconds,
        });
    }

    /// <summary>Loads every subdir of the channels once, so that the on-disk indexes exist.</summary>
    internal static void BuildDiskIndexes(IReadOnlyList<string> channelDirs)
    {
        foreach (string dir in channelDirs)
        {
            foreach (string subdir in SolveChannels.Subdirs)
            {
                string file = Path.Combine(dir, subdir, "repodata.json");
                if (File.Exists(file))
                {
                    RepoDataIndex.Load(file);
                }
            }
        }
    }

    internal static EnvToolsRun Once(IReadOnlyList<string> channelDirs, IReadOnlyList<string> specs, IReadOnlyList<string> virtualPackages, double timeoutSeconds, bool useDiskIndex = true)
    {
        var indexOptions = useDiskIndex ? RepoDataIndexOptions.Default : new RepoDataIndexOptions { UseDiskIndex = false };
        var sw = Stopwatch.StartNew();
        var channels = new List<SolverChannel>();
        for (int i = 0; i < channelDirs.Count; i++)
        {
            var sources = new List<IRecordSource>();
            foreach (string subdir in SolveChannels.Subdirs)
            {
                string file = Path.Combine(channelDirs[i], subdir, "repodata.json");
                if (File.Exists(file))
                {
                    sources.Add(new RepoDataIndexSource(RepoDataIndex.Load(file, null, indexOptions), $"c{i}", subdir));
                }
            }

            channels.Add(new SolverChannel($"c{i}", sources));
        }

        double load = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var request = new SolveRequest
        {
            Specs = specs.Select(MatchSpec.Parse).ToList(),
            Channels = channels,
            VirtualPackages = virtualPackages.Select(VirtualPackage).ToList(),
            Timeout = TimeSpan.FromSeconds(timeoutSeconds),
        };
        try
        {
            SolveResult result = CondaSolver.Solve(request);
            double solve = sw.Elapsed.TotalSeconds;
            var records = result.Records.Where(r => !r.Name.StartsWith("__", StringComparison.Ordinal))
                .Select(r => $"{r.Name}-{r.Version}-{r.Build}").Order(StringComparer.Ordinal).ToList();
            return new EnvToolsRun(new SolveOutcome("ok", records, null), load, solve, result.LoadTime.TotalSeconds);
        }
        catch (Exception ex)
        {
            double solve = sw.Elapsed.TotalSeconds;
            string status = ex switch
            {
                UnsatisfiableException or PackagesNotFoundException => "unsat",
                EnvToolsException { ErrorId: "SolveTimeout" } => "timeout",
                _ => "error",
            };
            string text = ex is EnvToolsException et ? $"{et.ErrorId}: {ex.Message}" : $"{ex.GetType().Name}: {ex.Message}";
            if (status == "unsat" && solve >= timeoutSeconds * 0.99)
            {
                // CondaSolver proves unsatisfiability, then searches again with proof tracking to explain it; when that
                // second search reaches the time limit it still reports Unsatisfiable, blaming every requested spec.
                text = $"proof found, explanation cut at the {timeoutSeconds:F0} s limit — {text}";
            }

            return new EnvToolsRun(new SolveOutcome(status, Array.Empty<string>(), ReferenceSolver.First(text)), load, solve, 0);
        }
    }

    /// <summary><c>__glibc=2.28</c>, <c>__unix</c>, <c>__archspec=1=x86_64</c> as records.</summary>
    internal static PackageRecord VirtualPackage(string spec)
    {
        string[] p = spec.Split('=');
        return new PackageRecord
        {
            Name = p[0],
            Version = p.Length > 1 ? p[1] : "0",
            Build = p.Length > 2 ? p[2] : "0",
            BuildNumber = 0,
            Subdir = "linux-64",
        };
    }

    internal static string Describe(EnvToolsRun r) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.Outcome.Status} load {r.LoadSeconds:F3}s solve {r.SolveSeconds:F3}s");
}
