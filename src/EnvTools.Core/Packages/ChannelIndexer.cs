using System.Text.Json;
using EnvTools.Conda;
using EnvTools.IO;

namespace EnvTools.Packages;

/// <summary>
/// Makes a folder of package archives a channel, as <c>conda index</c> does: for each subdir folder it writes
/// <c>&lt;subdir&gt;/repodata.json</c> whose <c>packages</c> (<c>.tar.bz2</c>) and <c>packages.conda</c> (<c>.conda</c>)
/// hold every archive's <c>info/index.json</c> plus its <c>md5</c>, <c>sha256</c> and <c>size</c>, keys sorted.
/// <c>noarch/repodata.json</c> is always written (empty when there are no noarch packages), since clients read it
/// for every platform.
/// </summary>
public static class ChannelIndexer
{
    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Indexes every subdir of <paramref name="channelDirectory"/>: each folder named after a conda platform or holding
    /// archives, and <c>noarch</c>. Returns the <c>repodata.json</c> files written.
    /// </summary>
    /// <exception cref="CorruptArchiveException">An archive cannot be read.</exception>
    /// <exception cref="MalformedDataException">An archive's <c>info/index.json</c> is missing or malformed.</exception>
    public static IReadOnlyList<string> Index(string channelDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelDirectory);
        Directory.CreateDirectory(channelDirectory);
        var subdirs = new SortedSet<string>(StringComparer.Ordinal) { "noarch" };
        foreach (string dir in Directory.EnumerateDirectories(channelDirectory))
        {
            string name = Path.GetFileName(dir);
            if (Platform.TryParse(name, out _) || Archives(dir).Any())
            {
                subdirs.Add(name);
            }
        }

        return subdirs.Select(s => IndexSubdir(channelDirectory, s)).ToArray();
    }

    /// <summary>Writes <c>&lt;channel&gt;/&lt;subdir&gt;/repodata.json</c> for the archives in that folder; returns its path.</summary>
    /// <exception cref="CorruptArchiveException">An archive cannot be read.</exception>
    /// <exception cref="MalformedDataException">An archive's <c>info/index.json</c> is missing or malformed.</exception>
    public static string IndexSubdir(string channelDirectory, string subdir)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelDirectory);
        ArgumentException.ThrowIfNullOrEmpty(subdir);
        string dir = Path.Combine(channelDirectory, subdir);
        Directory.CreateDirectory(dir);
        var records = Archives(dir).Select(a => KeyValuePair.Create(Path.GetFileName(a), RecordOf(a, subdir)));
        string path = Path.Combine(dir, "repodata.json");
        EnvTools.IO.AtomicFiles.WriteAtomically(path, Serialize(subdir, records));
        return path;
    }

    /// <summary>
    /// A subdir's <c>repodata.json</c> as <see cref="IndexSubdir"/> writes it: <c>info.subdir</c>, then <c>packages</c> (the
    /// <c>.tar.bz2</c> records) and <c>packages.conda</c>, each by file name with its keys sorted, then <c>removed</c> and
    /// <c>repodata_version</c> 1. The same records give the same bytes.
    /// </summary>
    internal static byte[] Serialize(string subdir, IEnumerable<KeyValuePair<string, SortedDictionary<string, JsonElement>>> records, IEnumerable<string>? removed = null)
    {
        var tarBz2 = new SortedDictionary<string, SortedDictionary<string, JsonElement>>(StringComparer.Ordinal);
        var conda = new SortedDictionary<string, SortedDictionary<string, JsonElement>>(StringComparer.Ordinal);
        foreach ((string fn, SortedDictionary<string, JsonElement> fields) in records)
        {
            (fn.EndsWith(".conda", StringComparison.Ordinal) ? conda : tarBz2)[fn] = fields;
        }

        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Indented))
        {
            w.WriteStartObject();
            w.WriteStartObject("info");
            w.WriteString("subdir", subdir);
            w.WriteEndObject();
            foreach ((string key, SortedDictionary<string, SortedDictionary<string, JsonElement>> section) in new[] { ("packages", tarBz2), ("packages.conda", conda) })
            {
                w.WriteStartObject(key);
                foreach (KeyValuePair<string, SortedDictionary<string, JsonElement>> r in section)
                {
                    w.WriteStartObject(r.Key);
                    foreach (KeyValuePair<string, JsonElement> field in r.Value)
                    {
                        w.WritePropertyName(field.Key);
                        field.Value.WriteTo(w);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteStartArray("removed");
            foreach (string fn in (removed ?? Array.Empty<string>()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                w.WriteStringValue(fn);
            }

            w.WriteEndArray();
            w.WriteNumber("repodata_version", 1);
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    /// <summary>A record object's fields, keys sorted (values kept as they are).</summary>
    internal static SortedDictionary<string, JsonElement> Fields(JsonElement record)
    {
        var fields = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty p in record.EnumerateObject())
        {
            fields[p.Name] = p.Value.Clone();
        }

        return fields;
    }

    private static IEnumerable<string> Archives(string dir) =>
        Directory.EnumerateFiles(dir).Where(f => f.EndsWith(".conda", StringComparison.Ordinal) || f.EndsWith(".tar.bz2", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>The repodata record of one archive: its index.json (keys sorted) with md5, sha256 and size.</summary>
    private static SortedDictionary<string, JsonElement> RecordOf(string archive, string subdir)
    {
        byte[] index = PackageArchive.ReadMember(archive, "info/index.json")
            ?? throw new MalformedDataException("MalformedPackageMetadata", archive, "the archive holds no info/index.json");
        FileDigest digest = Checksums.OfFile(archive);
        var fields = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        try
        {
            using JsonDocument doc = JsonDocument.Parse(index);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedDataException("MalformedPackageMetadata", archive, "info/index.json is not a JSON object");
            }

            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                fields[p.Name] = p.Value.Clone();
            }
        }
        catch (JsonException ex)
        {
            throw new MalformedDataException("MalformedPackageMetadata", archive, $"info/index.json: {ex.Message}", ex);
        }

        fields["md5"] = JsonSerializer.SerializeToElement(digest.Md5, ChannelIndexerJson.Default.String);
        fields["sha256"] = JsonSerializer.SerializeToElement(digest.Sha256, ChannelIndexerJson.Default.String);
        fields["size"] = JsonSerializer.SerializeToElement(digest.Size, ChannelIndexerJson.Default.Int64);
        fields.TryAdd("subdir", JsonSerializer.SerializeToElement(subdir, ChannelIndexerJson.Default.String));
        return fields;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long))]
internal sealed partial class ChannelIndexerJson : System.Text.Json.Serialization.JsonSerializerContext
{
}
