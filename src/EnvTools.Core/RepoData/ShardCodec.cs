using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using MessagePack;

namespace EnvTools.RepoData;

/// <summary>The shard index of a CEP-16 sharded subdir: package name → sha256 of its shard.</summary>
internal sealed class ShardIndex
{
    internal ShardIndex(string? baseUrl, string shardsBaseUrl, string? subdir, Dictionary<string, string> shards)
    {
        BaseUrl = baseUrl;
        ShardsBaseUrl = shardsBaseUrl;
        Subdir = subdir;
        Shards = shards;
    }

    /// <summary><c>info.base_url</c> (where the packages are; relative to the index), or null.</summary>
    internal string? BaseUrl { get; }

    /// <summary><c>info.shards_base_url</c> (relative to the index; empty: next to it).</summary>
    internal string ShardsBaseUrl { get; }

    internal string? Subdir { get; }

    /// <summary>Name → lower-case hex sha256 of the shard's <c>.msgpack.zst</c> file.</summary>
    internal IReadOnlyDictionary<string, string> Shards { get; }
}

/// <summary>
/// Reads CEP-16 MessagePack: the shard index, and shards turned into repodata JSON (binary <c>md5</c>/<c>sha256</c>
/// become hex strings) so that the one repodata decoder reads them.
/// </summary>
internal static class ShardCodec
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    /// <exception cref="MessagePackSerializationException">Malformed MessagePack.</exception>
    internal static ShardIndex ReadIndex(ReadOnlyMemory<byte> msgpack)
    {
        var r = new MessagePackReader(msgpack);
        string? baseUrl = null, shardsBaseUrl = null, subdir = null;
        var shards = new Dictionary<string, string>(StringComparer.Ordinal);
        int n = r.ReadMapHeader();
        for (int i = 0; i < n; i++)
        {
            switch (ReadKey(ref r))
            {
                case "info":
                    int m = r.ReadMapHeader();
                    for (int j = 0; j < m; j++)
                    {
                        string key = ReadKey(ref r);
                        string? value = r.NextMessagePackType == MessagePackType.String ? r.ReadString() : Skip(ref r);
                        switch (key)
                        {
                            case "base_url": baseUrl = value; break;
                            case "shards_base_url": shardsBaseUrl = value; break;
                            case "subdir": subdir = value; break;
                        }
                    }

                    break;
                case "shards":
                    int s = r.ReadMapHeader();
                    for (int j = 0; j < s; j++)
                    {
                        string name = ReadKey(ref r);
                        string? hex = r.NextMessagePackType switch
                        {
                            MessagePackType.Binary => Hex(r.ReadBytes()!.Value),
                            MessagePackType.String => r.ReadString()?.ToLowerInvariant(),
                            _ => Skip(ref r),
                        };
                        if (hex is { Length: 64 })
                        {
                            shards[name] = hex;
                        }
                    }

                    break;
                default:
                    r.Skip();
                    break;
            }
        }

        return new ShardIndex(string.IsNullOrEmpty(baseUrl) ? null : baseUrl, shardsBaseUrl ?? string.Empty, subdir, shards);
    }

    /// <summary>A shard as a repodata.json document of one subdir.</summary>
    /// <exception cref="MessagePackSerializationException">Malformed MessagePack.</exception>
    internal static byte[] ShardToRepoDataJson(ReadOnlyMemory<byte> msgpack, string subdir, string? baseUrl)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, msgpack.Length * 3));
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartObject("info");
            w.WriteString("subdir", subdir);
            if (baseUrl is not null)
            {
                w.WriteString("base_url", baseUrl);
            }

            w.WriteEndObject();
            w.WriteNumber("repodata_version", baseUrl is null ? 1 : 2);
            var r = new MessagePackReader(msgpack);
            int n = r.ReadMapHeader();
            for (int i = 0; i < n; i++)
            {
                string key = ReadKey(ref r);
                if (key is "packages" or "packages.conda" or "removed")
                {
                    w.WritePropertyName(key);
                    WriteValue(ref r, w);
                }
                else
                {
                    r.Skip();
                }
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue(ref MessagePackReader r, Utf8JsonWriter w)
    {
        switch (r.NextMessagePackType)
        {
            case MessagePackType.Nil:
                r.ReadNil();
                w.WriteNullValue();
                break;
            case MessagePackType.Boolean:
                w.WriteBooleanValue(r.ReadBoolean());
                break;
            case MessagePackType.Integer:
                if (r.NextCode == MessagePackCode.UInt64)
                {
                    w.WriteNumberValue(r.ReadUInt64());
                }
                else
                {
                    w.WriteNumberValue(r.ReadInt64());
                }

                break;
            case MessagePackType.Float:
                w.WriteNumberValue(r.ReadDouble());
                break;
            case MessagePackType.String:
                w.WriteStringValue(r.ReadString());
                break;
            case MessagePackType.Binary:
                w.WriteStringValue(Hex(r.ReadBytes()!.Value)); // md5, sha256
                break;
            case MessagePackType.Array:
                int n = r.ReadArrayHeader();
                w.WriteStartArray();
                for (int i = 0; i < n; i++)
                {
                    WriteValue(ref r, w);
                }

                w.WriteEndArray();
                break;
            case MessagePackType.Map:
                int m = r.ReadMapHeader();
                w.WriteStartObject();
                for (int i = 0; i < m; i++)
                {
                    w.WritePropertyName(ReadKey(ref r));
                    WriteValue(ref r, w);
                }

                w.WriteEndObject();
                break;
            default:
                r.Skip(); // extensions (timestamps): not part of repodata
                w.WriteNullValue();
                break;
        }
    }

    private static string ReadKey(ref MessagePackReader r) => r.NextMessagePackType switch
    {
        MessagePackType.String => r.ReadString() ?? string.Empty,
        MessagePackType.Integer => r.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => Skip(ref r) ?? string.Empty,
    };

    private static string? Skip(ref MessagePackReader r)
    {
        r.Skip();
        return null;
    }

    private static string Hex(ReadOnlySequence<byte> bytes) => Convert.ToHexString(bytes.ToArray()).ToLowerInvariant();
}
