using EnvTools.Conda;
using Xunit;
using Version = EnvTools.Conda.Version;

namespace EnvTools.Tests.Conda;

/// <summary>One test per clause of conda's version spec grammar, with inline fixtures.</summary>
public class VersionSpecTests
{
    private static VersionSpec S(string s) => VersionSpec.Parse(s);

    private static void AssertMatches(string spec, string[] yes, string[] no)
    {
        VersionSpec s = S(spec);
        foreach (string v in yes)
        {
            Assert.True(s.Matches(v), $"'{spec}' should match {v}");
            Assert.True(s.Matches(Version.Parse(v)), $"'{spec}' should match {v} (parsed)");
        }

        foreach (string v in no)
        {
            Assert.False(s.Matches(v), $"'{spec}' should not match {v}");
            Assert.False(s.Matches(Version.Parse(v)), $"'{spec}' should not match {v} (parsed)");
        }
    }

    [Fact]
    public void Relations()
    {
        AssertMatches(">=1.2", ["1.2", "1.2.0", "1.3", "2"], ["1.1", "1.2a1", "1.2.dev0"]);
        AssertMatches(">1.2", ["1.2.1", "1.2post1"], ["1.2", "1.2.0"]);
        AssertMatches("<2", ["1.9", "2.0a1", "2.0dev"], ["2", "2.0", "2.0post1"]);
        AssertMatches("<=2", ["2.0.0", "1"], ["2.0.1"]);
        AssertMatches("==1.2", ["1.2", "1.2.0"], ["1.2.1", "1.20"]);
        AssertMatches("!=1.2", ["1.2.1", "1.3"], ["1.2", "1.2.0"]);
    }

    [Fact]
    public void BareVersionIsExactEquality()
    {
        VersionSpec s = S("1.2");
        Assert.True(s.IsExact);
        Assert.Equal(VersionSpecKind.Operator, s.Kind);
        Assert.Equal(VersionOperator.Equal, s.Operator);
        Assert.Equal(Version.Parse("1.2"), s.Operand);
        AssertMatches("1.2", ["1.2", "1.2.0", "1.2.0.0"], ["1.2.1", "1.3"]);
    }

    [Theory]
    [InlineData("1.2", true)]
    [InlineData("==1.2", true)]
    [InlineData("==1.2.*", true)]
    [InlineData("1.2.*", false)]
    [InlineData("1.2*", false)]
    [InlineData("=1.2", false)]
    [InlineData(">=1.2", false)]
    [InlineData("!=1.2", false)]
    [InlineData("*", false)]
    [InlineData("^1.2$", false)]
    [InlineData("1.2|1.3", false)]
    [InlineData("1.2,1.2", false)]
    public void IsExactFollowsConda(string spec, bool exact) => Assert.Equal(exact, S(spec).IsExact);

    [Fact]
    public void EqualsPrefixAndTrailingStarAreStartsWith()
    {
        foreach (string spec in new[] { "=1.2", "1.2.*", "1.2*", "=1.2.*" })
        {
            AssertMatches(spec, ["1.2", "1.2.0", "1.2.5", "1.2.5a1", "1.2rc1"], ["1.20", "1.3", "1.1.9"]);
            Assert.Equal(VersionOperator.StartsWith, S(spec).Operator);
        }

        Assert.Equal("1.2.*", S("1.2*").ToString());
        Assert.Equal("=1.2.*", S("=1.2.*").ToString());
    }

    [Fact]
    public void GlobsInTheMiddleMatchTheTextCaseSensitively()
    {
        VersionSpec s = S("1.*.1");
        Assert.Equal(VersionSpecKind.Glob, s.Kind);
        AssertMatches("1.*.1", ["1.7.1", "1.10.1", "1.2.3.1"], ["1.7.2", "2.7.1", "1.7.11"]);
        AssertMatches("*.1", ["1.1", "20.1"], ["1.2"]);
        AssertMatches("1.*.RC", ["1.2.RC"], ["1.2.rc"]);
        // '+' is escaped by conda; other regex syntax keeps its meaning.
        AssertMatches("1.*+abc", ["1.0+abc"], ["1.0+abd"]);
        AssertMatches("1.[0-2]*.0", ["1.2.0", "1.1.5.0"], ["1.3.0"]);
    }

    [Fact]
    public void StarIsAny()
    {
        Assert.Same(VersionSpec.Any, S("*"));
        Assert.Equal(VersionSpecKind.Any, S("*").Kind);
        Assert.True(VersionSpec.Any.Matches("0"));
        Assert.True(S(" * ").Matches(Version.Parse("1!9.9+local")));
        Assert.Equal("*", VersionSpec.Any.ToString());
    }

    [Fact]
    public void CompatibleRelease()
    {
        AssertMatches("~=1.4.2", ["1.4.2", "1.4.3", "1.4.10"], ["1.4.1", "1.5", "2.0"]);
        AssertMatches("~=1.4", ["1.4", "1.5", "1.99"], ["1.3", "2.0"]);
        Assert.Equal(VersionOperator.Compatible, S("~=1.4").Operator);
        Assert.Throws<InvalidSpecException>(() => S("~=1"));
        Assert.Throws<InvalidSpecException>(() => S("~=1.4.*"));
    }

    [Fact]
    public void TrailingWildcardOnOperators()
    {
        // '!=1.2.*' excludes the whole series.
        AssertMatches("!=1.2.*", ["1.3", "1.20", "1.1.9"], ["1.2", "1.2.5"]);
        Assert.Equal(VersionOperator.NotStartsWith, S("!=1.2.*").Operator);
        // '>=' and '=' drop it silently; '==', '<', '<=', '>' drop it with a warning in conda.
        AssertMatches(">=1.2.*", ["1.2", "1.3"], ["1.1"]);
        AssertMatches("==1.2.*", ["1.2", "1.2.0"], ["1.2.1"]);
        AssertMatches("<1.2.*", ["1.1"], ["1.2", "1.2.1"]);
        AssertMatches(">1.2.*", ["1.2.1"], ["1.2"]);
        Assert.Equal(">=1.2.*", S(">=1.2.*").ToString());
    }

    [Fact]
    public void RegexIsAnchoredAtTheStartLikePythonReMatch()
    {
        AssertMatches(@"^1\.2\..*$", ["1.2.0", "1.2.10"], ["1.3.0", "11.2.0"]);
        Assert.Equal(VersionSpecKind.Regex, S("^1.*$").Kind);
        // re.match('^1|2$', '32') is None although '2$' matches further on.
        VersionSpec s = S("^1|2$");
        Assert.Equal(VersionSpecKind.Regex, s.Kind);
        Assert.False(s.Matches("32"));
        Assert.True(s.Matches("2"));
        Assert.True(s.Matches("1.5"));
        Assert.Throws<InvalidSpecException>(() => S("^1.2"));
        Assert.Throws<InvalidSpecException>(() => S("1.2$"));
        Assert.Throws<InvalidSpecException>(() => S("^1.[2$"));
    }

    [Fact]
    public void AndBindsTighterThanOr()
    {
        VersionSpec s = S("1.0|2.0,>3");
        Assert.Equal(VersionSpecKind.Or, s.Kind);
        Assert.Equal(2, s.Children.Count);
        Assert.Equal(VersionSpecKind.And, s.Children[1].Kind);
        Assert.True(s.Matches("1.0"));
        Assert.False(s.Matches("2.0"));
        Assert.False(s.Matches("4"));

        AssertMatches(">=1,<2|>=3,<4", ["1.5", "3.5"], ["2.5", "4"]);
    }

    [Fact]
    public void ParenthesesGroup()
    {
        VersionSpec s = S("(1.0|2.0),<3");
        Assert.Equal(VersionSpecKind.And, s.Kind);
        Assert.Equal(VersionSpecKind.Or, s.Children[0].Kind);
        Assert.True(s.Matches("1.0"));
        Assert.True(s.Matches("2.0"));
        AssertMatches("((>=1)), (<2 | ==3)", ["1.5", "3"], ["2", "0.5"]);
    }

    [Fact]
    public void GroupsOfTheSameOperatorAreFused()
    {
        VersionSpec s = S("1.0|(2.0|3.0)|4.0");
        Assert.Equal(4, s.Children.Count);
        Assert.Equal("1.0|2.0|3.0|4.0", s.ToString());
        Assert.Equal(3, S("(>1,<5),!=3").Children.Count);
    }

    [Fact]
    public void CanonicalTextFollowsConda()
    {
        Assert.Equal(">=1.2,<2", S(" >=1.2 , <2 ").ToString());
        Assert.Equal("1.7.*,1.8.*", S("1.7*,1.8.*").ToString());
        // conda writes nested groups without their parentheses (lossy, but that is conda's str()).
        Assert.Equal("1.6|1.7,1.8", S("(1.6|1.7),1.8").ToString());
    }

    [Fact]
    public void EqualityIsByCanonicalForm()
    {
        Assert.Equal(S("1.7*"), S("1.7.*"));
        Assert.Equal(S("1.7*").GetHashCode(), S("1.7.*").GetHashCode());
        Assert.True(S(">=1,<2") == S(" >=1 ,<2"));
        Assert.NotEqual(S("1.7"), S("==1.7"));
        Assert.NotEqual(S(">=1,<2"), S("<2,>=1"));
        // Unlike conda's str(), equality keeps nesting: these mean different things.
        Assert.NotEqual(S("(1.6|1.7),1.8"), S("1.6|1.7,1.8"));
        Assert.Equal(S("(1.6|1.7),1.8"), S("(1.6|(1.7)),1.8"));
    }

    [Fact]
    public void LocalVersionsInSpecs()
    {
        AssertMatches("1.2.3+4*", ["1.2.3+4", "1.2.3+4.5", "1.2.3+4a"], ["1.2.3+45", "1.2.3+5", "1.2.3"]);
        AssertMatches("1.0+abc", ["1.0+ABC", "1.0.0+abc"], ["1.0", "1.0+abd"]);
    }

    [Fact]
    public void AtSignIsComparedAsText()
    {
        VersionSpec s = S("1.0@abc");
        Assert.Equal(VersionSpecKind.ExactString, s.Kind);
        Assert.True(s.IsExact);
        Assert.False(s.Matches("1.0"));
    }

    [Fact]
    public void MatchesStringIsFalseForInvalidVersions()
    {
        Assert.False(S(">=1").Matches("1.0&x"));
        Assert.False(S("^.*$").Matches("not a version"));
        Assert.False(S(">=1").Matches((string)null!));
    }

    [Fact]
    public void ParseIsCached()
    {
        Assert.Same(S(">=1.2.3,<1.3"), S(">=1.2.3,<1.3"));
    }

    [Theory]
    [InlineData("", "empty version spec", 0)]
    [InlineData("(1.5", "unbalanced '('", 0)]
    [InlineData("1.5)", "unbalanced ')'", 3)]
    [InlineData("1.5||1.6", "cannot join single expression", 3)]
    [InlineData(">=1.5,", "cannot join single expression", 5)]
    [InlineData("1.2(1.3)", "missing ',' or '|'", 4)]
    [InlineData("()", "unable to determine version", 0)]
    [InlineData(">= 1.5", "invalid operator", 0)]
    [InlineData("<>1.5", "invalid operator", 0)]
    [InlineData("===1.5", "invalid operator", 0)]
    [InlineData(">=1.5,<2&", "invalid version '2&'", 8)]
    [InlineData("1.5, 1..6", "empty version component", 7)]
    [InlineData("~=1.2.*", "'~=' cannot take a wildcard", 0)]
    public void InvalidSpecsExplainWhyAndWhere(string text, string reason, int position)
    {
        Assert.False(VersionSpec.TryParse(text, out VersionSpec? s));
        Assert.Null(s);
        var ex = Assert.Throws<InvalidSpecException>(() => VersionSpec.Parse(text));
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.Equal(position, ex.Position);
        Assert.Equal(text, ex.Input);
    }

    [Fact]
    public void TryParseNull() => Assert.False(VersionSpec.TryParse(null, out _));
}
