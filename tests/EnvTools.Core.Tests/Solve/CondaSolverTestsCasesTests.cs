using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EnvTools.Conda;
using EnvTools.Solve;
using Xunit;

namespace EnvTools.Tests.Solve;

/// <summary>
/// conda's backend-agnostic <c>SolverTests</c> (conda/testing/solver_helpers.py, transcribed in
/// <c>solver_helpers_SolverTests_cases.json</c>): every test that conda's libmamba backend runs (tests/test_solvers.py
/// skips the legacy-features ones for libmamba). The machine-checkable operations are run: installs with an exact
/// expected set (also one stored from an earlier install), membership checks, <c>len(records) == N</c>, expected
/// exceptions, and the unsatisfiable chains (each chain's requested spec must appear in the explanation). The others
/// (47 of 88 today) depend on Python code the transcription kept only as source: repositories built by helper calls
/// (<c>env.repo_packages = …</c>, channel-priority <c>expr</c>s), loops and attribute assertions; they are listed by
/// <see cref="Run"/> as not checked, and <see cref="AtLeast41OperationsChecked"/> keeps the checked count from
/// shrinking.
/// </summary>
public class CondaSolverTestsCasesTests
{
    private const string File = "solver-cases/conda-test_solve/solver_helpers_SolverTests_cases.json";

    /// <summary>Operations that EnvTools deliberately answers differently from conda, with the reason.</summary>
    public static readonly Dictionary<string, string> KnownDifferences = new()
    {
    };

    public static IEnumerable<object[]> Cases()
    {
        string? path = ConformanceData.PathOf(File);
        if (path is null || !System.IO.File.Exists(path))
        {
            yield return new object[] { "absent" };
            yield break;
        }

        var doc = Load();
        var skips = doc["backends"]!["TestLibMambaSolver_skips (features not supported)"]!.AsArray().Select(x => (string)x!).ToHashSet();
        foreach (var t in doc["tests"]!.AsArray())
        {
            string name = (string)t!["test"]!;
            if (!skips.Contains(name))
            {
                yield return new object[] { name };
            }
        }
    }

    internal static JsonNode Load() => JsonNode.Parse(System.IO.File.ReadAllBytes(ConformanceData.PathOf(File)!))!;

    /// <summary>One checked operation's outcome.</summary>
    internal sealed record Outcome(int Line, bool Checked, bool Passed, string Detail);

    /// <summary>Runs the checkable operations of <paramref name="test"/>; <paramref name="onError"/> sees each failed
    /// install or remove with its line.</summary>
    internal static List<Outcome> Run(string test, Action<int, EnvToolsException>? onError = null)
    {
        var t = Load()["tests"]!.AsArray().Single(x => (string)x!["test"]! == test)!;
        var outcomes = new List<Outcome>();
        var results = new Dictionary<int, string[]>();
        string[]? last = null;
        Exception? lastError = null;
        bool lastSkipped = false;
        foreach (var e in t["events"]!.AsArray().Select(x => x!))
        {
            string op = (string)e["op"]!;
            int line = (int)e["line"]!;
            bool conditional = e["conditions"] is JsonArray conds && conds.Count > 0;
            switch (op)
            {
                case "install" or "remove":
                    {
                        last = null;
                        lastError = null;
                        lastSkipped = false;
                        var specs = e["specs"]!.AsArray();
                        if (!IsTranscribed(e))
                        {
                            outcomes.Add(new Outcome(line, false, false, "inputs not transcribed (repository or specs built by Python code)"));
                            lastSkipped = true;
                            break;
                        }

                        var channel = Channel(e["repo_packages"]!);
                        var installed = e["installed_packages"]?["$result_of_line"] is JsonNode rl
                            ? results[(int)rl].Select(d => SolveTestUtil.Find(new[] { channel }, d)).ToList()
                            : new List<RepoDataRecord>();
                        var specList = specs.Select(s => MatchSpec.Parse((string)s!)).ToList();
                        var request = new SolveRequest
                        {
                            Channels = new[] { channel },
                            Specs = op == "install" ? specList : Array.Empty<MatchSpec>(),
                            SpecsToRemove = op == "remove" ? specList : Array.Empty<MatchSpec>(),
                            Installed = installed,
                            HistorySpecs = op == "remove" ? installed.Select(r => MatchSpec.Parse(r.Name)).ToList() : Array.Empty<MatchSpec>(),
                            VirtualPackages = new[]
                            {
                                new PackageRecord { Name = "__unix", Version = "0", Build = "0" },
                                new PackageRecord { Name = "__linux", Version = "5.10", Build = "0" },
                                new PackageRecord { Name = "__glibc", Version = "2.17", Build = "0" },
                            },
                        };
                        try
                        {
                            last = CondaSolver.Solve(request).Records.Select(SolveTestUtil.Dist).OrderBy(x => x, StringComparer.Ordinal).ToArray();
                            results[line] = last;
                        }
                        catch (EnvToolsException ex)
                        {
                            lastError = ex;
                            onError?.Invoke(line, ex);
                        }

                        if (e["raises"] is JsonNode raises)
                        {
                            string r = (string)raises!;
                            bool unsat = lastError is UnsatisfiableException && r.Contains("UnsatisfiableError", StringComparison.Ordinal);
                            bool notFound = lastError is PackagesNotFoundException
                                && (r.Contains("PackagesNotFoundError", StringComparison.Ordinal) || r.Contains("ResolvePackageNotFound", StringComparison.Ordinal));
                            outcomes.Add(new Outcome(line, true, unsat || notFound, $"expected {r}, got {lastError?.GetType().Name ?? "a solution: " + string.Join(", ", last ?? Array.Empty<string>())}"));
                            break;
                        }

                        if (lastError is not null)
                        {
                            outcomes.Add(new Outcome(line, true, false, $"unexpected {lastError.GetType().Name}: {lastError.Message}"));
                            break;
                        }

                        if (e["expect"] is JsonNode expect)
                        {
                            var value = expect["value"]!;
                            string[] expected = value is JsonArray arr
                                ? arr.Select(x => (string)x!).OrderBy(x => x, StringComparer.Ordinal).ToArray()
                                : results[(int)value["$result_of_line"]!];
                            outcomes.Add(new Outcome(line, true, expected.SequenceEqual(last!),
                                $"missing: {string.Join(", ", expected.Except(last!))}; extra: {string.Join(", ", last!.Except(expected))}"));
                        }

                        foreach (var m in e["expect_members"]?.AsArray() ?? new JsonArray())
                        {
                            string v = (string)m!["value"]!;
                            bool inResult = last!.Contains(v);
                            bool want = (string)m["op"]! == "In";
                            outcomes.Add(new Outcome(line, true, inResult == want, $"{(want ? "expected" : "unexpected")} member {v}"));
                        }

                        break;
                    }

                case "assert":
                    {
                        var m = Regex.Match((string?)e["src"] ?? string.Empty, @"^len\((\w+)\) == (\d+)$");
                        if (m.Success && last is not null && !conditional)
                        {
                            int n = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                            outcomes.Add(new Outcome(line, true, last.Length == n, $"expected {n} records, got {last.Length}"));
                        }
                        else
                        {
                            outcomes.Add(new Outcome(line, false, false, $"Python assertion not transcribed: {(string?)e["src"]}"));
                        }

                        break;
                    }

                case "assert_unsatisfiable":
                    {
                        if (lastSkipped)
                        {
                            outcomes.Add(new Outcome(line, false, false, "follows an operation whose inputs were not transcribed"));
                            break;
                        }

                        if (lastError is not UnsatisfiableException unsat)
                        {
                            outcomes.Add(new Outcome(line, true, false, "no Unsatisfiable error to check"));
                            break;
                        }

                        // Each chain starts with a requested spec (or its name): the explanation must name it.
                        var missing = e["entries"]!.AsArray()
                            .Select(chain => (string)chain![0]!)
                            .Select(first => MatchSpec.Parse(first).Name)
                            .Where(name => !unsat.Message.Contains(name, StringComparison.Ordinal))
                            .ToList();
                        outcomes.Add(new Outcome(line, true, missing.Count == 0, $"explanation lacks {string.Join(", ", missing)}:\n{unsat.Message}"));
                        break;
                    }

                default:
                    outcomes.Add(new Outcome(line, false, false, $"{op}: Python code not transcribed"));
                    break;
            }
        }

        return outcomes;
    }

    /// <summary>Whether an install or remove event's inputs were transcribed as data (not built by Python code), so that
    /// <see cref="Run"/> runs it.</summary>
    internal static bool IsTranscribed(JsonNode e) =>
        !(e["repo_packages"] is null or JsonObject { Count: 0 } || e["specs"]!.AsArray().Any(s => s is not JsonValue)
            || (e["conditions"] is JsonArray conds && conds.Count > 0)
            || (e["installed_packages"] is JsonNode ip && ip is not JsonArray { Count: 0 } && ip["$result_of_line"] is null));

    /// <summary>The 'test' channel of a case: conda's index N with pip added to python's dependencies
    /// (add_pip_as_python_dependency, as index_packages does), and/or inline records.</summary>
    private static SolverChannel Channel(JsonNode repo)
    {
        var flat = new JsonObject();
        IEnumerable<JsonNode> parts = repo is JsonArray a ? a.Select(x => x!) : new[] { repo };
        foreach (var part in parts)
        {
            if (part["$index"] is JsonNode n)
            {
                string rel = (int)n switch
                {
                    1 => "repodata/conda-tests/index.json",
                    2 => "repodata/conda-tests/index2.json",
                    4 => "repodata/conda-tests/index4.json",
                    5 => "repodata/conda-tests/index5.json",
                    _ => throw new ArgumentException($"index {(int)n}"),
                };
                foreach (var (fn, rec) in JsonNode.Parse(System.IO.File.ReadAllBytes(ConformanceData.PathOf(rel)!))!.AsObject())
                {
                    var copy = (JsonObject)rec!.DeepClone();
                    string version = (string?)copy["version"] ?? string.Empty;
                    if ((string?)copy["name"] == "python" && (version.StartsWith('2') || version.StartsWith('3')))
                    {
                        var deps = copy["depends"] as JsonArray ?? new JsonArray();
                        deps.Add("pip");
                        copy["depends"] = deps;
                    }

                    flat[fn] = copy;
                }
            }
            else if (part["$record"] is JsonObject r)
            {
                var copy = (JsonObject)r.DeepClone();
                copy["version"] ??= "1.0";
                copy["build"] ??= "0";
                copy["build_number"] ??= 0;
                copy["depends"] ??= new JsonArray();
                flat[$"{(string)copy["name"]!}-{(string)copy["version"]!}-{(string)copy["build"]!}.tar.bz2"] = copy;
            }
        }

        return SolveTestUtil.FromFlatIndex("test", flat, "linux-64");
    }

    /// <summary>Regression floor of checked (and passing) operations over all the libmamba-run tests.</summary>
    [ConformanceFact]
    public void AtLeast41OperationsChecked()
    {
        var all = Cases().Select(c => (string)c[0]).SelectMany(test => Run(test)).ToList();
        Assert.True(all.Count(o => o.Checked) >= 41, $"{all.Count(o => o.Checked)} checked");
        Assert.All(all.Where(o => o.Checked), o => Assert.True(o.Passed, o.Detail));
    }

    [ConformanceTheory]
    [MemberData(nameof(Cases))]
    public void CheckedOperationsMatchConda(string test)
    {
        var outcomes = Run(test);
        var failures = outcomes.Where(o => o.Checked && !o.Passed && !KnownDifferences.ContainsKey($"{test}@{o.Line}")).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures.Select(f => $"{test}@{f.Line}: {f.Detail}")));
        foreach (var key in KnownDifferences.Keys.Where(k => k.StartsWith(test + "@", StringComparison.Ordinal)))
        {
            int line = int.Parse(key[(key.IndexOf('@') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains(outcomes, o => o.Line == line && o.Checked && !o.Passed);
        }
    }
}
