using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using EnvTools.Conda;
using EnvTools.IO;

namespace EnvTools.Fetch.Oci;

/// <summary>What to push as one layer: a file or bytes, with its media type and title (the file name readers see).</summary>
/// <param name="MediaType">The layer's media type.</param>
/// <param name="Title">The <c>org.opencontainers.image.title</c> annotation.</param>
/// <param name="FilePath">The file to upload, or null when <paramref name="Bytes"/> are given.</param>
/// <param name="Bytes">The bytes to upload, or null when <paramref name="FilePath"/> is given.</param>
internal sealed record OciLayerSource(string MediaType, string Title, string? FilePath = null, byte[]? Bytes = null)
{
    /// <summary>The sha256 digest and length of the content.</summary>
    internal (string Digest, long Size) Measure()
    {
        if (Bytes is not null)
        {
            return ("sha256:" + Checksums.HexOf(HashAlgorithmName.SHA256, Bytes), Bytes.LongLength);
        }

        using FileStream s = File.OpenRead(FilePath!);
        return ("sha256:" + Checksums.HexOf(HashAlgorithmName.SHA256, s), s.Length);
    }

    /// <summary>A fresh body for one upload try.</summary>
    internal HttpContent Content() => Bytes is not null
        ? new ByteArrayContent(Bytes)
        : new StreamContent(new FileStream(FilePath!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan), 1 << 16);
}

/// <summary>One blob of a push: its descriptor and whether it was uploaded (false: the registry had it already).</summary>
internal sealed record OciPushedBlob(OciDescriptor Descriptor, bool Uploaded);

/// <summary>What one artifact push did: the manifest's digest, the tags set, and each blob (config first).</summary>
internal sealed record OciPushResult(string Repository, IReadOnlyList<string> Tags, string ManifestDigest, IReadOnlyList<OciPushedBlob> Blobs)
{
    /// <summary>The bytes uploaded (blobs the registry had are not counted).</summary>
    public long BytesUploaded => Blobs.Where(b => b.Uploaded).Sum(b => b.Descriptor.Size);
}

/// <summary>
/// Writes to the OCI registry of one <c>oci://HOST[:PORT]/NAMESPACE/CHANNEL</c> channel through the distribution API, with
/// the same authentication as reading (push scope: <c>pull,push</c>), over the same HTTP pipeline (retries, time-outs,
/// <c>ssl_verify</c>, proxies, <c>oci_insecure_registries</c>):
/// <list type="bullet">
/// <item>blobs: <c>HEAD /v2/REPO/blobs/DIGEST</c> skips what exists; otherwise a monolithic upload, <c>POST /v2/REPO/blobs/uploads/</c>
/// then <c>PUT &lt;Location&gt;?digest=DIGEST</c> with the whole body (201);</item>
/// <item>manifests: <c>PUT /v2/REPO/manifests/TAG</c> with an OCI image manifest whose config is the empty descriptor
/// (<c>application/vnd.oci.empty.v1+json</c>, <c>{}</c>) and whose layers carry the conda media types.</item>
/// </list>
/// <see cref="PushPackageAsync"/> and <see cref="PushRepodataAsync"/> lay a channel out as conda-oci-mirror does
/// (<see cref="OciLayout"/>), so rattler, mamba and EnvTools read it. Failures are <see cref="OciRegistryException"/>s.
/// Each request must finish within <c>remote_read_timeout_secs</c>, uploads included.
/// </summary>
internal sealed class OciPushClient
{
    private const string Actions = "pull,push";
    private static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    private readonly OciAuthenticator _auth;
    private readonly HttpClient _client;

    /// <summary>A client for the registry of <paramref name="channel"/> (an <c>oci://</c> channel URL).</summary>
    /// <exception cref="ArgumentException">The URL is not <c>oci://HOST/NAMESPACE/CHANNEL</c>.</exception>
    internal OciPushClient(Uri channel, HttpFetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(options);
        if (!OciLayout.IsOci(channel) || OciLayout.ChannelPath(channel).Length == 0)
        {
            throw new ArgumentException($"'{Conda.UrlRedaction.Redact(channel.ToString())}' is not an oci://HOST/NAMESPACE/CHANNEL URL", nameof(channel));
        }

        Authority = channel.Authority;
        ChannelPath = OciLayout.ChannelPath(channel);
        _auth = new OciAuthenticator(options);
        _client = EnvHttpClients.Create(options);
        OwnCredential = channel.UserInfo.Length > 0 && channel.UserInfo.Split(':', 2) is [var user, var password]
            ? new OciCredential(Uri.UnescapeDataString(user), Uri.UnescapeDataString(password), "the channel URL")
            : null;
    }

    /// <summary>The registry, <c>HOST[:PORT]</c>.</summary>
    internal string Authority { get; }

    /// <summary>The channel's path in the registry (<c>NAMESPACE/CHANNEL</c>).</summary>
    internal string ChannelPath { get; }

    private OciCredential? OwnCredential { get; }

    /// <summary>Pushes a package archive as <c>CHANNEL/SUBDIR/NAME:VERSION-BUILD</c> (one layer: the archive, whose digest is its sha256).</summary>
    /// <exception cref="OciRegistryException">The registry refused, or the name or version cannot be a repository or tag.</exception>
    internal Task<OciPushResult> PushPackageAsync(string subdir, string archivePath, CancellationToken ct = default)
    {
        string file = Path.GetFileName(archivePath);
        if (ArchiveName.Split(file) is not (string name, string version, string build) || OciLayout.PackageMediaType(file) is not { } mediaType)
        {
            throw new OciRegistryException(Authority, $"{ChannelPath}/{subdir}", $"'{file}' is not a package archive (NAME-VERSION-BUILD.conda or .tar.bz2).");
        }

        return PushArtifactAsync(OciLayout.PackageRepositoryOf(ChannelPath, subdir, name), new[] { OciLayout.PackageTag(version, build) },
            new[] { new OciLayerSource(mediaType, file, FilePath: archivePath) }, ct);
    }

    /// <summary>
    /// Pushes a subdir's repodata as <c>CHANNEL/SUBDIR/repodata.json</c>, tagged <c>latest</c> and <paramref name="extraTags"/>: a
    /// JSON layer and a zstd layer. Push it after the packages it names, so that readers never see records without archives.
    /// </summary>
    /// <exception cref="OciRegistryException">The registry refused.</exception>
    internal Task<OciPushResult> PushRepodataAsync(string subdir, byte[] repodataJson, IReadOnlyList<string>? extraTags = null, CancellationToken ct = default)
    {
        byte[] zst;
        using (var compressor = new ZstdSharp.Compressor(12))
        {
            zst = compressor.Wrap(repodataJson).ToArray();
        }

        var tags = new List<string> { OciLayout.RepodataTag };
        tags.AddRange(extraTags ?? Array.Empty<string>());
        return PushArtifactAsync(OciLayout.RepodataRepositoryOf(ChannelPath, subdir), tags, new[]
        {
            new OciLayerSource(OciLayout.RepodataJson, "repodata.json", Bytes: repodataJson),
            new OciLayerSource(OciLayout.RepodataZst, "repodata.json.zst", Bytes: zst),
        }, ct);
    }

    /// <summary>Pushes the layers (and the empty config) to <paramref name="repository"/>, then the manifest under each tag.</summary>
    /// <exception cref="OciRegistryException">The registry refused, or a repository or tag name is not valid.</exception>
    internal async Task<OciPushResult> PushArtifactAsync(string repository, IReadOnlyList<string> tags, IReadOnlyList<OciLayerSource> layers, CancellationToken ct = default)
    {
        CheckNames(repository, tags);
        var blobs = new List<OciPushedBlob> { await PushBlobAsync(repository, new OciLayerSource(OciLayout.EmptyConfigMediaType, string.Empty, Bytes: EmptyConfig), ct).ConfigureAwait(false) };
        foreach (OciLayerSource layer in layers)
        {
            blobs.Add(await PushBlobAsync(repository, layer, ct).ConfigureAwait(false));
        }

        OciDescriptor config = blobs[0].Descriptor with { Title = null };
        var manifest = new OciManifest(config, blobs.Skip(1).Select(b => b.Descriptor).ToArray());
        string digest = string.Empty;
        foreach (string tag in tags)
        {
            digest = await PushManifestAsync(repository, tag, manifest, ct).ConfigureAwait(false);
        }

        return new OciPushResult(repository, tags, digest, blobs);
    }

    /// <summary>Whether the registry has the blob in the repository (<c>HEAD</c>: 200 yes, 404 no).</summary>
    /// <exception cref="OciRegistryException">Any other answer.</exception>
    internal async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken ct = default)
    {
        using HttpResponseMessage response = await SendAsync(repository, b => new HttpRequestMessage(HttpMethod.Head, new Uri(b, $"/v2/{repository}/blobs/{digest}")), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        return response.IsSuccessStatusCode ? true : throw await FailedAsync(response, repository, $"HEAD of blob {digest}", ct).ConfigureAwait(false);
    }

    /// <summary>Uploads one blob unless the registry has it (monolithic: POST for a session, PUT of the whole body with its digest).</summary>
    /// <exception cref="OciRegistryException">The registry refused.</exception>
    internal async Task<OciPushedBlob> PushBlobAsync(string repository, OciLayerSource source, CancellationToken ct = default)
    {
        (string digest, long size) = source.Measure();
        var descriptor = new OciDescriptor(source.MediaType, digest, size, source.Title.Length == 0 ? null : source.Title);
        if (await BlobExistsAsync(repository, digest, ct).ConfigureAwait(false))
        {
            return new OciPushedBlob(descriptor, false);
        }

        Uri location;
        using (HttpResponseMessage started = await SendAsync(repository, b => new HttpRequestMessage(HttpMethod.Post, new Uri(b, $"/v2/{repository}/blobs/uploads/")), ct).ConfigureAwait(false))
        {
            if (started.StatusCode != HttpStatusCode.Accepted || started.Headers.Location is not { } loc)
            {
                throw await FailedAsync(started, repository, $"starting the upload of {digest}", ct).ConfigureAwait(false);
            }

            location = loc.IsAbsoluteUri ? loc : new Uri(started.RequestMessage!.RequestUri!, loc);
        }

        string separator = location.Query.Length > 0 ? "&" : "?";
        var put = new Uri($"{location.AbsoluteUri}{separator}digest={Uri.EscapeDataString(digest)}");
        using HttpResponseMessage done = await SendAsync(repository, _ =>
        {
            var r = new HttpRequestMessage(HttpMethod.Put, put) { Content = source.Content() };
            r.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            r.Content.Headers.ContentLength = size;
            return r;
        }, ct).ConfigureAwait(false);
        done.RequestMessage?.Content?.Dispose();
        if (done.StatusCode != HttpStatusCode.Created)
        {
            throw await FailedAsync(done, repository, $"uploading {digest} ({size} bytes)", ct).ConfigureAwait(false);
        }

        return new OciPushedBlob(descriptor, true);
    }

    /// <summary>Puts the manifest under <paramref name="tag"/>; returns its digest.</summary>
    /// <exception cref="OciRegistryException">The registry refused (a layer it does not have: <c>MANIFEST_BLOB_UNKNOWN</c>).</exception>
    internal async Task<string> PushManifestAsync(string repository, string tag, OciManifest manifest, CancellationToken ct = default)
    {
        CheckNames(repository, new[] { tag });
        byte[] json = manifest.ToJson();
        using HttpResponseMessage response = await SendAsync(repository, b =>
        {
            var r = new HttpRequestMessage(HttpMethod.Put, new Uri(b, $"/v2/{repository}/manifests/{tag}")) { Content = new ByteArrayContent(json) };
            r.Content.Headers.ContentType = new MediaTypeHeaderValue(OciLayout.ManifestMediaType);
            return r;
        }, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await FailedAsync(response, repository, $"putting the manifest {repository}:{tag}", ct).ConfigureAwait(false);
        }

        return response.Headers.TryGetValues("Docker-Content-Digest", out IEnumerable<string>? d) && d.FirstOrDefault() is { } digest && OciLayout.IsValidDigest(digest)
            ? digest
            : "sha256:" + Checksums.HexOf(HashAlgorithmName.SHA256, json);
    }

    /// <summary>The manifest under <paramref name="reference"/> (a tag or digest), or null when the registry has none (404).</summary>
    /// <exception cref="OciRegistryException">Any other answer, or a manifest that cannot be read.</exception>
    internal async Task<OciManifest?> GetManifestAsync(string repository, string reference, CancellationToken ct = default)
    {
        using HttpResponseMessage response = await SendAsync(repository, b =>
        {
            var r = new HttpRequestMessage(HttpMethod.Get, new Uri(b, $"/v2/{repository}/manifests/{reference}"));
            r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciLayout.ManifestMediaType));
            r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciLayout.DockerManifestMediaType));
            return r;
        }, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await FailedAsync(response, repository, $"reading the manifest {repository}:{reference}", ct).ConfigureAwait(false);
        }

        byte[] body = await ReadLimitedAsync(response, repository, OciManifest.MaxBytes, ct).ConfigureAwait(false);
        try
        {
            return OciManifest.Parse(body);
        }
        catch (InvalidDataException ex)
        {
            throw new OciRegistryException(Authority, repository, $"The manifest {repository}:{reference} of {Authority} cannot be read: {ex.Message}", (int)response.StatusCode, null, ex);
        }
    }

    /// <summary>The bytes of a blob (at most <paramref name="maxBytes"/>), checked against its digest.</summary>
    /// <exception cref="OciRegistryException">Refused, missing, too large, or not the digest's bytes.</exception>
    internal async Task<byte[]> GetBlobAsync(string repository, OciDescriptor blob, long maxBytes, CancellationToken ct = default)
    {
        using HttpResponseMessage response = await SendAsync(repository, b => new HttpRequestMessage(HttpMethod.Get, new Uri(b, $"/v2/{repository}/blobs/{blob.Digest}")), ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailedAsync(response, repository, $"reading the blob {blob.Digest}", ct).ConfigureAwait(false);
        }

        byte[] body = await ReadLimitedAsync(response, repository, maxBytes, ct).ConfigureAwait(false);
        string digest = "sha256:" + Checksums.HexOf(HashAlgorithmName.SHA256, body);
        return string.Equals(digest, blob.Digest, StringComparison.Ordinal) ? body
            : throw new OciRegistryException(Authority, repository, $"The blob {blob.Digest} of {repository} on {Authority} has the digest {digest}.", (int)response.StatusCode);
    }

    private async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, string repository, long maxBytes, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw new OciRegistryException(Authority, repository, $"An answer of {Authority} for {repository} is larger than {maxBytes} bytes.", (int)response.StatusCode);
        }

        try
        {
            byte[] body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            return body.LongLength <= maxBytes ? body
                : throw new OciRegistryException(Authority, repository, $"An answer of {Authority} for {repository} is larger than {maxBytes} bytes.", (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new OciRegistryException(Authority, repository, $"Cannot read an answer of {Authority} for {repository}: {Conda.UrlRedaction.Redact(ex.Message)}", null, null, ex);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string repository, Func<Uri, HttpRequestMessage> create, CancellationToken ct)
    {
        try
        {
            return await _auth.SendAsync(Authority, repository, Actions, create, OwnCredential,
                (r, c) => _client.SendAsync(r, HttpCompletionOption.ResponseHeadersRead, c), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new OciRegistryException(Authority, repository,
                $"Cannot reach the registry {Authority} for {repository}: {Conda.UrlRedaction.Redact(ex.Message)}", null, null, ex);
        }
    }

    private async Task<OciRegistryException> FailedAsync(HttpResponseMessage response, string repository, string what, CancellationToken ct)
    {
        int code = (int)response.StatusCode;
        string said = code is 401 or 403
            ? response.ReasonPhrase ?? response.StatusCode.ToString() // the authenticator's description
            : await OciErrors.DescribeAsync(response, ct).ConfigureAwait(false) ?? response.ReasonPhrase ?? response.StatusCode.ToString();
        return new OciRegistryException(Authority, repository, $"The registry {Authority} refused {what}: HTTP {code} ({said}).", code, OciErrors.FirstCode(said));
    }

    private void CheckNames(string repository, IEnumerable<string> tags)
    {
        if (!OciLayout.IsValidRepository(repository))
        {
            throw new OciRegistryException(Authority, repository, $"'{repository}' cannot be a repository name (lower-case letters, digits and . _ - separators, joined by /).");
        }

        foreach (string tag in tags.Where(t => !OciLayout.IsValidTag(t)))
        {
            throw new OciRegistryException(Authority, repository, $"'{tag}' cannot be a tag of {repository} (letters, digits, . _ -, at most 128 characters).");
        }
    }
}
