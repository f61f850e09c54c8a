using System.Runtime.CompilerServices;
using System.Buffers;
using System.Text;
using System.Text.Json;

namespace EnvTools.Conda;

/// <summary>A record value of the wrong shape; <see cref="Offset"/> is relative to the bytes the reader was given.</summary>
internal sealed class RecordFormatException(string message, long offset) : Exception(message)
{
    public long Offset { get; } = offset;
}

/// <summary>What a record reader shares across the records of one parse.</summary>
internal sealed class RecordReadContext(RecordStringPool pool, bool keepKeyOrder = false)
{
    public RecordStringPool Pool { get; } = pool;
    public bool KeepKeyOrder { get; } = keepKeyOrder;

    /// <summary>Repodata: the record's file name is its key, so an <c>fn</c> value is checked, not kept.</summary>
    public bool FileNameFromKey { get; init; }
    public List<string> Scratch { get; } = new(16);
    public List<KeyValuePair<string, byte[]>> ExtraScratch { get; } = new(4);
    public List<string> OrderScratch { get; } = new(40);
}

/// <summary>Utf8JsonReader/Utf8JsonWriter helpers shared by the record types (no reflection).</summary>
internal static class RecordJson
{
    /// <summary>The keys of a record's (or record part's) unmodelled entries, in file order.</summary>
    internal static IReadOnlyList<string> ExtraKeys(KeyValuePair<string, byte[]>[]? extra) => extra is null ? [] : Array.ConvertAll(extra, e => e.Key);

    /// <summary>The raw JSON of the unmodelled entry <paramref name="key"/>, or null.</summary>
    internal static string? ExtraJson(KeyValuePair<string, byte[]>[]? extra, string key)
    {
        foreach (var e in extra ?? [])
        {
            if (e.Key == key)
            {
                return System.Text.Encoding.UTF8.GetString(e.Value);
            }
        }

        return null;
    }

    /// <summary>Track features / features: a list, or a string separated by commas and/or spaces (conda's _FeaturesField).</summary>
    public static string[] SplitFeatures(string value, RecordStringPool? pool)
    {
        string[] parts = value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            return [];
        }

        if (pool is not null)
        {
            for (int i = 0; i < parts.Length; i++)
            {
                parts[i] = pool.Get(parts[i]);
            }
        }

        return parts;
    }

    public static RecordFormatException Error(ref Utf8JsonReader r, string field, string expected) =>
        new($"'{field}' must be {expected}, found {r.TokenType}", r.TokenStartIndex);

    /// <summary>A string (interned) or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string? ReadString(ref Utf8JsonReader r, RecordStringPool pool, string field, bool intern = true)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.String:
                if (r.ValueIsEscaped)
                {
                    string s = r.GetString()!;
                    return intern ? pool.Get(s) : s;
                }

                return intern ? pool.Get(r.ValueSpan) : Encoding.UTF8.GetString(r.ValueSpan);
            case JsonTokenType.Null:
                return null;
            default:
                throw Error(ref r, field, "a string");
        }
    }

    /// <summary>An integer (a float with no fraction is accepted) or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long? ReadInt64(ref Utf8JsonReader r, string field)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Number:
                if (r.TryGetInt64(out long v))
                {
                    return v;
                }

                double d = r.GetDouble();
                if (d == Math.Floor(d) && Math.Abs(d) < 9e18)
                {
                    return (long)d;
                }

                throw Error(ref r, field, "an integer");
            case JsonTokenType.Null:
                return null;
            default:
                throw Error(ref r, field, "a number");
        }
    }

    /// <summary>An array of strings (interned), or null for a JSON null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string[]? ReadStringArray(ref Utf8JsonReader r, RecordReadContext ctx, string field, bool intern = true)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw Error(ref r, field, "an array");
        }

        List<string> list = ctx.Scratch;
        list.Clear();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            list.Add(ReadString(ref r, ctx.Pool, field, intern) ?? throw Error(ref r, field, "an array of strings"));
        }

        if (list.Count == 0)
        {
            return [];
        }

        string[] result = list.ToArray();
        list.Clear();
        return result;
    }

    /// <summary>The raw JSON of the value the reader is on (skipping it), as a compact copy.</summary>
    public static byte[] ReadRaw(ref Utf8JsonReader r, ReadOnlySpan<byte> source)
    {
        int start = (int)r.TokenStartIndex;
        if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            r.Skip();
            ReadOnlySpan<byte> slice = source[start..(int)r.BytesConsumed];
            return Minify(slice);
        }

        return source[start..(int)r.BytesConsumed].ToArray();
    }

    private static byte[] Minify(ReadOnlySpan<byte> json)
    {
        var buffer = new ArrayBufferWriter<byte>(json.Length);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            var r = new Utf8JsonReader(json);
            while (r.Read())
            {
                CopyToken(ref r, w);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void CopyToken(ref Utf8JsonReader r, Utf8JsonWriter w)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.StartObject: w.WriteStartObject(); break;
            case JsonTokenType.EndObject: w.WriteEndObject(); break;
            case JsonTokenType.StartArray: w.WriteStartArray(); break;
            case JsonTokenType.EndArray: w.WriteEndArray(); break;
            case JsonTokenType.PropertyName: w.WritePropertyName(r.GetString()!); break;
            case JsonTokenType.String: w.WriteStringValue(r.GetString()); break;
            case JsonTokenType.Number: w.WriteRawValue(r.ValueSpan, skipInputValidation: true); break;
            case JsonTokenType.True: w.WriteBooleanValue(true); break;
            case JsonTokenType.False: w.WriteBooleanValue(false); break;
            case JsonTokenType.Null: w.WriteNullValue(); break;
        }
    }

    /// <summary>Writes a string array.</summary>
    public static void WriteArray(Utf8JsonWriter w, IReadOnlyList<string> items)
    {
        w.WriteStartArray();
        for (int i = 0; i < items.Count; i++)
        {
            w.WriteStringValue(items[i]);
            FlushIfLarge(w);
        }

        w.WriteEndArray();
    }

    /// <summary>
    /// Hands what a stream-backed writer holds to its stream once it passes 32 KiB: Utf8JsonWriter otherwise keeps
    /// a whole large document (a record listing thousands of paths) in one growing buffer.
    /// </summary>
    public static void FlushIfLarge(Utf8JsonWriter w)
    {
        if (w.BytesPending > 32 * 1024)
        {
            w.Flush();
        }
    }

    /// <summary>The key of the property the reader is on, interned.</summary>
    public static string KeyString(ref Utf8JsonReader r, RecordStringPool pool) =>
        r.ValueIsEscaped ? pool.Get(r.GetString()!) : pool.Get(r.ValueSpan);

    /// <summary>Maps the key the reader is on to a known field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RecordField Lookup(ref Utf8JsonReader r)
    {
        if (!r.ValueIsEscaped)
        {
            return RecordFields.Lookup(r.ValueSpan);
        }

        return RecordFields.Lookup(Encoding.UTF8.GetBytes(r.GetString()!));
    }
}
