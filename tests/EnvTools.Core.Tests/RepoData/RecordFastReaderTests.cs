using System.Text;
using System.Text.Json;
using EnvTools.Conda;
using EnvTools.RepoData;
using Xunit;

namespace EnvTools.Tests.RepoData;

/// <summary>The direct record reader gives exactly what the general (Utf8JsonReader) reader gives, or gives up.</summary>
public class RecordFastReaderTests
{
    public static IEnumerable<object[]> Files() => RepoDataConformanceTests.RepoDataFiles();

    /// <summary>Reads with both; true when the fast reader took it (and then agreed).</summary>
    private static bool Agrees(byte[] json, int start, int length)
    {
        ReadOnlySpan<byte> value = json.AsSpan(start, length);
        var fast = new RepoDataRecord();
        bool took = RecordFastReader.TryRead(fast, value, new RecordReadContext(new RecordStringPool()) { FileNameFromKey = true });
        var general = new RepoDataRecord();
        string? error = null;
        try
        {
            var r = new Utf8JsonReader(value);
            r.Read();
            RecordWriter.Read(general, ref r, value, new RecordReadContext(new RecordStringPool()) { FileNameFromKey = true });
        }
        catch (Exception ex) when (ex is JsonException or RecordFormatException)
        {
            error = ex.Message;
        }

        if (took)
        {
            Assert.Null(error);
            Assert.Equal(general.ToJson(), fast.ToJson());
            Assert.Equal(general._present, fast._present);
            Assert.Equal(general._nulls, fast._nulls);
            Assert.Equal(general._forms, fast._forms);
            Assert.Equal(general.Md5, fast.Md5);
            Assert.Equal(general.Sha256, fast.Sha256);
            Assert.Equal(general.Timestamp, fast.Timestamp);
            Assert.Equal(general.Depends, fast.Depends);
        }

        return took;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ConformanceFiles(string rel)
    {
        string? path = rel == "<absent>" ? null : ConformanceData.PathOf("repodata/" + rel);
        if (path is null || !rel.EndsWith(".json", StringComparison.Ordinal))
        {
            return;
        }

        byte[] json = File.ReadAllBytes(path);
        if (json.Length == 0 || json[0] != (byte)'{')
        {
            return;
        }

        var scanner = new RepoDataScanner();
        int records = 0, fast = 0;
        try
        {
            while (scanner.Next(json, final: true, out RepoDataUnit u) == RepoDataScanner.Result.Unit)
            {
                if (u.IsRecord)
                {
                    records++;
                    fast += Agrees(json, u.ValueStart, u.ValueLength) ? 1 : 0;
                }
            }
        }
        catch (RepoDataScanner.ScanException)
        {
            return; // malformed on purpose
        }

        if (rel.StartsWith("conda-forge-subchannel", StringComparison.Ordinal))
        {
            Assert.Equal(records, fast); // the common shape takes the direct path
        }
    }

    [Theory]
    [InlineData("""{"name":"a","version":"1","build":"0","build_number":3,"depends":["b \u003E=1","c \"q\" \\ \/ \n \t é \u00e9"],"md5":"d7c89558ba9fa0495403155b64376d81"}""", true)]
    [InlineData("""{ "name" : "a" , "depends" : [ ] , "constrains":[ "x" ] , "timestamp" : 1700000000 , "size":-5 }""", true)]
    [InlineData("""{"timestamp":1700000000123,"noarch":"python","track_features":"a,b c","features":["f"]}""", true)]
    [InlineData("""{"noarch":true,"license":null,"platform":null,"arch":null,"md5":"ABC","sha256":null,"url":"u","channel":"c","fn":"x"}""", true)]
    [InlineData("""{"noarch":false}""", true)]
    [InlineData("""{"noarch":""}""", true)]
    [InlineData("""{"noarch":null}""", true)]
    [InlineData("""{"name":"a","name":"b"}""", true)]
    [InlineData("""{}""", true)]
    [InlineData("""{"timestamp":1.5}""", false)]
    [InlineData("""{"size":1e3}""", false)]
    [InlineData("""{"size":01}""", false)]
    [InlineData("""{"x_extra":{"a":1}}""", false)]
    [InlineData("""{"x_extra":"v\\u0041","package_type":"noarch_python","n":-12,"t":true,"f":false,"z":null,"name":"a"}""", true)]
    [InlineData("""{"x_extra":1.5}""", false)]
    [InlineData("""{"name":"a",}""", false)]
    [InlineData("""{"name":"a"} x""", false)]
    [InlineData("""{"name":nul}""", false)]
    [InlineData("""{"noarch":"other"}""", false)]
    [InlineData("""{"depends":[null]}""", false)]
    [InlineData("""{"depends":null}""", false)]
    [InlineData("""{"name":"\ud83d\ude00"}""", false)]
    [InlineData("""{"name":"\q"}""", false)]
    [InlineData("""{"na\u006de":"a"}""", false)]
    [InlineData("""{"build_number":"1"}""", false)]
    [InlineData("""{"files":[]}""", false)]
    public void Shapes(string record, bool direct)
    {
        byte[] json = Encoding.UTF8.GetBytes(record);
        Assert.Equal(direct, Agrees(json, 0, json.Length));
    }

    [Fact]
    public void ControlCharacterInString_IsLeftToTheGeneralReader()
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"name\":\"a\tb\"}");
        Assert.False(Agrees(json, 0, json.Length));
    }
}
