using System.Text.Json;

namespace EnvTools.Environments;

/// <summary>The content of the transaction journal (see <see cref="PrefixJournal"/>). Paths are relative to the prefix, with '/'.</summary>
internal sealed class JournalData
{
    public string Id { get; init; } = Guid.NewGuid().ToString("N")[..16];

    public bool Committed { get; set; }

    /// <summary>The transaction started on a prefix with no committed state (no history, no records): until it commits,
    /// the prefix is no environment (<see cref="Environments.EnvironmentLocator.IsEnvironment"/>).</summary>
    public bool NewEnvironment { get; init; }

    /// <summary>The transaction's paths compare ignoring case (a win-* target, or Windows): 'Lib/x' and 'lib/x' are one path.</summary>
    public bool IgnoreCase { get; init; }

    /// <summary>How the journal's paths compare (<see cref="IgnoreCase"/>).</summary>
    public StringComparer PathComparer => IgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>Length of <c>conda-meta/history</c> before the transaction; -1 when it did not exist.</summary>
    public long HistoryLength { get; init; } = -1;

    /// <summary>Paths the transaction may move into its trash (same relative path under the trash folder).</summary>
    public List<string> Removed { get; init; } = new();

    /// <summary>Paths the transaction may create.</summary>
    public List<string> Created { get; init; } = new();

    /// <summary>Folders that did not exist before and may be created (pruned on rollback when empty).</summary>
    public List<string> NewDirs { get; init; } = new();

    public byte[] ToJson()
    {
        using var ms = new MemoryStream();
        WriteTo(ms);
        return ms.ToArray();
    }

    /// <summary>Writes the journal as JSON to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteString("id", Id);
            w.WriteString("state", Committed ? "committed" : "pending");
            w.WriteNumber("history_length", HistoryLength);
            if (NewEnvironment)
            {
                w.WriteBoolean("new_environment", true);
            }

            if (IgnoreCase)
            {
                w.WriteBoolean("ignore_case", true);
            }

            WriteList(w, "removed", Removed);
            WriteList(w, "created", Created);
            WriteList(w, "new_dirs", NewDirs);
            w.WriteEndObject();
        }
    }

    public static JournalData Parse(byte[] bytes)
    {
        using var doc = JsonDocument.Parse(bytes);
        var r = doc.RootElement;
        return new JournalData
        {
            Id = r.GetProperty("id").GetString() ?? throw new JsonException("journal without id"),
            Committed = r.GetProperty("state").GetString() == "committed",
            HistoryLength = r.GetProperty("history_length").GetInt64(),
            NewEnvironment = r.TryGetProperty("new_environment", out var ne) && ne.ValueKind == JsonValueKind.True,
            IgnoreCase = r.TryGetProperty("ignore_case", out var ic) && ic.ValueKind == JsonValueKind.True,
            Removed = ReadList(r, "removed"),
            Created = ReadList(r, "created"),
            NewDirs = ReadList(r, "new_dirs"),
        };
    }

    private static void WriteList(Utf8JsonWriter w, string name, List<string> items)
    {
        w.WriteStartArray(name);
        foreach (string s in items)
        {
            w.WriteStringValue(s);
            EnvTools.Conda.RecordJson.FlushIfLarge(w);
        }

        w.WriteEndArray();
    }

    private static List<string> ReadList(JsonElement r, string name) =>
        r.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(e => e.GetString() ?? string.Empty).Where(s => s.Length > 0).ToList()
            : new List<string>();
}
