using System.Runtime.CompilerServices;
using System.Text;

namespace EnvTools.Conda;

/// <summary>
/// Interns strings decoded from UTF-8 so that the thousands of repeated values of a repodata file
/// (names, versions, dependency specs, licenses, subdirs) share one instance each. Lookups take no lock
/// (they read a table that is only ever appended to, or replaced whole when it grows); adding a string
/// takes a lock and looks again, so several decoding threads can share one pool.
/// </summary>
internal sealed class RecordStringPool
{
    private struct Entry
    {
        public int Hash;
        public int Next; // 1-based index of the next entry in the chain, 0 = end
        public string Value;
    }

    private sealed class Table(int size)
    {
        public readonly int[] Buckets = new int[size];
        public readonly Entry[] Entries = new Entry[size];
        public int Count;
    }

    private readonly object _lock = new();
    private volatile Table _table = new(1024);

    /// <summary>Number of distinct strings held.</summary>
    public int Count => _table.Count;

    /// <summary>The interned string for these (unescaped) UTF-8 bytes.</summary>
    public string Get(ReadOnlySpan<byte> utf8) => utf8.IsEmpty ? string.Empty : this[IndexOf(utf8)];

    /// <summary>The index (0 ..<see cref="Count"/>-1, in order of first appearance) of the interned string for these UTF-8 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int IndexOf(ReadOnlySpan<byte> utf8)
    {
        int hash = Hash(utf8);
        int found = Find(_table, utf8, hash);
        return found >= 0 ? found : Add(utf8, hash);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Find(Table t, ReadOnlySpan<byte> utf8, int hash)
    {
        Entry[] entries = t.Entries;
        for (int i = Volatile.Read(ref t.Buckets[hash & (t.Buckets.Length - 1)]); i != 0; i = entries[i - 1].Next)
        {
            ref Entry e = ref entries[i - 1];
            if (e.Hash == hash && Utf8Equals(utf8, e.Value))
            {
                return i - 1;
            }
        }

        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Add(ReadOnlySpan<byte> utf8, int hash)
    {
        lock (_lock)
        {
            Table t = _table;
            int found = Find(t, utf8, hash);
            if (found >= 0)
            {
                return found;
            }

            if (t.Count == t.Entries.Length)
            {
                var grown = new Table(t.Entries.Length * 2) { Count = t.Count };
                Array.Copy(t.Entries, grown.Entries, t.Count);
                for (int i = 0; i < t.Count; i++)
                {
                    ref Entry e = ref grown.Entries[i];
                    int b = e.Hash & (grown.Buckets.Length - 1);
                    e.Next = grown.Buckets[b];
                    grown.Buckets[b] = i + 1;
                }

                _table = t = grown;
            }

            int bucket = hash & (t.Buckets.Length - 1);
            int index = t.Count;
            t.Entries[index] = new Entry { Hash = hash, Next = t.Buckets[bucket], Value = Encoding.UTF8.GetString(utf8) };
            t.Count = index + 1;
            Volatile.Write(ref t.Buckets[bucket], index + 1); // publishes the complete entry
            return index;
        }
    }

    /// <summary>The string at an index from <see cref="IndexOf(ReadOnlySpan{byte})"/>.</summary>
    public string this[int index] => _table.Entries[index].Value;

    /// <summary>The interned instance of an already decoded string.</summary>
    public string Get(string value) => value.Length == 0 ? string.Empty : this[IndexOf(value)];

    /// <summary>The index of the interned instance of an already decoded string.</summary>
    public int IndexOf(string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> buf = max <= 512 ? stackalloc byte[512] : new byte[max];
        int n = Encoding.UTF8.GetBytes(value, buf);
        return IndexOf(buf[..n]);
    }

    /// <summary>UTF-8 bytes against a string, without keeping a UTF-8 copy of every string held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Utf8Equals(ReadOnlySpan<byte> utf8, string value)
    {
        if (value.Length == utf8.Length)
        {
            // Equal lengths can only match when both are ASCII.
            return Ascii.Equals(utf8, value);
        }

        if (value.Length > utf8.Length || value.Length * 3 < utf8.Length)
        {
            return false;
        }

        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> buf = max <= 512 ? stackalloc byte[512] : new byte[max];
        int n = Encoding.UTF8.GetBytes(value, buf);
        return buf[..n].SequenceEqual(utf8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> s)
    {
        // FNV-1a over 8-byte words, then the tail; fast and good enough for short ASCII keys.
        ulong h = 14695981039346656037UL;
        int i = 0;
        for (; i + 8 <= s.Length; i += 8)
        {
            h = (h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.AsRef(in s[i]))) * 1099511628211UL;
        }

        for (; i < s.Length; i++)
        {
            h = (h ^ s[i]) * 1099511628211UL;
        }

        h ^= h >> 29;
        return (int)h ^ (int)(h >> 32);
    }
}
