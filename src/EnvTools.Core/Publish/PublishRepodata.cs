using System.Text.Json;
using EnvTools.Conda;
using EnvTools.IO;
using EnvTools.Packages;

namespace EnvTools.Publish;

/// <summary>
/// The repodata a publish writes for one subdir: the destination's records (kept as they are) with the published ones laid
/// over them (a published record replaces the one of the same file name, so repodata patches of the source come along),
/// serialised as <see cref="ChannelIndexer"/> writes a channel (so an unchanged set gives the same bytes, and a re-run that
/// changes nothing writes nothing). A published record carries no <c>url</c>, <c>channel</c> or <c>fn</c>: clients find the
/// archive next to the repodata.
/// </summary>
internal sealed class PublishRepodata
{
    private readonly Dictionary<string, SortedDictionary<string, JsonElement>> _records = new(StringComparer.Ordinal);
    private readonly List<string> _removed = new();

    private PublishRepodata(string subdir) => Subdir = subdir;

    internal string Subdir { get; }

    /// <summary>The records of the destination's repodata (none when it has none).</summary>
    /// <exception cref="MalformedDataException">The destination's repodata is not a repodata JSON object.</exception>
    internal static PublishRepodata Of(string subdir, DestinationRepodata? existing, string destination)
    {
        var repodata = new PublishRepodata(subdir);
        if (existing is null)
        {
            return repodata;
        }

        string source = $"{destination}/{subdir}/repodata.json";
        try
        {
            using JsonDocument doc = JsonDocument.Parse(existing.Json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedDataException("MalformedRepoData", source, "the destination's repodata is not a JSON object; it is not replaced");
            }

            foreach (string section in new[] { "packages", "packages.conda" })
            {
                if (doc.RootElement.TryGetProperty(section, out JsonElement records) && records.ValueKind == JsonValueKind.Object)
                {
                    foreach (JsonProperty r in records.EnumerateObject().Where(r => r.Value.ValueKind == JsonValueKind.Object))
                    {
                        repodata._records[r.Name] = ChannelIndexer.Fields(r.Value);
                    }
                }
            }

            if (doc.RootElement.TryGetProperty("removed", out JsonElement removed) && removed.ValueKind == JsonValueKind.Array)
            {
                repodata._removed.AddRange(removed.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
            }
        }
        catch (JsonException ex)
        {
            throw new MalformedDataException("MalformedRepoData", source, $"the destination's repodata cannot be read ({ex.Message}); it is not replaced", ex);
        }

        return repodata;
    }

    /// <summary>The sha256 the destination's repodata gives an archive, or null.</summary>
    internal string? Sha256Of(string fileName) =>
        _records.TryGetValue(fileName, out SortedDictionary<string, JsonElement>? r) && r.TryGetValue("sha256", out JsonElement sha) && sha.ValueKind == JsonValueKind.String
            ? sha.GetString()
            : null;

    /// <summary>Lays a published record over the destination's (md5, sha256 and size from <paramref name="digest"/> where it has none).</summary>
    internal void Add(RepoDataRecord record, FileDigest? digest)
    {
        using JsonDocument doc = JsonDocument.Parse(new PackageRecord(record).ToJson());
        SortedDictionary<string, JsonElement> fields = ChannelIndexer.Fields(doc.RootElement);
        fields.TryAdd("subdir", JsonSerializer.SerializeToElement(Subdir, ChannelIndexerJson.Default.String));
        if (digest is { } d)
        {
            fields.TryAdd("md5", JsonSerializer.SerializeToElement(d.Md5, ChannelIndexerJson.Default.String));
            fields.TryAdd("sha256", JsonSerializer.SerializeToElement(d.Sha256, ChannelIndexerJson.Default.String));
            fields.TryAdd("size", JsonSerializer.SerializeToElement(d.Size, ChannelIndexerJson.Default.Int64));
        }

        _records[record.FileName] = fields;
        _removed.RemoveAll(f => f == record.FileName);
    }

    /// <summary>The <c>repodata.json</c> bytes.</summary>
    internal byte[] ToJson() => ChannelIndexer.Serialize(Subdir, _records, _removed);

    /// <summary>The zstd form of <paramref name="json"/> (<c>repodata.json.zst</c>).</summary>
    internal static byte[] Compress(byte[] json)
    {
        using var compressor = new ZstdSharp.Compressor(12);
        return compressor.Wrap(json).ToArray();
    }
}
