using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace EnvTools;

/// <summary>
/// A thread-safe memo of parsed values keyed by their text, bounded by a capacity: once that many
/// entries have been added since the last reset, the whole cache is emptied and refills from the
/// next adds (no per-entry recency is kept, so a hit costs one lock-free dictionary lookup, which
/// matters on the repodata-parsing path that repeats the same version and spec strings).
/// </summary>
/// <remarks>
/// The count of adds is approximate under contention (<see cref="ConcurrentDictionary{TKey,TValue}.Count"/>
/// takes every internal lock, so it is not used): the cache may briefly hold a few more than
/// <see cref="Capacity"/> entries, never unboundedly many. Values may be null (a memoised "invalid").
/// </remarks>
/// <typeparam name="TKey">The key (usually the text that was parsed).</typeparam>
/// <typeparam name="TValue">The cached value.</typeparam>
internal sealed class BoundedCache<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries;
    private int _adds;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="capacity">How many adds empty the cache; at least 1.</param>
    /// <param name="comparer">The key comparer, or null for the default.</param>
    public BoundedCache(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _entries = new ConcurrentDictionary<TKey, TValue>(comparer);
    }

    /// <summary>How many adds empty the cache.</summary>
    public int Capacity { get; }

    /// <summary>How many entries the cache holds now (takes every internal lock: for tests and diagnostics).</summary>
    public int Count => _entries.Count;

    /// <summary>The cached value of <paramref name="key"/>, if there is one.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, when found.</param>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => _entries.TryGetValue(key, out value);

    /// <summary>Adds <paramref name="value"/> under <paramref name="key"/>, first emptying the cache when this add reaches the capacity.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value (an existing entry for the key is kept).</param>
    public void Add(TKey key, TValue value)
    {
        if (Interlocked.Increment(ref _adds) >= Capacity)
        {
            Interlocked.Exchange(ref _adds, 0);
            _entries.Clear();
        }

        _entries.TryAdd(key, value);
    }
}
