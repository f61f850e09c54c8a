using EnvTools.Conda;
using Xunit;

namespace EnvTools.Tests.Conda;

public class ChannelPathTests
{
    [Theory]
    [InlineData("/srv/channel")]
    [InlineData("//server/share")] // conda's is_path: '//' (UNC)
    [InlineData("./channel")]
    [InlineData("../channel")]
    [InlineData("~/channel")]
    [InlineData("\\\\server\\share")] // conda's is_path: '\\' (UNC)
    [InlineData(".")]
    [InlineData("C:\\channel")] // conda's is_path: drive, colon, separator
    [InlineData("c:/channel")]
    public void BothRulesTakeTheCommonPaths(string text)
    {
        Assert.True(ChannelPath.LooksLikePath(text, ChannelPathRules.Spec));
        Assert.True(ChannelPath.LooksLikePath(text, ChannelPathRules.Argument, MissingDirectory()));
    }

    [Theory]
    [InlineData("conda-forge")]
    [InlineData("bioconda/label/dev")]
    [InlineData("pkgs/main")]
    public void NeitherRuleTakesAChannelName(string text)
    {
        Assert.False(ChannelPath.LooksLikePath(text, ChannelPathRules.Spec));
        Assert.False(ChannelPath.LooksLikePath(text, ChannelPathRules.Argument, MissingDirectory()));
    }

    [Theory]
    [InlineData("..")] // a bare parent directory on the command line (conda's is_path takes any '..' start too)
    [InlineData("channels\\local")] // a Windows relative path typed on the command line
    [InlineData("C:channel")] // drive-relative: no separator after the colon (conda's is_path refuses it)
    [InlineData("1:channel")] // ':' second, not a drive letter
    public void OnlyArgumentRulesTakeLooseWindowsFormsAndDotDot(string text)
    {
        Assert.False(ChannelPath.LooksLikePath(text, ChannelPathRules.Spec));
        Assert.True(ChannelPath.LooksLikePath(text, ChannelPathRules.Argument, MissingDirectory()));
    }

    [Fact]
    public void OnlyArgumentRulesProbeTheWorkingDirectory()
    {
        string dir = EmptyDirectory();
        Directory.CreateDirectory(Path.Combine(dir, "localchan"));
        try
        {
            Assert.True(ChannelPath.LooksLikePath("localchan", ChannelPathRules.Argument, dir));
            Assert.False(ChannelPath.LooksLikePath("otherchan", ChannelPathRules.Argument, dir));
            Assert.False(ChannelPath.LooksLikePath("localchan", ChannelPathRules.Spec, dir)); // a spec's meaning never depends on the disk
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("C:", true)]
    [InlineData("C:\\x", true)]
    [InlineData("z:/x", true)]
    [InlineData("C:x", false)]
    [InlineData("1:\\x", false)]
    [InlineData("C", false)]
    public void DrivePaths(string text, bool expected)
    {
        Assert.Equal(expected, ChannelPath.IsDrivePath(text));
    }

    private static string MissingDirectory() => Path.Combine(Path.GetTempPath(), "envtools-chanpath-" + Guid.NewGuid().ToString("N"));

    private static string EmptyDirectory()
    {
        string dir = MissingDirectory();
        Directory.CreateDirectory(dir);
        return dir;
    }
}
