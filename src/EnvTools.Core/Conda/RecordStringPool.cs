using System.Runtime.CompilerServices;
using System.Text;

namespace EnvTools.Conda;

/// <summary>
/// Interns strings decoded from UTF-8 so that the thousands of repeated values of a repodata file
/// (names, versions, dependency specs, licenses, subdirs) share one instance each. Not thread-safe;
/// one pool per parse (or per lazily decoding index, under its lock).
/// </summary>
internal sealed class RecordStringPool
{
    private struct Entry
    {
        public int Hash;
        public int Next; // 1-based index of the next entry in the chain, 0 = end
        public string Value;
    }

    private int[] _buckets = new int[1024];
    private Entry[] _entries = new Entry[1024];
    private int _count;

    /// <summary>Number of distinct strings held.</summary>
    public int Count => _count;

    /// <summary>The interned string for these (unescaped) UTF-8 bytes.</summary>
    public string Get(ReadOnlySpan<byte> utf8) => utf8.IsEmpty ? string.Empty : this[IndexOf(utf8)];

    /// <summary>The index (0 ..<see cref="Count"/>-1, in order of first appearance) of the interned string for these UTF-8 bytes.</summary>
    public int IndexOf(ReadOnlySpan<byte> utf8)
    {
        int hash = Hash(utf8);
        int bucket = hash & (_buckets.Length - 1);
        for (int i = _buckets[bucket]; i != 0; i = _entries[i - 1].Next)
        {
            ref Entry e = ref _entries[i - 1];
            if (e.Hash == hash && Utf8Equals(utf8, e.Value))
            {
                return i - 1;
            }
        }

        Add(hash, Encoding.UTF8.GetString(utf8));
        return _count - 1;
    }

    /// <summary>The string at an index from <see cref="IndexOf(ReadOnlySpan{byte})"/>.</summary>
    public string this[int index] => _entries[index].Value;

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

    private void Add(int hash, string value)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
            _buckets = new int[_entries.Length];
            for (int i = 0; i < _count; i++)
            {
                ref Entry e = ref _entries[i];
                int b = e.Hash & (_buckets.Length - 1);
                e.Next = _buckets[b];
                _buckets[b] = i + 1;
            }
        }

        int bucket = hash & (_buckets.Length - 1);
        _entries[_count] = new Entry { Hash = hash, Next = _buckets[bucket], Value = value };
        _buckets[bucket] = ++_count;
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
