using System.Text;
using EnvTools.Conda;
using EnvTools.RepoData;
using SharpCompress.Compressors.BZip2;
using Xunit;

namespace EnvTools.Tests.RepoData;

/// <summary>The parser and the lazy index on small repodata written by the tests.</summary>
public class RepoDataParserTests
{
    private const string V1 = """
        {
          "info": {"subdir": "linux-64"},
          "packages": {
            "foo-1.0-h0_0.tar.bz2": {"name": "foo", "version": "1.0", "build": "h0_0", "build_number": 0,
              "depends": ["bar >=2", "python 3.9.*"], "md5": "aa", "subdir": "linux-64", "timestamp": 1700000000,
              "track_features": "feat1,feat2 feat3", "license": null, "noarch": true, "x_custom": {"a": [1, 2]}},
            "bar-2.0-h1_3.tar.bz2": {"name": "bar", "version": "2.0", "build": "h1_3", "build_number": 3,
              "depends": [], "timestamp": 1700000000123, "noarch": "python", "size": 1234}
          },
          "packages.conda": {
            "foo-1.1-h0_0.conda": {"name": "foo", "version": "1.1", "build": "h0_0", "build_number": 0, "depends": ["bar"], "noarch": "generic"}
          },
          "removed": ["old-0.1-0.tar.bz2"],
          "repodata_version": 1
        }
        """;

    private const string V2 = """
        {"info": {"subdir": "noarch", "base_url": "https://cdn.example/pkgs/noarch"}, "repodata_version": 2,
         "packages": {}, "packages.conda": {"baz-1-0.conda": {"name": "baz", "version": "1", "build": "0", "build_number": 0, "depends": []}}}
        """;

    private static RepoDataFile Parse(string json, string? url = "https://conda.example/ch/linux-64") =>
        RepoDataParser.Parse(Encoding.UTF8.GetBytes(json), "test.json", url);

    [Fact]
    public void V1_UrlsAreSubdirUrlPlusFileName_AndChannelIsTheSubdirUrl()
    {
        RepoDataFile f = Parse(V1);
        Assert.Equal(3, f.Count);
        Assert.Equal(2, f.Packages.Count);
        Assert.Single(f.PackagesConda);
        Assert.Equal("linux-64", f.Subdir);
        Assert.Equal(1, f.RepoDataVersion);
        Assert.Equal(["old-0.1-0.tar.bz2"], f.Removed);
        RepoDataRecord foo = f.Packages[0];
        Assert.Equal("foo-1.0-h0_0.tar.bz2", foo.FileName);
        Assert.Equal("https://conda.example/ch/linux-64/foo-1.0-h0_0.tar.bz2", foo.Url);
        Assert.Equal("https://conda.example/ch/linux-64", foo.Channel);
    }

    [Fact]
    public void V2_UrlsComeFromBaseUrl()
    {
        RepoDataFile f = Parse(V2);
        Assert.Equal(2, f.RepoDataVersion);
        Assert.Equal("https://cdn.example/pkgs/noarch", f.BaseUrl);
        Assert.Equal("https://cdn.example/pkgs/noarch/baz-1-0.conda", f.PackagesConda[0].Url);
    }

    [Fact]
    public void V2_RelativeBaseUrl_IsResolvedAgainstTheSubdirUrl()
    {
        RepoDataFile f = Parse(V2.Replace("https://cdn.example/pkgs/noarch", "../mirror/noarch"), "https://host/ch/noarch");
        Assert.Equal("https://host/ch/mirror/noarch/baz-1-0.conda", f.PackagesConda[0].Url);
    }

    [Fact]
    public void InfoAfterThePackages_StillGivesTheUrls()
    {
        string json = """{"packages.conda": {"baz-1-0.conda": {"name": "baz", "version": "1", "build": "0", "build_number": 0, "depends": []}}, "info": {"base_url": "https://late.example/x"}}""";
        Assert.Equal("https://late.example/x/baz-1-0.conda", Parse(json).PackagesConda[0].Url);
    }

    [Fact]
    public void NoArch_TrueIsGeneric_StringsMap_AbsentIsNone()
    {
        RepoDataFile f = Parse(V1);
        Assert.Equal(NoArchKind.Generic, f.Packages[0].NoArch);
        Assert.Equal(NoArchKind.Python, f.Packages[1].NoArch);
        Assert.Equal(NoArchKind.Generic, f.PackagesConda[0].NoArch);
        Assert.Equal(NoArchKind.None, Parse(V2).PackagesConda[0].NoArch);
        // the legacy form is written back as it was read
        Assert.Contains("\"noarch\":true", f.Packages[0].ToJson());
    }

    [Fact]
    public void Timestamp_SecondsAreNormalisedToMilliseconds()
    {
        RepoDataFile f = Parse(V1);
        Assert.Equal(1700000000000, f.Packages[0].Timestamp);
        Assert.Equal(1700000000123, f.Packages[1].Timestamp);
        Assert.Null(f.PackagesConda[0].Timestamp);
    }

    [Fact]
    public void TrackFeatures_StringIsSplitOnCommasAndSpaces()
    {
        RepoDataFile f = Parse(V1);
        Assert.Equal(["feat1", "feat2", "feat3"], f.Packages[0].TrackFeatures);
        Assert.Empty(f.Packages[1].TrackFeatures);
        Assert.Contains("\"track_features\":\"feat1,feat2 feat3\"", f.Packages[0].ToJson());
    }

    [Fact]
    public void NullFields_AreNullAndWrittenBackAsNull()
    {
        RepoDataRecord foo = Parse(V1).Packages[0];
        Assert.Null(foo.License);
        Assert.Contains("\"license\":null", foo.ToJson());
        Assert.DoesNotContain("\"license\"", Parse(V1).Packages[1].ToJson());
    }

    [Fact]
    public void UnknownKeys_ArePreservedVerbatim()
    {
        RepoDataRecord foo = Parse(V1).Packages[0];
        Assert.Equal(["x_custom"], foo.ExtraKeys);
        Assert.Equal("""{"a":[1,2]}""", foo.GetExtraJson("x_custom"));
        Assert.Contains("\"x_custom\":{\"a\":[1,2]}", foo.ToJson());
        Assert.True(foo.TryGetExtra("x_custom", out var e));
        Assert.Equal(2, e.GetProperty("a").GetArrayLength());
    }

    [Fact]
    public void StringsAreInternedAcrossRecords()
    {
        RepoDataFile f = Parse(V1);
        Assert.Same(f.Packages[0].Name, f.PackagesConda[0].Name);
        Assert.Same(f.Packages[0].Depends[0], f.Packages[0].Depends[0]);
    }

    [Fact]
    public void FlatFilenameMap_IsSupported()
    {
        string json = """{"a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0", "build_number": 0, "depends": []}, "b-2-0.conda": {"name": "b", "version": "2", "build": "0", "build_number": 0, "depends": ["a"]}}""";
        RepoDataFile f = Parse(json);
        Assert.Equal("a", Assert.Single(f.Packages).Name);
        Assert.Equal("b", Assert.Single(f.PackagesConda).Name);
    }

    [Theory]
    [InlineData("""{"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1",, "build": "0"}}}""", 60)]
    [InlineData("""{"packages": {"a-1-0.tar.bz2": {"name": "a", "build_number": "x"}}}""", 61)]
    [InlineData("""{"packages": {"a-1-0.tar.bz2": {"name": "a"}} "info": {}}""", 46)]
    [InlineData("""{"packages": {"a-1-0.tar.bz2": {"name": "a"}""", 44)]
    [InlineData("""[1, 2]""", 0)]
    public void MalformedJson_ThrowsMalformedData_WithTheOffset(string json, int offset)
    {
        var ex = Assert.Throws<MalformedDataException>(() => Parse(json));
        Assert.Equal("MalformedRepoData", ex.ErrorId);
        Assert.Equal("test.json", ex.Source);
        Assert.Equal(offset, ByteOf(ex));
        Assert.Contains("line 1)", ex.Message);
    }

    [Fact]
    public void Malformed_LineNumberCountsAcrossBufferRefills()
    {
        // A record broken after ~300 KB of valid records (more than the parser's first buffer).
        var sb = new StringBuilder("{\n\"packages\": {\n");
        for (int i = 0; i < 3000; i++)
        {
            sb.Append($"\"p{i}-1-0.tar.bz2\": {{\"name\": \"p{i}\", \"version\": \"1\", \"build\": \"0\", \"build_number\": 0, \"depends\": [\"{new string('x', 40)}\"]}},\n");
        }

        int offset = Encoding.UTF8.GetByteCount(sb.ToString());
        sb.Append("\"bad-1-0.tar.bz2\": {\"name\": 5}}}");
        var ex = Assert.Throws<MalformedDataException>(() => Parse(sb.ToString()));
        Assert.Contains("line 3003)", ex.Message);
        Assert.Equal(offset + 28, ByteOf(ex));
    }

    private static long ByteOf(Exception ex)
    {
        var m = System.Text.RegularExpressions.Regex.Match(ex.Message, @"at byte (\d+), line");
        Assert.True(m.Success, ex.Message);
        return long.Parse(m.Groups[1].Value);
    }

    [Fact]
    public void Compressed_ZstdBz2Gzip_GiveTheSameRecords()
    {
        byte[] json = Encoding.UTF8.GetBytes(V1);
        byte[] zst = new ZstdSharp.Compressor().Wrap(json).ToArray();
        using var bz = new MemoryStream();
        using (var s = BZip2Stream.Create(bz, SharpCompress.Compressors.CompressionMode.Compress, false, true))
        {
            s.Write(json);
        }

        using var gz = new MemoryStream();
        using (var s = new System.IO.Compression.GZipStream(gz, System.IO.Compression.CompressionMode.Compress, leaveOpen: true))
        {
            s.Write(json);
        }

        string expected = string.Join("\n", Parse(V1).Records.Select(r => r.ToJson()));
        foreach (byte[] data in new[] { zst, bz.ToArray(), gz.ToArray() })
        {
            Assert.NotEqual(json[0], data[0]);
            RepoDataFile f = RepoDataParser.Parse(new MemoryStream(data), "c", "https://conda.example/ch/linux-64");
            Assert.Equal(expected, string.Join("\n", f.Records.Select(r => r.ToJson())));
        }
    }

    [Fact]
    public void TruncatedCompressedData_ThrowsMalformedData()
    {
        byte[] zst = new ZstdSharp.Compressor().Wrap(Encoding.UTF8.GetBytes(V1)).ToArray();
        Assert.Throws<MalformedDataException>(() => RepoDataParser.Parse(new MemoryStream(zst[..(zst.Length / 2)]), "t.zst"));
    }

    [Fact]
    public void LargeRecordsAcrossBufferBoundaries_ParseLikeOneBlock()
    {
        var sb = new StringBuilder("{\"info\": {\"subdir\": \"linux-64\"}, \"packages\": {");
        for (int i = 0; i < 2000; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append($"\"p{i % 7}-{i}-0.tar.bz2\": {{\"name\": \"p{i % 7}\", \"version\": \"{i}\", \"build\": \"0\", \"build_number\": 0, \"depends\": [{string.Join(",", Enumerable.Range(0, i % 50).Select(j => $"\"dep{j} >=1\""))}]}}");
        }

        sb.Append("}}");
        byte[] bytes = Encoding.UTF8.GetBytes(sb.ToString());
        Assert.True(bytes.Length > 3 * (1 << 17));
        RepoDataFile f = RepoDataParser.Parse(bytes, "big");
        Assert.Equal(2000, f.Count);
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => i.ToString()), f.Records.Select(r => r.Version));
        Assert.Equal(1999 % 50, f.Packages[1999].Depends.Count);

        RepoDataIndex index = RepoDataIndex.Create(bytes, "big");
        Assert.Equal(7, index.Names.Count);
        Assert.Equal(f.Records.Where(r => r.Name == "p3").Select(r => r.ToJson()), index.GetRecords("p3").Select(r => r.ToJson()));
    }

    [Fact]
    public void Index_DecodesOnlyWhatIsAsked_AndFallsBackToTheFileName()
    {
        string json = """{"packages": {"good-1-0.tar.bz2": {"name": "good", "version": "1", "build": "0", "build_number": 0, "depends": []}, "bad-1-0.tar.bz2": {"version": "1", "build_number": "oops"}}}""";
        RepoDataIndex index = RepoDataIndex.Create(Encoding.UTF8.GetBytes(json), "lazy.json");
        Assert.Equal(2, index.Count);
        Assert.True(index.Contains("bad"));
        Assert.Equal("1", Assert.Single(index.GetRecords("good")).Version);
        Assert.Same(index.GetRecords("good"), index.GetRecords("good"));
        Assert.Empty(index.GetRecords("absent"));
        var ex = Assert.Throws<MalformedDataException>(() => index.GetRecords("bad"));
        Assert.Contains("build_number", ex.Message);
    }

    [Theory]
    [InlineData("numpy-1.26.4-py39h474f0d3_0.conda", "numpy")]
    [InlineData("_libgcc_mutex-0.1-conda_forge.tar.bz2", "_libgcc_mutex")]
    [InlineData("ca-certificates-2024.3.11-h06a4308_0.conda", "ca-certificates")]
    public void NameFromFileName(string fn, string name) => Assert.Equal(name, RepoDataIndex.NameFromFileName(fn));
}
