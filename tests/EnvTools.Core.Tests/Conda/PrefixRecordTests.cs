using System.Text;
using System.Text.Json.Nodes;
using EnvTools.Conda;
using Xunit;

namespace EnvTools.Tests.Conda;

public class PrefixRecordTests
{
    private const string Meta = """
        {
          "name": "tool", "version": "1.0", "build": "0", "build_number": 0,
          "depends": ["python"], "noarch": "python", "timestamp": 1600000000,
          "track_features": "", "features": "a b",
          "url": "https://x/noarch/tool-1.0-0.conda", "channel": "https://x/noarch", "fn": "tool-1.0-0.conda",
          "files": ["bin/tool", "lib/x.py"],
          "paths_data": {"paths": [
             {"_path": "bin/tool", "path_type": "hardlink", "sha256": "ab", "size_in_bytes": 10, "prefix_placeholder": "/opt/p", "file_mode": "text", "inode_paths": ["a"]},
             {"_path": "lib/x.py", "path_type": "softlink", "no_link": true, "sha256": null}],
           "paths_version": 1},
          "link": {"source": "/pkgs/tool-1.0-0", "type": 1},
          "requested_spec": null, "requested_specs": ["tool"],
          "extracted_package_dir": "/pkgs/tool-1.0-0", "package_tarball_full_path": "/pkgs/tool-1.0-0.conda",
          "zzz_new_field": [1, {"b": null}]
        }
        """;

    private static PrefixRecord Read(string json) => PrefixRecord.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "meta.json");

    [Fact]
    public void Reads_TypedFields()
    {
        PrefixRecord r = Read(Meta);
        Assert.Equal("tool", r.Name);
        Assert.Equal(NoArchKind.Python, r.NoArch);
        Assert.Equal(1600000000000, r.Timestamp);
        Assert.Empty(r.TrackFeatures);
        Assert.Equal(["a", "b"], r.Features);
        Assert.Equal("https://x/noarch/tool-1.0-0.conda", r.Url);
        Assert.Equal("tool-1.0-0.conda", r.FileName);
        Assert.Equal(["bin/tool", "lib/x.py"], r.Files);
        Assert.Equal(2, r.PathsData!.Paths.Count);
        Assert.Equal("/opt/p", r.PathsData.Paths[0].PrefixPlaceholder);
        Assert.Equal("text", r.PathsData.Paths[0].FileMode);
        Assert.Equal(10, r.PathsData.Paths[0].SizeInBytes);
        Assert.Equal(["inode_paths"], r.PathsData.Paths[0].ExtraKeys);
        Assert.True(r.PathsData.Paths[1].NoLink);
        Assert.Equal(1, r.Link!.Type);
        Assert.Null(r.RequestedSpec);
        Assert.Equal(["tool"], r.RequestedSpecs!);
        Assert.Equal(["zzz_new_field"], r.ExtraKeys);
    }

    [Fact]
    public void RoundTrips_SemanticallyAndInKeyOrder()
    {
        PrefixRecord r = Read(Meta);
        using var ms = new MemoryStream();
        r.Write(ms);
        JsonNode a = JsonNode.Parse(Meta)!, b = JsonNode.Parse(ms.ToArray())!;
        Assert.True(JsonNode.DeepEquals(a, b), Encoding.UTF8.GetString(ms.ToArray()));
        Assert.Equal(a.AsObject().Select(p => p.Key), b.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void ChangedFields_AreWrittenInTheirNewValue()
    {
        PrefixRecord r = Read(Meta);
        var copy = new PrefixRecord(r) { TrackFeatures = ["x", "y"], NoArch = NoArchKind.Generic, Timestamp = 1600000000001, RequestedSpec = "tool >=1" };
        JsonNode n = JsonNode.Parse(copy.ToJson())!;
        Assert.Equal(["x", "y"], n["track_features"]!.AsArray().Select(x => (string)x!));
        Assert.Equal("generic", (string)n["noarch"]!);
        Assert.Equal(1600000000001, n["timestamp"]!.GetValue<long>());
        Assert.Equal("tool >=1", (string)n["requested_spec"]!);
        Assert.Equal("tool", (string)n["name"]!);
        Assert.NotNull(n["zzz_new_field"]);
    }

    [Fact]
    public void NewRecord_WritesTheBasicsSorted()
    {
        var r = new PrefixRecord { Name = "a", Version = "1", Build = "0", Url = "u", Channel = "c", FileName = "a-1-0.conda" };
        Assert.Equal("""{"build":"0","build_number":0,"channel":"c","depends":[],"fn":"a-1-0.conda","name":"a","url":"u","version":"1"}""", r.ToJson());
    }

    [Theory]
    [InlineData("{\"name\": \"a\",}", 13)]
    [InlineData("{\"name\": \"a\", \"noarch\": \"weird\"}", 24)]
    [InlineData("{\"name\": \"a\"} x", 14)]
    public void Malformed_ThrowsWithOffset(string json, int offset)
    {
        var ex = Assert.Throws<MalformedDataException>(() => Read(json));
        Assert.Equal("MalformedPrefixRecord", ex.ErrorId);
        var m = System.Text.RegularExpressions.Regex.Match(ex.Message, @"at byte (\d+), line 1\)");
        Assert.True(m.Success, ex.Message);
        Assert.Equal(offset, int.Parse(m.Groups[1].Value));
        Assert.StartsWith("meta.json: ", ex.Message);
    }
}
