using System.Runtime.CompilerServices;
using System.Text.Json;
using EnvTools.Conda;

namespace EnvTools.RepoData;

/// <summary>Decodes the members the scanner finds: records (Utf8JsonReader over the record's bytes) and the
/// top-level keys (info, repodata_version, removed). Shared by the full parser and the lazy index.</summary>
internal sealed class RepoDataDecoder
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };
    private readonly RecordReadContext _ctx;
    private string? _lastChannel, _lastChannelBase;

    public RepoDataDecoder(string sourceName, string? subdirUrl)
        : this(sourceName, subdirUrl?.TrimEnd('/'), new RecordStringPool())
    {
    }

    private RepoDataDecoder(string sourceName, string? subdirUrl, RecordStringPool pool)
    {
        SourceName = sourceName;
        SubdirUrl = subdirUrl;
        _ctx = new RecordReadContext(pool) { FileNameFromKey = true };
    }

    /// <summary>A decoder for records only, for another thread: it shares this one's string pool (which is
    /// thread-safe) but not its scratch state. Top-level members stay with this decoder.</summary>
    public RepoDataDecoder ForWorker() => new(SourceName, SubdirUrl, _ctx.Pool);

    public string SourceName { get; }
    public string? SubdirUrl { get; }
    public string? Subdir { get; private set; }
    public string? MetadataSubdir { get; private set; }
    public string? BaseUrl { get; private set; }
    public int? RepoDataVersion { get; private set; }
    public List<string> Removed { get; } = [];

    /// <summary>What a record's URL is made of when it has no url of its own: base_url (resolved against
    /// the subdir URL when relative) or the subdir URL, with a trailing slash; null when neither is known.</summary>
    public string? UrlBase { get; private set; }

    /// <summary>Sets the top-level values read earlier (from an on-disk index) instead of decoding them; then
    /// call <see cref="Finish"/>.</summary>
    public void Restore(string? subdir, string? baseUrl, int? repoDataVersion, IEnumerable<string> removed)
    {
        Subdir = subdir;
        BaseUrl = baseUrl;
        RepoDataVersion = repoDataVersion;
        Removed.AddRange(removed);
    }

    public void Finish()
    {
        string? b = null;
        if (!string.IsNullOrEmpty(BaseUrl))
        {
            b = BaseUrl;
            if (SubdirUrl is not null && !b.Contains("://", StringComparison.Ordinal)
                && Uri.TryCreate(SubdirUrl + "/", UriKind.Absolute, out Uri? baseUri) && Uri.TryCreate(baseUri, b, out Uri? resolved))
            {
                b = resolved.AbsoluteUri;
            }
        }
        else
        {
            b = SubdirUrl;
        }

        UrlBase = b is null ? null : b.EndsWith('/') ? b : b + "/";
        Subdir ??= MetadataSubdir;
    }

    /// <summary>Decodes one record; <paramref name="absOffset"/>/<paramref name="linesBefore"/> locate <paramref name="buf"/> in the source for errors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public RepoDataRecord DecodeRecord(ReadOnlySpan<byte> buf, in RepoDataUnit u, long absOffset, long linesBefore, bool finished)
    {
        ReadOnlySpan<byte> value = buf.Slice(u.ValueStart, u.ValueLength);
        var rec = new RepoDataRecord();
        if (!RecordFastReader.TryRead(rec, value, _ctx))
        {
            rec = DecodeGeneral(buf, u, value, absOffset, linesBefore);
        }

        FinishRecord(buf, u, rec);
        if (finished)
        {
            Complete(rec);
        }

        return rec;
    }

    /// <summary>Reads a record with the general reader (any shape; reports errors).</summary>
    private RepoDataRecord DecodeGeneral(ReadOnlySpan<byte> buf, in RepoDataUnit u, ReadOnlySpan<byte> value, long absOffset, long linesBefore)
    {
        var rec = new RepoDataRecord();
        try
        {
            var r = new Utf8JsonReader(value, ReaderOptions);
            r.Read();
            RecordWriter.Read(rec, ref r, value, _ctx);
        }
        catch (Exception ex) when (ex is JsonException or RecordFormatException or InvalidOperationException)
        {
            throw RecordErrors.Malformed("MalformedRepoData", SourceName, buf, absOffset, Shift(ex, u.ValueStart), linesBefore);
        }

        return rec;
    }

    /// <summary>File name (from the key), channel and url of a record just read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FinishRecord(ReadOnlySpan<byte> buf, in RepoDataUnit u, RepoDataRecord rec)
    {
        ReadOnlySpan<byte> keyText = buf.Slice(u.KeyStart, u.KeyLength);
        byte form = u.KeyEscaped ? (byte)0 : DerivedForm(keyText, rec);
        if (form != 0)
        {
            rec._fileName = null;
            rec._forms |= form;
        }
        else
        {
            rec._fileName = RepoDataScanner.DecodeString(keyText, u.KeyEscaped);
        }

        rec._present |= RecordFields.Bit(RecordField.Fn) | RecordFields.Bit(RecordField.Url);
        if (rec._channel is null && SubdirUrl is not null && (rec._nulls & RecordFields.Bit(RecordField.Channel)) == 0)
        {
            rec._channel = SubdirUrl;
            rec._present |= RecordFields.Bit(RecordField.Channel);
        }

        // A url that is just channel + "/" + fn is not stored: it is derived on demand.
        if (rec._url is { } url && rec._channel is { } channel
            && url.Length > channel.Length && url.StartsWith(channel, StringComparison.Ordinal)
            && url[channel.Length] == '/' && IsFileName(url.AsSpan(channel.Length + 1), rec))
        {
            if (!ReferenceEquals(channel, _lastChannel))
            {
                _lastChannel = channel;
                _lastChannelBase = channel + "/";
            }

            rec._url = null;
            rec._urlBase = _lastChannelBase;
        }
    }

    /// <summary>Gives a record without a url of its own the file's URL base (once info is known).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Complete(RepoDataRecord rec)
    {
        if (rec._urlBase is null && UrlBase is not null)
        {
            if (rec._url is { } url && url.Length > UrlBase.Length
                && url.StartsWith(UrlBase, StringComparison.Ordinal) && IsFileName(url.AsSpan(UrlBase.Length), rec))
            {
                rec._url = null;
            }

            if (rec._url is null)
            {
                rec._urlBase = UrlBase;
            }
        }
    }

    /// <summary>The FormFn* bit when <paramref name="key"/> is exactly name-version-build.tar.bz2/.conda of
    /// <paramref name="rec"/> (then the file name need not be stored), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static byte DerivedForm(ReadOnlySpan<byte> key, RepoDataRecord rec)
    {
        byte form;
        if (key.EndsWith(".conda"u8))
        {
            key = key[..^6];
            form = PackageRecord.FormFnConda;
        }
        else if (key.EndsWith(".tar.bz2"u8))
        {
            key = key[..^8];
            form = PackageRecord.FormFnTarBz2;
        }
        else
        {
            return 0;
        }

        string n = rec._name, v = rec._version, b = rec._build;
        if (key.Length != n.Length + v.Length + b.Length + 2 || n.Length == 0)
        {
            return 0;
        }

        return System.Text.Ascii.Equals(key[..n.Length], n) && key[n.Length] == (byte)'-'
            && System.Text.Ascii.Equals(key.Slice(n.Length + 1, v.Length), v) && key[n.Length + 1 + v.Length] == (byte)'-'
            && System.Text.Ascii.Equals(key[(n.Length + v.Length + 2)..], b) ? form : (byte)0;
    }

    /// <summary>True when <paramref name="text"/> is the record's file name (without materialising a derived one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsFileName(ReadOnlySpan<char> text, RepoDataRecord rec)
    {
        if (rec._fileName is { } fn)
        {
            return text.SequenceEqual(fn);
        }

        string n = rec._name, v = rec._version, b = rec._build;
        ReadOnlySpan<char> ext = (rec._forms & PackageRecord.FormFnConda) != 0 ? ".conda" : ".tar.bz2";
        return text.Length == n.Length + v.Length + b.Length + 2 + ext.Length
            && text.StartsWith(n) && text[n.Length] == '-'
            && text.Slice(n.Length + 1, v.Length).SequenceEqual(v) && text[n.Length + 1 + v.Length] == '-'
            && text.Slice(n.Length + v.Length + 2, b.Length).SequenceEqual(b) && text.EndsWith(ext);
    }

    private static Exception Shift(Exception ex, int by) => ex switch
    {
        RecordFormatException rf => new RecordFormatException(rf.Message, rf.Offset + by),
        JsonException je => new ShiftedJsonException(je, by),
        // Utf8JsonReader.GetString on text that is not valid UTF-8 (or a lone surrogate escape)
        _ => new RecordFormatException($"a string is not valid text: {ex.Message}", by),
    };

    /// <summary>Decodes a top-level member that is not a record.</summary>
    public void DecodeTop(ReadOnlySpan<byte> buf, in RepoDataUnit u, long absOffset, long linesBefore)
    {
        string key = RepoDataScanner.DecodeString(buf.Slice(u.KeyStart, u.KeyLength), u.KeyEscaped);
        ReadOnlySpan<byte> value = buf.Slice(u.ValueStart, u.ValueLength);
        try
        {
            var r = new Utf8JsonReader(value, ReaderOptions);
            r.Read();
            switch (key)
            {
                case "info":
                case "metadata":
                    if (r.TokenType == JsonTokenType.StartObject)
                    {
                        ReadInfo(ref r, key == "info");
                    }
                    else
                    {
                        r.Skip();
                    }

                    break;
                case "repodata_version":
                    RepoDataVersion = r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int v) ? v
                        : r.TokenType == JsonTokenType.Null ? null
                        : throw new RecordFormatException("'repodata_version' must be an integer", 0);
                    break;
                case "removed":
                    string[]? removed = RecordJson.ReadStringArray(ref r, _ctx, "removed", intern: false);
                    if (removed is not null)
                    {
                        Removed.AddRange(removed);
                    }

                    break;
                default:
                    r.Skip();
                    break;
            }

            if (r.Read())
            {
                throw new RecordFormatException("unexpected data", r.TokenStartIndex);
            }
        }
        catch (Exception ex) when (ex is JsonException or RecordFormatException or InvalidOperationException)
        {
            throw RecordErrors.Malformed("MalformedRepoData", SourceName, buf, absOffset, Shift(ex, u.ValueStart), linesBefore);
        }
    }

    private void ReadInfo(ref Utf8JsonReader r, bool isInfo)
    {
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            bool subdir = r.ValueTextEquals("subdir"u8), baseUrl = r.ValueTextEquals("base_url"u8), version = r.ValueTextEquals("repodata_version"u8);
            r.Read();
            if (subdir && r.TokenType == JsonTokenType.String)
            {
                if (isInfo)
                {
                    Subdir = r.GetString();
                }
                else
                {
                    MetadataSubdir = r.GetString();
                }
            }
            else if (baseUrl && isInfo && r.TokenType == JsonTokenType.String)
            {
                BaseUrl = r.GetString();
            }
            else if (version && !isInfo && RepoDataVersion is null && r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int v))
            {
                RepoDataVersion = v;
            }
            else
            {
                r.Skip();
            }
        }
    }
}
