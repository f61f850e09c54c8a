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
        // None: all 70 cases give conda's final state (with the contexts and input patches below).
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

    /// <summary>
    /// The other contexts the transcription dropped (it kept only each step's own arguments), keyed by test and line
    /// of the solve call, as conda/conda tests/core/test_solve.py sets them:
    /// <list type="bullet">
    /// <item>test_pinned_1: the solves at lines 2417–2582 run inside
    /// <c>env_var("CONDA_PINNED_PACKAGES", "python=2.6&amp;iopro&lt;=1.4.2")</c>; the one at 2626 ("now update without
    /// pinning") runs outside it.</item>
    /// <item>test_features_solve_1: line 3088 under <c>CONDA_CHANNEL_PRIORITY=True</c> (conda's flexible, the default),
    /// line 3110 under <c>CONDA_CHANNEL_PRIORITY=False</c> (disabled).</item>
    /// <item>test_auto_update_conda line 1698 and test_explicit_conda_downgrade line 1809: <c>sys.prefix</c> is the
    /// target prefix (the environment conda runs from) and <c>CONDA_AUTO_UPDATE_CONDA=yes</c>.</item>
    /// </list>
    /// Every case also runs with conda's default <c>aggressive_update_packages</c> (ca-certificates, certifi, openssl).
    /// </summary>
    private static readonly Dictionary<string, (string[]? Pinned, ChannelPriority? Priority, bool AutoUpdateConda)> Contexts = new()
    {
        ["test_pinned_1@2417"] = (new[] { "python=2.6", "iopro<=1.4.2" }, null, false),
        ["test_pinned_1@2431"] = (new[] { "python=2.6", "iopro<=1.4.2" }, null, false),
        ["test_pinned_1@2455"] = (new[] { "python=2.6", "iopro<=1.4.2" }, null, false),
        ["test_pinned_1@2514"] = (new[] { "python=2.6", "iopro<=1.4.2" }, null, false),
        ["test_pinned_1@2547"] = (new[] { "python=2.6", "iopro<=1.4.2" }, null, false),
        ["test_pinned_1@2582"] = (new[] { "python=2.6", "iopro<=1.4.2" }, null, false),
        ["test_features_solve_1@3088"] = (null, ChannelPriority.Flexible, false),
        ["test_features_solve_1@3110"] = (null, ChannelPriority.Disabled, false),
        ["test_auto_update_conda@1698"] = (null, null, true),
        ["test_explicit_conda_downgrade@1809"] = (null, null, true),
    };

    /// <summary>
    /// Installed records the test replaced before the solve and the transcription did not (it resolved the prefix to
    /// the earlier step's final state): test_broken_install puts <c>channel-1::numpy-1.7.1-py33_p0</c> at index 7 of
    /// final_state_1 (<c>final_state_1_modified[7] = numpy_prec</c>) for the solve at line 1272; the solve at 1306
    /// uses the same modified prefix.
    /// </summary>
    private static readonly Dictionary<string, (string Old, string New)> InstalledPatches = new()
    {
        ["test_broken_install@1272"] = ("channel-1::numpy-1.6.2-py27_4", "channel-1::numpy-1.7.1-py33_p0"),
        ["test_broken_install@1306"] = ("channel-1::numpy-1.6.2-py27_4", "channel-1::numpy-1.7.1-py33_p0"),
    };

    private static readonly string[] DefaultAggressiveUpdatePackages = { "ca-certificates", "certifi", "openssl" };

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
            "UpdateModifier.SPECS_SATISFIED_SKIP_SOLVE" => UpdateModifier.SpecsSatisfiedSkipSolve,
            _ => UpdateModifier.UpdateSpecs,
        };
        if (Kw("deps_modifier").Contains("ONLY_DEPS", StringComparison.Ordinal))
        {
            modifier = modifier == UpdateModifier.UpdateDeps ? UpdateModifier.UpdateDepsOnlyDeps : UpdateModifier.OnlyDeps;
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

        Contexts.TryGetValue($"{(string)c["test"]!}@{(int)c["line"]!}", out var context);
        var request = new SolveRequest
        {
            PinnedSpecs = (context.Pinned ?? Array.Empty<string>()).Select(MatchSpec.Parse).ToList(),
            IgnorePinned = Kw("ignore_pinned") == "True",
            ForceRemove = Kw("force_remove") == "True",
            ChannelPriority = context.Priority ?? ChannelPriority.Flexible,
            AutoUpdateConda = context.AutoUpdateConda,
            AggressiveUpdatePackages = DefaultAggressiveUpdatePackages.Select(MatchSpec.Parse).ToList(),
            VirtualPackages = virtuals,
            Channels = channels,
            Specs = c["specs_to_add"]!.AsArray().Select(x => MatchSpec.Parse((string)x!)).ToList(),
            SpecsToRemove = c["specs_to_remove"]!.AsArray().Select(x => MatchSpec.Parse((string)x!)).ToList(),
            HistorySpecs = c["history_specs"]!.AsArray().Select(x => MatchSpec.Parse((string)x!)).ToList(),
            Installed = c["installed"]!.AsArray().Select(x => (string)x!)
                .Select(d => InstalledPatches.TryGetValue($"{(string)c["test"]!}@{(int)c["line"]!}", out var p) && p.Old == d ? p.New : d)
                .Select(d => SolveTestUtil.Find(channels, d)).ToList(),
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

    /// <summary>Regression floor: 70 of 70 identical (the issue's target is 66; see <see cref="KnownDifferences"/>).
    /// Every known difference is re-checked by the theory, so this count cannot drift from reality.</summary>
    [ConformanceFact]
    public void AtLeast70Of70Identical()
    {
        var cases = Load();
        Assert.Equal(70, cases.Count);
        Assert.All(KnownDifferences.Keys, k => Assert.Contains(cases, c => Id(c) == k));
        int identical = cases.Count(c => !KnownDifferences.ContainsKey(Id(c)));
        Assert.True(identical >= 70, $"{identical} identical");
    }
}
