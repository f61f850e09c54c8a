namespace EnvTools.Solve.Sat;

/// <summary>A growable int buffer without the overhead and versioning of <see cref="List{T}"/>.</summary>
internal sealed class IntVec
{
    public int[] Items;
    public int Count;

    public IntVec(int capacity = 16) => Items = new int[Math.Max(1, capacity)];

    public int this[int i]
    {
        get => Items[i];
        set => Items[i] = value;
    }

    public void Add(int x)
    {
        if (Count == Items.Length)
        {
            Array.Resize(ref Items, Items.Length * 2);
        }

        Items[Count++] = x;
    }

    public void Clear() => Count = 0;

    public void Shrink(int count) => Count = count;

    public ReadOnlySpan<int> AsSpan() => Items.AsSpan(0, Count);
}

/// <summary>
/// A clause reference and its blocker literal: when the blocker is true the clause needs no visit. A binary
/// clause's watcher has the sign bit of <see cref="Ref"/> set and its other literal as blocker, so propagation
/// handles it without reading the clause.
/// </summary>
internal struct Watcher
{
    public int Ref;
    public int Blocker;

    public Watcher(int cref, int blocker)
    {
        Ref = cref;
        Blocker = blocker;
    }

    /// <summary>The clause reference (without the binary mark).</summary>
    public readonly int CRef => Ref & int.MaxValue;

    /// <summary>Whether the watched clause is binary (its other literal is <see cref="Blocker"/>).</summary>
    public readonly bool IsBinary => Ref < 0;

    /// <summary>A watcher of a binary clause.</summary>
    public static Watcher Binary(int cref, int other) => new(cref | int.MinValue, other);
}

/// <summary>The clauses watching one literal, as a bare array and a count.</summary>
internal struct WatchList
{
    public Watcher[] Items;
    public int Count;
}
