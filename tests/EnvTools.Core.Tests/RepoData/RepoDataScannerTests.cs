using System.Text;
using EnvTools.RepoData;
using Xunit;

namespace EnvTools.Tests.RepoData;

/// <summary>The block (bit mask) record scanner agrees with the byte-at-a-time walk it replaced.</summary>
public class RepoDataScannerTests
{
    public static IEnumerable<object[]> Files() => RepoDataConformanceTests.RepoDataFiles();

    private static void AssertAgrees(byte[] json)
    {
        var scanner = new RepoDataScanner();
        int records = 0;
        while (scanner.Next(json, final: true, out RepoDataUnit u) == RepoDataScanner.Result.Unit)
        {
            if (!u.IsRecord || json[u.ValueStart] != (byte)'{')
            {
                continue;
            }

            int end = RepoDataScanner.SkipRecordScalar(json, u.ValueStart, out int nameStart, out int nameLength);
            Assert.Equal(end, u.ValueStart + u.ValueLength);
            Assert.Equal(nameStart, u.NameStart);
            if (nameStart >= 0)
            {
                Assert.Equal(nameLength, u.NameLength);
            }

            records++;
        }

        Assert.True(records >= 0);
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
        if (json.Length > 0 && json[0] == (byte)'{' && Encoding.UTF8.GetString(json).Contains("\"packages\"", StringComparison.Ordinal))
        {
            AssertAgrees(json);
        }
    }

    [Theory]
    [InlineData("""{"name": "a\"b", "x": "}{][", "build": "0"}""")]
    [InlineData("""{"x": "\\", "name": "ok"}""")]
    [InlineData("""{"x": "\\\"name\": \"no\"", "name": "yes"}""")]
    [InlineData("""{"depends": ["name"], "x": {"name": "nested"}, "name" : "top"}""")]
    [InlineData("""{"x": {"name": "nested"}}""")]
    [InlineData("""{"name": null, "version": "1"}""")]
    [InlineData("""{"name":"first","name":"second"}""")]
    [InlineData("""{ "name"  :  "spaced" , "a": [[{"b": "]"}]] }""")]
    public void TrickyRecords(string record)
    {
        // Pad so that the interesting bytes fall at every offset of a 64-byte block, and across blocks.
        for (int pad = 0; pad < 70; pad++)
        {
            string doc = "{\"packages\": {" + new string(' ', pad) + "\"a-1-0.tar.bz2\": " + record + ", \"b-1-0.tar.bz2\": " + record.Replace("\\\\", "\\\\\\\\", StringComparison.Ordinal) + "}}";
            AssertAgrees(Encoding.UTF8.GetBytes(doc));
        }
    }

    [Fact]
    public void LongEscapeRuns_AcrossBlocks()
    {
        for (int n = 1; n < 140; n++)
        {
            string value = new string('\\', 2 * n);
            string doc = "{\"packages\": {\"a-1-0.tar.bz2\": {\"x\": \"" + value + "\", \"name\": \"n" + value + "\", \"y\": \"\\\"}\"}}}";
            AssertAgrees(Encoding.UTF8.GetBytes(doc));
        }
    }
}
