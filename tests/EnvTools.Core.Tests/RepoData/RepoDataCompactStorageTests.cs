using System.Text;
using System.Text.Json;
using EnvTools.Conda;
using EnvTools.RepoData;
using Xunit;

namespace EnvTools.Tests.RepoData;

/// <summary>The compact forms the parser keeps (hashes as bytes, file names derived from the key) read and write back exactly.</summary>
public class RepoDataCompactStorageTests
{
    private const string Md5 = "d7c89558ba9fa0495403155b64376d81";
    private const string Sha = "fe51de6107f9edc7aa4f786a70f4a883943bc9d39b3bb7307c04c41410990726";

    private static RepoDataFile Parse(string json) =>
        RepoDataParser.Parse(Encoding.UTF8.GetBytes(json), "t.json", "https://conda.example/ch/linux-64");

    [Fact]
    public void CanonicalHashes_RoundTrip()
    {
        RepoDataFile f = Parse($$$$"""{"packages":{"a-1-0.tar.bz2":{"name":"a","version":"1","build":"0","build_number":0,"depends":[],"md5":"{{{{Md5}}}}","sha256":"{{{{Sha}}}}"}}}""");
        RepoDataRecord r = f.Packages[0];
        Assert.Equal(Md5, r.Md5);
        Assert.Equal(Sha, r.Sha256);
        using JsonDocument doc = JsonDocument.Parse(r.ToJson());
        Assert.Equal(Md5, doc.RootElement.GetProperty("md5").GetString());
        Assert.Equal(Sha, doc.RootElement.GetProperty("sha256").GetString());
        var copy = new RepoDataRecord(r);
        Assert.Equal(Sha, copy.Sha256);
        var changed = new RepoDataRecord(r) { Md5 = "x" };
        Assert.Equal("x", changed.Md5);
        Assert.Equal(Sha, changed.Sha256);
    }

    [Theory]
    [InlineData("D7C89558BA9FA0495403155B64376D81")]
    [InlineData("d7c8")]
    [InlineData("d7c89558ba9fa0495403155b64376d8g")]
    [InlineData("")]
    public void NonCanonicalHashes_KeptAsWritten(string md5)
    {
        RepoDataFile f = Parse($$$$"""{"packages":{"a-1-0.tar.bz2":{"name":"a","version":"1","build":"0","md5":"{{{{md5}}}}","sha256":null}}}""");
        Assert.Equal(md5, f.Packages[0].Md5);
        Assert.Null(f.Packages[0].Sha256);
        Assert.Contains($"\"md5\":\"{md5}\"", f.Packages[0].ToJson(), StringComparison.Ordinal);
        Assert.Contains("\"sha256\":null", f.Packages[0].ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void FileNames_DerivedOrStored()
    {
        RepoDataFile f = Parse("""
            {"packages":{"a-1-0.tar.bz2":{"name":"a","version":"1","build":"0"},"odd.tar.bz2":{"name":"a","version":"2","build":"0"}},
             "packages.conda":{"a-1-0.conda":{"name":"a","version":"1","build":"0","fn":"ignored.conda","url":"https://conda.example/ch/linux-64/a-1-0.conda"}}}
            """);
        Assert.Equal("a-1-0.tar.bz2", f.Packages[0].FileName);
        Assert.Equal("https://conda.example/ch/linux-64/a-1-0.tar.bz2", f.Packages[0].Url);
        Assert.Equal("odd.tar.bz2", f.Packages[1].FileName);
        Assert.Equal("a-1-0.conda", f.PackagesConda[0].FileName);
        Assert.Equal("https://conda.example/ch/linux-64/a-1-0.conda", f.PackagesConda[0].Url);
        Assert.Contains("\"fn\":\"a-1-0.conda\"", f.PackagesConda[0].ToJson(), StringComparison.Ordinal);

        // A copy that changes the version keeps the file name it was given.
        var copy = new RepoDataRecord(f.Packages[0]) { Version = "9" };
        Assert.Equal("a-1-0.tar.bz2", copy.FileName);
        Assert.Equal("9", copy.Version);
        var renamed = new RepoDataRecord(f.PackagesConda[0]) { FileName = "b.conda" };
        Assert.Equal("b.conda", renamed.FileName);
    }

    [Fact]
    public void LazyIndex_AgreesWithFullParse()
    {
        const string json = $$$$"""{"packages":{"a-1-0.tar.bz2":{"name":"a","version":"1","build":"0","md5":"{{{{Md5}}}}"}},"packages.conda":{"a-1-0.conda":{"name":"a","version":"1","build":"0","sha256":"{{{{Sha}}}}"}}}""";
        RepoDataIndex idx = RepoDataIndex.Create(Encoding.UTF8.GetBytes(json), "t.json", "https://conda.example/ch/linux-64");
        IReadOnlyList<RepoDataRecord> recs = idx.GetRecords("a");
        RepoDataFile f = Parse(json);
        Assert.Equal(f.Records.Select(r => r.ToJson()), recs.Select(r => r.ToJson()));
        Assert.Equal(Md5, recs[0].Md5);
        Assert.Equal("a-1-0.conda", recs[1].FileName);
    }
}
