using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EnvTools.Config;
using EnvTools.Conda;

namespace EnvTools.Fetch.S3;

/// <summary>What S3 said about one object (HEAD, or the answer to a PUT): its size, ETag and time of change, as far as given.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Key">The key.</param>
/// <param name="Size">The object's size in bytes (HEAD), or null.</param>
/// <param name="ETag">The ETag, quotes included (the MD5 of a single-part upload), or null.</param>
/// <param name="LastModified">When it was written (HEAD), or null.</param>
internal sealed record S3ObjectInfo(string Bucket, string Key, long? Size, string? ETag, DateTimeOffset? LastModified);

/// <summary>An S3 request failed: the status, the server's error code (<c>AccessDenied</c>, <c>NoSuchBucket</c> …) and message; no secret.</summary>
public sealed class S3RequestException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public S3RequestException(string bucket, string key, string message, int? statusCode = null, string? serverCode = null, Exception? inner = null)
        : base("S3RequestFailed", statusCode == 404 ? ErrorKind.ObjectNotFound : ErrorKind.ResourceUnavailable, message, $"s3://{bucket}/{key}", inner)
    {
        Bucket = bucket;
        Key = key;
        StatusCode = statusCode;
        ServerCode = serverCode;
    }

    /// <summary>The bucket.</summary>
    public string Bucket { get; }

    /// <summary>The key (empty for the bucket itself).</summary>
    public string Key { get; }

    /// <summary>The HTTP status of the answer, or null when there was none.</summary>
    public int? StatusCode { get; }

    /// <summary>The server's error code, where it gave one.</summary>
    public string? ServerCode { get; }
}

/// <summary>
/// The S3 operations a publisher needs, on the same HTTP client as the channel reads (retries, time-outs, proxies,
/// <c>ssl_verify</c>, and <see cref="S3SigningHandler"/> signing every try): HEAD and PUT of an object (the payload's
/// SHA-256 signed when known, else <c>UNSIGNED-PAYLOAD</c>; a file is re-read for each try), and creating a bucket.
/// Plain PUTs only: no conditional PUT (Swift's s3api answers 501 to <c>If-None-Match: *</c>); a caller that must not
/// overwrite asks HEAD first.
/// </summary>
internal sealed class S3Client
{
    private readonly HttpClient _client;
    private readonly HttpFetchOptions _options;

    internal S3Client(HttpFetchOptions options)
    {
        _options = options;
        _client = EnvHttpClients.Create(options);
    }

    /// <summary>A client for <paramref name="settings"/> (<c>s3_options</c>, the AWS variables and files, the connection keys).</summary>
    /// <exception cref="InvalidConfigurationException">Unusable <c>proxy_servers</c> or <c>ssl_verify</c> CA bundle.</exception>
    internal static S3Client From(Settings settings) => new(HttpFetchOptions.FromValidated(settings));

    /// <summary>The <c>s3://</c> URL of a key (encoded once).</summary>
    internal static Uri ObjectUrl(string bucket, string key) => new($"{S3SigningHandler.Scheme}://{bucket}/{SigV4Signer.EncodePath(key)}");

    /// <summary>The object's size and ETag, or null when there is no such key.</summary>
    /// <exception cref="S3RequestException">Refused, or the server kept failing.</exception>
    internal async Task<S3ObjectInfo?> HeadObjectAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, ObjectUrl(bucket, key));
        using HttpResponseMessage response = await SendAsync(request, bucket, key, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        EnsureSuccess(response, "HEAD", bucket, key);
        return new S3ObjectInfo(bucket, key, response.Content.Headers.ContentLength, response.Headers.ETag?.ToString(), response.Content.Headers.LastModified);
    }

    /// <summary>The object's bytes, or null when there is no such key.</summary>
    /// <exception cref="S3RequestException">Refused, or the server kept failing.</exception>
    internal async Task<byte[]?> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ObjectUrl(bucket, key));
        using HttpResponseMessage response = await SendAsync(request, bucket, key, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        EnsureSuccess(response, "GET", bucket, key);
        try
        {
            return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new S3RequestException(bucket, key, $"GET s3://{bucket}/{key} failed while the body was read: {UrlRedaction.Redact(ex.Message)}", null, null, ex);
        }
    }

    /// <summary>Writes <paramref name="body"/> to the key (replacing what is there), its SHA-256 signed.</summary>
    /// <exception cref="S3RequestException">Refused, or the server kept failing.</exception>
    internal Task<S3ObjectInfo> PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> body, string? contentType = null, CancellationToken cancellationToken = default)
    {
        var content = new ReadOnlyMemoryContent(body);
        return PutAsync(bucket, key, content, SigV4Signer.Sha256Hex(body.Span), contentType, cancellationToken);
    }

    /// <summary>Writes the file to the key (replacing what is there), read afresh for every try; <paramref name="sha256"/> (hex),
    /// when the caller knows it, is signed, else the payload goes as <c>UNSIGNED-PAYLOAD</c>.</summary>
    /// <exception cref="S3RequestException">Refused, or the server kept failing.</exception>
    internal Task<S3ObjectInfo> PutFileAsync(string bucket, string key, string path, string? sha256 = null, string? contentType = null,
        CancellationToken cancellationToken = default) =>
        PutAsync(bucket, key, new FileContent(path), sha256?.ToLowerInvariant(), contentType, cancellationToken);

    /// <summary>Creates the bucket; one that exists and is the caller's already is fine (S3 <c>BucketAlreadyOwnedByYou</c>).</summary>
    /// <exception cref="S3RequestException">Refused (<c>BucketAlreadyExists</c> for another owner's bucket …).</exception>
    internal async Task CreateBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        string region = _options.S3.Endpoint(bucket).Region;
        using var request = new HttpRequestMessage(HttpMethod.Put, ObjectUrl(bucket, string.Empty));
        if (region != S3Settings.DefaultRegion)
        {
            byte[] body = Encoding.UTF8.GetBytes(
                $"<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>");
            request.Content = new ByteArrayContent(body);
            request.Options.Set(S3SigningHandler.PayloadHash, SigV4Signer.Sha256Hex(body));
        }

        using HttpResponseMessage response = await SendAsync(request, bucket, string.Empty, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict && ServerError.Of(response) is { Code: "BucketAlreadyOwnedByYou" })
        {
            return;
        }

        EnsureSuccess(response, "PUT", bucket, string.Empty);
    }

    private async Task<S3ObjectInfo> PutAsync(string bucket, string key, HttpContent content, string? sha256, string? contentType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, ObjectUrl(bucket, key)) { Content = content };
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/octet-stream");
        if (sha256 is { Length: 64 })
        {
            request.Options.Set(S3SigningHandler.PayloadHash, sha256);
        }

        using HttpResponseMessage response = await SendAsync(request, bucket, key, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, "PUT", bucket, key);
        return new S3ObjectInfo(bucket, key, null, response.Headers.ETag?.ToString(), null);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException ||
            (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new S3RequestException(bucket, key,
                $"{request.Method} s3://{bucket}/{key} failed{Retries()}: {UrlRedaction.Redact(ex.Message)}", null, null, ex);
        }
    }

    private void EnsureSuccess(HttpResponseMessage response, string method, string bucket, string key)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        int code = (int)response.StatusCode;
        bool retried = code >= 500 || code is 408 or 429;
        ServerError? error = ServerError.Of(response);
        throw new S3RequestException(bucket, key,
            $"{method} s3://{bucket}/{key} answered HTTP {code.ToString(CultureInfo.InvariantCulture)} ({response.ReasonPhrase ?? response.StatusCode.ToString()})" +
            (retried ? Retries() : string.Empty) + (error is null ? string.Empty : ": " + error) + ".", code, error?.Code);
    }

    private string Retries() => _options.MaxRetries == 0 ? string.Empty : $" after {_options.MaxRetries} {(_options.MaxRetries == 1 ? "retry" : "retries")}";

    /// <summary>A file as a request body, opened anew each time it is sent (so a retried PUT sends it whole again).</summary>
    private sealed class FileContent : HttpContent
    {
        private readonly string _path;

        internal FileContent(string path) => _path = path;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await file.CopyToAsync(stream).ConfigureAwait(false);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = new FileInfo(_path).Length;
            return true;
        }
    }
}
