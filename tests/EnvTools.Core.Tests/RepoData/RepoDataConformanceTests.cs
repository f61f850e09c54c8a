using System.Text.Json;
using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.RepoData;
using Xunit;

namespace EnvTools.Tests.RepoData;

/// <summary>Every repodata file of the shared conformance data, read in place.</summary>
public class RepoDataConformanceTests
{
    private const string Cf = "repodata/conda-forge-subchannel-python3.9-2024-05-16";

    // Files under repodata/ that are not repodata (or not yet supported), with the reason.
    private static readonly Dictionary<string, string> NotRepoData = new()
    {
        ["channeldata.json"] = "channel-level metadata, not records",
        ["patch_instructions"] = "repodata patches (another issue)",
        [".state.json"] = "conda cache state",
        ["run_exports.json"] = "run_exports index, not records",
        [".msgpack.zst"] = "CEP-16 sharded repodata: a later issue",
        ["repodata-records/"] = "a single RepoDataRecord (read through PrefixRecord.Read below)",
    };

    public static IEnumerable<object[]> RepoDataFiles()
    {
        string? root = ConformanceData.PathOf("repodata");
        if (root is null || !Directory.Exists(root))
        {
            yield return ["<absent>"];
            yield break;
        }

        foreach (string f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string rel = Path.GetRelativePath(root, f).Replace('\\', '/');
            bool json = rel.EndsWith(".json", StringComparison.Ordinal) || rel.EndsWith(".json.zst", StringComparison.Ordinal) || rel.EndsWith(".json.bz2", StringComparison.Ordinal) || rel.EndsWith(".json.gz", StringComparison.Ordinal);
            if (json && !NotRepoData.Keys.Any(rel.Contains))
            {
                yield return [rel];
            }
        }
    }

    [ConformanceTheory]
    [MemberData(nameof(RepoDataFiles))]
    public void EveryRepoDataFileParses_AndTheIndexAgrees(string rel)
    {
        string path = ConformanceData.PathOf("repodata/" + rel)!;
        if (rel.Contains("dummy-noarch-str-not-empty"))
        {
            // rattler's fixture for an invalid noarch value: it must be rejected, naming the value.
            var ex = Assert.Throws<MalformedDataException>(() => RepoDataParser.ParseFile(path));
            Assert.Contains("notempty-this-should-fail", ex.Message);
            Assert.Contains("at byte", ex.Message);
            return;
        }

        RepoDataFile file = RepoDataParser.ParseFile(path);
        int expected = CountWithSystemTextJson(path);
        Assert.Equal(expected, file.Count);

        RepoDataIndex index = RepoDataIndex.Load(path);
        Assert.Equal(file.Count, index.Count);
        var byName = file.Records.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Select(r => r.ToJson()).ToList());
        Assert.Equal(byName.Keys.Order(), index.Names.Order());
        foreach (var (name, records) in byName)
        {
            Assert.Equal(records, index.GetRecords(name).Select(r => r.ToJson()));
        }
    }

    /// <summary>An independent count: System.Text.Json's DOM over the decompressed bytes.</summary>
    private static int CountWithSystemTextJson(string path)
    {
        using var doc = JsonDocument.Parse(RepoDataStreams.ReadAll(path));
        JsonElement root = doc.RootElement;
        if (!root.TryGetProperty("packages", out _) && !root.TryGetProperty("packages.conda", out _))
        {
            return root.EnumerateObject().Count(p => p.Value.ValueKind == JsonValueKind.Object && (p.Name.EndsWith(".tar.bz2", StringComparison.Ordinal) || p.Name.EndsWith(".conda", StringComparison.Ordinal)));
        }

        int n = 0;
        foreach (string s in new[] { "packages", "packages.conda" })
        {
            if (root.TryGetProperty(s, out JsonElement m) && m.ValueKind == JsonValueKind.Object)
            {
                n += m.EnumerateObject().Count();
            }
        }

        return n;
    }

    [ConformanceTheory]
    [InlineData("linux-64", 2354, 355, 63)]
    [InlineData("linux-aarch64", -1, -1, -1)]
    [InlineData("noarch", -1, -1, -1)]
    public void CondaForgeSubchannel_CountsOfTheManifest(string subdir, int bz2, int conda, int names)
    {
        RepoDataFile f = RepoDataParser.ParseFile(ConformanceData.PathOf($"{Cf}/{subdir}/repodata.json")!);
        if (bz2 >= 0)
        {
            Assert.Equal(bz2, f.Packages.Count);
            Assert.Equal(conda, f.PackagesConda.Count);
            Assert.Equal(names, f.Records.Select(r => r.Name).Distinct().Count());
        }

        Assert.Equal(subdir, f.Subdir);
        Assert.All(f.Records, r => Assert.Equal($"https://conda.anaconda.org/conda-forge/{subdir}/{r.FileName}", r.Url));
    }

    [ConformanceFact]
    public void CondaForgeSubchannel_Total12132_AndJsonZstBz2Agree()
    {
        string[] subdirs = ["linux-64", "linux-aarch64", "linux-ppc64le", "osx-64", "osx-arm64", "win-64", "win-arm64", "noarch"];
        int[] counts = [2709, 1911, 1870, 2237, 832, 2339, 29, 205];
        int total = 0;
        for (int i = 0; i < subdirs.Length; i++)
        {
            string baseName = ConformanceData.PathOf($"{Cf}/{subdirs[i]}/repodata.json")!;
            string url = $"https://example.org/cf/{subdirs[i]}";
            RepoDataFile json = RepoDataParser.ParseFile(baseName, url);
            RepoDataFile zst = RepoDataParser.ParseFile(baseName + ".zst", url);
            RepoDataFile bz2 = RepoDataParser.ParseFile(baseName + ".bz2", url);
            Assert.Equal(counts[i], json.Count);
            var expected = json.Records.Select(r => r.ToJson()).ToList();
            Assert.Equal(expected, zst.Records.Select(r => r.ToJson()));
            Assert.Equal(expected, bz2.Records.Select(r => r.ToJson()));
            total += json.Count;
        }

        Assert.Equal(12132, total);
    }

    [ConformanceTheory]
    [InlineData("conda-tests/index.json", 1149, 172)]
    [InlineData("conda-tests/index2.json", 4118, 129)]
    [InlineData("conda-tests/index4.json", 5643, 814)]
    [InlineData("conda-tests/index5.json", 1152, -1)]
    [InlineData("conda-tests/repodata/r_linux-64.json", 4211, 393)]
    [InlineData("conda-tests/repodata/main_noarch.json", 322, -1)]
    [InlineData("rattler/channels/pytorch/linux-64/repodata.json", 2181, 49)]
    [InlineData("mamba/repodata/sudoku.json", 729, -1)]
    [InlineData("rattler/channels/dummy/linux-64/repodata.json", 29, -1)]
    public void ManifestCounts(string rel, int records, int names)
    {
        RepoDataFile f = RepoDataParser.ParseFile(ConformanceData.PathOf("repodata/" + rel)!);
        Assert.Equal(records, f.Count);
        if (names >= 0)
        {
            Assert.Equal(names, f.Records.Select(r => r.Name).Distinct().Count());
        }
    }

    [ConformanceFact]
    public void Index4_SplitsIntoLinux64NoarchAndNoSubdir()
    {
        RepoDataFile f = RepoDataParser.ParseFile(ConformanceData.PathOf("repodata/conda-tests/index4.json")!);
        Assert.Equal(5293, f.Records.Count(r => r.Subdir == "linux-64"));
        Assert.Equal(338, f.Records.Count(r => r.Subdir == "noarch"));
        Assert.Equal(12, f.Records.Count(r => r.Subdir is null));
    }

    [ConformanceFact]
    public void BaseUrlChannel_V2_UrlsComeFromBaseUrl()
    {
        RepoDataFile f = RepoDataParser.ParseFile(ConformanceData.PathOf("repodata/conda-tests/base_url_channel/linux-64/repodata.json")!, "https://mirror.example/main/linux-64");
        RepoDataRecord r = Assert.Single(f.Records);
        Assert.Equal(2, f.RepoDataVersion);
        Assert.Equal("https://repo.anaconda.com/pkgs/main/linux-64/ca-certificates-2024.3.11-h06a4308_0.conda", r.Url);
        Assert.Equal("1202b4ed32215c6405bb42fbff355316", r.LegacyBz2Md5);
    }

    [ConformanceFact]
    public void RattlerDummy_RelativeBaseUrl_ResolvesAgainstTheSubdirUrl()
    {
        RepoDataFile f = RepoDataParser.ParseFile(ConformanceData.PathOf("repodata/rattler/channels/dummy/linux-64/repodata.json")!, "https://host/dummy/linux-64");
        Assert.All(f.Records, r => Assert.Equal("https://host/dummy/linux-64/" + r.FileName, r.Url));
    }

    [ConformanceFact]
    public void LegacyNoarchRepodata_AndGzEmptyChannel()
    {
        RepoDataFile legacy = RepoDataParser.ParseFile(ConformanceData.PathOf("repodata/conda-tests/legacy_repodata/noarch/repodata.json")!);
        Assert.Equal("moto", Assert.Single(legacy.Records).Name);
        RepoDataFile gz = RepoDataParser.ParseFile(ConformanceData.PathOf("repodata/rattler/channels/empty/noarch/repodata.json.gz")!);
        Assert.Equal(0, gz.Count);
        Assert.Equal("noarch", gz.Subdir);
    }

    public static IEnumerable<object[]> PrefixRecordFiles()
    {
        string? root = ConformanceData.PathOf("prefix-records");
        if (root is null || !Directory.Exists(root))
        {
            yield return ["<absent>"];
            yield break;
        }

        foreach (string f in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (f.Replace('\\', '/').Contains("/conda-meta/"))
            {
                yield return [Path.GetRelativePath(root, f).Replace('\\', '/')];
            }
        }

        yield return ["../repodata/rattler/repodata-records/_libgcc_mutex-0.1-conda_forge.json"];
    }

    [ConformanceTheory]
    [MemberData(nameof(PrefixRecordFiles))]
    public void EveryPrefixRecordRoundTrips(string rel)
    {
        string path = ConformanceData.PathOf("prefix-records/" + rel)!;
        PrefixRecord rec = PrefixRecord.Read(path);
        using var ms = new MemoryStream();
        rec.Write(ms);
        JsonNode? original = JsonNode.Parse(File.ReadAllBytes(path));
        JsonNode? written = JsonNode.Parse(ms.ToArray());
        Assert.True(JsonNode.DeepEquals(original, written), $"{rel} does not round-trip");
        // key order kept
        Assert.Equal(original!.AsObject().Select(p => p.Key), written!.AsObject().Select(p => p.Key));
        Assert.False(string.IsNullOrEmpty(rec.Name));
    }

    [ConformanceFact]
    public void PrefixRecord_TypedFields()
    {
        PrefixRecord rec = PrefixRecord.Read(ConformanceData.PathOf("prefix-records/rattler/conda-meta/pip-23.0-pyhd8ed1ab_0.json")!);
        Assert.Equal("pip", rec.Name);
        Assert.Equal(NoArchKind.Python, rec.NoArch);
        Assert.Contains("python >=3.7", rec.Depends);
        Assert.NotNull(rec.Link);
        Assert.NotNull(rec.PathsData);
        Assert.Equal(rec.Files.Count, rec.PathsData!.Paths.Count);
        Assert.Equal("https://conda.anaconda.org/conda-forge/noarch", rec.Channel);
    }
}
