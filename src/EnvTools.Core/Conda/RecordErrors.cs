using System.Text.Json;

namespace EnvTools.Conda;

/// <summary>Turns reader failures into <see cref="MalformedDataException"/> with an absolute byte offset and line.</summary>
internal static class RecordErrors
{
    /// <summary>
    /// <paramref name="slice"/> is what the failing reader was given; it started at absolute offset
    /// <paramref name="sliceOffset"/> of the source, and <paramref name="linesBefore"/> newlines precede it.
    /// </summary>
    public static MalformedDataException Malformed(string errorId, string source, ReadOnlySpan<byte> slice, long sliceOffset, Exception ex, long linesBefore = 0)
    {
        long rel;
        string reason;
        int by = 0;
        ReadOnlySpan<byte> whole = slice;
        if (ex is ShiftedJsonException shifted)
        {
            by = shifted.By;
            ex = shifted.Inner;
            slice = slice[by..];
        }

        if (ex is RecordFormatException rf)
        {
            rel = rf.Offset;
            reason = rf.Message;
        }
        else if (ex is JsonException je && je.LineNumber is long line && je.BytePositionInLine is long col)
        {
            // Find the start of that line inside the slice.
            long start = 0;
            for (long l = 0; l < line; l++)
            {
                int nl = slice[(int)start..].IndexOf((byte)'\n');
                if (nl < 0)
                {
                    break;
                }

                start += nl + 1;
            }

            rel = start + col;
            reason = StripPosition(je.Message);
        }
        else
        {
            rel = 0;
            reason = ex.Message;
        }

        rel = Math.Clamp(rel, 0, slice.Length);
        rel += by;
        long lineNo = linesBefore + whole[..(int)rel].Count((byte)'\n') + 1;
        return new MalformedDataException(errorId, source, $"{reason} (at byte {sliceOffset + rel}, line {lineNo})", ex);
    }

    private static string StripPosition(string message)
    {
        int i = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return i > 0 ? message[..i].TrimEnd() : message;
    }
}

/// <summary>A JsonException from a sub-slice of a buffer; carries how far into the buffer the slice started (<see cref="RecordErrors.Malformed"/> reports the whole buffer's position).</summary>
internal sealed class ShiftedJsonException(JsonException inner, int by) : Exception(inner.Message, inner)
{
    public JsonException Inner { get; } = inner;

    public int By { get; } = by;
}
