using EnvTools.Activation;
using Xunit;

namespace EnvTools.Tests.Activation;

public class PathListTests
{
    [Fact]
    public void PrependThenRemoveGivesTheSameValueBack()
    {
        const string path = "/usr/bin::/bin:";   // empty entries survive
        string activated = PathList.Prepend(path, new[] { "/env/bin" }, ':');
        Assert.Equal("/env/bin:/usr/bin::/bin:", activated);
        Assert.Equal(path, PathList.Join(PathList.Remove(PathList.Split(activated, ':'), new[] { "/env/bin" }, false), ':'));
    }

    [Fact]
    public void RemovesOneOccurrenceEachAndKeepsWhatTheUserAdded()
    {
        var path = PathList.Split("/user:/env/bin:/usr/bin:/env/bin:/tail", ':');
        Assert.Equal("/user:/usr/bin:/env/bin:/tail", PathList.Join(PathList.Remove(path, new[] { "/env/bin", "/gone" }, false), ':'));
    }

    [Fact]
    public void WindowsComparesIgnoringCase()
    {
        var path = PathList.Split(@"C:\Env\Scripts;C:\Windows", ';');
        Assert.Equal(@"C:\Windows", PathList.Join(PathList.Remove(path, new[] { @"c:\env\scripts" }, true), ';'));
    }

    [Fact]
    public void AddedCountsRepeats()
    {
        Assert.Equal(new[] { "/x", "/a" }, PathList.Added(new[] { "/a", "/b" }, new[] { "/a", "/x", "/a", "/b" }, false));
        Assert.Empty(PathList.Added(new[] { "/a" }, Array.Empty<string>(), false));
    }
}
