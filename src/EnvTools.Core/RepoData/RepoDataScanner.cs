using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;

namespace EnvTools.RepoData;

/// <summary>Which part of a repodata file a record was found in.</summary>
internal enum RepoDataSection : byte
{
    /// <summary><c>packages</c> (.tar.bz2), or a flat <c>{filename: record}</c> map entry ending in .tar.bz2.</summary>
    Packages,
    /// <summary><c>packages.conda</c>, or a flat map entry ending in .conda.</summary>
    PackagesConda,
}

/// <summary>One complete member found by the scanner; offsets are relative to the buffer scanned.</summary>
internal struct RepoDataUnit
{
    public int KeyStart, KeyLength;     // the key's text, without quotes (may hold escapes: KeyEscaped)
    public int ValueStart, ValueLength; // the value's JSON
    public int NameStart, NameLength;   // records only: the "name" value's text, or -1
    public bool IsRecord;
    public RepoDataSection Section;
    public bool KeyEscaped;
}

/// <summary>
/// A resumable structural scanner for repodata: it walks the top-level object and the
/// <c>packages</c>/<c>packages.conda</c> maps and hands out one complete member at a time (a record
/// or a top-level key) without decoding it. Strings are skipped with vectorised searches; record
/// contents are validated later by the Utf8JsonReader that decodes them.
/// </summary>
internal struct RepoDataScanner
{
    private enum State : byte { Start, TopMember, TopNext, SectionMember, SectionNext, Done }

    private static readonly SearchValues<byte> Structural = SearchValues.Create("\"{}[],"u8);
    private static readonly SearchValues<byte> QuoteOrEscape = SearchValues.Create("\"\\"u8);
    private static readonly SearchValues<byte> ScalarEnd = SearchValues.Create(",}] \t\r\n"u8);

    private State _state;
    private RepoDataSection _section;
    private NameCandidates _names;

    /// <summary>Position in the current buffer of the next byte to scan.</summary>
    public int Position;

    /// <summary>True once the closing brace of the top-level object was read.</summary>
    public readonly bool IsDone => _state == State.Done;

    public enum Result { Unit, NeedMore, End }

    /// <summary>Finds the next member. On <see cref="Result.NeedMore"/>, <see cref="Position"/> is where the
    /// incomplete member starts: keep the bytes from there, append more, and call again.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Result Next(ReadOnlySpan<byte> buf, bool final, out RepoDataUnit unit)
    {
        unit = default;
        while (true)
        {
            int p = SkipWs(buf, Position);
            if (p >= buf.Length)
            {
                if (final && _state != State.Done)
                {
                    throw Fail(p, _state == State.Start ? "the document is empty" : "unexpected end of data");
                }

                return _state == State.Done ? Result.End : Result.NeedMore;
            }

            byte c = buf[p];
            switch (_state)
            {
                case State.Start:
                    if (c != (byte)'{')
                    {
                        throw Fail(p, "repodata must be a JSON object");
                    }

                    Position = p + 1;
                    _state = State.TopMember;
                    continue;

                case State.Done:
                    throw Fail(p, "unexpected data after the end of the document");

                case State.TopNext:
                case State.SectionNext:
                {
                    bool top = _state == State.TopNext;
                    if (c == (byte)',')
                    {
                        Position = p + 1;
                        _state = top ? State.TopMember : State.SectionMember;
                        // a member must follow the comma
                        int q = SkipWs(buf, Position);
                        if (q < buf.Length && buf[q] != (byte)'"')
                        {
                            throw Fail(q, "expected a property name after ','");
                        }

                        continue;
                    }

                    if (c == (byte)'}')
                    {
                        Position = p + 1;
                        _state = top ? State.Done : State.TopNext;
                        continue;
                    }

                    throw Fail(p, "expected ',' or '}'");
                }

                case State.TopMember:
                case State.SectionMember:
                {
                    bool top = _state == State.TopMember;
                    if (c == (byte)'}')
                    {
                        Position = p + 1;
                        _state = top ? State.Done : State.TopNext;
                        continue;
                    }

                    if (c != (byte)'"')
                    {
                        throw Fail(p, "expected a property name");
                    }

                    int keyEnd = SkipString(buf, p, out bool escaped);
                    if (keyEnd < 0)
                    {
                        return NeedMore(buf, final, p);
                    }

                    int colon = SkipWs(buf, keyEnd);
                    if (colon >= buf.Length)
                    {
                        return NeedMore(buf, final, p);
                    }

                    if (buf[colon] != (byte)':')
                    {
                        throw Fail(colon, "expected ':'");
                    }

                    int v = SkipWs(buf, colon + 1);
                    if (v >= buf.Length)
                    {
                        return NeedMore(buf, final, p);
                    }

                    ReadOnlySpan<byte> key = buf[(p + 1)..(keyEnd - 1)];
                    unit.KeyStart = p + 1;
                    unit.KeyLength = keyEnd - p - 2;
                    unit.KeyEscaped = escaped;

                    if (top && !escaped && buf[v] == (byte)'{' && (key.SequenceEqual("packages"u8) || key.SequenceEqual("packages.conda"u8)))
                    {
                        _section = key.Length == 8 ? RepoDataSection.Packages : RepoDataSection.PackagesConda;
                        Position = v + 1;
                        _state = State.SectionMember;
                        continue;
                    }

                    bool isRecord = !top || (buf[v] == (byte)'{' && (key.EndsWith(".tar.bz2"u8) || key.EndsWith(".conda"u8)));
                    int end;
                    unit.NameStart = -1;
                    if (buf[v] == (byte)'{' && isRecord)
                    {
                        end = SkipRecord(buf, v, out unit.NameStart, out unit.NameLength, ref _names);
                    }
                    else
                    {
                        end = SkipValue(buf, v, final);
                    }

                    if (end < 0)
                    {
                        return NeedMore(buf, final, p);
                    }

                    unit.IsRecord = isRecord;
                    unit.Section = top ? (key.EndsWith(".conda"u8) ? RepoDataSection.PackagesConda : RepoDataSection.Packages) : _section;
                    unit.ValueStart = v;
                    unit.ValueLength = end - v;
                    Position = end;
                    _state = top ? State.TopNext : State.SectionNext;
                    return Result.Unit;
                }
            }
        }
    }

    private Result NeedMore(ReadOnlySpan<byte> buf, bool final, int memberStart)
    {
        if (final)
        {
            throw Fail(buf.Length, "unexpected end of data");
        }

        Position = memberStart;
        _names = default; // the caller moves the bytes
        return Result.NeedMore;
    }

    /// <summary>Thrown for structural errors; Offset is relative to the buffer.</summary>
    public sealed class ScanException(string message, long offset) : Exception(message)
    {
        public long Offset { get; } = offset;
    }

    private static ScanException Fail(int at, string message) => new(message, at);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SkipWs(ReadOnlySpan<byte> buf, int p)
    {
        while (p < buf.Length)
        {
            byte b = buf[p];
            if (b != (byte)' ' && b != (byte)'\n' && b != (byte)'\r' && b != (byte)'\t')
            {
                break;
            }

            p++;
        }

        return p;
    }

    /// <summary>From an opening quote, the index after the closing quote, or -1 when the buffer ends first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SkipString(ReadOnlySpan<byte> buf, int p, out bool escaped)
    {
        escaped = false;
        int j = p + 1;
        while (true)
        {
            int k = buf[j..].IndexOfAny(QuoteOrEscape);
            if (k < 0)
            {
                return -1;
            }

            j += k;
            if (buf[j] == (byte)'"')
            {
                return j + 1;
            }

            escaped = true;
            j += 2;
            if (j >= buf.Length)
            {
                return -1;
            }
        }
    }

    private static int SkipValue(ReadOnlySpan<byte> buf, int v, bool final)
    {
        byte c = buf[v];
        if (c == (byte)'"')
        {
            return SkipString(buf, v, out _);
        }

        if (c == (byte)'{' || c == (byte)'[')
        {
            NameCandidates none = default;
            return SkipRecord(buf, v, out _, out _, ref none);
        }

        int k = buf[v..].IndexOfAny(ScalarEnd);
        if (k < 0)
        {
            return final ? buf.Length : -1;
        }

        return k == 0 ? throw Fail(v, "expected a value") : v + k;
    }

    /// <summary>Where the next <c>"name"</c> in the buffer is, so that each search covers the bytes once.</summary>
    internal struct NameCandidates
    {
        public bool Valid;
        public int From;  // searched from here...
        public int At;    // ...and found the next one here (-1: none up to the end of the buffer)
    }

    private static readonly byte[] NameKey = "\"name\""u8.ToArray();

    /// <summary>The index of the first <c>"name"</c> at or after <paramref name="p"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int NextCandidate(ReadOnlySpan<byte> buf, int p, ref NameCandidates c)
    {
        if (!c.Valid || p < c.From || (c.At >= 0 && c.At < p))
        {
            int k = p < buf.Length ? buf[p..].IndexOf(NameKey) : -1;
            c = new NameCandidates { Valid = true, From = p, At = k < 0 ? -1 : p + k };
        }

        return c.At;
    }

    /// <summary>
    /// Skips a container; for a record, also finds the text of its depth-1 <c>"name"</c> string value. Works on
    /// 64-byte blocks: bit masks of quotes, backslashes and brackets (vector compares), escapes resolved on the
    /// bits, the in-string mask by a prefix xor of the unescaped quotes; only the brackets outside strings are
    /// visited one by one. Returns -1 when the buffer ends first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int SkipRecord(ReadOnlySpan<byte> buf, int v, out int nameStart, out int nameLength, ref NameCandidates names)
    {
        nameStart = -1;
        nameLength = 0;
        int cand = NextCandidate(buf, v, ref names);
        int depth = 0;
        ulong inStringCarry = 0;
        bool escapeCarry = false;
        Span<byte> tail = stackalloc byte[64];
        ref byte start = ref MemoryMarshal.GetReference(buf);
        for (int blk = v; blk < buf.Length; blk += 64)
        {
            ulong quote, bs, open, close;
            if (blk + 64 <= buf.Length)
            {
                Masks(ref Unsafe.Add(ref start, blk), out quote, out bs, out open, out close);
            }
            else
            {
                tail.Fill((byte)' ');
                buf[blk..].CopyTo(tail);
                Masks(ref MemoryMarshal.GetReference(tail), out quote, out bs, out open, out close);
            }

            if ((bs | (escapeCarry ? 1UL : 0UL)) != 0)
            {
                quote &= ~Escaped(bs, ref escapeCarry);
            }

            ulong inString = PrefixXor(quote) ^ inStringCarry;
            inStringCarry = (ulong)((long)inString >> 63);
            ulong structural = (open | close) & ~inString;
            while (true)
            {
                int next = structural == 0 ? 64 : BitOperations.TrailingZeroCount(structural);
                // A "name" candidate before the next bracket: depth is known there.
                while (cand >= 0 && cand < blk + next)
                {
                    int at = cand - blk;
                    if (depth == 1 && ((quote >> at) & 1) != 0 && ((inString >> at) & 1) != 0)
                    {
                        int colon = SkipWs(buf, cand + 6);
                        if (colon >= buf.Length)
                        {
                            return -1;
                        }

                        if (buf[colon] == (byte)':')
                        {
                            int val = SkipWs(buf, colon + 1);
                            if (val >= buf.Length)
                            {
                                return -1;
                            }

                            if (buf[val] == (byte)'"')
                            {
                                int end = SkipString(buf, val, out _);
                                if (end < 0)
                                {
                                    return -1;
                                }

                                nameStart = val + 1;
                                nameLength = end - val - 2;
                            }
                            else
                            {
                                nameStart = -1; // "name": null and the like
                            }
                        }
                    }

                    cand = NextCandidate(buf, cand + 1, ref names);
                }

                if (next == 64)
                {
                    break;
                }

                if (((open >> next) & 1) != 0)
                {
                    depth++;
                }
                else if (--depth == 0)
                {
                    return blk + next + 1;
                }

                structural &= structural - 1;
            }
        }

        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Masks(ref byte p, out ulong quote, out ulong bs, out ulong open, out ulong close)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<byte> a = Vector256.LoadUnsafe(ref p), b = Vector256.LoadUnsafe(ref p, 32);
            Vector256<byte> lower = Vector256.Create((byte)0x20);
            Vector256<byte> a20 = a | lower, b20 = b | lower;
            quote = Vector256.Equals(a, Vector256.Create((byte)'"')).ExtractMostSignificantBits() | ((ulong)Vector256.Equals(b, Vector256.Create((byte)'"')).ExtractMostSignificantBits() << 32);
            bs = Vector256.Equals(a, Vector256.Create((byte)'\\')).ExtractMostSignificantBits() | ((ulong)Vector256.Equals(b, Vector256.Create((byte)'\\')).ExtractMostSignificantBits() << 32);
            // '{' 0x7B and '[' 0x5B differ only in 0x20, as do '}' 0x7D and ']' 0x5D.
            open = Vector256.Equals(a20, Vector256.Create((byte)'{')).ExtractMostSignificantBits() | ((ulong)Vector256.Equals(b20, Vector256.Create((byte)'{')).ExtractMostSignificantBits() << 32);
            close = Vector256.Equals(a20, Vector256.Create((byte)'}')).ExtractMostSignificantBits() | ((ulong)Vector256.Equals(b20, Vector256.Create((byte)'}')).ExtractMostSignificantBits() << 32);
            return;
        }

        quote = bs = open = close = 0;
        for (int i = 0; i < 4; i++)
        {
            Vector128<byte> a = Vector128.LoadUnsafe(ref p, (nuint)(16 * i));
            Vector128<byte> a20 = a | Vector128.Create((byte)0x20);
            int sh = 16 * i;
            quote |= (ulong)Vector128.Equals(a, Vector128.Create((byte)'"')).ExtractMostSignificantBits() << sh;
            bs |= (ulong)Vector128.Equals(a, Vector128.Create((byte)'\\')).ExtractMostSignificantBits() << sh;
            open |= (ulong)Vector128.Equals(a20, Vector128.Create((byte)'{')).ExtractMostSignificantBits() << sh;
            close |= (ulong)Vector128.Equals(a20, Vector128.Create((byte)'}')).ExtractMostSignificantBits() << sh;
        }
    }

    /// <summary>The bits of the characters escaped by a backslash; <paramref name="carry"/>: bit 0 is escaped by the
    /// previous block (in) / the next block's bit 0 is (out).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong Escaped(ulong bs, ref bool carry)
    {
        ulong escaped = 0;
        if (carry)
        {
            escaped = 1;
            bs &= ~1UL;
            carry = false;
        }

        while (bs != 0)
        {
            int i = BitOperations.TrailingZeroCount(bs);
            if (i == 63)
            {
                carry = true;
                break;
            }

            escaped |= 1UL << (i + 1);
            bs &= ~((2UL << (i + 1)) - 1);
        }

        return escaped;
    }

    /// <summary>Bit i = xor of bits 0..i: set inside strings (opening quote included, closing quote excluded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong PrefixXor(ulong x)
    {
        x ^= x << 1;
        x ^= x << 2;
        x ^= x << 4;
        x ^= x << 8;
        x ^= x << 16;
        x ^= x << 32;
        return x;
    }

    /// <summary>The byte-at-a-time structural walk <see cref="SkipRecord"/> replaced; kept to check it against.</summary>
    internal static int SkipRecordScalar(ReadOnlySpan<byte> buf, int v, out int nameStart, out int nameLength)
    {
        nameStart = -1;
        nameLength = 0;
        int depth = 0;
        bool expectKey = false, nextIsName = false;
        int i = v;
        while (true)
        {
            int k = buf[i..].IndexOfAny(Structural);
            if (k < 0)
            {
                return -1;
            }

            i += k;
            switch (buf[i])
            {
                case (byte)'"':
                    int end = SkipString(buf, i, out _);
                    if (end < 0)
                    {
                        return -1;
                    }

                    if (depth == 1)
                    {
                        if (expectKey)
                        {
                            nextIsName = end - i == 6 && buf.Slice(i + 1, 4).SequenceEqual("name"u8);
                            expectKey = false;
                        }
                        else if (nextIsName)
                        {
                            nameStart = i + 1;
                            nameLength = end - i - 2;
                            nextIsName = false;
                        }
                    }

                    i = end;
                    break;
                case (byte)'{':
                case (byte)'[':
                    depth++;
                    expectKey = depth == 1 && buf[i] == (byte)'{';
                    i++;
                    break;
                case (byte)'}':
                case (byte)']':
                    depth--;
                    i++;
                    if (depth == 0)
                    {
                        return i;
                    }

                    break;
                default: // ','
                    if (depth == 1)
                    {
                        expectKey = true;
                        nextIsName = false;
                    }

                    i++;
                    break;
            }
        }
    }

    /// <summary>Decodes a key or name the scanner found.</summary>
    public static string DecodeString(ReadOnlySpan<byte> text, bool escaped)
    {
        if (!escaped)
        {
            return Encoding.UTF8.GetString(text);
        }

        byte[] quoted = new byte[text.Length + 2];
        quoted[0] = quoted[^1] = (byte)'"';
        text.CopyTo(quoted.AsSpan(1));
        try
        {
            var r = new Utf8JsonReader(quoted);
            r.Read();
            return r.GetString()!;
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException)
        {
            // A lone surrogate escape (\ud800) or a bad escape: decode leniently, as unescaped text is
            // (invalid UTF-8 becomes U+FFFD); what the name then fails to match is reported later.
            return Unescape(Encoding.UTF8.GetString(text));
        }
    }

    private static string Unescape(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '\\' || i + 1 >= s.Length)
            {
                sb.Append(c);
                continue;
            }

            char e = s[++i];
            switch (e)
            {
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u' when i + 4 < s.Length && ushort.TryParse(s.AsSpan(i + 1, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out ushort u):
                    sb.Append(char.IsSurrogate((char)u) ? '\uFFFD' : (char)u);
                    i += 4;
                    break;
                default: sb.Append(e); break;
            }
        }

        return sb.ToString();
    }
}
