using System.Diagnostics;
using System.Text.Json;

namespace EnvTools.Bench;

/// <summary>
/// The benchmark harness (<c>build.ps1 Bench</c>). Not a test: it measures EnvTools side by side with
/// reference tools in the same run and writes docs/benchmarks.md.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        try
        {
            if (args.Length > 0 && args[0] == "--child")
            {
                return ParseSuite.RunChild(args[1..]);
            }

            if (args.Length > 0 && args[0] == "--profile-extract")
            {
                return FetchSuite.Profile(args[1..]);
            }

            if (args.Length > 0 && args[0] == "--solve-child")
            {
                return EnvToolsSolveRunner.RunChild(args[1..]);
            }

            if (args.Length > 0 && args[0] == "--solve-server")
            {
                return EnvToolsSolveRunner.RunServer();
            }

            string suite = ArgValue(args, "--suite") ?? "all";
            string root = Path.GetFullPath(ArgValue(args, "--root") ?? Directory.GetCurrentDirectory());
            if (args.Length > 0 && args[0] == "--install-child")
            {
                return InstallSuite.RunChild(args[1..], Path.Combine(root, "bench", "work"));
            }

            string data = LocateData(root);
            string work = Path.Combine(root, "bench", "work");
            Directory.CreateDirectory(work);

            // On-disk repodata indexes go to bench/work (inherited by the child processes), never into the data
            // folders or the user's cache.
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(EnvTools.RepoData.RepoDataIndexOptions.CacheEnvironmentVariable)))
            {
                Environment.SetEnvironmentVariable(EnvTools.RepoData.RepoDataIndexOptions.CacheEnvironmentVariable, Path.Combine(work, "index-cache"));
            }
            var report = new BenchmarkReport(Path.Combine(root, "docs", "benchmarks.md"));

            if (suite is "parse" or "all")
            {
                report.SetSection("parse", ParseSuite.Run(data, work));
            }

            if (suite is "solve" or "all")
            {
                // ENVTOOLS_BENCH_SOLVE_CASES=random runs the random requests alone; other values pick fixed cases only.
                string? only = Environment.GetEnvironmentVariable("ENVTOOLS_BENCH_SOLVE_CASES");
                if (only != "random")
                {
                    report.SetSection("solve", SolveSuite.Run(data, work, root));
                }

                if (string.IsNullOrEmpty(only) || only == "random")
                {
                    SolveChannels.Ensure(data, work);
                    report.SetSection("solve_random", RandomSolveSuite.Run(data, work, ReferenceSolver.EnsureInstalled(root), root), after: "solve");
                }
            }

            if (suite is "solvecompare")
            {
                // not part of "all": it builds another commit's engine
                string baseRev = ArgValue(args, "--base") ?? "HEAD~1";
                report.SetSection(SolveCompareSuite.Section, SolveCompareSuite.Run(data, work, root, baseRev), after: "solve_random");
            }

            if (suite is "fetch" or "all")
            {
                report.SetSection("fetch", FetchSuite.Run(data, work));
            }

            if (suite is "install" or "all")
            {
                report.SetSection("install", InstallSuite.Run(work));
            }

            if (suite is "mirrors" or "all")
            {
                // the Debian servers (docker-registry, Swift) are needed: without them the suite is skipped, its section kept
                if (MirrorsSuite.SkipReason() is { } skip)
                {
                    Console.WriteLine($"mirrors suite skipped: {skip}");
                }
                else
                {
                    report.SetSection("mirrors", MirrorsSuite.Run(data, work), after: "fetch");
                }
            }

            report.Save();
            Console.WriteLine($"wrote {report.Path}");
            return 0;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"bench failed: {ex}");
            return 1;
        }
    }

    internal static string? ArgValue(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string LocateData(string root)
    {
        string? env = Environment.GetEnvironmentVariable("ENVTOOLS_CONFORMANCE_DATA");
        string candidate = !string.IsNullOrEmpty(env) ? env : Path.Combine(root, "..", "shared", "data");
        if (!Directory.Exists(candidate))
        {
            throw new DirectoryNotFoundException(
                $"the benchmark reads the shared conformance data; set ENVTOOLS_CONFORMANCE_DATA or place it at {candidate}");
        }

        return Path.GetFullPath(candidate);
    }

    internal static string Describe()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?"
            : "?";
        return $"{Environment.ProcessorCount} cores ({cpu}), .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}";
    }

    internal static string ToolVersion(string file, string args)
    {
        try
        {
            var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
            using Process p = Process.Start(psi)!;
            string o = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return o.Trim();
        }
        catch (Exception)
        {
            return "not found";
        }
    }
}
