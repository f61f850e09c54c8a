using System.Text;
using EnvTools.Conda;
using EnvTools.RepoData;
using Xunit;

namespace EnvTools.Tests.RepoData;

/// <summary>Decoding on worker threads gives what decoding on one thread gives: the same records in the same
/// order, and the same (first) error.</summary>
public class RepoDataParallelParseTests
{
    private static byte[] Document(int records, params int[] broken)
    {
        var sb = new StringBuilder("{\"info\":{\"subdir\":\"linux-64\"},\n\"packages\":{\n");
        for (int i = 0; i < records; i++)
        {
            string version = Array.IndexOf(broken, i) >= 0 ? "1" : $"\"1.{i}\"";
            sb.Append($"\"p{i % 97}-1.{i}-h{i}_0.tar.bz2\":{{\"name\":\"p{i % 97}\",\"version\":{version},\"build\":\"h{i}_0\",\"build_number\":0,")
              .Append($"\"depends\":[\"python >=3.9\",\"dep{i % 13} \\u003E=1\"],\"md5\":\"d7c89558ba9fa0495403155b64376d81\",\"timestamp\":{1700000000 + i}}},\n");
        }

        sb.Append("\"x-1-0.tar.bz2\":{\"name\":\"x\",\"version\":\"1\",\"build\":\"0\"}},\n\"packages.conda\":{\"y-1-0.conda\":{\"name\":\"y\",\"version\":\"1\",\"build\":\"0\"}},\"repodata_version\":1}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static T With<T>(int? workers, Func<T> f)
    {
        int? saved = RepoDataParser.Workers;
        RepoDataParser.Workers = workers;
        try
        {
            return f();
        }
        finally
        {
            RepoDataParser.Workers = saved;
        }
    }

    [Fact]
    public void SameRecordsInTheSameOrder()
    {
        byte[] json = Document(6000);
        Assert.True(json.Length > 4 << 17);
        RepoDataFile one = With(1, () => RepoDataParser.Parse(json, "t.json", "https://c.example/ch/linux-64"));
        RepoDataFile four = With(4, () => RepoDataParser.Parse(json, "t.json", "https://c.example/ch/linux-64"));
        Assert.Equal(6001, four.Packages.Count);
        Assert.Single(four.PackagesConda);
        Assert.Equal(one.Records.Select(r => r.ToJson()), four.Records.Select(r => r.ToJson()));
        Assert.Equal(one.Records.Select(r => r.Url), four.Records.Select(r => r.Url));
    }

    [Fact]
    public void FirstErrorInFileOrderWins()
    {
        byte[] json = Document(6000, 4500, 5200);
        string one = With(1, () => Assert.Throws<MalformedDataException>(() => RepoDataParser.Parse(json, "t.json")).Message);
        string four = With(4, () => Assert.Throws<MalformedDataException>(() => RepoDataParser.Parse(json, "t.json")).Message);
        Assert.Equal(one, four);
        Assert.Contains("line 4503", one, StringComparison.Ordinal);
    }
}
