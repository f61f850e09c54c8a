using System.Text;
using Xunit;

namespace EnvTools.Tests.Windows;

/// <summary>
/// The Windows lane's premise: data the runtime's vectorized code produces stays intact while other threads make the
/// garbage collector suspend and resume this one. Under Wine 10 with AVX2 it did not: about 3% of the UTF-8 byte arrays
/// built here differed from the reference (by all signs Wine loses the upper halves of the 256-bit registers of a thread
/// it suspends and resumes; with AVX2 off none differ), which showed up as a NUL or a cut in in-memory repodata and failed a random test now and then.
/// .ci/wine10 runs the Windows programs with DOTNET_EnableAVX2=0 for that reason; on Linux and real Windows this holds
/// with AVX2.
/// </summary>
public sealed class VectorStateTests
{
    [Fact]
    public void Utf8BytesBuiltDuringCollectionsAreIntact()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 6000; i++)
        {
            sb.Append("{\"name\":\"pkg").Append(i % 300).Append("\",\"version\":\"1.").Append(i).Append("\",\"depends\":[\"python >=3.8,<3.9.0a0\"]},");
        }

        string text = sb.ToString();
        byte[] reference = Encoding.UTF8.GetBytes(text);
        using var stop = new CancellationTokenSource();
        var churn = new Thread(() =>
        {
            var keep = new List<byte[]>();
            while (!stop.IsCancellationRequested)
            {
                keep.Add(new byte[100_000]);
                if (keep.Count > 50)
                {
                    keep.Clear();
                }
            }
        });
        churn.Start();
        int runs = 0, differed = 0;
        var until = DateTime.UtcNow.AddSeconds(4);
        try
        {
            while (DateTime.UtcNow < until)
            {
                runs++;
                if (!Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(reference))
                {
                    differed++;
                }
            }
        }
        finally
        {
            stop.Cancel();
            churn.Join();
        }

        Assert.True(differed == 0, $"{differed} of {runs} byte arrays differed from the reference");
    }
}
