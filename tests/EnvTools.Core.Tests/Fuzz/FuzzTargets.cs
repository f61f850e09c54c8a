using System.Text;
using EnvTools.Activation;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Environments;
using EnvTools.RepoData;
using EnvTools.Tests.Config;
using Version = EnvTools.Conda.Version;

namespace EnvTools.Tests.Fuzz;

/// <summary>
/// The fuzz targets: every reader of outside input, seeded from the conformance data (and from a few
/// inline samples where the data has none). Each target reads the whole input as the cmdlets would.
/// </summary>
public static class FuzzTargets
{
    private static readonly string Scratch = Path.Combine(Path.GetTempPath(), "envtools-fuzz-" + Environment.ProcessId);

    private static readonly string[] SpecTokens = ["==", ">=", "<", "!=", "~=", "=", ".*", "*", "|", ",", "(", ")", "^", "$", "[", "]", "::", "/", "@", "#", " if ", "version=", "build=", "when=", "extras=", "'", "\"", "!", "+", "_", "-", "1.2", "0", "post", "dev"];
    private static readonly string[] YamlTokens = ["- ", ": ", "\n  ", "\n- ", "&x ", "*x", "<<: ", "!!str ", "!!python/object ", "? ", "|\n", ">\n", "---\n", "...\n", "#", "%YAML 1.1\n", "[[[[", "{{{{", "pip:", "dependencies:", "channels:", "version: ", "package:", "url: ", "hash:", "md5: ", "sha256: ", "platform: ", "environments:", "packages:", "conda: ", "pypi: "];
    private static readonly string[] JsonTokens = ["\"name\":", "\"version\":", "\"build\":", "\"build_number\":", "\"depends\":", "\"subdir\":", "\"info\":", "\"packages\":", "\"packages.conda\":", "\"md5\":", "\"sha256\":", "\"size\":", "\"timestamp\":", "\"files\":", "\"paths_data\":", "\"link\":", "\"url\":", "\"base_url\":", "\"repodata_version\":", "\"removed\":", "\"noarch\":", "\"constrains\":", "\"track_features\":", "\"hash\":", "\"lockVersion\":", "\"packages\":{", "\\u00ff", "\\\"", "[[[[[[[[", "-0", "1.5", "18446744073709551616"];

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("version", () => Lines("versions/rattler/versions.txt", 400).Concat(Inline("1.2.3", "1!2.0a1.post3+local.1", "1.2_3", "2023.10.01")).ToList(),
            b => { Version v = Version.Parse(Text(b)); _ = v.ToString(); _ = v.CompareTo(Version.Parse("1.0")); }, SpecTokens),
        new("versionspec", () => Inline(">=1.2,<2|1.0.*", "1.7*", "^1\\.2$", "~=1.2", "!=1.3.*", "(>=1|<0.5),!=1.1", "1.2|1.4", "*", "==1.2.*", "1.*.2"),
            b => { VersionSpec s = VersionSpec.Parse(Text(b)); _ = s.Matches("1.2.3"); _ = s.Matches(Version.Parse("2.0a1")); _ = s.ToString(); }, SpecTokens),
        new("matchspec", MatchSpecSeeds, b => MatchSpecRoundTrip(Text(b)), SpecTokens),
        new("repodata-json", () => Files("repodata/conda-forge-subchannel-python3.9-2024-05-16/win-arm64/repodata.json", "repodata/rattler/channels/dummy/linux-64/repodata.json", "repodata/conda-tests/legacy_repodata/noarch/repodata.json", "repodata/conda-tests/base_url_channel/linux-64/repodata.json"),
            ReadRepoData, JsonTokens),
        new("repodata-zst", () => Files("repodata/conda-forge-subchannel-python3.9-2024-05-16/win-arm64/repodata.json.zst"), b => ReadRepoDataFile(b, "repodata.json.zst"), ShortIterations: 500),
        new("repodata-bz2", () => Files("repodata/conda-forge-subchannel-python3.9-2024-05-16/win-arm64/repodata.json.bz2", "repodata/rattler/test-server/repo/noarch/repodata.json.bz2"), b => ReadRepoDataFile(b, "repodata.json.bz2"), ShortIterations: 400),
        new("disk-index", DiskIndexSeeds, ReadDiskIndex, ShortIterations: 500),
        new("environment-yml", () => Files("envfiles/conda-tests/simple.yml", "envfiles/conda-tests/with-pip.yml", "envfiles/conda-tests/valid_keys.yml", "envfiles/conda-tests/channels_with_envvars.yml", "envfiles/mamba/env_file/env_1.yaml", "envfiles/mamba/micromamba-tests/env-extra-white-space.yaml", "envfiles/conda-libmamba-solver/lock_this_env.yml"),
            b => EnvironmentFile.Parse(Text(b), "environment.yml", _ => "x"), YamlTokens),
        new("conda-lock", () => Files("envfiles/conda-tests/conda-lock-python310.yml", "envfiles/mamba/env_lockfile/good_multiple_packages-lock.yaml", "envfiles/mamba/env_lockfile/good_multiple_categories-lock.yaml", "envfiles/rattler/conda-lock/forward-compatible-lock.yml"),
            b => CondaLockFile.Parse(Text(b), "conda-lock.yml"), YamlTokens, ShortIterations: 600),
        new("pixi-lock", () => Files("envfiles/rattler/conda-lock/v6/pixi-build-url-source-lock.yml", "envfiles/rattler/conda-lock/v7/pixi-build-pinned-source-lock.yml", "envfiles/rattler/conda-lock/v7/conda-path-lock.yml", "envfiles/rattler/conda-lock/v7/options-lock.yml",
                "envfiles/rattler/conda-lock/v7/sources-lock.yml", "envfiles/rattler/conda-lock/v5/flat-index-lock.yml", "envfiles/rattler/test.lock"),
            b => PixiLockFile.Parse(Text(b), "pixi.lock", Scratch), YamlTokens, ShortIterations: 600),
        new("mambajs-lock", MambaJsSeeds, b => MambaJsLockFile.Parse(Text(b), "lock.json"), JsonTokens),
        new("explicit", () => Files("envfiles/conda-tests/explicit.txt", "envfiles/mamba/micromamba-tests/explicit_env_linux.txt", "envfiles/mamba/micromamba-tests/explicit_env_osx.txt"),
            b => ExplicitFile.Parse(Text(b), "explicit.txt"), ["@EXPLICIT\n", "#", "https://", "file:///", ".tar.bz2", ".conda", "\n", "/", "%00", "%2F..%2F"]),
        new("conda-meta", PrefixRecordSeeds, b => PrefixRecord.Parse(b, "conda-meta/x-1-0.json"), JsonTokens),
        new("history", () => Files("prefix-records/mamba-history/parse/conda-meta/history", "prefix-records/mamba-history/parse_metadata/conda-meta/history", "prefix-records/conda-tests-env_metadata/envpy37win/conda-meta/history"),
            ReadHistory, ["==> ", " <==\n", "# cmd: ", "# update specs: ", "# remove specs: ", "# neutered specs: ", "+", "-", "['", "']", "\n"]),
        new("condarc", () => Inline(CondarcSample), ReadCondarc, YamlTokens.Concat(["channels:", "channel_alias: ", "default_channels:", "custom_channels:", "envs_dirs:", "pkgs_dirs:", "ssl_verify: ", "#!final", "#!top", "${HOME}", "$("]).ToArray()),
        new("env-state", () => Inline("{\"env_vars\": {\"MY_VAR\": \"1\", \"OTHER\": \"a b\"}}", "{}", "{\"env_vars\": {}}"), ReadEnvState, JsonTokens),
        new("channel", () => Inline("conda-forge", "https://conda.anaconda.org/conda-forge", "file:///tmp/chan", "/tmp/chan", "pkgs/main", "defaults", "oci://ghcr.io/x/y", "s3://bucket/x", "https://user:pw@host:8080/a/b/linux-64", "C:\\chan"),
            ReadChannel, ["/", ":", "//", "?", "#", "%", "@", "[", "]", "\uFFFD", "\0", "\\", ".."]),
    ];

    private const string CondarcSample = "channels:\n  - conda-forge\n  - defaults\nchannel_alias: https://conda.anaconda.org\nssl_verify: true #!final\nenvs_dirs:\n  - ~/envs\npkgs_dirs: [~/pkgs]\ncustom_channels:\n  mine: https://example.com/c\nchannel_priority: strict\nadd_pip_as_python_dependency: false\nremote_max_retries: 3\nenv_prompt: '({name}) '\n";

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);

    private static IReadOnlyList<byte[]> Inline(params string[] items) => items.Select(Encoding.UTF8.GetBytes).ToList();

    private static IReadOnlyList<byte[]> Files(params string[] relative) =>
        relative.Select(ConformanceData.PathOf).Where(p => p is not null && File.Exists(p)).Select(p => File.ReadAllBytes(p!)).ToList();

    private static IEnumerable<byte[]> Lines(string relative, int max)
    {
        string? p = ConformanceData.PathOf(relative);
        return p is null || !File.Exists(p) ? [] : File.ReadLines(p).Take(max).Select(Encoding.UTF8.GetBytes);
    }

    private static IReadOnlyList<byte[]> MatchSpecSeeds()
    {
        var seeds = new List<byte[]>(Inline("numpy 1.7*", "conda-forge/linux-64::numpy==1.7=py37_0", "numpy[version='>=1.2,<2',build=py3*]", "jpeg 9**",
            "pytorch[build=cuda*,build_number='>=2',md5=abc]", "https://conda.anaconda.org/conda-forge/linux-64/zlib-1.2.13-h1_0.conda", "python[when='__unix']", "x[extras=[a, b]]"));
        string? p = ConformanceData.PathOf("matchspec/conda_test_match_spec_vectors.json");
        if (p is not null && File.Exists(p))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(p));
            foreach (System.Text.Json.JsonElement e in doc.RootElement.GetProperty("canonical_str").EnumerateArray())
            {
                if (e.TryGetProperty("input", out System.Text.Json.JsonElement input) && input.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    seeds.Add(Encoding.UTF8.GetBytes(input.GetString()!));
                }
            }
        }

        return seeds;
    }

    private static void MatchSpecRoundTrip(string text)
    {
        MatchSpec spec = MatchSpec.Parse(text);
        string canonical = spec.ToString();
        if (spec.FromPackageFile)
        {
            return; // shown as conda shows a package file: channel/subdir::name==version=build
        }

        MatchSpec again = MatchSpec.Parse(canonical);
        if (!again.Equals(spec) || again.ToString() != canonical)
        {
            throw new InvalidOperationException($"round trip: '{text}' -> '{canonical}' -> '{again}'");
        }
    }

    private static void ReadRepoData(byte[] b)
    {
        RepoDataFile file = RepoDataParser.Parse(b, "repodata.json", "https://conda.anaconda.org/x/linux-64");
        _ = file.Packages.Count + file.PackagesConda.Count;
        RepoDataIndex index = RepoDataIndex.Create(b, "repodata.json", "https://conda.anaconda.org/x/linux-64");
        foreach (string name in index.Names.ToList())
        {
            _ = index.GetRecords(name);
        }
    }

    private static void ReadRepoDataFile(byte[] b, string fileName)
    {
        string dir = Path.Combine(Scratch, "repodata-" + Environment.CurrentManagedThreadId);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, fileName);
        File.WriteAllBytes(path, b);
        RepoDataIndex index = RepoDataIndex.Load(path, null, new RepoDataIndexOptions { UseDiskIndex = false });
        foreach (string name in index.Names.ToList())
        {
            _ = index.GetRecords(name);
        }

        using var fs = File.OpenRead(path);
        _ = RepoDataParser.Parse(fs, path).Packages.Count;
    }

    // The on-disk index of a small repodata file, built once; the fuzzer mutates the index, not the repodata.
    private static readonly Lazy<(string Source, string Index)?> DiskIndexFixture = new(() =>
    {
        string? src = ConformanceData.PathOf("repodata/conda-forge-subchannel-python3.9-2024-05-16/win-arm64/repodata.json");
        if (src is null || !File.Exists(src))
        {
            return null;
        }

        string dir = Path.Combine(Scratch, "disk-index");
        Directory.CreateDirectory(dir);
        string copy = Path.Combine(dir, "repodata.json");
        File.Copy(src, copy, overwrite: true);
        using RepoDataIndex index = RepoDataIndex.Load(copy, null, DiskIndexOptions(dir)); // disposed: Windows refuses to rewrite a mapped file
        return index.IndexPath is null ? null : (copy, index.IndexPath);
    });

    private static RepoDataIndexOptions DiskIndexOptions(string dir) =>
        new() { CacheDirectory = Path.Combine(dir, "cache"), MinimumSourceLength = 1, ReadEnvironment = false };

    private static IReadOnlyList<byte[]> DiskIndexSeeds() => DiskIndexFixture.Value is { } f ? [File.ReadAllBytes(f.Index)] : [];

    private static void ReadDiskIndex(byte[] b)
    {
        if (DiskIndexFixture.Value is not { } f)
        {
            return;
        }

        File.WriteAllBytes(f.Index, b);
        using RepoDataIndex index = RepoDataIndex.Load(f.Source, null, DiskIndexOptions(Path.GetDirectoryName(f.Source)!));
        foreach (string name in index.Names.ToList())
        {
            _ = index.GetRecords(name);
        }
    }

    private static IReadOnlyList<byte[]> MambaJsSeeds() => Inline(
        """
        {"lockVersion":"1.0.0","date":"2025-01-01","channels":["conda-forge"],"channelInfo":{"conda-forge":[{"url":"https://conda.anaconda.org/conda-forge","protocol":"https"}]},"platform":"emscripten-wasm32","specs":["python"],"packages":{"python-3.13.1-h_0_cpython.conda":{"name":"python","version":"3.13.1","build":"h_0_cpython","hash":{"md5":"0123456789abcdef0123456789abcdef","sha256":null},"channel":"conda-forge","subdir":"emscripten-wasm32"}},"pipPackages":{}}
        """);

    private static IReadOnlyList<byte[]> PrefixRecordSeeds()
    {
        string? dir = ConformanceData.PathOf("prefix-records");
        return dir is null || !Directory.Exists(dir) ? []
            : Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories).Where(p => p.Contains("conda-meta")).Order(StringComparer.Ordinal)
                .Where(p => new FileInfo(p).Length < 64 * 1024).Take(30).Select(File.ReadAllBytes).ToList();
    }

    private static void ReadHistory(byte[] b)
    {
        PrefixHistory h = PrefixHistory.Parse(Text(b));
        _ = h.GetRequestedSpecs();
        foreach (HistoryRevision r in h.Revisions)
        {
            _ = r.ToString();
        }
    }

    // conda-meta/state and etc/conda/env_vars.d/*.json of a scratch prefix (Get-EnvVariable, Enable-Env)
    private static void ReadEnvState(byte[] b)
    {
        string prefix = Path.Combine(Scratch, "state-prefix");
        Directory.CreateDirectory(Path.Combine(prefix, "conda-meta"));
        Directory.CreateDirectory(EnvironmentConfigVariables.PackageVariablesFolder(prefix));
        File.WriteAllBytes(EnvironmentConfigVariables.StatePath(prefix), b);
        File.WriteAllBytes(Path.Combine(EnvironmentConfigVariables.PackageVariablesFolder(prefix), "x.json"), b);
        _ = EnvironmentConfigVariables.Read(prefix);
        _ = EnvironmentConfigVariables.ForActivation(prefix);
    }

    private static readonly Lazy<ConfigFixture> Condarc = new(() => new ConfigFixture());

    private static void ReadCondarc(byte[] b)
    {
        ConfigFixture f = Condarc.Value;
        File.WriteAllBytes(Path.Combine(f.Home, ".condarc"), b);
        Settings s = f.Load();
        _ = s.CreateChannelResolver().ResolveAll(s.Channels, Scratch);
    }

    private static void ReadChannel(byte[] b)
    {
        string text = Text(b);
        foreach (Channel c in ChannelResolver.Default.ResolveAll([text], Scratch))
        {
            _ = c.SubdirUrl("linux-64");
            _ = c.GetRequestUrl("noarch");
            _ = c.DisplayUrl;
            _ = c.LocalPath;
        }

        _ = MatchSpecChannel.Parse(text);
    }
}
