using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EnvTools.Conda;
using EnvTools.RepoData;
using EnvTools.Solve;
using EnvTools.Platforms;

namespace EnvTools.Bench;

/// <summary>The engine call Resolve-EnvPackage makes, for scripts/cmdlet_overhead.ps1 (loaded there with Add-Type).</summary>
public static class EngineCall
{
    /// <summary>Loads both subdirs of <paramref name="channel"/> and solves; returns the record count.</summary>
    public static int Solve(string channel, string[] specs, string[] virtuals) =>
        CondaSolver.Solve(new SolveRequest
        {
            Specs = specs.Select(MatchSpec.Parse).ToList(),
            Channels = new[] { new SolverChannel("c0", SolveChannels.Subdirs.Select(s => (IRecordSource)new RepoDataIndexSource(RepoDataIndex.Load(Path.Combine(channel, s, "repodata.json")), "c0", s)).ToList()) },
            VirtualPackages = virtuals.Select(EnvToolsSolveRunner.VirtualPackage).ToList(),
        }).Records.Count;
}

/// <summary>
/// The cmdlet's own overhead over the engine call (part of <c>build.ps1 Bench -Suite Solve</c>): scripts/cmdlet_overhead.ps1
/// in the repository's pwsh (the dotnet tool) with the built module (out/EnvTools), Resolve-EnvPackage and the engine
/// call it makes taking turns in one process.
/// </summary>
internal static class CmdletOverhead
{
    private const int Rounds = 20;

    internal static string Run(string root, string channel, string[] specs)
    {
        string module = Path.Combine(root, "out", "EnvTools", "EnvTools.psd1");
        if (!File.Exists(module))
        {
            return $"Cmdlet overhead: not measured (no built module at {module}; `build.ps1 Bench` builds it first).\n";
        }

        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-File", Path.Combine(AppContext.BaseDirectory, "scripts", "cmdlet_overhead.ps1"),
                     "-Module", module, "-Channel", channel, "-Rounds", Rounds.ToString(CultureInfo.InvariantCulture), "-Spec" })
        {
            psi.ArgumentList.Add(a);
        }

        psi.ArgumentList.Add(string.Join(';', specs));
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start pwsh");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        string line = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? string.Empty;
        if (p.ExitCode != 0 || !line.StartsWith('{'))
        {
            return $"Cmdlet overhead: not measured (pwsh exited {p.ExitCode}: {ReferenceSolver.First(stderr.Result + line)}).\n";
        }

        using JsonDocument doc = JsonDocument.Parse(line);
        double[] engine = doc.RootElement.GetProperty("engine").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double[] cmdlet = doc.RootElement.GetProperty("cmdlet").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double[] diff = cmdlet.Zip(engine, (c, e) => c - e).ToArray();
        double Median(double[] xs)
        {
            var s = xs.Order().ToArray();
            return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
        }

        double overhead = Median(diff);
        Console.WriteLine($"solve: cmdlet overhead {overhead:F1} ms (engine {Median(engine):F1} ms, cmdlet {Median(cmdlet):F1} ms)");
        return string.Create(CultureInfo.InvariantCulture,
            $"""
            ### The cmdlet's own overhead

            `Resolve-EnvPackage {string.Join(' ', specs)} -Channel <cf39 folder> -OverrideChannels -Platform linux-64 -VirtualPackage …` against the engine call it makes (`RepoDataIndex.Load` of each subdir + `CondaSolver.Solve`, in the harness's assembly loaded with Add-Type), taking turns {Rounds} times in one pwsh process after ten warm-up rounds (`bench/EnvTools.Bench/scripts/cmdlet_overhead.ps1`): settings, channel resolution through the repodata cache, virtual packages, output objects and parameter binding. {doc.RootElement.GetProperty("records").GetInt32()} records.

            | engine (median) | cmdlet (median) | overhead: median of per-round differences | target |
            |---:|---:|---:|---|
            | {Median(engine):F1} ms | {Median(cmdlet):F1} ms | **{overhead:F1} ms** | ≤ 10 ms: {(overhead <= 10 ? "met" : "not met")} |


            """);
    }
}
