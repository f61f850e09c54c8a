using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.Solve;
using Xunit;

namespace EnvTools.Tests.Solve;

/// <summary>
/// Snapshots of the solver's unsatisfiable explanations on the peers' unsatisfiable cases: rattler's dummy-channel
/// conflicts, mamba's problem graphs and conda's <c>SolverTests</c> installs that raise <c>UnsatisfiableError</c>
/// (the same requests as <see cref="PeerSolverCasesTests"/> and <see cref="CondaSolverTestsCasesTests"/>). Each case's
/// expected text (the exception's message) and object tree (every <see cref="ConflictNode"/>'s kind, text, spec and
/// record) is one file under <c>Solve/Snapshots/</c>, compared exactly: a changed explanation fails the test.
/// <para>After a deliberate change of the explanations, regenerate the files and review their diff:
/// <c>ENVTOOLS_UPDATE_SNAPSHOTS=1 dotnet test tests/EnvTools.Core.Tests -c Release --filter "FullyQualifiedName~UnsatExplanationSnapshotTests"</c>
/// (it writes into the source tree; ignored under <c>CI=true</c>, where a missing or different file fails).</para>
/// </summary>
public class UnsatExplanationSnapshotTests
{
    private const string UpdateVariable = "ENVTOOLS_UPDATE_SNAPSHOTS";

    /// <summary>rattler's dummy-channel cases that are unsatisfiable (as in <see cref="PeerSolverCasesTests"/>).</summary>
    private static readonly Dictionary<string, Func<SolveResult>> RattlerDummy = new()
    {
        ["solve-with-error"] = () => PeerSolverCasesTests.SolveDummy(["foobar >=2", "bors >= 2"]),
        ["missing-virtual-package"] = () => PeerSolverCasesTests.SolveDummy(["bar"]),
        ["virtual-package-constrains"] = () =>
            PeerSolverCasesTests.SolveDummy(["cuda-version"], [new PackageRecord { Name = "__cuda", Version = "1", Build = "0" }]),
        ["solve-locked-pin-conflict"] = () => PeerSolverCasesTests.SolveDummy(["bors >=2"], pins: [MatchSpec.Parse("bors==1.0=bla_1")]),
    };

    public static IEnumerable<object[]> RattlerCases() => RattlerDummy.Keys.Select(k => new object[] { k });

    public static IEnumerable<object[]> MambaCases() =>
        PeerSolverCasesTests.MambaCases().Where(c => (string)c[0] != "Basic conflict"); // that one is not found, not a conflict

    /// <summary>conda's SolverTests operations that expect UnsatisfiableError (alone or among others) and that run.</summary>
    public static IEnumerable<object[]> CondaCases()
    {
        if (ConformanceData.Directory is null)
        {
            yield return new object[] { "absent", 0 };
            yield break;
        }

        var doc = CondaSolverTestsCasesTests.Load();
        var skips = doc["backends"]!["TestLibMambaSolver_skips (features not supported)"]!.AsArray().Select(x => (string)x!).ToHashSet();
        foreach (var t in doc["tests"]!.AsArray().Where(t => !skips.Contains((string)t!["test"]!)))
        {
            foreach (var e in t!["events"]!.AsArray())
            {
                if (((string?)e!["raises"])?.Contains("UnsatisfiableError", StringComparison.Ordinal) == true
                    && CondaSolverTestsCasesTests.IsTranscribed(e))
                {
                    yield return new object[] { (string)t["test"]!, (int)e["line"]! };
                }
            }
        }
    }

    [ConformanceTheory]
    [MemberData(nameof(RattlerCases))]
    public void RattlerDummyExplanation(string name) =>
        Match("rattler-dummy--" + name, Assert.Throws<UnsatisfiableException>(() => RattlerDummy[name]()));

    [ConformanceTheory]
    [MemberData(nameof(MambaCases))]
    public void MambaExplanation(string name) =>
        Match("mamba--" + name, Assert.Throws<UnsatisfiableException>(() => CondaSolver.Solve(PeerSolverCasesTests.MambaRequest(name, out _))));

    [ConformanceTheory]
    [MemberData(nameof(CondaCases))]
    public void CondaSolverTestsExplanation(string test, int line)
    {
        EnvToolsException? error = null;
        CondaSolverTestsCasesTests.Run(test, (l, ex) => error = l == line ? ex : error);
        Assert.NotNull(error);
        // conda accepts PackagesNotFoundError too on some of these lines: the snapshot records which error it is.
        Match($"conda--{test}--L{line}", error);
    }

    [ConformanceFact]
    public void EverySnapshotFileHasItsCase()
    {
        var expected = RattlerCases().Select(c => "rattler-dummy--" + (string)c[0])
            .Concat(MambaCases().Select(c => "mamba--" + (string)c[0]))
            .Concat(CondaCases().Select(c => $"conda--{c[0]}--L{c[1]}"))
            .Select(FileName).OrderBy(x => x, StringComparer.Ordinal).ToList();
        string folder = Directory.Exists(SourceFolder()) ? SourceFolder() : Path.Combine(AppContext.BaseDirectory, "Solve", "Snapshots");
        var files = Directory.GetFiles(folder, "*.txt").Select(f => Path.GetFileName(f)!).OrderBy(x => x, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, files);
    }

    /// <summary>The snapshot text of an error: its type, id, conflicting specs, message and explanation tree.</summary>
    internal static string Render(EnvToolsException error)
    {
        var sb = new StringBuilder();
        sb.Append("exception: ").Append(error.GetType().Name).Append('\n');
        sb.Append("error id: ").Append(error.ErrorId).Append('\n');
        if (error is UnsatisfiableException u)
        {
            sb.Append("conflicting specs:\n");
            foreach (MatchSpec spec in u.ConflictingSpecs)
            {
                sb.Append("  ").Append(spec).Append('\n');
            }
        }

        sb.Append("message:\n").Append(error.Message).Append('\n');
        if (error is UnsatisfiableException unsat)
        {
            sb.Append("tree:\n");
            AppendNode(sb, unsat.Tree, 1);
        }

        return sb.ToString();
    }

    private static void AppendNode(StringBuilder sb, ConflictNode node, int depth)
    {
        sb.Append(' ', depth * 2).Append(node.Kind).Append(": \"").Append(node.Text).Append('"')
            .Append(" spec=").Append(node.Spec?.ToString() ?? "-")
            .Append(" record=").Append(node.Record is { } r ? $"{r.Name}-{r.Version}-{r.Build}" : "-").Append('\n');
        foreach (ConflictNode child in node.Children)
        {
            AppendNode(sb, child, depth + 1);
        }
    }

    private static void Match(string name, EnvToolsException error)
    {
        string file = FileName(name);
        string actual = Render(error);
        bool update = Environment.GetEnvironmentVariable(UpdateVariable) == "1" && !ConformanceData.IsCI;
        if (update)
        {
            Directory.CreateDirectory(SourceFolder());
            File.WriteAllText(Path.Combine(SourceFolder(), file), actual, new UTF8Encoding(false));
            return;
        }

        string? path = new[] { SourceFolder(), Path.Combine(AppContext.BaseDirectory, "Solve", "Snapshots") }
            .Select(folder => Path.Combine(folder, file)).FirstOrDefault(File.Exists);
        Assert.True(path is not null, $"no snapshot {file}: write it with {UpdateVariable}=1 and review it\n{actual}");
        string expected = File.ReadAllText(path!).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Equal(expected, actual);
    }

    /// <summary>The case's file name: letters, digits, '.', '-' and '_' kept, everything else '_'.</summary>
    internal static string FileName(string name) =>
        new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray()) + ".txt";

    /// <summary>Solve/Snapshots in the source tree (where this file was compiled).</summary>
    private static string SourceFolder([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", "Snapshots");
}
