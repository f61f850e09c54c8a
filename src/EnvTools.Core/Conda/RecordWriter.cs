using System.Runtime.CompilerServices;
using System.Text.Json;

namespace EnvTools.Conda;

/// <summary>Reads and writes record objects: known keys through the record type, the rest verbatim.</summary>
internal static class RecordWriter
{
    public static void Write(PackageRecord rec, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        var written = new HashSet<string>(StringComparer.Ordinal);
        var pending = new List<(string Key, RecordField Field, byte[]? Raw)>();
        for (int i = 0; i < (int)RecordField.Count; i++)
        {
            var f = (RecordField)i;
            if (rec.Has(f))
            {
                pending.Add((RecordFields.Keys[i], f, null));
            }
        }

        if (rec._extra is not null)
        {
            foreach (var e in rec._extra)
            {
                pending.Add((e.Key, RecordField.Unknown, e.Value));
            }
        }

        if (rec._keyOrder is { } order)
        {
            var rank = new Dictionary<string, int>(order.Length, StringComparer.Ordinal);
            for (int i = 0; i < order.Length; i++)
            {
                rank.TryAdd(order[i], i);
            }

            pending.Sort((a, b) =>
            {
                int ra = rank.TryGetValue(a.Key, out int x) ? x : int.MaxValue;
                int rb = rank.TryGetValue(b.Key, out int y) ? y : int.MaxValue;
                return ra != rb ? ra.CompareTo(rb) : string.CompareOrdinal(a.Key, b.Key);
            });
        }
        else
        {
            pending.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        foreach (var (key, field, raw) in pending)
        {
            if (!written.Add(key))
            {
                continue;
            }

            w.WritePropertyName(key);
            if (raw is not null)
            {
                w.WriteRawValue(raw, skipInputValidation: true);
            }
            else
            {
                rec.WriteField(field, w);
            }
        }

        w.WriteEndObject();
    }

    /// <summary>Fills <paramref name="rec"/> from the object the reader is on (StartObject); leaves it on EndObject.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Read(PackageRecord rec, ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new RecordFormatException($"a record must be a JSON object, found {r.TokenType}", r.TokenStartIndex);
        }

        rec._present = 0;
        List<KeyValuePair<string, byte[]>> extras = ctx.ExtraScratch;
        extras.Clear();
        List<string>? order = ctx.KeepKeyOrder ? ctx.OrderScratch : null;
        order?.Clear();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            RecordField f = RecordJson.Lookup(ref r);
            string? key = null;
            if (f == RecordField.Unknown || order is not null || f >= RecordField.Url)
            {
                key = RecordJson.KeyString(ref r, ctx.Pool);
                order?.Add(key);
            }

            r.Read();
            if (f == RecordField.Unknown || !rec.ReadField(f, ref r, source, ctx))
            {
                extras.Add(new(key!, RecordJson.ReadRaw(ref r, source)));
            }
        }

        if (extras.Count > 0)
        {
            rec._extra = extras.ToArray();
            extras.Clear();
        }

        if (order is not null)
        {
            rec._keyOrder = order.ToArray();
            order.Clear();
        }
    }
}
