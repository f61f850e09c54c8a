using System.Diagnostics;
using System.Text;
using EnvTools.Conda;
using Xunit;

namespace EnvTools.Tests.Robustness;

/// <summary>
/// Version spec and MatchSpec parsing stays linear in the input: the time for 8× the terms stays near
/// 8× (a quadratic parser gives 64×), and a 1 MB spec parses or is refused with an InvalidSpec error.
/// Ratios, not wall-clock thresholds, so a slow or busy machine does not make them flaky.
/// </summary>
[Collection(TimingCollection.Name)]
public class SpecParseComplexityTests
{
    private static string Terms(int n, string sep)
    {
        var sb = new StringBuilder(n * 6);
        for (int i = 0; i < n; i++)
        {
            if (i > 0)
            {
                sb.Append(sep);
            }

            sb.Append(">=1.").Append(i % 10);
        }

        return sb.ToString();
    }

    // Seconds of CPU per parse, best of three runs. Each run parses fresh strings (a distinct prefix defeats the parse
    // cache) until the process has used at least 50 ms of CPU: a coarse CPU clock reads 0 for one short parse (Wine's
    // advances in 15.6 ms steps), which made the ratio meaningless.
    private static double BestSeconds(Func<int, string> make, Action<string> parse)
    {
        double best = double.MaxValue;
        int seed = 0;
        for (int run = 0; run < 3; run++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            // CPU time of this process, not wall-clock: other processes on a busy machine do not count
            // (the timing collection runs alone, after the parallel tests).
            TimeSpan before = Process.GetCurrentProcess().TotalProcessorTime;
            TimeSpan used;
            int count = 0;
            do
            {
                parse(make(seed++));
                count++;
                used = Process.GetCurrentProcess().TotalProcessorTime - before;
            }
            while (used.TotalSeconds < 0.05 && count < 10_000);
            best = Math.Min(best, used.TotalSeconds / count);
        }

        return best;
    }

    private static void AssertNearLinear(Func<int, int, string> make, Action<string> parse)
    {
        const int Small = 10_000, Large = 80_000;
        parse(make(100, 99)); // JIT
        double small = BestSeconds(r => make(Small, r), parse);
        double large = BestSeconds(r => make(Large, r), parse);
        // Linear: about 8, up to about 40 with the garbage collector's share of a large live tree; the quadratic
        // parser measured 79 at 8k/64k terms, and its ratio grows with the size.
        double ratio = large / Math.Max(small, 1e-6);
        Assert.True(ratio < 48, $"parse time for {Large} terms is {ratio:F1}x that of {Small} terms ({large:F4} s vs {small:F4} s per parse): not linear");
    }

    [Theory]
    [InlineData("|")]
    [InlineData(",<3|")]
    public void VersionSpecParseIsLinear(string sep) =>
        AssertNearLinear((n, r) => "<" + (r + 2) + "|" + Terms(n, sep), s => VersionSpec.Parse(s));

    [Fact]
    public void MatchSpecBracketVersionParseIsLinear() =>
        AssertNearLinear((n, r) => "python[version='<" + (r + 2) + "," + Terms(n, ",") + "']", s => MatchSpec.Parse(s));

    [Theory]
    [InlineData("|")]
    [InlineData(",")]
    public void OneMegabyteSpecParsesOrIsRefused(string sep)
    {
        string text = Terms(1_048_576 / 6, sep);
        Assert.True(text.Length >= 1_000_000);
        try
        {
            VersionSpec spec = VersionSpec.Parse(text);
            Assert.NotEmpty(spec.Children);
        }
        catch (InvalidSpecException)
        {
            // a size-bounded refusal is also fine
        }
    }

    [Theory]
    [InlineData("(", ")")]
    [InlineData("1|(", ")")]
    [InlineData("1,(2|(", "))")]
    public void DeeplyNestedSpecIsRefusedNotAStackOverflow(string open, string close)
    {
        var sb = new StringBuilder();
        const int Depth = 200_000;
        for (int i = 0; i < Depth; i++)
        {
            sb.Append(open);
        }

        sb.Append('1');
        for (int i = 0; i < Depth; i++)
        {
            sb.Append(close);
        }

        // Either parsed (plain parentheses) or refused as InvalidSpec; never a crash of the test host.
        try
        {
            VersionSpec.Parse(sb.ToString());
        }
        catch (InvalidSpecException)
        {
        }
    }
}

/// <summary>Timing-ratio tests run alone, not beside the parallel test classes that would skew them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing (not parallel)";
}
