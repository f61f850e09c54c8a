using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using EnvTools.Conda;
using EnvTools.IO;

namespace EnvTools.Fetch;

/// <summary>
/// Fetches one archive to a file: over HTTP(S) (streamed to <c>&lt;file&gt;.partial</c>, md5 and sha256 computed on
/// the way, a broken body resumed with <c>Range</c> when the server answers 206) or from a <c>file://</c> URL (copied
/// the same way). The result is verified against the record (size, then sha256, else md5) and renamed into place only
/// when it matches; a mismatch is fetched once more from scratch, then is a <see cref="ChecksumMismatchException"/>.
/// Status retries (408, 429, 5xx, <c>Retry-After</c>) come from the client's Polly policy; body failures are
/// retried here, <c>remote_max_retries</c> times, with the same back-off.
/// <para>
/// The package of a channel in <c>mirrored_channels</c> is fetched from the channel's mirrors in order
/// (<see cref="ChannelMirrors"/>): a mirror that lacks it (404), fails (after the retries), refuses it or serves wrong
/// bytes gives way to the next. The record (and so conda-meta and <c>urls.txt</c>) keeps the channel's own URL.
/// </para>
/// </summary>
internal sealed class PackageDownloader
{
    private const int BufferSize = 1 << 17;

    private readonly PackageFetchOptions _options;
    private readonly Lazy<HttpClient> _client;

    internal PackageDownloader(PackageFetchOptions options)
    {
        _options = options;
        _client = new Lazy<HttpClient>(() => EnvHttpClients.Create(options.Http));
    }

    /// <summary>Fetches <paramref name="record"/>'s archive to <paramref name="destination"/>; reports the bytes of the
    /// archive present so far (absolute) to <paramref name="progress"/>, and which mirror served it (for a mirrored
    /// channel) to <paramref name="served"/>.</summary>
    internal async Task<FileDigest> FetchAsync(RepoDataRecord record, string destination, Action<long> progress, CancellationToken ct,
        Action<string>? served = null)
    {
        if (_options.Mirrors.ForPackage(record.Url) is { } mirrored)
        {
            return await FetchFromMirrorsAsync(record, mirrored.Channel, mirrored.Path, destination, progress, served, ct).ConfigureAwait(false);
        }

        if (!Uri.TryCreate(record.Url, UriKind.Absolute, out Uri? url))
        {
            throw new PackageDownloadException(record.FileName, record.Url, $"Package '{record.FileName}' has no download URL ('{record.Url}').");
        }

        return await FetchFromAsync(record, url.IsFile ? url : RequestUri(url), UrlRedaction.Redact(record.Url), destination, progress, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Fetches the archive from the first of the channel's mirrors that serves it whole and right; a 404 moves on without
    /// marking the mirror, any other failure marks it (tried after the others from now on).
    /// </summary>
    /// <exception cref="PackageDownloadException">No mirror served it: names each mirror and what went wrong there (404 when every one lacked it).</exception>
    /// <exception cref="ChecksumMismatchException">Every mirror served bytes that do not match the record.</exception>
    private async Task<FileDigest> FetchFromMirrorsAsync(RepoDataRecord record, MirroredChannel mirrored, string path, string destination,
        Action<long> progress, Action<string>? served, CancellationToken ct)
    {
        var failures = new List<string>();
        ChecksumMismatchException? mismatch = null;
        int mismatches = 0;
        bool allMissing = true;
        foreach (Channel mirror in _options.Mirrors.InOrder(mirrored))
        {
            string shown = $"{mirror.DisplayUrl}/{path}";
            try
            {
                FileDigest digest = await FetchFromAsync(record, new Uri($"{mirror.GetRequestUrl()}/{path}"), shown, destination, progress, ct).ConfigureAwait(false);
                _options.Mirrors.Served(mirror);
                served?.Invoke($"from mirror {mirror.DisplayUrl}" + (failures.Count == 0 ? string.Empty : $" (after {string.Join("; ", failures)})"));
                return digest;
            }
            catch (PackageDownloadException ex) when (!ct.IsCancellationRequested)
            {
                bool missing = ex.StatusCode is 404 or 410;
                allMissing &= missing;
                if (!missing)
                {
                    _options.Mirrors.Failed(mirror);
                }

                string prefix = $"Cannot download '{record.FileName}' from {shown}: ";
                failures.Add($"{shown}: {(ex.Message.StartsWith(prefix, StringComparison.Ordinal) ? ex.Message[prefix.Length..] : ex.Message).TrimEnd('.')}");
            }
            catch (ChecksumMismatchException ex) when (!ct.IsCancellationRequested)
            {
                allMissing = false;
                mismatch = ex;
                mismatches++;
                _options.Mirrors.Failed(mirror);
                failures.Add($"{shown}: its {ex.Algorithm} is {ex.Actual}, the channel says {ex.Expected}");
            }
        }

        if (mismatch is not null && mismatches == failures.Count)
        {
            throw mismatch;
        }

        string url = UrlRedaction.Redact(record.Url);
        throw new PackageDownloadException(record.FileName, url,
            $"Cannot download '{record.FileName}' ({url}) from any mirror of channel '{mirrored.Canonical.Name}': {string.Join("; ", failures)}.",
            allMissing ? 404 : null);
    }

    /// <summary>Fetches the archive from <paramref name="url"/> (which may carry credentials; <paramref name="shown"/> is what messages name).</summary>
    private async Task<FileDigest> FetchFromAsync(RepoDataRecord record, Uri url, string shown, string destination, Action<long> progress, CancellationToken ct)
    {
        string partial = destination + ".partial";
        for (int round = 0; ; round++)
        {
            FileDigest digest;
            try
            {
                digest = await TransferAsync(record, url, shown, partial, resume: round == 0, progress, ct).ConfigureAwait(false);
            }
            catch
            {
                // a body that failed for good is not kept: a later run starts over (a run that is cancelled keeps it to resume)
                if (!ct.IsCancellationRequested)
                {
                    TryDelete(partial);
                }

                throw;
            }

            if (Mismatch(record, digest) is not { } bad)
            {
                File.Move(partial, destination, overwrite: true);
                return digest;
            }

            TryDelete(partial);
            if (round == 1)
            {
                throw new ChecksumMismatchException(record.FileName, shown, bad.Algorithm, bad.Expected, bad.Actual);
            }
        }
    }

    /// <summary>What of <paramref name="digest"/> disagrees with the record (size, sha256, else md5), or null.</summary>
    internal static (string Algorithm, string Expected, string Actual)? Mismatch(PackageRecord record, FileDigest digest)
    {
        if (record.Size is { } size && size > 0 && size != digest.Size)
        {
            return ("size", size.ToString(System.Globalization.CultureInfo.InvariantCulture), digest.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (record.Sha256 is { Length: > 0 } sha)
        {
            return string.Equals(sha, digest.Sha256, StringComparison.OrdinalIgnoreCase) ? null : ("sha256", sha.ToLowerInvariant(), digest.Sha256);
        }

        if (record.Md5 is { Length: > 0 } md5)
        {
            return string.Equals(md5, digest.Md5, StringComparison.OrdinalIgnoreCase) ? null : ("md5", md5.ToLowerInvariant(), digest.Md5);
        }

        return null;
    }

    private async Task<FileDigest> TransferAsync(RepoDataRecord record, Uri url, string shown, string partial, bool resume, Action<long> progress, CancellationToken ct)
    {
        if (url.IsFile)
        {
            return await CopyLocalAsync(record, url.LocalPath, shown, partial, progress, ct).ConfigureAwait(false);
        }

        if (!resume)
        {
            TryDelete(partial);
        }

        int bodyFailures = 0;
        while (true)
        {
            long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            if (record.Size is { } size && have > size)
            {
                TryDelete(partial);
                have = 0;
            }

            using HttpRequestMessage request = ChannelRequests.Get(url, null, null, bufferBody: false);
            if (record.Sha256 is { Length: > 0 } sha256)
            {
                request.Options.Set(Oci.OciChannelReader.ExpectedSha256, sha256); // an oci:// channel's blob digest
            }

            if (have > 0)
            {
                request.Headers.Range = new RangeHeaderValue(have, null);
            }

            HttpResponseMessage response;
            try
            {
                response = await _client.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsNetworkFailure(ex, ct))
            {
                throw Failed(record, shown, $"cannot download it{RetriesText()}: {UrlRedaction.Redact(ex.Message)}", null, ex);
            }

            using (response)
            {
                bool append;
                if (response.StatusCode == HttpStatusCode.PartialContent && have > 0 && response.Content.Headers.ContentRange?.From == have)
                {
                    append = true;
                }
                else if (response.StatusCode == HttpStatusCode.OK)
                {
                    append = false;
                }
                else if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
                {
                    TryDelete(partial); // the partial file is not a prefix of what the server has: start over
                    continue;
                }
                else
                {
                    int code = (int)response.StatusCode;
                    bool retried = code >= 500 || code is 408 or 429;
                    throw Failed(record, shown, $"the server answered HTTP {code} ({response.ReasonPhrase ?? response.StatusCode.ToString()})" +
                        (retried ? RetriesText() : string.Empty) + ServerError.Describe(response), code, null, ServerError.Of(response)?.Code);
                }

                using var sums = new Checksums();
                if (append)
                {
                    using var existing = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                    sums.Append(existing, ct);
                }

                try
                {
                    await ReceiveAsync(response, partial, append, sums, progress, ct).ConfigureAwait(false);
                    return sums.Finish();
                }
                catch (Exception ex) when (IsNetworkFailure(ex, ct))
                {
                    if (++bodyFailures > _options.Http.MaxRetries)
                    {
                        throw Failed(record, shown, $"the connection kept failing while the body was read{RetriesText()}: {UrlRedaction.Redact(ex.Message)}", null, ex);
                    }
                }
            }

            await Task.Delay(RetryPolicy.Delay(bodyFailures, null, _options.Http.BackoffFactor, Random.Shared.NextDouble()), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Streams the body into the partial file (appending or from the start), hashing it; a read that waits longer
    /// than the read time-out fails with <see cref="TimeoutException"/>.</summary>
    private async Task ReceiveAsync(HttpResponseMessage response, string partial, bool append, Checksums sums, Action<long> progress, CancellationToken ct)
    {
        TimeSpan readTimeout = _options.Http.ReadTimeout;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        byte[] buf = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            cts.CancelAfter(readTimeout);
            using Stream body = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            using var file = new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            while (true)
            {
                cts.CancelAfter(readTimeout);
                int n = await body.ReadAsync(buf.AsMemory(0, BufferSize), cts.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                sums.Append(buf.AsSpan(0, n));
                await file.WriteAsync(buf.AsMemory(0, n), ct).ConfigureAwait(false);
                progress(sums.Size);
            }
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no data for {readTimeout.TotalSeconds:0.##} s while reading the response", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    private static async Task<FileDigest> CopyLocalAsync(RepoDataRecord record, string source, string shown, string partial, Action<long> progress, CancellationToken ct)
    {
        if (!File.Exists(source))
        {
            throw new PackageDownloadException(record.FileName, shown, $"Cannot download '{record.FileName}' from {shown}: the file {source} does not exist.", 404);
        }

        using var sums = new Checksums();
        byte[] buf = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            using var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            int n;
            while ((n = await input.ReadAsync(buf.AsMemory(0, BufferSize), ct).ConfigureAwait(false)) > 0)
            {
                sums.Append(buf.AsSpan(0, n));
                await output.WriteAsync(buf.AsMemory(0, n), ct).ConfigureAwait(false);
                progress(sums.Size);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }

        return sums.Finish();
    }

    /// <summary>The URL to request: with the token or credentials of the configured channel the record belongs to.</summary>
    private Uri RequestUri(Uri url)
    {
        string s = url.AbsoluteUri;
        foreach (Channel c in _options.Channels)
        {
            string b = c.BaseUrl.AbsoluteUri.TrimEnd('/') + "/";
            if (c.HasCredentials && s.StartsWith(b, StringComparison.Ordinal))
            {
                return new Uri(c.GetRequestUrl() + "/" + s[b.Length..]);
            }
        }

        return url;
    }

    private static bool IsNetworkFailure(Exception ex, CancellationToken ct) =>
        ex is HttpRequestException or IOException or TimeoutException || (ex is OperationCanceledException && !ct.IsCancellationRequested);

    private string RetriesText() => _options.Http.MaxRetries == 0 ? string.Empty : $" (after {_options.Http.MaxRetries} {(_options.Http.MaxRetries == 1 ? "retry" : "retries")})";

    private static PackageDownloadException Failed(RepoDataRecord record, string shown, string why, int? status, Exception? inner, string? serverCode = null) =>
        new(record.FileName, shown, $"Cannot download '{record.FileName}' from {shown}: {why}.", status, inner, serverCode);

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // best effort
        }
    }
}
