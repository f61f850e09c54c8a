using EnvTools.IO;
using EnvTools.Tests.Environments;
using Xunit;

namespace EnvTools.Tests.IO;

/// <summary>The link count the package-cache cleaner reads to tell a file linked into an environment from a lone one.</summary>
public sealed class HardLinksTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Count_FollowsRealHardLinks_AndIsNullForAMissingFile()
    {
        string a = _tmp.Sub("a.txt");
        File.WriteAllText(a, "hello");
        Assert.Equal(1, HardLinks.Count(a));

        TestPrefix.HardLink(a, _tmp.Sub("b.txt"));
        TestPrefix.HardLink(a, _tmp.Sub("c.txt"));
        Assert.Equal(3, HardLinks.Count(a));
        Assert.Equal(3, HardLinks.Count(_tmp.Sub("c.txt")));

        File.Delete(_tmp.Sub("b.txt"));
        Assert.Equal(2, HardLinks.Count(a));
        Assert.Null(HardLinks.Count(_tmp.Sub("missing.txt")));
    }
}
