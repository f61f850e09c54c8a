using EnvTools.Conda;
using Xunit;

namespace EnvTools.Tests.Conda;

public class BuildNumberSpecTests
{
    [Theory]
    [InlineData("5", 5, true)]
    [InlineData("5", 4, false)]
    [InlineData("==5", 5, true)]
    [InlineData("=5", 5, true)]
    [InlineData("!=5", 5, false)]
    [InlineData("!=5", 6, true)]
    [InlineData(">=3", 3, true)]
    [InlineData(">=3", 2, false)]
    [InlineData(">3", 3, false)]
    [InlineData(">3", 4, true)]
    [InlineData("<10", 9, true)]
    [InlineData("<10", 10, false)]
    [InlineData("<=10", 10, true)]
    [InlineData("<=10", 11, false)]
    [InlineData("*", 123, true)]
    [InlineData(" >= 3 ", 3, true)]
    [InlineData("^1[0-9]$", 12, true)]
    [InlineData("^1[0-9]$", 2, false)]
    public void Matches(string spec, long buildNumber, bool expected)
    {
        Assert.Equal(expected, BuildNumberSpec.Parse(spec).Matches(buildNumber));
    }

    [Theory]
    [InlineData("5", BuildNumberOperator.Equal, 5)]
    [InlineData(">=3", BuildNumberOperator.GreaterOrEqual, 3)]
    [InlineData("<10", BuildNumberOperator.Less, 10)]
    [InlineData("!=0", BuildNumberOperator.NotEqual, 0)]
    public void ParsesOperatorAndValue(string spec, BuildNumberOperator op, long value)
    {
        BuildNumberSpec s = BuildNumberSpec.Parse(spec);
        Assert.Equal(op, s.Operator);
        Assert.Equal(value, s.Value);
        Assert.Equal(spec, s.ToString());
    }

    [Fact]
    public void ExactValueOnlyForEquality()
    {
        Assert.Equal(5, BuildNumberSpec.Parse("5").ExactValue);
        Assert.Equal(5, BuildNumberSpec.Parse("==5").ExactValue);
        Assert.Null(BuildNumberSpec.Parse(">=5").ExactValue);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData(">=")]
    [InlineData("~=3")]
    [InlineData("1.5")]
    [InlineData("-1")]
    [InlineData("^[$")]
    [InlineData("^12")]
    public void InvalidSpecsThrow(string spec)
    {
        var e = Assert.Throws<InvalidSpecException>(() => BuildNumberSpec.Parse(spec));
        Assert.Equal(spec, e.Input);
        Assert.False(BuildNumberSpec.TryParse(spec, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("~5")]
    [InlineData("!5")]
    [InlineData(">=")]
    [InlineData("five")]
    [InlineData("^1[0-9")]
    [InlineData("^(unclosed$")]
    [InlineData("1$")]
    public void TryParseRefusesBadInputWithoutThrowing(string text)
    {
        Assert.Throws<InvalidSpecException>(() => BuildNumberSpec.Parse(text));
        var thrown = new List<Exception>();
        int thread = Environment.CurrentManagedThreadId;
        EventHandler<System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs> record = (_, e) =>
        {
            if (Environment.CurrentManagedThreadId == thread && e.Exception is InvalidSpecException)
            {
                thrown.Add(e.Exception);
            }
        };
        AppDomain.CurrentDomain.FirstChanceException += record;
        try
        {
            Assert.False(BuildNumberSpec.TryParse(text, out BuildNumberSpec? spec));
            Assert.Null(spec);
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= record;
        }

        Assert.Empty(thrown); // parsed once, no InvalidSpecException thrown and caught on the way
    }

    [Theory]
    [InlineData("5")]
    [InlineData(" >= 3 ")]
    [InlineData("!=7")]
    [InlineData("<=10")]
    [InlineData("*")]
    [InlineData("^1[0-9]$")]
    public void TryParseAcceptsWhatParseAccepts(string text)
    {
        BuildNumberSpec parsed = BuildNumberSpec.Parse(text);
        Assert.True(BuildNumberSpec.TryParse(text, out BuildNumberSpec? tried));
        Assert.NotNull(tried);
        Assert.Equal(parsed.Text, tried!.Text);
        Assert.Equal(parsed.Operator, tried.Operator);
        foreach (long n in new long[] { 0, 3, 5, 7, 10, 12, 100 })
        {
            Assert.Equal(parsed.Matches(n), tried.Matches(n));
        }
    }

    [Fact]
    public void TryParseOfNullIsFalse()
    {
        Assert.False(BuildNumberSpec.TryParse(null, out BuildNumberSpec? spec));
        Assert.Null(spec);
    }
}
