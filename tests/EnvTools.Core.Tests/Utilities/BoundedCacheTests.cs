using Xunit;

namespace EnvTools.Tests.Utilities;

public class BoundedCacheTests
{
    [Fact]
    public void HitReturnsTheAddedValueAndMissReturnsFalse()
    {
        var cache = new BoundedCache<string, int>(8, StringComparer.Ordinal);
        cache.Add("a", 1);

        Assert.True(cache.TryGetValue("a", out int hit));
        Assert.Equal(1, hit);
        Assert.False(cache.TryGetValue("A", out _)); // the comparer is honoured: ordinal, case-sensitive
        Assert.False(cache.TryGetValue("b", out _));
    }

    [Fact]
    public void NullValuesAreCachedAsHits()
    {
        var cache = new BoundedCache<string, string?>(4);
        cache.Add("invalid", null);

        Assert.True(cache.TryGetValue("invalid", out string? value));
        Assert.Null(value);
    }

    [Fact]
    public void ReachingTheCapacityEmptiesTheCacheAndKeepsTheNewEntry()
    {
        var cache = new BoundedCache<int, int>(3);
        cache.Add(1, 10);
        cache.Add(2, 20);
        Assert.Equal(2, cache.Count);

        cache.Add(3, 30); // the third add reaches the capacity: the older entries go

        Assert.Equal(1, cache.Count);
        Assert.False(cache.TryGetValue(1, out _));
        Assert.False(cache.TryGetValue(2, out _));
        Assert.True(cache.TryGetValue(3, out int kept));
        Assert.Equal(30, kept);

        cache.Add(4, 40);
        cache.Add(5, 50); // the count restarted after the reset: two more adds fit before the next one
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public void AnExistingEntryIsKept()
    {
        var cache = new BoundedCache<string, int>(10);
        cache.Add("a", 1);
        cache.Add("a", 2);

        Assert.True(cache.TryGetValue("a", out int value));
        Assert.Equal(1, value);
    }

    [Fact]
    public void CapacityBelowOneIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BoundedCache<int, int>(0));
    }

    [Fact]
    public void ConcurrentAddsStayBoundedAndHitsAreCorrect()
    {
        const int capacity = 100;
        var cache = new BoundedCache<int, int>(capacity);
        int wrong = 0;

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                int key = (worker * 20_000) + i;
                cache.Add(key, key * 2);
                if (cache.TryGetValue(key, out int value) && value != key * 2)
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });

        Assert.Equal(0, wrong);
        // Racing adds may land just after a reset, so allow one extra add per worker beyond the capacity.
        Assert.InRange(cache.Count, 0, capacity + 8);
    }
}
