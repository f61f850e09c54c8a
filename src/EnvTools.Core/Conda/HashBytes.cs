using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EnvTools.Conda;

/// <summary>An md5 (16 bytes) and a sha256 (32 bytes) held inline in a record instead of as two hex strings
/// (which take 88 and 152 bytes of heap each).</summary>
[InlineArray(48)]
internal struct HashBytes
{
    private byte _first;

    /// <summary>The md5 bytes.</summary>
    [UnscopedRef]
    public Span<byte> Md5Span => MemoryMarshal.CreateSpan(ref _first, 48)[..16];

    /// <summary>The sha256 bytes.</summary>
    [UnscopedRef]
    public Span<byte> Sha256Span => MemoryMarshal.CreateSpan(ref _first, 48)[16..];

    /// <summary>Parses lower-case hex of exactly twice <paramref name="into"/>'s length; false (and
    /// <paramref name="into"/> unspecified) for anything else, which is then kept as a string.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<byte> hex, Span<byte> into)
    {
        if (hex.Length != into.Length * 2)
        {
            return false;
        }

        // A table lookup per digit; any byte that is not 0-9 or a-f gives a negative value, so one test at the end.
        ref sbyte table = ref MemoryMarshal.GetArrayDataReference(NibbleTable);
        ref byte src = ref MemoryMarshal.GetReference(hex);
        ref byte dst = ref MemoryMarshal.GetReference(into);
        int bad = 0;
        for (int i = 0; i < into.Length; i++)
        {
            int hi = Unsafe.Add(ref table, Unsafe.Add(ref src, 2 * i));
            int lo = Unsafe.Add(ref table, Unsafe.Add(ref src, (2 * i) + 1));
            bad |= hi | lo;
            Unsafe.Add(ref dst, i) = (byte)((hi << 4) | lo);
        }

        return bad >= 0;
    }

    private static readonly sbyte[] NibbleTable = CreateNibbleTable();

    private static sbyte[] CreateNibbleTable()
    {
        var t = new sbyte[256];
        t.AsSpan().Fill(-1);
        for (int c = '0'; c <= '9'; c++)
        {
            t[c] = (sbyte)(c - '0');
        }

        for (int c = 'a'; c <= 'f'; c++)
        {
            t[c] = (sbyte)(c - 'a' + 10);
        }

        return t;
    }

    /// <summary>Writes lower-case hex (UTF-8) of <paramref name="bytes"/>.</summary>
    public static void WriteHex(ReadOnlySpan<byte> bytes, Span<byte> hex)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            hex[2 * i] = (byte)"0123456789abcdef"[bytes[i] >> 4];
            hex[(2 * i) + 1] = (byte)"0123456789abcdef"[bytes[i] & 15];
        }
    }

    /// <summary>Lower-case hex of <paramref name="bytes"/>.</summary>
    public static string ToHex(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[bytes.Length * 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[2 * i] = "0123456789abcdef"[bytes[i] >> 4];
            chars[(2 * i) + 1] = "0123456789abcdef"[bytes[i] & 15];
        }

        return new string(chars);
    }
}
