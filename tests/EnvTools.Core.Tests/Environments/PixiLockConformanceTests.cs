using System.Diagnostics;
using System.Text.Json;
using EnvTools.Conda;
using EnvTools.Environments;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace EnvTools.Tests.Environments;

/// <summary>rattler's lock files (shared/data/envfiles/rattler/conda-lock, lock_parse_fails) and mamba's mambajs JSON locks.</summary>
public sealed class PixiLockConformanceTests
{
    public static IEnumerable<object[]> PixiLocks()
    {
        string? root = ConformanceData.PathOf("envfiles/rattler/conda-lock");
        if (root is null || !Directory.Exists(root))
        {
            yield return new object[] { "(conformance data missing)" };
            yield break;
        }

        foreach (string path in Directory.EnumerateFiles(root, "*.yml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (relative.StartsWith('v') && int.Parse(relative[1..relative.IndexOf('/')]) >= 4)
            {
                yield return new object[] { relative };
            }
        }

        yield return new object[] { "../test.lock" };
    }

    // Independently of the parser: per environment and platform, the references the YAML lists, by kind.
    private static Dictionary<(string Env, string Platform), (List<string> Binary, int Source, List<string> Pypi)> ExpectedReferences(YamlMappingNode root)
    {
        var result = new Dictionary<(string, string), (List<string>, int, List<string>)>();
        var envs = (YamlMappingNode)root.Children[new YamlScalarNode("environments")];
        foreach (KeyValuePair<YamlNode, YamlNode> env in envs.Children)
        {
            if (((YamlMappingNode)env.Value).Children.TryGetValue(new YamlScalarNode("packages"), out YamlNode? pk) && pk is YamlMappingNode platforms)
            {
                foreach (KeyValuePair<YamlNode, YamlNode> platform in platforms.Children)
                {
                    var binary = new List<string>();
                    var pypi = new List<string>();
                    int source = 0;
                    foreach (YamlMappingNode sel in ((YamlSequenceNode)platform.Value).Children.Cast<YamlMappingNode>())
                    {
                        var first = (YamlScalarNode)sel.Children.First(c => ((YamlScalarNode)c.Key).Value is "conda" or "pypi" or "conda_source").Value;
                        string key = ((YamlScalarNode)sel.Children.First(c => ((YamlScalarNode)c.Key).Value is "conda" or "pypi" or "conda_source").Key).Value!;
                        if (key == "pypi")
                        {
                            pypi.Add(first.Value!);
                        }
                        else if (key == "conda" && (first.Value!.EndsWith(".conda", StringComparison.Ordinal) || first.Value.EndsWith(".tar.bz2", StringComparison.Ordinal)))
                        {
                            binary.Add(first.Value);
                        }
                        else
                        {
                            source++;
                        }
                    }

                    result[(((YamlScalarNode)env.Key).Value!, ((YamlScalarNode)platform.Key).Value!)] = (binary, source, pypi);
                }
            }
        }

        return result;
    }

    [ConformanceTheory]
    [MemberData(nameof(PixiLocks))]
    public void RattlerPixiLocks_ParseWithTheCountsTheFileHas(string relative)
    {
        string path = ConformanceData.PathOf("envfiles/rattler/conda-lock/" + relative)!;
        Assert.Equal(EnvironmentFileKind.PixiLock, EnvironmentFiles.Detect(path));
        var sw = Stopwatch.StartNew();
        PixiLockFile f = PixiLockFile.Load(path);
        sw.Stop();

        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(path)));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.Equal(int.Parse(((YamlScalarNode)root.Children[new YamlScalarNode("version")]).Value!), f.Version);
        var expected = ExpectedReferences(root);
        Assert.Equal(((YamlMappingNode)root.Children[new YamlScalarNode("environments")]).Children.Count, f.Environments.Count);
        Assert.Equal(((YamlSequenceNode)root.Children[new YamlScalarNode("packages")]).Children.Count, f.Packages.Count);

        // sha256 per archive URL, straight from the packages list
        var shaByUrl = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (YamlMappingNode p in ((YamlSequenceNode)root.Children[new YamlScalarNode("packages")]).Children.Cast<YamlMappingNode>())
        {
            string? Field(string k) => p.Children.TryGetValue(new YamlScalarNode(k), out YamlNode? v) ? ((YamlScalarNode)v).Value : null;
            if ((Field("conda") ?? (Field("kind") == "conda" ? Field("url") : null)) is { } url)
            {
                shaByUrl[url] = Field("sha256");
            }
        }

        int checkedPlatforms = 0;
        foreach (((string env, string platform), (List<string> binary, int source, List<string> pypi)) in expected)
        {
            IReadOnlyList<RepoDataRecord> records = f.RecordsFor(env, platform);
            Assert.Equal(binary, records.Select(r => r.Url));
            Assert.Equal(binary.Select(u => shaByUrl[u]), records.Select(r => r.Sha256));
            Assert.All(records, r => Assert.False(string.IsNullOrEmpty(r.Subdir)));
            Assert.All(records, r => Assert.EndsWith(r.FileName, r.Url, StringComparison.Ordinal));
            Assert.Equal(source, f.SourcePackagesFor(env, platform).Count);
            Assert.Equal(pypi, f.PypiPackagesFor(env, platform).Select(p => p.Location));
            checkedPlatforms++;
        }

        Assert.Equal(expected.Count, f.Environments.Sum(e => e.Packages.Count));
        if (relative == "v4/turtlesim-lock.yml")
        {
            Assert.True(checkedPlatforms >= 4 && f.Packages.Count > 1000, $"{checkedPlatforms} platforms, {f.Packages.Count} packages");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"turtlesim parsed in {sw.Elapsed}");
        }
    }

    [ConformanceFact]
    public void RattlerPixiLocks_KnownContent()
    {
        PixiLockFile numpy = PixiLockFile.Load(ConformanceData.PathOf("envfiles/rattler/conda-lock/v4/numpy-lock.yml")!);
        RepoDataRecord mutex = numpy.RecordsFor("default", "linux-64")[0];
        Assert.Equal(("_libgcc_mutex", "0.1", "conda_forge", "linux-64"), (mutex.Name, mutex.Version, mutex.Build, mutex.Subdir));
        Assert.Equal("https://conda.anaconda.org/conda-forge/linux-64", mutex.Channel);

        PixiLockFile v7 = PixiLockFile.Load(ConformanceData.PathOf("envfiles/rattler/conda-lock/v7/conda-path-lock.yml")!);
        Assert.Equal(("linux-64-foobar", "linux-64", "__libc >= 32"), (v7.Platforms[0].Name, v7.Platforms[0].Subdir, Assert.Single(v7.Platforms[0].VirtualPackages)));
        Assert.Equal("linux-64-foobar", v7.PlatformNameFor("default", "linux-64"));
        Assert.Equal(new[] { "default", "second" }, v7.Environments.Select(e => e.Name));
        Assert.Equal("__win", Assert.Single(v7.SourcePackagesFor("second", "win-64")).Record.Depends.Single());

        PixiLockFile options = PixiLockFile.Load(ConformanceData.PathOf("envfiles/rattler/conda-lock/v6/options-lock.yml")!);
        Assert.Equal("lowest-version", options.GetEnvironment("with-strategy").Options["strategy"]);

        PixiLockFile index = PixiLockFile.Load(ConformanceData.PathOf("envfiles/rattler/conda-lock/v5/flat-index-lock.yml")!);
        Assert.Equal(new[] { "https://pypi.org/simple" }, index.GetEnvironment("default").Indexes);
        Assert.Equal(new[] { "./links" }, index.GetEnvironment("default").FindLinks);

        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => numpy.RecordsFor("nonesuch", "linux-64"));
        Assert.Contains("no environment 'nonesuch'", ex.Message);
        ex = Assert.Throws<InvalidEnvironmentFileException>(() => numpy.RecordsFor("default", "win-arm64"));
        Assert.Contains("not win-arm64", ex.Message);
    }

    public static IEnumerable<object[]> MustFail() => new[]
    {
        new object[] { "lock_parse_fails/v7/duplicate_platform.yml", "Duplicate key" },
        new object[] { "lock_parse_fails/v7/duplicate_platform_definition.yml", "duplicate platform name 'DUPLICATE'" },
        new object[] { "lock_parse_fails/v7/duplicate_platform_use.yml", "Duplicate key" },
        new object[] { "lock_parse_fails/v7/invalid_platform_name.yml", "'linux 64 foobar' is not a valid platform name" },
        new object[] { "lock_parse_fails/v7/invalid_platform_subdir.yml", "'linux-XX' is not a known conda platform" },
        new object[] { "lock_parse_fails/v7/missing_platform.yml", "uses the platform 'UNKNOWN', which the platforms list does not register" },
        new object[] { "conda-lock/forward-compatible-lock.yml", "lock file format version 1000 is not supported" },
    };

    [ConformanceTheory]
    [MemberData(nameof(MustFail))]
    public void RattlerBrokenLocks_FailNamingTheFileAndTheProblem(string relative, string problem)
    {
        string path = ConformanceData.PathOf("envfiles/rattler/" + relative)!;
        Assert.Equal(EnvironmentFileKind.PixiLock, EnvironmentFiles.Detect(path));
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => PixiLockFile.Load(path));
        Assert.Equal("InvalidEnvironmentFile", ex.ErrorId);
        Assert.StartsWith(Path.GetFullPath(path), ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Line > 0, ex.Message);
        Assert.Contains(problem, ex.Message);
        ex = Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentSource.Load(path, Platform.Parse("linux-64")));
        Assert.Contains(problem, ex.Message);
    }

    [ConformanceFact]
    public void RattlerCondaLockV3_ParsesAsACondaLockFile()
    {
        string path = ConformanceData.PathOf("envfiles/rattler/conda-lock/v3/robostack-turtlesim-conda-lock.yml")!;
        Assert.Equal(EnvironmentFileKind.CondaLock, EnvironmentFiles.Detect(path));
        CondaLockFile f = CondaLockFile.Load(path);
        Assert.Equal(3, f.Version);
        int entries = File.ReadLines(path).Count(l => l.StartsWith("  - platform: linux-64", StringComparison.Ordinal));
        Assert.Equal(entries, f.Packages.Count(p => p.Platform == "linux-64"));
        Assert.True(entries > 100);
        Assert.Contains(f.RecordsFor("linux-64"), r => r.Depends.Count > 0 && r.Depends.All(d => !d.EndsWith(' ')));
    }

    public static IEnumerable<object[]> MambaJsLocks()
    {
        string? root = ConformanceData.PathOf("envfiles/mamba");
        if (root is null || !Directory.Exists(root))
        {
            yield return new object[] { "(conformance data missing)" };
            yield break;
        }

        foreach (string path in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (relative.StartsWith("env_lockfile/", StringComparison.Ordinal) || relative.StartsWith("micromamba-tests/env_lockfiles/", StringComparison.Ordinal))
            {
                yield return new object[] { relative };
            }
        }
    }

    [ConformanceTheory]
    [MemberData(nameof(MambaJsLocks))]
    public void MambaJsLocks_ParseOrFailAsMambaExpects(string relative)
    {
        string path = ConformanceData.PathOf("envfiles/mamba/" + relative)!;
        Assert.Equal(EnvironmentFileKind.MambaJsLock, EnvironmentFiles.Detect(path));
        if (relative == "env_lockfile/bad_package-lock.json")
        {
            var ex = Assert.Throws<InvalidEnvironmentFileException>(() => MambaJsLockFile.Load(path));
            Assert.Contains("invalid JSON", ex.Message);
            Assert.True(ex.Line > 0, ex.Message);
            return;
        }

        if (relative == "env_lockfile/bad_version-lock.json")
        {
            var ex = Assert.Throws<InvalidEnvironmentFileException>(() => MambaJsLockFile.Load(path));
            Assert.Contains("'0.0.0' is not a supported mambajs lock version", ex.Message);
            return;
        }

        MambaJsLockFile f = MambaJsLockFile.Load(path);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement conda = doc.RootElement.GetProperty("packages");
        JsonElement pip = doc.RootElement.GetProperty("pipPackages");
        Assert.Equal(doc.RootElement.GetProperty("platform").GetString(), f.Platform);
        Assert.Equal(conda.EnumerateObject().Select(p => p.Name), f.ToRecords().Select(r => r.FileName));
        Assert.Equal(conda.EnumerateObject().Select(p => $"{p.Value.GetProperty("name").GetString()}-{p.Value.GetProperty("version").GetString()}-{p.Value.GetProperty("build").GetString()}"),
            f.ToRecords().Select(r => $"{r.Name}-{r.Version}-{r.Build}"));
        Assert.Equal(pip.EnumerateObject().Select(p => p.Value.GetProperty("url").GetString()), f.PipPackages.Select(p => p.Url));
        foreach (RepoDataRecord r in f.ToRecords())
        {
            JsonElement e = conda.GetProperty(r.FileName);
            string mirror = doc.RootElement.GetProperty("channelInfo").GetProperty(e.GetProperty("channel").GetString()!)[0].GetProperty("url").GetString()!;
            Assert.Equal($"{mirror.TrimEnd('/')}/{e.GetProperty("subdir").GetString()}/{r.FileName}", r.Url);
            Assert.Equal(e.TryGetProperty("hash", out JsonElement h) ? h.GetProperty("sha256").GetString() : null, r.Sha256);
        }

        EnvironmentSource source = EnvironmentSource.Load(path, Platform.Parse(f.Platform));
        Assert.Equal(f.ToRecords().Count, source.ExplicitRecords!.Count);
        Assert.Equal(f.PipPackages.Count, source.PipRequirements.Count);
    }

    [ConformanceFact]
    public void MambaJsLock_HasMambasCounts()
    {
        // libmamba test_env_lockfile.cpp, get_specific_packages-mambajs: 51 packages; 41 conda for emscripten-wasm32
        // (its own and noarch), 26 of them noarch; 10 pip.
        MambaJsLockFile f = MambaJsLockFile.Load(ConformanceData.PathOf("envfiles/mamba/env_lockfile/good_multiple_packages-lock.json")!);
        Assert.Equal(51, f.Packages.Count);
        Assert.Equal(41, f.ToRecords().Count(r => r.Subdir is "emscripten-wasm32" or "noarch"));
        Assert.Equal(26, f.ToRecords().Count(r => r.Subdir == "noarch"));
        Assert.Equal(10, f.PipPackages.Count);
        Assert.Equal(new[] { "https://prefix.dev/emscripten-forge-dev", "https://repo.prefix.dev/emscripten-forge-dev" }, f.ChannelUrls["emscripten-forge"]);
        Assert.Empty(MambaJsLockFile.Load(ConformanceData.PathOf("envfiles/mamba/env_lockfile/good_no_package-lock.json")!).Packages);
        Assert.Single(MambaJsLockFile.Load(ConformanceData.PathOf("envfiles/mamba/env_lockfile/good_one_package-lock.json")!).Packages);
    }
}
