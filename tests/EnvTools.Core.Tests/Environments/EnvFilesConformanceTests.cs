using EnvTools.Config;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Install;
using Xunit;

namespace EnvTools.Tests.Environments;

/// <summary>The environment, explicit and lock files of conda, mamba and rattler (shared/data/envfiles).</summary>
public sealed class EnvFilesConformanceTests
{
    // Files the peers' own tests expect to be rejected, with the reason their parser gives.
    private static readonly Dictionary<string, string> ExpectedFailures = new(StringComparer.Ordinal)
    {
        ["conda-tests/invalid_keys.yml"] = "'names': is not a valid key",
        ["mamba/env_lockfile/bad_package-lock.yaml"] = "'package[0].manager': is missing",
        ["mamba/env_lockfile/bad_version-lock.yaml"] = "'version': '-1' is not a supported conda-lock version",
    };

    // Files the peers' own tests expect to be rejected (PixiLockConformanceTests checks each one's message).
    private static bool MustFail(string relative) =>
        relative.StartsWith("rattler/lock_parse_fails/", StringComparison.Ordinal)
        || relative is "rattler/conda-lock/forward-compatible-lock.yml" or "mamba/env_lockfile/bad_package-lock.json" or "mamba/env_lockfile/bad_version-lock.json";

    // The files that are not environment, explicit or lock files: snapshots, pip requirement files, a pyproject, readmes,
    // JSON that is no mambajs lock.
    private static bool IsInScope(string relative)
    {
        if (relative.StartsWith("rattler-snapshots/", StringComparison.Ordinal))
        {
            return false;
        }

        if (relative.EndsWith(".json", StringComparison.Ordinal))
        {
            return relative.StartsWith("mamba/env_lockfile/", StringComparison.Ordinal) || relative.StartsWith("mamba/micromamba-tests/env_lockfiles/", StringComparison.Ordinal);
        }

        string[] notEnvironmentFiles = { ".toml", ".md", "readme", "requirements.txt" };
        return !notEnvironmentFiles.Any(e => relative.EndsWith(e, StringComparison.Ordinal));
    }

    public static IEnumerable<object[]> Files()
    {
        string? root = ConformanceData.PathOf("envfiles");
        if (root is null || !Directory.Exists(root))
        {
            yield return new object[] { "(conformance data missing)" };
            yield break;
        }

        foreach (string path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (IsInScope(relative))
            {
                yield return new object[] { relative };
            }
        }
    }

    [ConformanceTheory]
    [MemberData(nameof(Files))]
    public void EveryFile_ParsesOrFailsAsThePeersExpect(string relative)
    {
        string path = ConformanceData.PathOf("envfiles/" + relative)!;
        EnvironmentFileKind kind = EnvironmentFiles.Detect(path);
        Action parse = kind switch
        {
            EnvironmentFileKind.Explicit => () => Assert.NotEmpty(ExplicitFile.Load(path).Packages),
            EnvironmentFileKind.CondaLock => () =>
            {
                CondaLockFile f = CondaLockFile.Load(path);
                foreach (string p in f.Platforms)
                {
                    foreach (RepoDataRecord r in f.RecordsFor(p, f.Packages.Select(x => x.Category).Distinct().ToArray()))
                    {
                        Assert.NotNull(r.Md5 ?? r.Sha256);
                    }
                }
            },
            EnvironmentFileKind.PixiLock => () =>
            {
                PixiLockFile f = PixiLockFile.Load(path);
                foreach (PixiLockEnvironment e in f.Environments)
                {
                    foreach (string p in e.Packages.Keys)
                    {
                        Assert.All(f.RecordsFor(e.Name, p), r => Assert.False(string.IsNullOrEmpty(r.Url)));
                    }
                }
            },
            EnvironmentFileKind.MambaJsLock => () => Assert.NotNull(MambaJsLockFile.Load(path).Platform),
            EnvironmentFileKind.EnvironmentYaml => () => EnvironmentFile.Load(path, _ => null),
            _ => () => Assert.NotEmpty(SpecListFile.Load(path).Specs),
        };
        if (ExpectedFailures.TryGetValue(relative, out string? reason))
        {
            var ex = Assert.Throws<InvalidEnvironmentFileException>(parse);
            Assert.True(ex.Message.Contains(reason, StringComparison.Ordinal) && ex.Line > 0, ex.Message);
        }
        else if (MustFail(relative))
        {
            var ex = Assert.Throws<InvalidEnvironmentFileException>(parse);
            Assert.Contains(Path.GetFileName(path), ex.Message, StringComparison.Ordinal);
        }
        else
        {
            parse();
        }
    }

    [ConformanceFact]
    public void Kinds_AreDetectedAsTheirAuthorsMeantThem()
    {
        string Root(string r) => ConformanceData.PathOf("envfiles/" + r)!;
        Assert.Equal(EnvironmentFileKind.Explicit, EnvironmentFiles.Detect(Root("conda-tests/explicit.txt")));
        Assert.Equal(EnvironmentFileKind.Explicit, EnvironmentFiles.Detect(Root("mamba/env_file/minrk_environment.py-3.9-linux-64.lock")));
        Assert.Equal(EnvironmentFileKind.CondaLock, EnvironmentFiles.Detect(Root("conda-tests/conda-lock-python310.yml")));
        Assert.Equal(EnvironmentFileKind.CondaLock, EnvironmentFiles.Detect(Root("rattler/conda-lock/v0/numpy-conda-lock.yml")));
        Assert.Equal(EnvironmentFileKind.EnvironmentYaml, EnvironmentFiles.Detect(Root("conda-tests/with-pip.yml")));
        Assert.Equal(EnvironmentFileKind.SpecList, EnvironmentFiles.Detect(Root("mamba/env_file/omni.env.txt")));
    }

    [ConformanceFact]
    public void CondaTests_EnvironmentFiles_HaveTheirContent()
    {
        string Root(string r) => ConformanceData.PathOf("envfiles/conda-tests/" + r)!;
        EnvironmentFile withPip = EnvironmentFile.Load(Root("with-pip.yml"));
        Assert.Equal("pip", withPip.Name);
        Assert.Equal(new[] { "pip" }, withPip.Dependencies);
        Assert.Equal(new[] { "foo", "baz" }, withPip.Pip);

        EnvironmentFile vars = EnvironmentFile.Load(Root("valid_keys.yml"));
        Assert.Equal(new[] { new KeyValuePair<string, string>("VARIABLE", "value") }, vars.Variables);
        Assert.Equal("/something/miniconda/envs/test", vars.Prefix);

        EnvironmentFile envvars = EnvironmentFile.Load(Root("channels_with_envvars.yml"),
            n => n switch { "CONDA_TOKEN" => "aaa-12345-ABCD", "OTHER_KEY" => "12345-BBBB", _ => null });
        Assert.Equal(new[] { "https://localhost/t/aaa-12345-ABCD/stable", "https://localhost/t/12345-BBBB/stable", "conda-forge", "defaults" }, envvars.Channels);

        EnvironmentFile advanced = EnvironmentFile.Load(Root("advanced-pip/env_template.yml"));
        Assert.Contains("--index-url https://pypi.doubanio.com/simple", advanced.Pip!);
        Assert.Contains("-e ./module_to_install_in_editable_mode", advanced.Pip!);

        Assert.Null(EnvironmentFile.Load(Root("empty_env.yml")).Pip);
        Assert.Empty(EnvironmentFile.Load(Root("empty_deps.yml")).Dependencies);
        Assert.Equal("https://104.17.92.24:443::flask=1.0.2", Assert.Single(EnvironmentFile.Load(Root("example/environment_host_port.yml")).Dependencies));

        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFile.Load(Root("invalid_keys.yml")));
        Assert.Equal((1, "names"), (ex.Line, ex.Key));
    }

    [ConformanceFact]
    public void RattlerPipSection_MatchesItsSnapshot()
    {
        EnvironmentFile f = EnvironmentFile.Load(ConformanceData.PathOf("envfiles/rattler/environments/asymmetric_vqgan.environment.yaml")!);
        string snap = File.ReadAllText(ConformanceData.PathOf("envfiles/rattler-snapshots/rattler_conda_types__environment_yaml__tests__pip_section.snap")!);
        string[] expected = snap.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('"')).Select(l => l.TrimEnd(',').Trim('"')).ToArray();
        Assert.Equal(19, expected.Length);
        Assert.Equal(expected, f.Pip);
    }

    [ConformanceFact]
    public void RattlerExplicitFiles_MatchTheirSnapshots()
    {
        foreach (string name in new[] { "ros-noetic_linux-64.txt", "vs2015_runtime_win-64.txt", "xtensor_linux-64.txt" })
        {
            ExplicitFile f = ExplicitFile.Load(ConformanceData.PathOf("envfiles/rattler/explicit-envs/" + name)!);
            string snap = File.ReadAllText(ConformanceData.PathOf($"envfiles/rattler-snapshots/rattler_conda_types__explicit_environment_spec__test__explicit-envs__{name}.snap")!);
            string[] expected = snap.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("- \"", StringComparison.Ordinal))
                .Select(l => l[3..^1]).ToArray();
            Assert.Contains($"platform: {f.Platform}", snap);
            Assert.Equal(expected, f.Packages.Select(p => p.Url + (p.Md5 is null ? string.Empty : "#" + p.Md5)));
        }
    }

    public static IEnumerable<object[]> LibmambaLocks() => new[]
    {
        new object[] { "gvleobas.linux-64.lock" }, new object[] { "gvleobas.win-64.lock" }, new object[] { "mambaforge.linux-64.lock" },
        new object[] { "pangeo_ml_notebook.linux-64.lock" }, new object[] { "scipipe.linux-64.lock" }, new object[] { "scipipe.osx-64.lock" },
        new object[] { "silverback9876.linux-64.lock" },
    };

    [ConformanceTheory]
    [MemberData(nameof(LibmambaLocks))]
    public void LibmambaSolverLocks_ParseAndPlanWithoutASolve(string name)
    {
        string path = ConformanceData.PathOf("envfiles/conda-libmamba-solver/" + name)!;
        ExplicitFile f = ExplicitFile.Load(path);
        int urls = File.ReadAllLines(path).Count(l => l.Contains("://", StringComparison.Ordinal) && !l.StartsWith('#'));
        Assert.Equal(urls, f.Packages.Count);
        Assert.Equal(name.Split('.')[1], f.Platform);
        if (name.StartsWith("pangeo", StringComparison.Ordinal))
        {
            Assert.Equal(629, urls);
        }

        string root = Path.Combine(Path.GetTempPath(), "envtools-lockplan-" + Guid.NewGuid().ToString("N"));
        try
        {
            var env = ConfigEnvironment.Create(Path.Combine(root, "home"), new Dictionary<string, string>(), Array.Empty<string>(), root, isWindows: false);
            Settings settings = Settings.Load(null, new Dictionary<string, object?> { ["pkgs_dirs"] = new[] { Path.Combine(root, "pkgs") } }, env);
            var installer = new EnvironmentInstaller(settings);
            EnvironmentPlan plan = installer.Plan(new EnvironmentRequest
            {
                Prefix = Path.Combine(root, "env"),
                Action = EnvironmentAction.Create,
                Platform = Platform.Parse(f.Platform!),
                ExplicitRecords = f.ToRecords(),
            });
            Assert.Null(plan.Solve);
            Assert.Equal(f.Packages.Select(p => p.FileName).Order(StringComparer.Ordinal), plan.FinalRecords.Select(r => r.FileName).Order(StringComparer.Ordinal));
            Assert.Equal(f.Packages.Count, plan.Changes.Count);
            Assert.False(Directory.Exists(Path.Combine(root, "env")));
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
