using EnvTools.Conda;
using Xunit;

namespace EnvTools.Tests.Conda;

/// <summary>The hand-written scanners agree with conda's regexes they replace.</summary>
public class MatchSpecParserTests
{
    [Theory]
    [InlineData("=1.2.3 0", "=1.2.3", "0")]
    [InlineData("1.2.3=0", "1.2.3", "0")]
    [InlineData(">=1.0 , < 2.0 py34_0", ">=1.0,<2.0", "py34_0")]
    [InlineData(">=1.0 , < 2.0 =py34_0", ">=1.0,<2.0", "py34_0")]
    [InlineData("=1.2.3 ", "=1.2.3", null)]
    [InlineData(">1.8,<2|==1.7", ">1.8,<2|==1.7", null)]
    [InlineData("* openblas_0", "*", "openblas_0")]
    [InlineData("* *", "*", "*")]
    public void CondaDocstringExamples(string text, string version, string? build)
    {
        Assert.Equal((version, build), MatchSpecParser.SplitVersionAndBuild(text.Trim() == text ? text : text));
    }

    [Fact]
    public void ScannerEqualsCondaRegexOnGeneratedInputs()
    {
        string[] atoms = { "1", "1.2", "=", "==", ">=", "<", "!=", "~=", " ", ",", "|", "*", "py", "_0", "-", "a", "  ", "=py3*" };
        var rng = new Random(12345);
        for (int n = 0; n < 20000; n++)
        {
            int len = rng.Next(1, 7);
            string s = string.Concat(Enumerable.Range(0, len).Select(_ => atoms[rng.Next(atoms.Length)]));
            Assert.True(
                MatchSpecParser.VersionPlusBuildRegex(s) == MatchSpecParser.SplitVersionAndBuild(s),
                $"'{s}': regex {MatchSpecParser.VersionPlusBuildRegex(s)} scanner {MatchSpecParser.SplitVersionAndBuild(s)}");
        }
    }

    [Theory]
    [InlineData("a:b:c", new[] { "a", "b", "c" })]
    [InlineData("https://x.org/ch::numpy", new[] { "https://x.org/ch", "", "numpy" })]
    [InlineData("ns:numpy", new[] { "ns", "numpy" })]
    [InlineData("numpy", new[] { "numpy" })]
    [InlineData("a:b:c:d", new[] { "a:b", "c", "d" })]
    public void RSplitIsPythons(string s, string[] expected)
    {
        Assert.Equal(expected, MatchSpecParser.RSplit(s, ':', 2));
    }
}

public class MatchSpecNameRuleTests
{
    [Theory]
    [InlineData("numpy", true)]
    [InlineData("_openmp_mutex", true)]
    [InlineData("__glibc", false)] // virtual names are checked without their "__"
    [InlineData("glibc", true)]
    [InlineData("pkg..name", false)]
    [InlineData("pkg--name", false)]
    [InlineData(".pkg", false)]
    [InlineData("-pkg", false)]
    [InlineData("_-a", true)]
    [InlineData("a.-b", false)]
    [InlineData("foo-", true)]
    [InlineData("foo--", false)]
    [InlineData("_", true)]
    public void Cep26Names(string name, bool valid)
    {
        Assert.Equal(valid, MatchSpecParser.IsCep26Name(name));
        Assert.Equal(valid, MatchSpecParser.IsCep26NameRegex(name));
    }

    [Fact]
    public void ScannerEqualsCep26RegexOnGeneratedNames()
    {
        const string Alphabet = "ab1._-";
        var rng = new Random(7);
        for (int n = 0; n < 20000; n++)
        {
            string s = new(Enumerable.Range(0, rng.Next(1, 8)).Select(_ => Alphabet[rng.Next(Alphabet.Length)]).ToArray());
            Assert.True(MatchSpecParser.IsCep26NameRegex(s) == MatchSpecParser.IsCep26Name(s), s);
        }
    }
}
