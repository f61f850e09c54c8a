using EnvTools.Conda;
using Xunit;

namespace EnvTools.Tests.Conda;

public class StringMatcherTests
{
    [Theory]
    [InlineData("py39_0", StringMatcherKind.Exact)]
    [InlineData("py39*", StringMatcherKind.Glob)]
    [InlineData("*cuda*", StringMatcherKind.Glob)]
    [InlineData("^py3[0-9]+_.*$", StringMatcherKind.Regex)]
    [InlineData("^py3", StringMatcherKind.Exact)]
    [InlineData("py3$", StringMatcherKind.Exact)]
    public void KindFollowsCondaRules(string pattern, StringMatcherKind kind)
    {
        Assert.Equal(kind, StringMatcher.Parse(pattern).Kind);
    }

    [Theory]
    [InlineData("py39_0", "py39_0", true)]
    [InlineData("py39_0", "py39_1", false)]
    [InlineData("py39_0", "PY39_0", false)]
    [InlineData("py39*", "py39h1234_0", true)]
    [InlineData("py39*", "py38h1234_0", false)]
    [InlineData("*_0", "py39h1234_0", true)]
    [InlineData("*_0", "py39h1234_10x", false)]
    [InlineData("*cuda*", "cuda112py39_0", true)]
    [InlineData("*cuda*", "py39_cuda_0", true)]
    [InlineData("*cuda*", "py39_cpu_0", false)]
    [InlineData("py*cuda*_0", "py39cuda11_0", true)]
    [InlineData("py*cuda*_0", "py39cuda11_1", false)]
    [InlineData("a*a", "a", false)]
    [InlineData("a*a", "aa", true)]
    [InlineData("*", "", true)]
    [InlineData("py3.9*", "py3x9", false)]
    [InlineData("^py3[0-9]+_.*$", "py310_0", true)]
    [InlineData("^py3[0-9]+_.*$", "py2_0", false)]
    [InlineData("^(cpu|cuda)$", "cuda", true)]
    [InlineData("^(cpu|cuda)$", "cudax", false)]
    public void IsMatch(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, StringMatcher.Parse(pattern).IsMatch(value));
    }

    [Fact]
    public void IgnoreCaseLowersPatternAndValue()
    {
        StringMatcher m = StringMatcher.Parse("*GPL*", ignoreCase: true);
        Assert.Equal("*gpl*", m.Pattern);
        Assert.True(m.IsMatch("LGPLv3"));
        Assert.False(StringMatcher.Parse("*GPL*").IsMatch("lgplv3"));
    }

    [Fact]
    public void NullNeverMatchesAndExactValue()
    {
        Assert.False(StringMatcher.Parse("*").IsMatch(null));
        Assert.Equal("py39_0", StringMatcher.Parse("py39_0").ExactValue);
        Assert.Null(StringMatcher.Parse("py39*").ExactValue);
        Assert.True(StringMatcher.Parse("*").IsMatchAll);
        Assert.False(StringMatcher.Parse("**").IsMatchAll);
    }

    [Fact]
    public void InvalidRegexIsInvalidSpec()
    {
        Assert.Throws<InvalidSpecException>(() => StringMatcher.Parse("^(aaaa$"));
        Assert.False(StringMatcher.TryParse("^[$", out _));
        Assert.True(StringMatcher.TryParse("^[a]$", out StringMatcher? ok));
        Assert.NotNull(ok);
    }

    [Fact]
    public void EqualityIsByPatternAndCase()
    {
        Assert.Equal(StringMatcher.Parse("py*"), StringMatcher.Parse("py*"));
        Assert.NotEqual(StringMatcher.Parse("py*"), StringMatcher.Parse("py*", ignoreCase: true));
        Assert.NotEqual(StringMatcher.Parse("py*"), StringMatcher.Parse("py?"));
    }

    [Theory]
    [InlineData("red_*", "red_habc_3", "red_habc_3")]   // exact accepted by the glob wins
    [InlineData("red_habc_3", "red_*", "red_habc_3")]
    [InlineData("blue_*", "blue_hdef_*", "blue_hdef_*")] // prefix + prefix: the longer
    [InlineData("*_3", "*_habc_3", "*_habc_3")]          // suffix + suffix: the longer
    [InlineData("*red*", "red_*", "^(?=.*red.*)(?:red_.*)$")]
    [InlineData("a.b*", "*c", "^(?=a\\.b.*)(?:.*c)$")]
    public void MergeIntersects(string a, string b, string expected)
    {
        Assert.Equal(expected, StringMatcher.Parse(a).Merge(StringMatcher.Parse(b)).Pattern);
    }

    [Theory]
    [InlineData("red_x", "blue_*")]
    [InlineData("blue_*", "red_*")]
    [InlineData("*_2", "*_habc_3")]
    [InlineData("a", "b")]
    public void MergeOfIncompatiblePatternsThrows(string a, string b)
    {
        Assert.Throws<InvalidOperationException>(() => StringMatcher.Parse(a).Merge(StringMatcher.Parse(b)));
    }
}
