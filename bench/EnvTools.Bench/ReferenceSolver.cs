using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace EnvTools.Bench;

/// <summary>What one solver produced for one case.</summary>
/// <param name="Status">ok, unsat (no solution), timeout, error or skipped.</param>
/// <param name="Records">The solution as sorted <c>name-version-build</c> strings, virtual packages left out.</param>
/// <param name="Error">The error text (first line or so), when there is one.</param>
internal sealed record SolveOutcome(string Status, IReadOnlyList<string> Records, string? Error)
{
    internal static SolveOutcome Timeout(string why) => new("timeout", Array.Empty<string>(), why);
}

/// <summary>The reference's figures for one case.</summary>
internal sealed record ReferenceResult(SolveOutcome Outcome, double ModuleSeconds, double? ColdSeconds, double? WarmSeconds, double FetchSeconds, long FetchBytes);

/// <summary>
/// Runs rattler's resolvo (npm <c>@conda-org/rattler</c>, WASM <c>simpleSolve</c>) in a node child process per case:
/// the first solve in that process is the cold figure, the best later one the warm figure. simpleSolve fetches,
/// parses and solves in one call, so its load and solve cannot be timed apart; the time spent in the fetch
/// replacement (reading the files) is reported separately.
/// </summary>
internal static class ReferenceSolver
{
    internal const string Package = "@conda-org/rattler";
    internal const string PackageVersion = "0.3.5";

    /// <summary>Installs the npm package into bench/node_modules when it is missing (npm ci from the lock file).</summary>
    internal static string EnsureInstalled(string root)
    {
        string bench = Path.Combine(root, "bench");
        string nodeModules = Path.Combine(bench, "node_modules");
        if (!File.Exists(Path.Combine(nodeModules, "@conda-org", "rattler", "package.json")))
        {
            Console.WriteLine($"solve: installing {Package} {PackageVersion} with npm into {bench} ...");
            bool locked = File.Exists(Path.Combine(bench, "package-lock.json"));
            var psi = new ProcessStartInfo("npm") { WorkingDirectory = bench, UseShellExecute = false };
            foreach (string a in locked ? new[] { "ci", "--no-audit", "--no-fund" } : new[] { "install", "--no-audit", "--no-fund" })
            {
                psi.ArgumentList.Add(a);
            }

            using Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start npm");
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm failed ({p.ExitCode}) installing {Package}");
            }
        }

        return nodeModules;
    }

    internal static ReferenceResult Run(SolveCase c, string nodeModules, string work, int repeats)
    {
        string job = Path.Combine(work, "solve-jobs", c.Id + ".node.json");
        Directory.CreateDirectory(Path.GetDirectoryName(job)!);
        File.WriteAllText(job, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["nodeModules"] = nodeModules,
            ["channels"] = c.Channels.Select((d, i) => new Dictionary<string, string> { ["name"] = $"c{i}", ["dir"] = d }).ToArray(),
            ["specs"] = c.Specs,
            ["platforms"] = SolveChannels.Subdirs,
            ["virtualPackages"] = c.VirtualPackages,
            ["repeats"] = repeats,
            ["warmIfColdBelowSeconds"] = 20,
        }));

        string script = Path.Combine(AppContext.BaseDirectory, "scripts", "solve_rattler.cjs");
        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--max-old-space-size=8192");
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(job);
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start node");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        var sw = Stopwatch.StartNew();
        if (!p.WaitForExit(TimeSpan.FromSeconds(c.TimeoutSeconds + 30)))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new ReferenceResult(SolveOutcome.Timeout($"killed after {sw.Elapsed.TotalSeconds:F0} s"), 0, null, null, 0, 0);
        }

        string line = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? string.Empty;
        if (p.ExitCode != 0 || !line.StartsWith('{'))
        {
            return new ReferenceResult(new SolveOutcome("error", Array.Empty<string>(), $"node exited {p.ExitCode}: {First(stderr.Result + line)}"), 0, null, null, 0, 0);
        }

        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement root = doc.RootElement;
        var runs = root.GetProperty("runs").EnumerateArray().ToList();
        JsonElement first = runs[0];
        SolveOutcome outcome = first.TryGetProperty("error", out JsonElement err)
            ? new SolveOutcome(Classify(err.GetString()!), Array.Empty<string>(), First(err.GetString()!))
            : new SolveOutcome("ok", first.GetProperty("records").EnumerateArray().Select(r => r.GetString()!).ToList(), null);
        double cold = first.GetProperty("seconds").GetDouble();
        double? warm = runs.Count > 1 ? runs.Skip(1).Min(r => r.GetProperty("seconds").GetDouble()) : null;
        JsonElement fetchRun = runs.Count > 1 ? runs.Skip(1).MinBy(r => r.GetProperty("seconds").GetDouble()) : first;
        return new ReferenceResult(outcome, root.GetProperty("moduleSeconds").GetDouble(), cold, warm,
            fetchRun.GetProperty("fetchSeconds").GetDouble(), fetchRun.GetProperty("fetchBytes").GetInt64());
    }

    internal static string Classify(string error) =>
        error.Contains("Cannot solve the request", StringComparison.OrdinalIgnoreCase)
        || error.Contains("cannot be installed", StringComparison.OrdinalIgnoreCase)
        || error.Contains("No candidates were found", StringComparison.OrdinalIgnoreCase)
            ? "unsat"
            : "error";

    internal static string First(string text)
    {
        string t = text.Replace("\r", string.Empty, StringComparison.Ordinal).Trim();
        string[] lines = t.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string s = string.Join(" / ", lines.Take(2)).Trim();
        return s.Length > 160 ? s[..160] + "…" : s;
    }

    internal static string Seconds(double? s) => s is null ? "—" : Format(s.Value);

    internal static string Format(double s) => s switch
    {
        < 0.001 => string.Create(CultureInfo.InvariantCulture, $"{s * 1000:F2} ms"),
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{s * 1000:F0} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{s:F2} s"),
    };
}
