using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EnvTools.IO;

namespace EnvTools.RepoData;

/// <summary>
/// conda's repodata cache: <c>&lt;pkgs_dir&gt;/cache/&lt;8 hex of md5(subdir URL + "/")&gt;.json</c> holds the
/// (decompressed) repodata of one channel subdir and <c>.info.json</c> next to it its state: the URL
/// (never a token or credentials), <c>ETag</c>, <c>Last-Modified</c>, <c>Cache-Control</c>, when it was fetched
/// and last revalidated, and which file of the server it came from. Both files are written to a temporary
/// name and renamed into place, so that a killed process never leaves a partial file behind.
/// </summary>
internal sealed class RepoDataCache
{
    private RepoDataCache(string directory) => Directory = directory;

    /// <summary>The cache folder (<c>&lt;pkgs_dir&gt;/cache</c>).</summary>
    internal string Directory { get; }

    /// <summary>The cache in the first writable pkgs dir, or null when none is writable.</summary>
    internal static RepoDataCache? InFirstWritable(IEnumerable<string> pkgsDirs) =>
        Fetch.PkgsDirs.FirstWritable(pkgsDirs.Select(p => Path.Combine(p, "cache"))) is { } dir ? new RepoDataCache(dir) : null;

    /// <summary>The cache's file name stem for a subdir URL, as conda's <c>cache_fn_url</c>.</summary>
    internal static string KeyFor(string subdirUrl, string fn = RepoDataFn)
    {
        string url = (subdirUrl.EndsWith('/') ? subdirUrl : subdirUrl + "/") + (fn == RepoDataFn ? string.Empty : fn);
        return Checksums.HexOf(HashAlgorithmName.MD5, Encoding.UTF8.GetBytes(url))[..8]; // not security: conda's cache file naming
    }

    /// <summary>The server's plain repodata file name.</summary>
    internal const string RepoDataFn = "repodata.json";

    /// <summary>The cached data file of <paramref name="fn"/>: <c>.json</c> for repodata, the server's own extension otherwise.</summary>
    internal string JsonPath(string subdirUrl, string fn = RepoDataFn) =>
        Path.Combine(Directory, KeyFor(subdirUrl, fn) + (fn == RepoDataFn ? ".json" : fn[fn.IndexOf('.')..]));

    internal string StatePath(string subdirUrl, string fn = RepoDataFn) => Path.Combine(Directory, KeyFor(subdirUrl, fn) + ".info.json");

    /// <summary>
    /// The state of a subdir's cache entry when it is usable: it exists, is for this URL, and its JSON file
    /// is the one the state describes (same size and modification time); else null.
    /// </summary>
    internal RepoDataCacheState? Read(string subdirUrl, string fn = RepoDataFn)
    {
        string statePath = StatePath(subdirUrl, fn);
        string jsonPath = JsonPath(subdirUrl, fn);
        try
        {
            if (!File.Exists(statePath) || !File.Exists(jsonPath))
            {
                return null;
            }

            RepoDataCacheState? state = JsonSerializer.Deserialize(File.ReadAllBytes(statePath), RepoDataCacheJson.Default.RepoDataCacheState);
            var info = new FileInfo(jsonPath);
            if (state is null || !string.Equals(state.Url, RepoDataUrl(subdirUrl, fn), StringComparison.Ordinal) ||
                state.Size != info.Length || state.MtimeNs != MtimeNs(info))
            {
                return null;
            }

            return state;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the JSON, then the state describing it (each atomically); returns the state written.</summary>
    internal RepoDataCacheState Write(string subdirUrl, ReadOnlySpan<byte> json, RepoDataCacheState state, string fn = RepoDataFn)
    {
        string jsonPath = JsonPath(subdirUrl, fn);
        EnvTools.IO.AtomicFiles.WriteAtomically(jsonPath, json);
        var info = new FileInfo(jsonPath);
        RepoDataCacheState written = state with { Url = RepoDataUrl(subdirUrl, fn), Size = info.Length, MtimeNs = MtimeNs(info) };
        WriteState(subdirUrl, written, fn);
        return written;
    }

    /// <summary>Replaces the state alone (after a 304; <paramref name="durable"/> false: not flushed to disk, since a state
    /// lost to a crash only costs one unconditional fetch, and a revalidation should not wait for the disk).</summary>
    internal void WriteState(string subdirUrl, RepoDataCacheState state, string fn = RepoDataFn, bool durable = true) =>
        EnvTools.IO.AtomicFiles.WriteAtomically(StatePath(subdirUrl, fn), JsonSerializer.SerializeToUtf8Bytes(state, RepoDataCacheJson.Default.RepoDataCacheState), durable);

    /// <summary>The URL the state records: the subdir's <c>repodata.json</c>, without token or credentials.</summary>
    internal static string RepoDataUrl(string subdirUrl, string fn = RepoDataFn) => subdirUrl.TrimEnd('/') + "/" + fn;

    private static long MtimeNs(FileInfo info) => (info.LastWriteTimeUtc - DateTime.UnixEpoch).Ticks * 100;
}

/// <summary>The <c>.info.json</c> of a cache entry (conda's keys, plus <c>source</c> and <c>missing</c>).</summary>
internal sealed record RepoDataCacheState
{
    /// <summary>The subdir's <c>repodata.json</c> URL (no token, no credentials).</summary>
    [JsonPropertyName("url")]
    public string Url { get; init; } = string.Empty;

    [JsonPropertyName("etag")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Etag { get; init; }

    /// <summary>The <c>Last-Modified</c> header, as sent.</summary>
    [JsonPropertyName("mod")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mod { get; init; }

    [JsonPropertyName("cache_control")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CacheControl { get; init; }

    /// <summary>The size of the cached JSON file.</summary>
    [JsonPropertyName("size")]
    public long Size { get; init; }

    /// <summary>The modification time of the cached JSON file (ns since the epoch).</summary>
    [JsonPropertyName("mtime_ns")]
    public long MtimeNs { get; init; }

    /// <summary>When the content was last fetched or revalidated (ns since the epoch).</summary>
    [JsonPropertyName("refresh_ns")]
    public long RefreshNs { get; init; }

    /// <summary>When the content was last downloaded (a 200), ISO 8601.</summary>
    [JsonPropertyName("fetched")]
    public string? Fetched { get; init; }

    /// <summary>The server's file it came from: <c>repodata.json.zst</c>, <c>repodata.json.bz2</c> or <c>repodata.json</c>.</summary>
    [JsonPropertyName("source")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Source { get; init; }

    /// <summary>Whether the server has <c>repodata.json.zst</c> (conda's <c>has_zst</c>).</summary>
    [JsonPropertyName("has_zst")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RepoDataCacheCheck? HasZst { get; init; }

    /// <summary>The server answered 404 for every form: the subdir does not exist (an empty subdir).</summary>
    [JsonPropertyName("missing")]
    public bool Missing { get; init; }

    /// <summary>The <c>max-age</c> of <see cref="CacheControl"/>, or null.</summary>
    internal TimeSpan? MaxAge
    {
        get
        {
            if (CacheControl is null)
            {
                return null;
            }

            foreach (string part in CacheControl.Split(','))
            {
                string p = part.Trim();
                if (p.StartsWith("max-age=", StringComparison.OrdinalIgnoreCase) &&
                    long.TryParse(p.AsSpan(8).Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long s))
                {
                    return TimeSpan.FromSeconds(s);
                }
            }

            return null;
        }
    }

    internal DateTimeOffset Refreshed => DateTimeOffset.UnixEpoch.AddTicks(RefreshNs / 100);

    /// <summary>The state of a body just fetched: the validators and cache control the server sent with it.</summary>
    internal static RepoDataCacheState FromResponse(System.Net.Http.HttpResponseMessage response, DateTimeOffset now, string? fetched, string source) => new()
    {
        Etag = response.Headers.ETag?.ToString(),
        Mod = response.Content.Headers.LastModified?.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        CacheControl = response.Headers.CacheControl?.ToString(),
        RefreshNs = ToNs(now),
        Fetched = fetched,
        Source = source,
    };

    internal static long ToNs(DateTimeOffset t) => (t - DateTimeOffset.UnixEpoch).Ticks * 100;
}

/// <summary>A yes/no fact about the server and when it was last checked.</summary>
internal sealed record RepoDataCacheCheck(
    [property: JsonPropertyName("value")] bool Value,
    [property: JsonPropertyName("last_checked")] string LastChecked);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(RepoDataCacheState))]
internal sealed partial class RepoDataCacheJson : JsonSerializerContext
{
}
