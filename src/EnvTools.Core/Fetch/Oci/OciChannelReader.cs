using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;

namespace EnvTools.Fetch.Oci;

/// <summary>
/// Answers the requests of an <c>oci://HOST/NAMESPACE/CHANNEL</c> channel as if it were a plain HTTP channel, from the
/// conda-oci-mirror layout (<see cref="OciLayout"/>), so that the repodata loader and the package downloader need not
/// know the difference:
/// <list type="bullet">
/// <item><c>…/SUBDIR/repodata.json[.zst|.bz2]</c>: the manifest <c>…/SUBDIR/repodata.json:latest</c>, then the blob of
/// the layer of that form. The layer's digest is the ETag: a conditional request whose <c>If-None-Match</c> names the
/// current digest gets a 304 without a blob request. A manifest without the form's layer (or a missing tag) is a 404, and
/// the manifest is kept for a few seconds so that the loader's fallback to the next form costs no second manifest request.</item>
/// <item><c>…/SUBDIR/NAME-VERSION-BUILD.conda</c>: the blob whose digest is the record's sha256 (passed in
/// <see cref="ExpectedSha256"/>), <c>Range</c> passed through; on a 404 (a pull-through cache, a re-compressed mirror) the
/// package's manifest <c>…/SUBDIR/NAME:VERSION-BUILD</c> names the layer.</item>
/// <item>anything else (sharded repodata, <c>current_repodata.json</c>, …): a 404 without a request.</item>
/// </list>
/// Error answers keep their status and carry the registry's error codes in the reason phrase.
/// </summary>
internal sealed class OciChannelReader
{
    /// <summary>The sha256 (hex) a package download expects: the archive's blob digest in the registry.</summary>
    internal static readonly HttpRequestOptionsKey<string> ExpectedSha256 = new("EnvTools.Oci.ExpectedSha256");

    /// <summary>How long a fetched repodata manifest serves the fallbacks of one load.</summary>
    private static readonly TimeSpan MemoLifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<(string Authority, string Repository, string Tag), Memo> _memo = new();

    internal OciChannelReader(HttpFetchOptions options) => Authenticator = new OciAuthenticator(options);

    /// <summary>The registry authentication shared by this reader's requests.</summary>
    internal OciAuthenticator Authenticator { get; }

    /// <summary>The answer to a GET (or HEAD) of an <c>oci://</c> channel URL.</summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, OciTransport send, CancellationToken ct)
    {
        if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head)
        {
            return OciResponses.Refusal(HttpStatusCode.MethodNotAllowed, "oci:// channel URLs are read with GET; publishing goes through the push client", request);
        }

        if (OciLayout.Parse(request.RequestUri!) is not { } target)
        {
            return OciResponses.Refusal(HttpStatusCode.NotFound, "not a file of the conda-oci-mirror layout (repodata.json[.zst|.bz2] or a package archive)", request);
        }

        OciCredential? own = OciCredentials.FromBasicHeader(request.Headers.Authorization);
        HttpResponseMessage response = target.Kind == OciTargetKind.Repodata
            ? await RepodataAsync(request, target, own, send, ct).ConfigureAwait(false)
            : await PackageAsync(request, target, own, send, ct).ConfigureAwait(false);
        response.RequestMessage = request;
        return response;
    }

    private async Task<HttpResponseMessage> RepodataAsync(HttpRequestMessage request, OciTarget target, OciCredential? own, OciTransport send, CancellationToken ct)
    {
        var key = (target.Authority.ToLowerInvariant(), target.Repository, target.Tag);
        Memo? memo = _memo.TryGetValue(key, out Memo? m) && DateTimeOffset.UtcNow - m.At < MemoLifetime ? m : null;
        if (target.FileName == "repodata.json")
        {
            _memo.TryRemove(key, out _); // the loader's last fallback: the memo has served its load
        }

        if (memo is null)
        {
            (OciManifest? fetched, HttpResponseMessage? failure) = await GetManifestAsync(target.Authority, target.Repository, target.Tag, own, send, ct).ConfigureAwait(false);
            if (failure is not null)
            {
                if (failure.StatusCode == HttpStatusCode.NotFound && target.FileName != "repodata.json")
                {
                    _memo[key] = new Memo(null, failure.ReasonPhrase, DateTimeOffset.UtcNow);
                }

                return failure;
            }

            memo = new Memo(fetched, null, DateTimeOffset.UtcNow);
        }

        if (memo.Manifest is not { } manifest)
        {
            return OciResponses.Refusal(HttpStatusCode.NotFound, memo.Missing ?? "MANIFEST_UNKNOWN");
        }

        OciDescriptor? layer = target.MediaTypes.Select(manifest.Layer).FirstOrDefault(l => l is not null);
        if (layer is null)
        {
            if (target.FileName != "repodata.json")
            {
                _memo[key] = memo;
            }

            return OciResponses.Refusal(HttpStatusCode.NotFound, $"{target.Repository}:{target.Tag} has no layer of media type {string.Join(" or ", target.MediaTypes)}");
        }

        _memo.TryRemove(key, out _);
        if (request.Headers.IfNoneMatch.Any(t => string.Equals(t.Tag.Trim('"'), layer.Digest, StringComparison.Ordinal)))
        {
            return OciResponses.NotModified(layer.Digest, request);
        }

        HttpResponseMessage blob = await GetBlobAsync(request.Method, target.Authority, target.Repository, layer.Digest, null, own, send, ct).ConfigureAwait(false);
        if (!blob.IsSuccessStatusCode)
        {
            return await DescribeAsync(blob, $"the layer {layer.Digest} of {target.Repository}:{target.Tag}", ct).ConfigureAwait(false);
        }

        // the layer digest plays the ETag; the registry's year-long Cache-Control of a blob must not become the repodata's
        blob.Headers.ETag = new EntityTagHeaderValue($"\"{layer.Digest}\"");
        blob.Headers.CacheControl = null;
        blob.Content.Headers.LastModified = null;
        return blob;
    }

    private async Task<HttpResponseMessage> PackageAsync(HttpRequestMessage request, OciTarget target, OciCredential? own, OciTransport send, CancellationToken ct)
    {
        RangeHeaderValue? range = request.Headers.Range;
        string? blobMissing = null;
        if (request.Options.TryGetValue(ExpectedSha256, out string? sha) && sha is { Length: 64 } && sha.All(Uri.IsHexDigit))
        {
            string digest = "sha256:" + sha.ToLowerInvariant();
            HttpResponseMessage blob = await GetBlobAsync(request.Method, target.Authority, target.Repository, digest, range, own, send, ct).ConfigureAwait(false);
            if (blob.StatusCode != HttpStatusCode.NotFound)
            {
                return blob.IsSuccessStatusCode || (int)blob.StatusCode is 401 or 403 ? blob
                    : await DescribeAsync(blob, $"the blob {digest} of {target.Repository}", ct).ConfigureAwait(false);
            }

            blobMissing = $"{await OciErrors.DescribeAsync(blob, ct).ConfigureAwait(false) ?? "HTTP 404"} ({target.Repository}@{digest})";
            blob.Dispose();
        }

        (OciManifest? manifest, HttpResponseMessage? failure) = await GetManifestAsync(target.Authority, target.Repository, target.Tag, own, send, ct).ConfigureAwait(false);
        if (failure is not null)
        {
            if (blobMissing is not null)
            {
                failure.ReasonPhrase = OciErrors.Clean($"{blobMissing}; {failure.ReasonPhrase}");
            }

            return failure;
        }

        OciDescriptor? layer = manifest!.Layer(target.MediaTypes[0]) ?? manifest.Layers.FirstOrDefault(l => l.Title == target.FileName);
        if (layer is null)
        {
            return OciResponses.Refusal(HttpStatusCode.NotFound,
                $"{(blobMissing is null ? string.Empty : blobMissing + "; ")}{target.Repository}:{target.Tag} has no layer of media type {target.MediaTypes[0]} or titled {target.FileName}");
        }

        HttpResponseMessage found = await GetBlobAsync(request.Method, target.Authority, target.Repository, layer.Digest, range, own, send, ct).ConfigureAwait(false);
        return found.IsSuccessStatusCode || (int)found.StatusCode is 401 or 403 ? found
            : await DescribeAsync(found, $"the layer {layer.Digest} of {target.Repository}:{target.Tag}", ct).ConfigureAwait(false);
    }

    /// <summary>A manifest by tag (or digest), or the failed answer with the registry's codes in its reason.</summary>
    internal async Task<(OciManifest? Manifest, HttpResponseMessage? Failure)> GetManifestAsync(string authority, string repository, string reference,
        OciCredential? own, OciTransport send, CancellationToken ct)
    {
        HttpResponseMessage response = await Authenticator.SendAsync(authority, repository, "pull", b =>
        {
            var r = new HttpRequestMessage(HttpMethod.Get, new Uri(b, $"/v2/{repository}/manifests/{reference}"));
            // without the OCI type distribution answers 404 MANIFEST_UNKNOWN ("OCI manifest found, but accept header does not support OCI manifests")
            r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciLayout.ManifestMediaType));
            r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciLayout.DockerManifestMediaType));
            return r;
        }, own, send, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return (null, (int)response.StatusCode is 401 or 403 ? response : await DescribeAsync(response, $"{repository}:{reference}", ct).ConfigureAwait(false));
        }

        using (response)
        {
            if (response.Content.Headers.ContentLength is > OciManifest.MaxBytes)
            {
                return (null, OciResponses.Refusal(HttpStatusCode.UnprocessableContent, $"the manifest {repository}:{reference} is larger than {OciManifest.MaxBytes} bytes"));
            }

            byte[] body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            try
            {
                return (OciManifest.Parse(body), null);
            }
            catch (InvalidDataException ex)
            {
                return (null, OciResponses.Refusal(HttpStatusCode.UnprocessableContent, $"{repository}:{reference}: {ex.Message}"));
            }
        }
    }

    private Task<HttpResponseMessage> GetBlobAsync(HttpMethod method, string authority, string repository, string digest, RangeHeaderValue? range,
        OciCredential? own, OciTransport send, CancellationToken ct) =>
        Authenticator.SendAsync(authority, repository, "pull", b =>
        {
            var r = new HttpRequestMessage(method, new Uri(b, $"/v2/{repository}/blobs/{digest}"));
            if (range is not null)
            {
                r.Headers.Range = RangeHeaderValue.Parse(range.ToString());
            }

            return r;
        }, own, send, ct);

    /// <summary>An error answer whose reason phrase is the registry's codes (or its own reason) and what was asked for.</summary>
    private static async Task<HttpResponseMessage> DescribeAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        string said = await OciErrors.DescribeAsync(response, ct).ConfigureAwait(false) ?? response.ReasonPhrase ?? response.StatusCode.ToString();
        response.ReasonPhrase = OciErrors.Clean($"{said} ({what})");
        return response;
    }

    private sealed record Memo(OciManifest? Manifest, string? Missing, DateTimeOffset At);
}
