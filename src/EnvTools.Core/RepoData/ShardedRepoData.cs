using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.IO;
using EnvTools.Solve;
using MessagePack;

namespace EnvTools.RepoData;

/// <summary>
/// CEP-16 sharded repodata (<c>repodata_use_shards</c>): the subdir's <c>repodata_shards.msgpack.zst</c> index is
/// fetched and cached like <c>repodata.json</c> (ETag/304, TTL, offline); the shards, content-addressed by their
/// sha256, are fetched only for the names a request reaches — each shard fetched starts, concurrently, the
/// fetches of the names its records depend on, in every sharded subdir of the load — verified, and cached in
/// <c>&lt;pkgs_dir&gt;/cache/shards/</c> for good. A channel without an index is read whole, as before.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "the SemaphoreSlim's wait handle is never used: it holds nothing to dispose")]
internal sealed class ShardedRepoData
{
    private static readonly SearchValues<char> NameEnd = SearchValues.Create(" =<>!~[;(,|");

    internal const string IndexFile = "repodata_shards.msgpack.zst";

    /// <summary>How long a server's "no shard index" (404) is believed before asking again.</summary>
    private static readonly TimeSpan MissingIndexTrust = TimeSpan.FromHours(24);

    private readonly Settings _settings;
    private readonly Lazy<HttpClient> _client;
    private readonly Lazy<RepoDataCache?> _cache;
    private readonly ConcurrentBag<ShardedSource> _sources = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> _raw = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(ShardedSource, string), Lazy<Task<RepoDataIndex>>> _decoded = new();
    private readonly SemaphoreSlim _requests = new(16);

    internal ShardedRepoData(Settings settings, Lazy<HttpClient> client, Lazy<RepoDataCache?> cache)
    {
        _settings = settings;
        _client = client;
        _cache = cache;
    }

    /// <summary>The sharded subdir, or null when the channel has no shard index (then the caller reads repodata.json).</summary>
    internal async Task<IRecordSource?> TryLoadAsync(Channel channel, string subdir, CancellationToken cancellationToken)
    {
        string subdirUrl = channel.SubdirUrl(subdir);
        RepoDataCache? cache = _cache.Value;
        RepoDataCacheState? state = cache?.Read(subdirUrl, IndexFile);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        if (state is not null && cache is not null)
        {
            bool trusted = _settings.Offline || (state.Missing
                ? now - state.Refreshed < MissingIndexTrust
                : IsFresh(state, now));
            if (trusted)
            {
                return state.Missing ? null : FromCache(channel, subdir, cache);
            }
        }
        else if (_settings.Offline)
        {
            return null; // the caller's offline rules apply to repodata.json
        }

        bool conditional = state is { Missing: false };
        using HttpRequestMessage request = RemoteRepoData.CreateRequest(new Uri($"{channel.GetRequestUrl(subdir)}/{IndexFile}"), conditional ? state : null);
        HttpResponseMessage response;
        try
        {
            response = await _client.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException ||
            (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new ChannelUnavailableException(channel.Name,
                $"Channel '{channel.Name}': cannot fetch {RemoteRepoData.DisplayUrl(channel, subdir, IndexFile)}: {UrlRedaction.Redact(ex.Message)}", ex);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotModified && conditional && cache is not null)
            {
                RepoDataCacheState refreshed = state! with { RefreshNs = RepoDataCacheState.ToNs(now), CacheControl = response.Headers.CacheControl?.ToString() ?? state.CacheControl };
                RemoteRepoData.TryWrite(() => cache.WriteState(subdirUrl, refreshed, IndexFile));
                return FromCache(channel, subdir, cache);
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone && cache is not null)
                {
                    var missing = new RepoDataCacheState { RefreshNs = RepoDataCacheState.ToNs(now), Missing = true };
                    RemoteRepoData.TryWrite(() => cache.Write(subdirUrl, ReadOnlySpan<byte>.Empty, missing, IndexFile));
                }

                return null; // no index (or an error the repodata.json path reports in full)
            }

            ArraySegment<byte> body = response.Content is BufferedContent b ? b.Bytes : await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            byte[] raw = body.AsSpan().ToArray();
            ShardIndex index;
            try
            {
                index = ShardCodec.ReadIndex(RepoDataBytes.Decompress(raw));
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or MessagePackSerializationException or ZstdSharp.ZstdException or EndOfStreamException)
            {
                throw new ChannelUnavailableException(channel.Name,
                    $"Channel '{channel.Name}': the shard index at {RemoteRepoData.DisplayUrl(channel, subdir, IndexFile)} is damaged ({ex.Message}); nothing was cached.", ex);
            }

            if (cache is not null)
            {
                var fresh = RepoDataCacheState.FromResponse(response, now, now.ToString("O", CultureInfo.InvariantCulture), IndexFile);
                RemoteRepoData.TryWrite(() => cache.Write(subdirUrl, raw, fresh, IndexFile));
            }

            return Register(channel, subdir, index);
        }
    }

    private bool IsFresh(RepoDataCacheState state, DateTimeOffset now)
    {
        int ttl = _settings.LocalRepodataTtl;
        TimeSpan window = ttl == 1 ? state.MaxAge ?? TimeSpan.Zero : ttl > 1 ? TimeSpan.FromSeconds(ttl) : TimeSpan.Zero;
        TimeSpan age = now - state.Refreshed;
        return age >= TimeSpan.Zero && age < window;
    }

    private ShardedSource? FromCache(Channel channel, string subdir, RepoDataCache cache)
    {
        try
        {
            byte[] raw = File.ReadAllBytes(cache.JsonPath(channel.SubdirUrl(subdir), IndexFile));
            return Register(channel, subdir, ShardCodec.ReadIndex(RepoDataBytes.Decompress(raw)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or MessagePackSerializationException or ZstdSharp.ZstdException)
        {
            return null; // damaged: the caller falls back to repodata.json
        }
    }

    private ShardedSource Register(Channel channel, string subdir, ShardIndex index)
    {
        var source = new ShardedSource(this, channel, subdir, index);
        _sources.Add(source);
        return source;
    }

    /// <summary>The decoded shard of <paramref name="name"/> in <paramref name="source"/> (fetched once per load).</summary>
    internal Task<RepoDataIndex> GetShardAsync(ShardedSource source, string name) =>
        _decoded.GetOrAdd((source, name), k => new Lazy<Task<RepoDataIndex>>(() => Task.Run(() => DecodeAsync(k.Item1, k.Item2)))).Value;

    private async Task<RepoDataIndex> DecodeAsync(ShardedSource source, string name)
    {
        string hex = source.Index.Shards[name];
        byte[] raw = await _raw.GetOrAdd(hex, h => new Lazy<Task<byte[]>>(() => FetchShardAsync(source, h))).Value.ConfigureAwait(false);
        string url = $"{source.SubdirUrl}/{hex}.msgpack.zst";
        RepoDataIndex index;
        try
        {
            byte[] json = ShardCodec.ShardToRepoDataJson(RepoDataBytes.Decompress(raw), source.Subdir, source.Index.BaseUrl);
            index = RepoDataIndex.Create(json, url, source.SubdirUrl);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or MessagePackSerializationException or ZstdSharp.ZstdException or MalformedDataException)
        {
            throw new ChannelUnavailableException(source.Channel, $"Channel '{source.Channel}': the shard of '{name}' ({url}) is damaged: {ex.Message}", ex);
        }

        Prefetch(index);
        return index;
    }

    /// <summary>Starts fetching the shards of every name the records of <paramref name="index"/> depend on.</summary>
    private void Prefetch(RepoDataIndex index)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string n in index.Names)
        {
            foreach (RepoDataRecord r in index.GetRecords(n))
            {
                foreach (string dep in r.Depends)
                {
                    names.Add(DependencyName(dep));
                }
            }
        }

        foreach (string dep in names)
        {
            foreach (ShardedSource s in _sources)
            {
                if (s.Index.Shards.ContainsKey(dep))
                {
                    _ = GetShardAsync(s, dep).ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
        }
    }

    /// <summary>The package name a dependency spec starts with (<c>python &gt;=3.9</c> → <c>python</c>).</summary>
    internal static string DependencyName(string spec)
    {
        ReadOnlySpan<char> s = spec.AsSpan().Trim();
        int colons = s.LastIndexOf("::", StringComparison.Ordinal);
        if (colons >= 0)
        {
            s = s[(colons + 2)..];
        }

        int end = s.IndexOfAny(NameEnd);
        return (end < 0 ? s : s[..end]).ToString().ToLowerInvariant();
    }

    private async Task<byte[]> FetchShardAsync(ShardedSource source, string hex)
    {
        RepoDataCache? cache = _cache.Value;
        string? path = cache is null ? null : Path.Combine(cache.Directory, "shards", hex + ".msgpack.zst");
        if (path is not null && File.Exists(path))
        {
            try
            {
                byte[] cached = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
                if (Checksums.HexOf(HashAlgorithmName.SHA256, cached).Equals(hex, StringComparison.OrdinalIgnoreCase))
                {
                    return cached;
                }
            }
            catch (IOException)
            {
                // fetch it again
            }
        }

        if (_settings.Offline)
        {
            throw new ChannelUnavailableException(source.Channel, $"Channel '{source.Channel}': offline mode is on and the shard {hex} of {source.DisplayUrl} is not cached.");
        }

        Uri indexUrl = new($"{source.RequestSubdirUrl}/{IndexFile}");
        var url = new Uri(indexUrl, source.Index.ShardsBaseUrl + hex + ".msgpack.zst");
        string display = UrlRedaction.Redact(url.AbsoluteUri);
        await _requests.WaitAsync().ConfigureAwait(false);
        try
        {
            using HttpRequestMessage request = RemoteRepoData.CreateRequest(url, null);
            using HttpResponseMessage response = await _client.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new ChannelUnavailableException(source.Channel,
                    $"Channel '{source.Channel}': {display} answered HTTP {(int)response.StatusCode} ({response.ReasonPhrase ?? response.StatusCode.ToString()}).");
            }

            ArraySegment<byte> body = response.Content is BufferedContent b ? b.Bytes : await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            byte[] raw = body.AsSpan().ToArray();
            if (!Checksums.HexOf(HashAlgorithmName.SHA256, raw).Equals(hex, StringComparison.OrdinalIgnoreCase))
            {
                throw new ChannelUnavailableException(source.Channel, $"Channel '{source.Channel}': the shard at {display} does not match its sha256; nothing was cached.");
            }

            if (path is not null)
            {
                RemoteRepoData.TryWrite(() =>
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    EnvTools.IO.AtomicFiles.WriteAtomically(path, raw);
                });
            }

            return raw;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException or TaskCanceledException)
        {
            throw new ChannelUnavailableException(source.Channel, $"Channel '{source.Channel}': cannot fetch {display}: {UrlRedaction.Redact(ex.Message)}", ex);
        }
        finally
        {
            _requests.Release();
        }
    }
}

/// <summary>A sharded subdir: its names from the shard index; the records of a name from its shard, fetched on first use.</summary>
internal sealed class ShardedSource : IRecordSource
{
    private readonly ShardedRepoData _owner;

    internal ShardedSource(ShardedRepoData owner, Channel channel, string subdir, ShardIndex index)
    {
        _owner = owner;
        Channel = channel.Name;
        Subdir = subdir;
        Index = index;
        SubdirUrl = channel.SubdirUrl(subdir);
        RequestSubdirUrl = channel.GetRequestUrl(subdir);
        DisplayUrl = RemoteRepoData.DisplayUrl(channel, subdir);
    }

    /// <inheritdoc />
    public string Channel { get; }

    /// <inheritdoc />
    public string Subdir { get; }

    internal ShardIndex Index { get; }

    internal string SubdirUrl { get; }

    /// <summary>Secret: may hold a token.</summary>
    internal string RequestSubdirUrl { get; }

    internal string DisplayUrl { get; }

    /// <inheritdoc />
    public IEnumerable<string> Names => Index.Shards.Keys;

    /// <inheritdoc />
    /// <exception cref="ChannelUnavailableException">The shard cannot be fetched.</exception>
    public IReadOnlyList<RepoDataRecord> GetRecords(string name)
    {
        if (!Index.Shards.ContainsKey(name))
        {
            return Array.Empty<RepoDataRecord>();
        }

        RepoDataIndex shard = _owner.GetShardAsync(this, name).GetAwaiter().GetResult();
        return shard.Contains(name) ? shard.GetRecords(name) : Array.Empty<RepoDataRecord>();
    }
}
