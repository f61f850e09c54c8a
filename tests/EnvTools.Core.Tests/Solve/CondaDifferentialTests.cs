using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.Solve;
using Xunit;
using Xunit.Abstractions;
using static EnvTools.Tests.Solve.SolveTestUtil;

namespace EnvTools.Tests.Solve;

/// <summary>
/// A seeded differential test against the real conda 25.11.1's classic solver (../shared/realconda, run in one python
/// process by tests/peers/conda_solve.py): random requests on the conda-forge python 3.9 subset and conda's 2018 defaults
/// index (index4) must be solvable by both or by neither, and give the requested packages the same versions. The test
/// suite runs a short sample; <c>ENVTOOLS_DIFF_REQUESTS=300</c> runs more. Needs the real conda's Debian packages
/// (README.md, "Development"): skipped without them, failing under CI=true.
/// </summary>
public class CondaDifferentialTests
{
    private const int DefaultRequests = 12;
    private readonly ITestOutputHelper _output;

    public CondaDifferentialTests(ITestOutputHelper output) => _output = output;

    private static readonly PackageRecord[] Virtuals =
    {
        new() { Name = "__unix", Version = "0", Build = "0" },
        new() { Name = "__linux", Version = "6.1", Build = "0" },
        new() { Name = "__glibc", Version = "2.36", Build = "0" },
        new() { Name = "__archspec", Version = "1", Build = "x86_64" },
    };

    [CondaPeerFact]
    public void CondaForge39_random_requests_agree_with_the_real_conda() =>
        Compare("conda-forge-py39", CondaForge39(), CondaForge39Folder, seed: 39);

    [CondaPeerFact]
    public void Defaults2018_random_requests_agree_with_the_real_conda()
    {
        string folder = Path.Combine(Path.GetTempPath(), "envtools-index4-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            WriteFlatIndexChannel(ConformanceData.PathOf("repodata/conda-tests/index4.json")!, folder);
            Compare("defaults-2018", CondaTestChannel("channel-4"), folder, seed: 4);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private void Compare(string label, SolverChannel channel, string folder, int seed)
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("ENVTOOLS_DIFF_REQUESTS"), out int n) && n > 0 ? n : DefaultRequests;
        var requests = RequestGenerator.Generate(channel, count, seed);
        var answers = CondaOracle.Solve(new Uri(folder).AbsoluteUri, requests);
        var disagreements = new List<string>();
        int solvable = 0;
        for (int i = 0; i < requests.Count; i++)
        {
            string[] specs = requests[i];
            JsonObject conda = answers[i];
            SolveResult? ours = null;
            string? ourError = null;
            try
            {
                ours = CondaSolver.Solve(new SolveRequest { Channels = new[] { channel }, Specs = Specs(specs), VirtualPackages = Virtuals });
            }
            catch (EnvToolsException ex) when (ex is PackagesNotFoundException or UnsatisfiableException)
            {
                ourError = ex.ErrorId;
            }

            bool condaOk = (bool)conda["ok"]!;
            string request = string.Join(' ', specs);
            if (condaOk != (ours is not null))
            {
                disagreements.Add($"[{request}] solvability: conda {(condaOk ? "solves it" : (string?)conda["error"])}, EnvTools {(ours is not null ? "solves it" : ourError)}"
                    + (condaOk ? string.Empty : $" (conda: {((string?)conda["message"])?.Trim().ReplaceLineEndings(" ")})"));
                continue;
            }

            if (ours is null)
            {
                continue;
            }

            solvable++;
            var condaRecords = conda["records"]!.AsArray().Select(x => (string)x!).ToHashSet(StringComparer.Ordinal);
            foreach (string name in specs.Select(s => MatchSpec.Parse(s).Name).Where(x => x != "*").Distinct())
            {
                var mine = ours.Records.FirstOrDefault(r => r.Name == name);
                string? theirs = condaRecords.FirstOrDefault(r => NameOf(r) == name);
                string? theirVersion = theirs is null ? null : VersionOf(theirs);
                if (mine?.Version != theirVersion)
                {
                    disagreements.Add($"[{request}] {name}: conda {theirVersion ?? "(absent)"}, EnvTools {mine?.Version ?? "(absent)"}");
                }
            }
        }

        _output.WriteLine($"{label}: {requests.Count} requests ({solvable} solvable by both), {disagreements.Count} disagreements");
        Assert.True(disagreements.Count == 0, $"{label}: {disagreements.Count} of {requests.Count} requests disagree with the real conda:\n" + string.Join('\n', disagreements));
    }

    private static string NameOf(string nvb) => nvb[..nvb.LastIndexOf('-', nvb.LastIndexOf('-') - 1)];

    private static string VersionOf(string nvb)
    {
        int b = nvb.LastIndexOf('-');
        int v = nvb.LastIndexOf('-', b - 1);
        return nvb[(v + 1)..b];
    }

    /// <summary>conda's flat test index split into a linux-64 and a noarch repodata.json, as SolveTestUtil splits it.</summary>
    private static void WriteFlatIndexChannel(string flatIndex, string folder)
    {
        var arch = new JsonObject();
        var noarch = new JsonObject();
        foreach (var (fn, value) in JsonNode.Parse(File.ReadAllBytes(flatIndex))!.AsObject())
        {
            if (value is not JsonObject rec || rec["name"] is null)
            {
                continue;
            }

            (IsNoarch(rec) ? noarch : arch)[fn] = rec.DeepClone();
        }

        foreach (var (subdir, packages) in new[] { ("linux-64", arch), ("noarch", noarch) })
        {
            Directory.CreateDirectory(Path.Combine(folder, subdir));
            var doc = new JsonObject { ["info"] = new JsonObject { ["subdir"] = subdir }, ["packages"] = packages, ["packages.conda"] = new JsonObject() };
            File.WriteAllText(Path.Combine(folder, subdir, "repodata.json"), doc.ToJsonString());
        }
    }
}

/// <summary>The real conda's classic solver, as an oracle (tests/peers/conda_solve.py in one python process).</summary>
internal static class CondaOracle
{
    public static string? RealCondaDir
    {
        get
        {
            string? data = ConformanceData.Directory;
            string? dir = data is null ? null : Path.GetFullPath(Path.Combine(data, "..", "realconda"));
            return dir is not null && Directory.Exists(Path.Combine(dir, "conda-25.11.1")) ? dir : null;
        }
    }

    /// <summary>Why the oracle cannot run here, or null.</summary>
    public static string? Missing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "Linux (the real conda runs with Debian's python3)";
        }

        if (RealCondaDir is null)
        {
            return "the real conda (../shared/realconda)";
        }

        try
        {
            var psi = new ProcessStartInfo("/usr/bin/python3", "-c \"import pycosat, ruamel.yaml, requests, zstandard, conda_package_streaming, tqdm, pluggy, jsonpatch, distro, packaging, charset_normalizer, toolz\"")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            return p.ExitCode == 0 ? null : "the Debian packages the real conda needs (README.md, \"Development\")";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "/usr/bin/python3";
        }
    }

    public static List<JsonObject> Solve(string channelUrl, IReadOnlyList<string[]> requests)
    {
        string sandbox = Path.Combine(Path.GetTempPath(), "envtools-oracle-" + Guid.NewGuid().ToString("N")[..8]);
        string answers = Path.Combine(sandbox, "answers.jsonl");
        Directory.CreateDirectory(Path.Combine(sandbox, "home"));
        Directory.CreateDirectory(Path.Combine(sandbox, "root", "conda-meta"));
        File.WriteAllText(Path.Combine(sandbox, "condarc"), "solver: classic\nchannels: []\ndefault_channels: []\n");
        try
        {
            string dir = RealCondaDir!;
            string script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "peers", "conda_solve.py"));
            var psi = new ProcessStartInfo("/usr/bin/python3")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (string a in new[] { script, channelUrl, "linux-64", answers })
            {
                psi.ArgumentList.Add(a);
            }

            foreach (var (k, v) in new Dictionary<string, string>
            {
                ["HOME"] = Path.Combine(sandbox, "home"),
                ["CONDARC"] = Path.Combine(sandbox, "condarc"),
                ["CONDA_ROOT_PREFIX"] = Path.Combine(sandbox, "root"),
                ["CONDA_PKGS_DIRS"] = Path.Combine(sandbox, "root", "pkgs"),
                ["CONDA_OFFLINE"] = "true",
                ["CONDA_SOLVER"] = "classic",
                ["CONDA_SUBDIR"] = "linux-64",
                ["CONDA_OVERRIDE_GLIBC"] = "2.36",
                ["CONDA_ADD_PIP_AS_PYTHON_DEPENDENCY"] = "false",
                ["CONDA_UNSATISFIABLE_HINTS_CHECK_DEPTH"] = "0",
                ["PYTHONPATH"] = Path.Combine(dir, "conda-25.11.1") + ":" + Path.Combine(dir, "vendor"),
                ["PYTHONDONTWRITEBYTECODE"] = "1",
            })
            {
                psi.Environment[k] = v;
            }

            foreach (string k in new[] { "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "CONDA_SHLVL", "CONDA_EXE", "CONDA_ENVS_DIRS", "CONDA_CHANNELS" })
            {
                psi.Environment.Remove(k);
            }

            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            foreach (var r in requests)
            {
                p.StandardInput.WriteLine(JsonSerializer.Serialize(r));
            }

            p.StandardInput.Close();
            if (!p.WaitForExit(TimeSpan.FromMinutes(30)))
            {
                p.Kill(true);
                throw new TimeoutException("the real conda did not answer in 30 minutes");
            }

            var lines = File.Exists(answers) ? File.ReadAllLines(answers, Encoding.UTF8) : Array.Empty<string>();
            if (p.ExitCode != 0 || lines.Length != requests.Count)
            {
                throw new InvalidOperationException($"the real conda failed (exit code {p.ExitCode}, {lines.Length} of {requests.Count} answers):\n{stderr.Result}\n{stdout.Result}");
            }

            return lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        }
        finally
        {
            Directory.Delete(sandbox, recursive: true);
        }
    }
}

/// <summary>A fact that needs the real conda: skipped with the reason when it cannot run, failing instead under CI=true.</summary>
public sealed class CondaPeerFactAttribute : FactAttribute
{
    public CondaPeerFactAttribute()
    {
        if (TestPlatform.OnWindows("the real conda runs with Debian's python3") is { } windows)
        {
            Skip = windows;
        }
        else if (ConformanceData.SkipReason is { } noData)
        {
            Skip = noData;
        }
        else if (!ConformanceData.IsCI && CondaOracle.Missing() is { } missing)
        {
            Skip = "the real conda cannot run here: missing " + missing;
        }
    }
}
