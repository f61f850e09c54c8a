using EnvTools.Conda;
using Xunit;
using Version = EnvTools.Conda.Version;

namespace EnvTools.Tests.Conda;

/// <summary>One test per clause of conda's version order (CEP-33 / conda VersionOrder), with inline fixtures.</summary>
public class VersionTests
{
    private static Version V(string s) => Version.Parse(s);

    private static void AssertAscending(params string[] versions)
    {
        for (int i = 1; i < versions.Length; i++)
        {
            Version a = V(versions[i - 1]), b = V(versions[i]);
            Assert.True(a < b, $"{a} < {b}");
            Assert.True(b > a, $"{b} > {a}");
            Assert.True(a != b, $"{a} != {b}");
            Assert.Equal(-1, a.CompareTo(b));
            Assert.Equal(1, b.CompareTo(a));
        }
    }

    [Fact]
    public void ComponentsAreComparedNumericallyNotLexically()
    {
        AssertAscending("1.2", "1.9", "1.10", "1.100", "2", "10");
        Assert.Equal(V("1.01"), V("1.1"));
    }

    [Fact]
    public void MissingComponentsCountAsZero()
    {
        Version a = V("1.0"), b = V("1.0.0"), c = V("1.0.0.0"), d = V("1");
        Assert.True(a == b && b == c && c == d);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(a.GetHashCode(), c.GetHashCode());
        Assert.Equal(a.GetHashCode(), d.GetHashCode());
        Assert.Single(new HashSet<Version> { a, b, c, d });
        Assert.NotEqual(V("1.0"), V("1.0.1"));
        Assert.NotEqual(V("1.0"), V("1.0.0.1"));
        // A zero in the middle is not trailing.
        Assert.NotEqual(V("1.0.1"), V("1.1"));
    }

    [Fact]
    public void EpochOutranksEverything()
    {
        AssertAscending("9999.9", "1!0.1", "1!2.0", "2!0.0.1");
        Assert.Equal(0, V("1.0").Epoch);
        Assert.Equal(3, V("3!1.0").Epoch);
        Assert.Equal(V("0!1.0"), V("1.0"));
        Assert.Equal(V("0!1.0").GetHashCode(), V("1.0").GetHashCode());
    }

    [Fact]
    public void LocalVersionOnlyBreaksTies()
    {
        AssertAscending("1.0", "1.0+1", "1.0+2", "1.0+10", "1.0.1");
        AssertAscending("1.0+abc", "1.0+1");
        Assert.Equal("abc.1", V("1.0+abc.1").Local);
        Assert.Equal("abc_1", V("1.0+ABC-1").Local);
        Assert.Null(V("1.0").Local);
        Assert.Equal(V("1.0+1"), V("1.0+1.0"));
        Assert.Equal(V("1.0+1").GetHashCode(), V("1.0+1.0").GetHashCode());
    }

    [Fact]
    public void PreReleaseTagsSortBeforeTheReleaseAndPostAfter()
    {
        // dev < _ < a < b < rc < release < post
        AssertAscending("1.1dev1", "1.1_", "1.1a1", "1.1b1", "1.1rc1", "1.1", "1.1post1", "1.2");
        // post is +infinity inside its component, so conda puts 1.1post1 above 1.1.1 (and 1.1.1post1).
        AssertAscending("1.1.1", "1.1.1post1", "1.1post1");
        AssertAscending("1.0dev1", "1.0a1", "1.0rc1", "1.0.dev1", "1.0");
        AssertAscending("1.0", "1.0.post1", "1.0post1");
    }

    [Fact]
    public void StringsSortBeforeNumbersAndAmongThemselvesByCodePoint()
    {
        AssertAscending("1.0.a", "1.0.b", "1.0.z", "1.0.0");
        AssertAscending("1.0a", "1.0aa", "1.0b");
        // '*' < 'DEV' < '_' < letters.
        AssertAscending("1.0*", "1.0dev", "1.0_", "1.0a");
    }

    [Fact]
    public void PostIsInfinityAndDevIsSpecialOnlyAsAWholeRun()
    {
        AssertAscending("1.0.99999999", "1.0post");
        Assert.Equal("[[0], [1], [0, inf, 2]]", V("1.0post2").FormatVersionComponents());
        Assert.Equal("[[0], [1], [0, 'DEV', 2]]", V("1.0dev2").FormatVersionComponents());
        Assert.Equal("[[0], [1], [0, 'postfix']]", V("1.0postfix").FormatVersionComponents());
        Assert.Equal("[[0], [1], [0, 'devel']]", V("1.0devel").FormatVersionComponents());
    }

    [Fact]
    public void LettersAreSplitFromDigitsAndAZeroIsPrependedToLetterComponents()
    {
        Assert.Equal("[[0], [1], [2, 'g'], [0, 'beta', 15], [0, 'rc']]", V("1.2g.beta15.rc").FormatVersionComponents());
        Assert.Equal(V("1.1.a1"), V("1.1.0a1"));
    }

    [Fact]
    public void UnderscoresAndDashesSeparateLikeDots()
    {
        Assert.Equal(V("1.2.3"), V("1_2_3"));
        Assert.Equal(V("1.2.3"), V("1-2-3"));
        Assert.Equal("1_2_3", V("1-2-3").Normalized);
        Assert.Equal("1-2-3", V("1-2-3").ToString());
    }

    [Fact]
    public void TrailingUnderscoreIsKeptOnTheLastComponent()
    {
        // openssl convention: 1.0.1_ < 1.0.1a.
        Assert.Equal("[[0], [1], [0], [1, '_']]", V("1.0.1_").FormatVersionComponents());
        Assert.Equal("[[0], [1], [0], [1, 'a_']]", V("1.0.1a_").FormatVersionComponents());
        AssertAscending("1.0.1dev", "1.0.1_", "1.0.1a", "1.0.1");
    }

    [Fact]
    public void ComparisonIsCaseInsensitiveButTextIsKept()
    {
        Version upper = V("1.0RC1"), lower = V("1.0rc1");
        Assert.Equal(upper, lower);
        Assert.Equal(upper.GetHashCode(), lower.GetHashCode());
        Assert.Equal("1.0RC1", upper.ToString());
        Assert.Equal("1.0rc1", upper.Normalized);
        Assert.Equal("1.0", V("  1.0 \t").ToString());
    }

    [Fact]
    public void NumbersBeyondLongAreCompared()
    {
        AssertAscending("1.999999999999999999", "1.1000000000000000000", "1.99999999999999999998", "1.99999999999999999999", "1.100000000000000000000");
        AssertAscending("1.0.99999999999999999999999", "1.0post");
        Assert.Equal(V("1.0000000000000000000000001"), V("1.1"));
        Assert.Equal("[[0], [1], [123456789012345678901234]]", V("1.123456789012345678901234").FormatVersionComponents());
        Assert.Equal(V("20240101000000000000").GetHashCode(), V("20240101000000000000.0").GetHashCode());
    }

    [Fact]
    public void StartsWithFollowsConda()
    {
        Assert.True(V("1.2.3").StartsWith(V("1.2")));
        Assert.True(V("1.2").StartsWith(V("1.2")));
        Assert.True(V("1.2").StartsWith(V("1.2.0")));
        Assert.False(V("1.20").StartsWith(V("1.2")));
        Assert.False(V("1.3").StartsWith(V("1.2")));
        Assert.True(V("1.2rc1").StartsWith(V("1.2r")));
        Assert.False(V("1.2rc1").StartsWith(V("1.2b")));
        Assert.True(V("1.2.3+4.5").StartsWith(V("1.2.3+4")));
        Assert.False(V("1.2.4+4.5").StartsWith(V("1.2.3+4")));
        Assert.False(V("1.2.3").StartsWith(V("1.2.3+4")));
    }

    [Fact]
    public void CompatibleReleaseIsAtLeastAndSamePrefix()
    {
        Version bound = V("1.4.2");
        Assert.True(V("1.4.2").IsCompatibleWith(bound));
        Assert.True(V("1.4.10").IsCompatibleWith(bound));
        Assert.False(V("1.4.1").IsCompatibleWith(bound));
        Assert.False(V("1.5.0").IsCompatibleWith(bound));
        Assert.True(V("1.9").IsCompatibleWith(V("1.4")));
        Assert.False(V("2.0").IsCompatibleWith(V("1.4")));
        Assert.Throws<InvalidSpecException>(() => V("2").IsCompatibleWith(V("1")));
    }

    [Theory]
    [InlineData("", "empty version string", 0)]
    [InlineData("   ", "empty version string", 0)]
    [InlineData("1.0&", "invalid character", 3)]
    [InlineData(" 1.0 x", "invalid character", 4)]
    [InlineData("1-0_1", "both '-' and '_'", 3)]
    [InlineData("1..0", "empty version component", 2)]
    [InlineData("1.0.", "empty version component", 4)]
    [InlineData("1!2!3", "duplicated epoch separator", 3)]
    [InlineData("a!1.0", "epoch must be an integer", 0)]
    [InlineData("!1.0", "epoch must be an integer", 0)]
    [InlineData("1+2+3", "duplicated local version separator", 3)]
    [InlineData("+1.0", "missing version before local", 0)]
    [InlineData("1.0+", "empty version component", 4)]
    [InlineData("1___", "empty version component", 2)]
    public void InvalidVersionsExplainWhyAndWhere(string text, string reason, int position)
    {
        Assert.False(Version.TryParse(text, out Version? v));
        Assert.Null(v);
        var ex = Assert.Throws<InvalidSpecException>(() => Version.Parse(text));
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.Equal(position, ex.Position);
        Assert.Equal(text, ex.Input);
        Assert.Equal("InvalidSpec", ex.ErrorId);
    }

    [Fact]
    public void TryParseAcceptsNullAndValid()
    {
        Assert.False(Version.TryParse(null, out _));
        Assert.True(Version.TryParse("1.0", out Version? v));
        Assert.Equal("1.0", v.ToString());
    }

    [Fact]
    public void OperatorsHandleNull()
    {
        Version? none = null;
        Assert.True(none == null);
        Assert.True(none < V("0"));
        Assert.False(V("0") < none);
        Assert.True(V("0") > none);
        Assert.Equal(1, V("0").CompareTo((Version?)null));
        Assert.Equal(1, V("0").CompareTo((object?)null));
        Assert.Throws<ArgumentException>(() => V("0").CompareTo((object)"0"));
    }

    [Fact]
    public void SortingUsesCondaOrder()
    {
        string[] expected = ["0.9", "1.0dev", "1.0a1", "1.0rc1", "1.0", "1.0post1", "1.1", "1.10", "1!0.1"];
        var list = Enumerable.Reverse(expected).Select(V).ToList();
        list.Sort(Version.Comparer);
        Assert.Equal(expected, list.Select(v => v.ToString()));
    }
}
