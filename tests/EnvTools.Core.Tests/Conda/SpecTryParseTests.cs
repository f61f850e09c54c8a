using System.Runtime.ExceptionServices;
using EnvTools.Conda;
using Xunit;

namespace EnvTools.Core.Tests.Conda;

/// <summary>
/// MatchSpec, VersionSpec and StringMatcher: TryParse reports malformed text without an exception thrown and caught on
/// the way (the parsers return their error; Parse alone throws it), and accepts exactly what Parse accepts.
/// </summary>
public class SpecTryParseTests
{
    // Every failure path of the parsers that does not involve compiling a regex: no exception at all may be thrown.
    public static TheoryData<string> BadSpecs => new()
    {
        "", "   ", "# only a comment", "numpy\tx", "numpy if x", "numpy[version=", "numpy[version=1][build=2]", "numpy[version=1] x",
        "numpy[version=\"1.2]", "numpy[version=[1.2]", "numpy[]", "numpy[a]", "numpy[a b]", "numpy[version]", "numpy[version=1.2 build]",
        "foo[bar=1]", "a[version='>=1',version='<2']", "numpy[version=[1,2]]", "numpy[extras=[a,,b]]", "numpy[extras=[]]",
        "numpy[build_number=abc]", "numpy[when=\"__win and (\"]", "numpy[when=\"python >=3) or x\"]", "numpy[when=\"  \"]",
        "numpy[when=\"python[when=x]\"]", "numpy[when=\"python >=3 and bad name!\"]",
        "==1.2", ">=1.2", "_bad__name", ".bad", "a..b", "py$$", "numpy >=1..2", "numpy >=1.2,,", "x ~=1.*",
        "numpy 1.2(1.3)", "numpy ((((1.2", "numpy 1.2)", "numpy >=1.2|", "numpy ,1.2", "numpy ~=1", "numpy >>1.2",
        "https://repo/conda-forge/linux-64/bad.tar.bz2",
    };

    // Failures in a regex (.NET compiles one only by throwing ArgumentException): no InvalidSpecException may be thrown.
    public static TheoryData<string> BadRegexSpecs => new()
    {
        "^(x$", "^(bad$::numpy", "numpy[channel='^(x$']", "numpy[license='^(x$']", "numpy[build='^(x$']", "numpy[build_number='^(x$']",
        "numpy 1.[2*", "numpy[when=\"^(x$\"]",
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void MatchSpecTryParseRefusesWithoutAnyException(string text)
    {
        Assert.Throws<InvalidSpecException>(() => MatchSpec.Parse(text));
        List<Exception> thrown = Record(() =>
        {
            Assert.False(MatchSpec.TryParse(text, out MatchSpec? spec));
            Assert.Null(spec);
        });
        Assert.Empty(thrown);
    }

    [Theory]
    [MemberData(nameof(BadRegexSpecs))]
    public void MatchSpecTryParseRefusesBadRegexWithoutInvalidSpecException(string text)
    {
        Assert.Throws<InvalidSpecException>(() => MatchSpec.Parse(text));
        List<Exception> thrown = Record(() => Assert.False(MatchSpec.TryParse(text, out _)));
        Assert.DoesNotContain(thrown, e => e is InvalidSpecException);
    }

    [Theory]
    [InlineData("")]
    [InlineData(">=1..2")]
    [InlineData(">=1.2,,")]
    [InlineData("1.2(1.3)")]
    [InlineData("((1.2")]
    [InlineData("1.2)")]
    [InlineData("~=1")]
    [InlineData("~=1.*")]
    [InlineData(">>1.2")]
    [InlineData("|1.2")]
    public void VersionSpecTryParseRefusesWithoutAnyException(string text)
    {
        Assert.Throws<InvalidSpecException>(() => VersionSpec.Parse(text));
        List<Exception> thrown = Record(() => Assert.False(VersionSpec.TryParse(text, out _)));
        Assert.Empty(thrown);
    }

    [Fact]
    public void StringMatcherTryParseRefusesABadRegexWithoutInvalidSpecException()
    {
        Assert.Throws<InvalidSpecException>(() => StringMatcher.Parse("^(x$"));
        List<Exception> thrown = Record(() => Assert.False(StringMatcher.TryParse("^(x$", out _)));
        Assert.DoesNotContain(thrown, e => e is InvalidSpecException);
        Assert.True(StringMatcher.TryParse("^py3[0-9]$", out StringMatcher? m));
        Assert.True(m!.IsMatch("py39"));
        Assert.False(m.IsMatch("py4"));
    }

    [Theory]
    [InlineData("numpy", "numpy")]
    [InlineData("numpy=1.7", "numpy=1.7")]
    [InlineData("numpy >=1.2,<2|1.0.*", "numpy[version='>=1.2,<2|1.0.*']")]
    [InlineData("conda-forge/linux-64::numpy==1.2=py_0", "conda-forge/linux-64::numpy==1.2=py_0")]
    [InlineData("numpy[version='>=1.2', build=py*, build_number='>=3']", "numpy[version='>=1.2',build=py*,build_number='>=3']")]
    [InlineData("numpy[when=\"python >=3 and (__unix or __win)\", extras=[a, 'b']]", "numpy[when='python >=3 and (__unix or __win)',extras=['a', 'b']]")]
    [InlineData("^py.*$[license='^(mit|bsd)$']", "^py.*$[license=^(mit|bsd)$]")]
    public void TryParseAcceptsWhatParseAccepts(string text, string canonical)
    {
        // TryParse first, so the spec it returns is its own parse and not Parse's cached one.
        string unique = text + "  # " + Guid.NewGuid().ToString("N");
        Assert.True(MatchSpec.TryParse(unique, out MatchSpec? tried));
        Assert.Equal(canonical, tried!.ToString());
        MatchSpec parsed = MatchSpec.Parse(text);
        Assert.Equal(parsed, tried);
        Assert.Equal(parsed.ToString(), tried.ToString());
    }

    [Fact]
    public void TryParseOfNullIsFalse()
    {
        Assert.False(MatchSpec.TryParse(null, out MatchSpec? spec));
        Assert.Null(spec);
        Assert.False(VersionSpec.TryParse(null, out _));
        Assert.False(StringMatcher.TryParse(null, out _));
    }

    /// <summary>The exceptions thrown (first chance) on this thread while <paramref name="action"/> runs.</summary>
    private static List<Exception> Record(Action action)
    {
        var thrown = new List<Exception>();
        int thread = Environment.CurrentManagedThreadId;
        EventHandler<FirstChanceExceptionEventArgs> record = (_, e) =>
        {
            if (Environment.CurrentManagedThreadId == thread)
            {
                thrown.Add(e.Exception);
            }
        };
        AppDomain.CurrentDomain.FirstChanceException += record;
        try
        {
            action();
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= record;
        }

        return thrown;
    }
}
