using System.Globalization;
using System.Net;
using System.Text;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.Solve;

namespace EnvTools.RepoData;

/// <summary>
/// Loads the repodata of HTTP(S) channel subdirs through the disk cache (<see cref="RepoDataCache"/>), like
/// conda: within <c>local_repodata_ttl</c> (or the server's <c>Cache-Control: max-age</c> when the TTL is 1)
/// the cache is used without a request; otherwise the cached file is revalidated with <c>If-None-Match</c> /
/// <c>If-Modified-Since</c> (a 304 reuses it) or fetched again, trying <c>repodata.json.zst</c> (when
/// <c>repodata_use_zst</c>), <c>repodata.json.bz2</c> and <c>repodata.json</c> in turn. <c>offline</c> reads the
/// cache only. A subdir for which the server has none of them (404) is empty, as for conda. <c>s3://</c> channels go the
/// same way through the client's S3 handler (an S3 ETag plays the ETag; a missing bucket is an error, not an empty subdir).
/// <para>
/// A channel in <c>mirrored_channels</c> is fetched from its mirrors (<see cref="ChannelMirrors"/>), in order: a mirror
/// that cannot be reached, answers an error or damaged repodata, or has no repodata for the subdir (404) gives way to
/// the next. The cache stays keyed by the channel's own URL (one cache, whichever mirror filled it; a hit within the
/// TTL or offline needs no mirror) and the records keep the channel's name and URLs.
/// </para>
/// </summary>
internal sealed class RemoteRepoData
{
    internal const string Zst = "repodata.json.zst";
    internal const string Bz2 = "repodata.json.bz2";
    internal const string Json = "repodata.json";

    private readonly Settings _settings;
    private readonly HttpFetchOptions _http;
    private readonly Lazy<RepoDataCache?> _cache;
    private readonly Lazy<HttpClient> _client;
    private readonly ShardedRepoData? _shards;
    private readonly ChannelMirrors _mirrors;

    /// <exception cref="InvalidConfigurationException">Unusable <c>proxy_servers</c>, <c>ssl_verify</c> CA bundle or <c>mirrored_channels</c>.</exception>
    internal RemoteRepoData(Settings settings)
    {
        _settings = settings;
        _http = HttpFetchOptions.FromValidated(settings);
        _mirrors = ChannelMirrors.From(settings);
        _cache = new Lazy<RepoDataCache?>(() => RepoDataCache.InFirstWritable(settings.PkgsDirs));
        _client = new Lazy<HttpClient>(() => EnvHttpClients.Create(_http));
        _shards = settings.RepodataUseShards ? new ShardedRepoData(settings, _client, _cache) : null;
    }

    /// <summary>The subdir's records, or null when the server has no repodata for it (404).</summary>
    /// <exception cref="ChannelUnavailableException">Offline without a cache, unreachable, refused or damaged.</exception>
    /// <param name="channel">The channel.</param>
    /// <param name="subdir">The subdir.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <param name="origin">Told where the records came from (the cache within the TTL, a 304, a download …).</param>
    internal async Task<IRecordSource?> LoadAsync(Channel channel, string subdir, CancellationToken cancellationToken, Action<string>? origin = null)
    {
        string subdirUrl = channel.SubdirUrl(subdir);
        MirroredChannel? mirrored = _mirrors.For(channel);
        // sharded repodata is asked of HTTP(S) channels only (no publisher writes shards to s3:// or oci:// mirrors), and
        // not through mirrors for now
        if (_shards is not null && mirrored is null && channel.BaseUrl.Scheme is "http" or "https" &&
            await _shards.TryLoadAsync(channel, subdir, cancellationToken).ConfigureAwait(false) is { } sharded)
        {
            origin?.Invoke("sharded repodata");
            return sharded;
        }

        RepoDataCache? cache = _cache.Value;
        RepoDataCacheState? state = cache?.Read(subdirUrl);
        if (_settings.Offline)
        {
            if (state is null || cache is null)
            {
                throw new ChannelUnavailableException(channel.Name,
                    $"Channel '{channel.Name}': offline mode is on and there is no cached repodata for {DisplayUrl(channel, subdir)}" +
                    (cache is null ? " (no writable pkgs dir holds a cache)." : $" in {cache.Directory}."));
            }

            origin?.Invoke(state.Missing ? "offline: no repodata (cached 404)" : "offline: from the cache");
            return FromCache(channel, subdir, cache, state) ?? (state.Missing ? null
                : throw new ChannelUnavailableException(channel.Name, $"Channel '{channel.Name}': offline mode is on and the cached repodata for {DisplayUrl(channel, subdir)} is damaged."));
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        if (cache is not null && state is not null && IsFresh(state, now))
        {
            if (state.Missing)
            {
                origin?.Invoke("no repodata (cached 404, within local_repodata_ttl)");
                return null;
            }

            if (FromCache(channel, subdir, cache, state) is { } fresh)
            {
                origin?.Invoke("cache hit (within local_repodata_ttl)");
                return fresh;
            }

            state = null; // damaged: fetch again
        }

        return mirrored is null
            ? await FetchAsync(channel, channel, subdir, subdirUrl, cache, state, cancellationToken, origin).ConfigureAwait(false)
            : await FetchFromMirrorsAsync(channel, mirrored, subdir, subdirUrl, cache, state, cancellationToken, origin).ConfigureAwait(false);
    }

    /// <summary>Whether a cache entry may be used without asking the server (conda's <c>local_repodata_ttl</c>).</summary>
    internal bool IsFresh(RepoDataCacheState state, DateTimeOffset now)
    {
        int ttl = _settings.LocalRepodataTtl;
        TimeSpan window = ttl == 1 ? state.MaxAge ?? TimeSpan.Zero : ttl > 1 ? TimeSpan.FromSeconds(ttl) : TimeSpan.Zero;
        TimeSpan age = now - state.Refreshed;
        return age >= TimeSpan.Zero && age < window;
    }

    /// <summary>
    /// Fetches the subdir's repodata of <paramref name="channel"/> from <paramref name="server"/> (the channel itself, or one
    /// of its mirrors); the records and the cache entry are the channel's. Null when <paramref name="server"/> has none (404);
    /// that is cached as an empty subdir unless <paramref name="cacheMissing"/> is false.
    /// </summary>
    private async Task<IRecordSource?> FetchAsync(Channel channel, Channel server, string subdir, string subdirUrl, RepoDataCache? cache,
        RepoDataCacheState? state, CancellationToken cancellationToken, Action<string>? origin, bool cacheMissing = true)
    {
        var candidates = new List<string>(4);
        if (state is { Missing: false, Source: { } previous } && (previous != Zst || _settings.RepodataUseZst))
        {
            candidates.Add(previous);
        }

        if (_settings.RepodataUseZst)
        {
            candidates.Add(Zst);
        }

        candidates.Add(Bz2);
        candidates.Add(Json);
        RepoDataCacheCheck? hasZst = state?.HasZst;
        foreach (string file in candidates.Distinct(StringComparer.Ordinal))
        {
            bool conditional = state is { Missing: false } && state.Source == file;
            using HttpRequestMessage request = CreateRequest(server, subdir, file, conditional ? state : null);
            HttpResponseMessage response;
            try
            {
                response = request.RequestUri!.IsFile ? FileUrlResponse.Get(request)
                    : await _client.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException ||
                (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw new ChannelUnavailableException(channel.Name,
                    $"Channel '{channel.Name}': cannot fetch {DisplayUrl(server, subdir, file)}" +
                    $"{RetriesText()}: {UrlRedaction.Redact(ex.Message)}", ex);
            }

            using (response)
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                string checkedAt = now.ToString("O", CultureInfo.InvariantCulture);
                if (file == Zst)
                {
                    hasZst = new RepoDataCacheCheck(response.StatusCode != HttpStatusCode.NotFound, checkedAt);
                }

                switch (response.StatusCode)
                {
                    case HttpStatusCode.NotModified when conditional && cache is not null && state is not null:
                    {
                        RepoDataCacheState refreshed = state with
                        {
                            RefreshNs = RepoDataCacheState.ToNs(now),
                            CacheControl = response.Headers.CacheControl?.ToString() ?? state.CacheControl,
                            Etag = response.Headers.ETag?.ToString() ?? state.Etag,
                        };
                        TryWrite(() => cache.WriteState(subdirUrl, refreshed, durable: false));
                        if (FromCache(channel, subdir, cache, refreshed) is { } cached)
                        {
                            origin?.Invoke("304 Not Modified: the cached repodata");
                            return cached;
                        }

                        // the cached file went bad since it was checked: fetch it unconditionally
                        return await FetchAsync(channel, server, subdir, subdirUrl, cache, null, cancellationToken, origin, cacheMissing).ConfigureAwait(false);
                    }

                    case HttpStatusCode.NotFound when ServerError.Of(response) is { Code: "NoSuchBucket" } missing:
                        throw new ChannelUnavailableException(channel.Name,
                            $"Channel '{channel.Name}': {DisplayUrl(channel, subdir, file)} answered HTTP 404: {missing}.", serverCode: missing.Code);

                    case HttpStatusCode.NotFound:
                    case HttpStatusCode.Gone:
                        continue;

                    case HttpStatusCode.OK:
                    {
                        ArraySegment<byte> body = response.Content is BufferedContent buffered
                            ? buffered.Bytes
                            : await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                        byte[] json;
                        RepoDataIndex index;
                        string source = $"{subdirUrl}/{file}";
                        try
                        {
                            json = RepoDataBytes.Decompress(body);
                            index = RepoDataIndex.Create(json, source, subdirUrl);
                        }
                        catch (Exception ex) when (ex is InvalidDataException or IOException or MalformedDataException or ZstdSharp.ZstdException)
                        {
                            throw new ChannelUnavailableException(channel.Name,
                                $"Channel '{channel.Name}': the repodata at {DisplayUrl(server, subdir, file)} is damaged ({ex.Message}); nothing was cached.", ex);
                        }

                        if (cache is not null)
                        {
                            var fresh = RepoDataCacheState.FromResponse(response, now, checkedAt, file) with { HasZst = hasZst };
                            TryWrite(() => cache.Write(subdirUrl, json, fresh));
                        }

                        origin?.Invoke($"downloaded {file} ({body.Count:N0} bytes)");
                        return new RepoDataIndexSource(index, channel.Name, subdir);
                    }

                    case HttpStatusCode.Unauthorized:
                    case HttpStatusCode.Forbidden:
                        throw new ChannelUnavailableException(channel.Name,
                            $"Channel '{channel.Name}': {DisplayUrl(server, subdir, file)} answered HTTP {(int)response.StatusCode} ({response.ReasonPhrase ?? response.StatusCode.ToString()})" +
                            (ServerError.Of(response) is { } refused ? $": {refused}."
                                : server.HasCredentials ? "; the channel's token or credentials were refused." : "; the channel needs a token or credentials."),
                            serverCode: ServerError.Of(response)?.Code);

                    default:
                        bool retried = (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
                        throw new ChannelUnavailableException(channel.Name,
                            $"Channel '{channel.Name}': {DisplayUrl(server, subdir, file)} answered HTTP {(int)response.StatusCode} ({response.ReasonPhrase ?? response.StatusCode.ToString()})" +
                            (retried ? RetriesText() : string.Empty) + ServerError.Describe(response) + ".",
                            serverCode: ServerError.Of(response)?.Code);
                }
            }
        }

        if (cacheMissing)
        {
            CacheMissing(cache, subdir, subdirUrl, hasZst);
        }

        origin?.Invoke("no repodata (404)");
        return null;
    }

    /// <summary>Records in the cache that the subdir has no repodata (an empty subdir until it is revalidated).</summary>
    private static void CacheMissing(RepoDataCache? cache, string subdir, string subdirUrl, RepoDataCacheCheck? hasZst)
    {
        if (cache is null)
        {
            return;
        }

        var missing = new RepoDataCacheState
        {
            RefreshNs = RepoDataCacheState.ToNs(DateTimeOffset.UtcNow),
            Fetched = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            HasZst = hasZst,
            Missing = true,
        };
        byte[] empty = Encoding.UTF8.GetBytes($"{{\"info\":{{\"subdir\":\"{subdir}\"}},\"packages\":{{}},\"packages.conda\":{{}},\"repodata_version\":1}}");
        TryWrite(() => cache.Write(subdirUrl, empty, missing));
    }

    /// <summary>
    /// The repodata of a mirrored channel's subdir from the first mirror that has it: a mirror that fails (unreachable,
    /// an error status after the retries, refused, damaged repodata) or has none (404) gives way to the next. Null when
    /// every mirror answered 404 (an empty subdir, cached as such).
    /// </summary>
    /// <exception cref="ChannelUnavailableException">No mirror served it and one at least failed: names each mirror and what it answered.</exception>
    private async Task<IRecordSource?> FetchFromMirrorsAsync(Channel channel, MirroredChannel mirrored, string subdir, string subdirUrl,
        RepoDataCache? cache, RepoDataCacheState? state, CancellationToken cancellationToken, Action<string>? origin)
    {
        var failures = new List<string>();
        bool allMissing = true;
        foreach (Channel mirror in _mirrors.InOrder(mirrored))
        {
            string? said = null;
            try
            {
                IRecordSource? loaded = await FetchAsync(channel, mirror, subdir, subdirUrl, cache, state, cancellationToken, o => said = o, cacheMissing: false)
                    .ConfigureAwait(false);
                if (loaded is not null)
                {
                    _mirrors.Served(mirror);
                    origin?.Invoke($"{said} from mirror {mirror.DisplayUrl}" + (failures.Count == 0 ? string.Empty : $" (after {string.Join("; ", failures)})"));
                    return loaded;
                }

                failures.Add($"{mirror.DisplayUrl}: no repodata for {subdir} (404)");
            }
            catch (ChannelUnavailableException ex) when (!cancellationToken.IsCancellationRequested)
            {
                allMissing = false;
                _mirrors.Failed(mirror);
                string prefix = $"Channel '{channel.Name}': ";
                failures.Add($"{mirror.DisplayUrl}: {(ex.Message.StartsWith(prefix, StringComparison.Ordinal) ? ex.Message[prefix.Length..] : ex.Message).TrimEnd('.')}");
            }
        }

        if (allMissing)
        {
            CacheMissing(cache, subdir, subdirUrl, null);
            origin?.Invoke($"no repodata on any mirror (404): {string.Join("; ", failures)}");
            return null;
        }

        throw new ChannelUnavailableException(channel.Name,
            $"Channel '{channel.Name}': no mirror served its {subdir} repodata ({mirrored.Mirrors.Count} tried): {string.Join("; ", failures)}.");
    }

    internal string RetriesText() => _http.MaxRetries == 0 ? string.Empty : $" after {_http.MaxRetries} {(_http.MaxRetries == 1 ? "retry" : "retries")}";

    private static IRecordSource? FromCache(Channel channel, string subdir, RepoDataCache cache, RepoDataCacheState state)
    {
        if (state.Missing)
        {
            return null;
        }

        try
        {
            string subdirUrl = channel.SubdirUrl(subdir);
            return new RepoDataIndexSource(RepoDataIndex.Load(cache.JsonPath(subdirUrl), subdirUrl), channel.Name, subdir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or MalformedDataException)
        {
            return null;
        }
    }

    internal static void TryWrite(Action write)
    {
        try
        {
            write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the cache is an optimisation: a full disk or a read-only folder must not fail the load
        }
    }

    /// <summary>The request for one repodata file: credentials as an Authorization header, conditional headers from the cache.</summary>
    private static HttpRequestMessage CreateRequest(Channel channel, string subdir, string file, RepoDataCacheState? state) =>
        CreateRequest(new Uri($"{channel.GetRequestUrl(subdir)}/{file}"), state);

    /// <summary>A GET of <paramref name="url"/>, conditional on <paramref name="state"/>'s ETag and Last-Modified (see <see cref="ChannelRequests.Get"/>).</summary>
    internal static HttpRequestMessage CreateRequest(Uri url, RepoDataCacheState? state, bool bufferBody = true) =>
        ChannelRequests.Get(url, state?.Etag, state?.Mod, bufferBody);

    internal static string DisplayUrl(Channel channel, string subdir, string? file = null) =>
        UrlRedaction.Redact(channel.GetRequestUrl(subdir)) + (file is null ? string.Empty : "/" + file);
}
