using Xunit;
using Xunit.Abstractions;

namespace EnvTools.Tests.Fuzz;

/// <summary>
/// The short seeded fuzz run of the suite (every target, a fixed seed, a bounded number of inputs)
/// and the replay of the regression inputs kept under <c>Fuzz/regressions/&lt;target&gt;/</c>.
/// <c>build.ps1 Fuzz</c> runs the same targets longer with a random seed (ENVTOOLS_FUZZ_ITERATIONS,
/// ENVTOOLS_FUZZ_SEED); new findings are written to <c>out/fuzz-findings</c> for a developer to fix and keep.
/// </summary>
[Collection(FuzzCollection.Name)]
public class FuzzTests(ITestOutputHelper output)
{
    private const int ShortSeed = 16;

    // Targets whose seeds all come from the conformance data.
    private static readonly HashSet<string> NeedsData = ["version", "repodata-json", "repodata-zst", "repodata-bz2", "disk-index", "environment-yml", "conda-lock", "pixi-lock", "explicit", "conda-meta", "history"];

    public static TheoryData<string> Targets()
    {
        var data = new TheoryData<string>();
        foreach (FuzzTarget t in FuzzTargets.All)
        {
            data.Add(t.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void ShortRun(string name)
    {
        FuzzTarget target = FuzzTargets.All.Single(t => t.Name == name);
        if (NeedsData.Contains(name) && ConformanceData.Directory is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") is "true" or "1", ConformanceData.MissingMessage);
            output.WriteLine("skipped: " + ConformanceData.MissingMessage);
            return;
        }

        int iterations = int.TryParse(Environment.GetEnvironmentVariable("ENVTOOLS_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : target.ShortIterations;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("ENVTOOLS_FUZZ_SEED"), out int s) ? s : ShortSeed;
        TimeSpan? budget = double.TryParse(Environment.GetEnvironmentVariable("ENVTOOLS_FUZZ_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out double sec) && sec > 0
            ? TimeSpan.FromSeconds(sec) : null;
        FuzzReport r = FuzzEngine.Run(target, seed, iterations, FindingsDirectory(), budget);
        output.WriteLine($"{r.Target}: {r.Executions} inputs in {r.Elapsed.TotalSeconds:F1} s ({r.PerSecond:F0}/s), seed {seed}, {r.Findings.Count} findings");
        Assert.True(r.Findings.Count == 0, $"{r.Target} (seed {seed}): {r.Findings.Count} untyped exceptions or hangs:\n"
            + string.Join("\n", r.Findings.Select(f => $"- {f.Message}\n  input: {f.SavedAs ?? Convert.ToBase64String(f.Input.Take(200).ToArray())}")));
    }

    public static TheoryData<string> RegressionFiles()
    {
        var data = new TheoryData<string>();
        string? dir = RegressionDirectory();
        if (dir is not null && Directory.Exists(dir))
        {
            foreach (string f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(dir, f).Replace('\\', '/'));
            }
        }

        return data;
    }

    /// <summary>Each kept input still ends in a typed error (or none), quickly.</summary>
    [Theory]
    [MemberData(nameof(RegressionFiles))]
    public void Regression(string file)
    {
        string target = file.Split('/')[0];
        FuzzTarget t = FuzzTargets.All.Single(x => x.Name == target);
        byte[] input = File.ReadAllBytes(Path.Combine(RegressionDirectory()!, file));
        FuzzReport r = FuzzEngine.Run(t with { Seeds = () => [input] }, 0, 0, null);
        Assert.True(r.Findings.Count == 0, string.Join("\n", r.Findings.Select(f => f.Message)));
    }

    [Fact]
    public void RegressionInputsAreKept() => Assert.NotEmpty(RegressionFiles());

    private static string? RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EnvTools.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName;
    }

    private static string? RegressionDirectory() => RepositoryRoot() is { } root ? Path.Combine(root, "tests", "EnvTools.Core.Tests", "Fuzz", "regressions") : null;

    private static string? FindingsDirectory() =>
        Environment.GetEnvironmentVariable("ENVTOOLS_FUZZ_FINDINGS") is { Length: > 0 } d ? d
        : RepositoryRoot() is { } root ? Path.Combine(root, "out", "fuzz-findings") : null;
}

/// <summary>The fuzz runs are not parallel with each other (each already keeps a core busy).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "Fuzz";
}
