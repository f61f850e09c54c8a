using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace EnvTools.Conda;

/// <summary>
/// A direct reader for the common shape of a repodata record: one flat object whose keys are all known fields
/// with plain values (strings, integers, null, booleans, arrays of strings). It walks the bytes once, without
/// the general tokenizer, and gives up (returns false, leaving the record in an unspecified state) on anything
/// else: an unknown key, a nested value, a float, or any JSON it does not fully check. The caller then reads the
/// record again with <see cref="RecordWriter.Read"/>, which also reports errors, so that the result (and every
/// error) is exactly the general reader's.
/// </summary>
internal static class RecordFastReader
{
    private const int MaxUnescaped = 1024;

    // What ends a run of plain string content: the closing quote, an escape, or a control character (not allowed).
    private static readonly SearchValues<byte> StringSpecial = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"u8);

    /// <summary>Reads a record from <paramref name="json"/> (exactly one object); false when it is not of the simple shape.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryRead(RepoDataRecord rec, ReadOnlySpan<byte> json, RecordReadContext ctx)
    {
        int p = Ws(json, 0);
        if (p >= json.Length || json[p] != (byte)'{' || ctx.KeepKeyOrder)
        {
            return false;
        }

        rec._present = 0;
        List<KeyValuePair<string, byte[]>> extras = ctx.ExtraScratch;
        extras.Clear();
        p = Ws(json, p + 1);
        if (p < json.Length && json[p] == (byte)'}')
        {
            return Ws(json, p + 1) == json.Length;
        }

        Span<byte> scratch = stackalloc byte[MaxUnescaped];
        while (true)
        {
            // Key: a plain string naming a known field.
            if (p >= json.Length || json[p] != (byte)'"')
            {
                return false;
            }

            int q = json[(p + 1)..].IndexOfAny(StringSpecial);
            if (q < 0 || json[p + 1 + q] != (byte)'"')
            {
                return false;
            }

            ReadOnlySpan<byte> key = json.Slice(p + 1, q);
            RecordField f = RecordFields.Lookup(key);

            p = Ws(json, p + q + 2);
            if (p >= json.Length || json[p] != (byte)':')
            {
                return false;
            }

            p = Ws(json, p + 1);
            if (p >= json.Length)
            {
                return false;
            }

            if (f == RecordField.Unknown || f > RecordField.Fn)
            {
                if (!ReadExtra(json, key, ref p, ctx, scratch))
                {
                    return false;
                }
            }
            else if (!ReadValue(rec, f, json, ref p, ctx, scratch))
            {
                return false;
            }

            p = Ws(json, p);
            if (p >= json.Length)
            {
                return false;
            }

            if (json[p] == (byte)',')
            {
                p = Ws(json, p + 1);
                continue;
            }

            if (json[p] != (byte)'}' || Ws(json, p + 1) != json.Length)
            {
                return false;
            }

            if (extras.Count > 0)
            {
                rec._extra = extras.ToArray();
                extras.Clear();
            }

            return true;
        }
    }

    /// <summary>A key this type does not read (kept verbatim, as the general reader does): scalar values only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ReadExtra(ReadOnlySpan<byte> json, ReadOnlySpan<byte> key, ref int p, RecordReadContext ctx, Span<byte> scratch)
    {
        int start = p;
        byte c = json[p];
        if (c == (byte)'"')
        {
            if (!ReadString(json, ref p, scratch, out _, out _))
            {
                return false;
            }
        }
        else if (c == (byte)'-' || (uint)(c - '0') <= 9)
        {
            if (!ReadInteger(json, ref p, out _))
            {
                return false;
            }
        }
        else if (json[p..].StartsWith("true"u8))
        {
            p += 4;
        }
        else if (json[p..].StartsWith("false"u8))
        {
            p += 5;
        }
        else if (json[p..].StartsWith("null"u8))
        {
            p += 4;
        }
        else
        {
            return false; // objects, arrays, floats: the general reader keeps them minified
        }

        ctx.ExtraScratch.Add(new(ctx.Pool.Get(key), json[start..p].ToArray()));
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ReadValue(RepoDataRecord rec, RecordField f, ReadOnlySpan<byte> json, ref int p, RecordReadContext ctx, Span<byte> scratch)
    {
        RecordStringPool pool = ctx.Pool;
        byte c = json[p];
        if (c == (byte)'n')
        {
            // null: only where the general reader takes it the same way.
            if (!json[p..].StartsWith("null"u8))
            {
                return false;
            }

            p += 4;
            switch (f)
            {
                case RecordField.Timestamp: rec._timestamp = null; rec._forms &= unchecked((byte)~PackageRecord.FormTimestampSeconds); break;
                case RecordField.Md5: rec._md5 = null; rec._forms &= unchecked((byte)~PackageRecord.FormMd5Packed); break;
                case RecordField.Sha256: rec._sha256 = null; rec._forms &= unchecked((byte)~PackageRecord.FormSha256Packed); break;
                case RecordField.Size: rec._size = null; break;
                case RecordField.License: rec._license = null; break;
                case RecordField.LicenseFamily: rec._licenseFamily = null; break;
                case RecordField.Subdir: rec._subdir = null; break;
                case RecordField.Platform: rec._platform = null; break;
                case RecordField.Arch: rec._arch = null; break;
                case RecordField.LegacyBz2Md5: rec._legacyBz2Md5 = null; break;
                case RecordField.LegacyBz2Size: rec._legacyBz2Size = null; break;
                case RecordField.PythonSitePackagesPath: rec._pythonSitePackagesPath = null; break;
                case RecordField.Url: rec._url = null; break;
                case RecordField.Channel: rec._channel = null; break;
                case RecordField.Fn when ctx.FileNameFromKey: break;
                case RecordField.NoArch:
                    rec._noArch = (byte)NoArchKind.None;
                    rec._forms &= unchecked((byte)~(PackageRecord.FormNoArchTrue | PackageRecord.FormNoArchFalse | PackageRecord.FormNoArchEmpty));
                    break;
                default: return false;
            }

            rec.Set(f, isNull: true);
            return true;
        }

        switch (f)
        {
            case RecordField.Name:
            case RecordField.Version:
            case RecordField.Build:
            case RecordField.License:
            case RecordField.LicenseFamily:
            case RecordField.Subdir:
            case RecordField.Platform:
            case RecordField.Arch:
            case RecordField.PythonSitePackagesPath:
            case RecordField.Channel:
            {
                if (!ReadString(json, ref p, scratch, out ReadOnlySpan<byte> text, out _))
                {
                    return false;
                }

                string s = pool.Get(text);
                switch (f)
                {
                    case RecordField.Name: rec._name = s; break;
                    case RecordField.Version: rec._version = s; break;
                    case RecordField.Build: rec._build = s; break;
                    case RecordField.License: rec._license = s; break;
                    case RecordField.LicenseFamily: rec._licenseFamily = s; break;
                    case RecordField.Subdir: rec._subdir = s; break;
                    case RecordField.Platform: rec._platform = s; break;
                    case RecordField.Arch: rec._arch = s; break;
                    case RecordField.PythonSitePackagesPath: rec._pythonSitePackagesPath = s; break;
                    default: rec._channel = s; break;
                }

                break;
            }

            case RecordField.Md5:
            case RecordField.Sha256:
            {
                if (!ReadString(json, ref p, scratch, out ReadOnlySpan<byte> text, out bool escaped))
                {
                    return false;
                }

                bool md5 = f == RecordField.Md5;
                byte form = md5 ? PackageRecord.FormMd5Packed : PackageRecord.FormSha256Packed;
                if (!escaped && HashBytes.TryParse(text, md5 ? rec._hashes.Md5Span : rec._hashes.Sha256Span))
                {
                    rec._forms |= form;
                    if (md5)
                    {
                        rec._md5 = null;
                    }
                    else
                    {
                        rec._sha256 = null;
                    }
                }
                else
                {
                    rec._forms &= unchecked((byte)~form);
                    string s = Encoding.UTF8.GetString(text);
                    if (md5)
                    {
                        rec._md5 = s;
                    }
                    else
                    {
                        rec._sha256 = s;
                    }
                }

                break;
            }

            case RecordField.LegacyBz2Md5:
            case RecordField.Url:
            {
                if (!ReadString(json, ref p, scratch, out ReadOnlySpan<byte> text, out _))
                {
                    return false;
                }

                string s = Encoding.UTF8.GetString(text);
                if (f == RecordField.Url)
                {
                    rec._url = s;
                }
                else
                {
                    rec._legacyBz2Md5 = s;
                }

                break;
            }

            case RecordField.Fn:
                if (!ctx.FileNameFromKey || !ReadString(json, ref p, scratch, out _, out _))
                {
                    return false;
                }

                break;

            case RecordField.BuildNumber:
            case RecordField.Size:
            case RecordField.LegacyBz2Size:
            case RecordField.Timestamp:
            {
                if (!ReadInteger(json, ref p, out long v))
                {
                    return false;
                }

                switch (f)
                {
                    case RecordField.BuildNumber: rec._buildNumber = v; break;
                    case RecordField.Size: rec._size = v; break;
                    case RecordField.LegacyBz2Size: rec._legacyBz2Size = v; break;
                    default:
                        // conda: a timestamp below 253402300799 (year 9999 in seconds) is in seconds; keep milliseconds.
                        bool seconds = v < 253402300799;
                        rec._timestamp = seconds ? v * 1000 : v;
                        rec._forms = seconds ? (byte)(rec._forms | PackageRecord.FormTimestampSeconds) : (byte)(rec._forms & ~PackageRecord.FormTimestampSeconds);
                        break;
                }

                break;
            }

            case RecordField.Depends:
            case RecordField.Constrains:
            case RecordField.TrackFeatures:
            case RecordField.Features:
            {
                string[] items;
                string? raw = null;
                if (c == (byte)'"' && f is RecordField.TrackFeatures or RecordField.Features)
                {
                    if (!ReadString(json, ref p, scratch, out ReadOnlySpan<byte> text, out _))
                    {
                        return false;
                    }

                    raw = pool.Get(text);
                    items = RecordJson.SplitFeatures(raw, pool);
                }
                else if (!ReadStringArray(json, ref p, ctx, scratch, out items))
                {
                    return false;
                }

                switch (f)
                {
                    case RecordField.Depends: rec._depends = items; break;
                    case RecordField.Constrains: rec._constrains = items; break;
                    case RecordField.TrackFeatures: rec._trackFeatures = items; rec._trackFeaturesRaw = raw; break;
                    default: rec._features = items; rec._featuresRaw = raw; break;
                }

                break;
            }

            case RecordField.NoArch:
            {
                rec._forms &= unchecked((byte)~(PackageRecord.FormNoArchTrue | PackageRecord.FormNoArchFalse | PackageRecord.FormNoArchEmpty));
                if (c == (byte)'t' && json[p..].StartsWith("true"u8))
                {
                    p += 4;
                    rec._noArch = (byte)NoArchKind.Generic;
                    rec._forms |= PackageRecord.FormNoArchTrue;
                    break;
                }

                if (c == (byte)'f' && json[p..].StartsWith("false"u8))
                {
                    p += 5;
                    rec._noArch = (byte)NoArchKind.None;
                    rec._forms |= PackageRecord.FormNoArchFalse;
                    break;
                }

                if (!ReadString(json, ref p, scratch, out ReadOnlySpan<byte> text, out _))
                {
                    return false;
                }

                if (text.SequenceEqual("python"u8))
                {
                    rec._noArch = (byte)NoArchKind.Python;
                }
                else if (text.SequenceEqual("generic"u8))
                {
                    rec._noArch = (byte)NoArchKind.Generic;
                }
                else if (text.IsEmpty)
                {
                    rec._noArch = (byte)NoArchKind.None;
                    rec._forms |= PackageRecord.FormNoArchEmpty;
                }
                else
                {
                    return false; // the general reader reports it
                }

                break;
            }

            default:
                return false;
        }

        rec.Set(f);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ReadStringArray(ReadOnlySpan<byte> json, ref int p, RecordReadContext ctx, Span<byte> scratch, out string[] items)
    {
        items = [];
        if (json[p] != (byte)'[')
        {
            return false;
        }

        p = Ws(json, p + 1);
        if (p < json.Length && json[p] == (byte)']')
        {
            p++;
            return true;
        }

        List<string> list = ctx.Scratch;
        list.Clear();
        while (true)
        {
            if (p >= json.Length || !ReadString(json, ref p, scratch, out ReadOnlySpan<byte> text, out _))
            {
                return false;
            }

            list.Add(ctx.Pool.Get(text));
            p = Ws(json, p);
            if (p >= json.Length)
            {
                return false;
            }

            if (json[p] == (byte)',')
            {
                p = Ws(json, p + 1);
                continue;
            }

            if (json[p] != (byte)']')
            {
                return false;
            }

            p++;
            items = list.ToArray();
            list.Clear();
            return true;
        }
    }

    /// <summary>A JSON string at <paramref name="p"/> (the quote): its unescaped UTF-8 (in <paramref name="scratch"/> when it
    /// had escapes); false for anything JSON does not allow in a string (the general reader then reports it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ReadString(ReadOnlySpan<byte> json, ref int p, Span<byte> scratch, out ReadOnlySpan<byte> text, out bool escaped)
    {
        text = default;
        escaped = false;
        if (json[p] != (byte)'"')
        {
            return false;
        }

        int start = p + 1;
        int q = json[start..].IndexOfAny(StringSpecial);
        if (q < 0 || json[start + q] < 0x20)
        {
            return false;
        }

        if (json[start + q] == (byte)'"')
        {
            text = json.Slice(start, q);
            p = start + q + 1;
            return true;
        }

        // With escapes: unescape into scratch.
        escaped = true;
        int o = 0, i = start;
        while (true)
        {
            int k = json[i..].IndexOfAny(StringSpecial);
            if (k < 0 || o + k > scratch.Length || json[i + k] < 0x20)
            {
                return false;
            }

            json.Slice(i, k).CopyTo(scratch[o..]);
            o += k;
            i += k;
            if (json[i] == (byte)'"')
            {
                text = scratch[..o];
                p = i + 1;
                return true;
            }

            // A backslash.
            if (i + 1 >= json.Length || o + 4 > scratch.Length)
            {
                return false;
            }

            byte e = json[i + 1];
            i += 2;
            switch (e)
            {
                case (byte)'"': scratch[o++] = (byte)'"'; break;
                case (byte)'\\': scratch[o++] = (byte)'\\'; break;
                case (byte)'/': scratch[o++] = (byte)'/'; break;
                case (byte)'b': scratch[o++] = (byte)'\b'; break;
                case (byte)'f': scratch[o++] = (byte)'\f'; break;
                case (byte)'n': scratch[o++] = (byte)'\n'; break;
                case (byte)'r': scratch[o++] = (byte)'\r'; break;
                case (byte)'t': scratch[o++] = (byte)'\t'; break;
                case (byte)'u':
                {
                    if (!Hex4(json, i, out int cp))
                    {
                        return false;
                    }

                    i += 4;
                    if (cp is >= 0xD800 and <= 0xDFFF)
                    {
                        return false; // surrogates: left to the general reader
                    }

                    o += new Rune(cp).EncodeToUtf8(scratch[o..]);
                    break;
                }

                default:
                    return false;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Hex4(ReadOnlySpan<byte> json, int i, out int value)
    {
        value = 0;
        if (i + 4 > json.Length)
        {
            return false;
        }

        for (int k = 0; k < 4; k++)
        {
            int c = json[i + k];
            int d = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : c is >= 'A' and <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0)
            {
                return false;
            }

            value = (value << 4) | d;
        }

        return true;
    }

    /// <summary>A JSON integer (no fraction, no exponent, at most 18 digits) followed by a delimiter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ReadInteger(ReadOnlySpan<byte> json, ref int p, out long value)
    {
        value = 0;
        int i = p;
        bool negative = json[i] == (byte)'-';
        if (negative)
        {
            i++;
        }

        int digits = 0;
        while (i < json.Length && (uint)(json[i] - '0') <= 9)
        {
            value = (value * 10) + (json[i] - '0');
            i++;
            digits++;
        }

        if (digits == 0 || digits > 18 || (digits > 1 && json[i - digits] == (byte)'0'))
        {
            return false;
        }

        if (i < json.Length && json[i] is not ((byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            return false;
        }

        value = negative ? -value : value;
        p = i;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Ws(ReadOnlySpan<byte> json, int p)
    {
        while (p < json.Length && json[p] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            p++;
        }

        return p;
    }
}
