using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;

namespace EnvTools.Fetch.S3;

/// <summary>
/// The handler of <c>s3://BUCKET/KEY</c> requests, inside the retry policy so that every try is signed afresh: rewrites the
/// URL to the bucket's endpoint (<see cref="S3Settings.Endpoint"/>, path-style or virtual-host), sets
/// <c>x-amz-content-sha256</c> (<see cref="PayloadHash"/>, the empty body's hash, or <c>UNSIGNED-PAYLOAD</c>),
/// <c>x-amz-date</c>, <c>x-amz-security-token</c> and a SigV4 <c>Authorization</c> (no credentials: the request goes
/// unsigned), drops <c>If-Modified-Since</c> beside <c>If-None-Match</c> (the ETag decides), and records the S3 error of a failed response (<c>&lt;Code&gt;</c> and <c>&lt;Message&gt;</c> only, as a
/// <see cref="ServerError"/>: the body's <c>StringToSign</c>, <c>SignatureProvided</c> and key id are never kept).
/// Other schemes pass through untouched.
/// </summary>
internal sealed class S3SigningHandler : DelegatingHandler
{
    internal const string Scheme = "s3";

    /// <summary>The payload's lower-case hex SHA-256, set by a caller that sends a body it knows the hash of.</summary>
    internal static readonly HttpRequestOptionsKey<string> PayloadHash = new("EnvTools.S3PayloadHash");

    /// <summary>The request's <c>s3://</c> URL, kept across tries (the first try rewrites <see cref="HttpRequestMessage.RequestUri"/>).</summary>
    private static readonly HttpRequestOptionsKey<Uri> S3Url = new("EnvTools.S3Url");

    private const int MaxErrorBody = 64 * 1024;

    private readonly S3Settings _settings;

    internal S3SigningHandler(S3Settings settings) => _settings = settings;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Uri? s3 = request.Options.TryGetValue(S3Url, out Uri? kept) ? kept
            : request.RequestUri is { Scheme: Scheme } u ? u : null;
        if (s3 is null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        request.Options.Set(S3Url, s3);
        ((IDictionary<string, object?>)request.Options).Remove(ServerError.Key.Key);
        (string bucket, string key, IReadOnlyList<KeyValuePair<string, string>> query) = Parse(s3);
        S3Endpoint endpoint = _settings.Endpoint(bucket);
        (Uri url, string canonicalPath) = endpoint.Address(bucket, key, string.Join('&',
            query.Select(p => $"{SigV4Signer.UriEncode(p.Key, true)}={SigV4Signer.UriEncode(p.Value, true)}")));
        request.RequestUri = url;
        if (request.Headers.IfNoneMatch.Count > 0)
        {
            // the ETag decides: Swift's s3api answers 304 to a stale If-None-Match when If-Modified-Since also holds, and
            // Last-Modified counts whole seconds, so a change within the second of the cached copy would go unseen
            request.Headers.IfModifiedSince = null;
        }

        AwsCredentials? credentials = _settings.Credentials;
        Sign(request, credentials, endpoint.Region, canonicalPath, query, DateTimeOffset.UtcNow);

        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if ((int)response.StatusCode >= 400)
        {
            await RecordErrorAsync(request, response, credentials, bucket, endpoint, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>The bucket, the key (decoded) and the query (decoded pairs) of an <c>s3://</c> URL.</summary>
    internal static (string Bucket, string Key, IReadOnlyList<KeyValuePair<string, string>> Query) Parse(Uri s3)
    {
        string key = Uri.UnescapeDataString(s3.AbsolutePath.TrimStart('/'));
        var query = new List<KeyValuePair<string, string>>();
        foreach (string part in s3.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            query.Add(eq < 0
                ? new(Uri.UnescapeDataString(part), string.Empty)
                : new(Uri.UnescapeDataString(part[..eq]), Uri.UnescapeDataString(part[(eq + 1)..])));
        }

        return (s3.Host, key, query);
    }

    /// <summary>Sets the <c>x-amz-*</c> headers and, with credentials, the <c>Authorization</c> of one try.</summary>
    internal static void Sign(HttpRequestMessage request, AwsCredentials? credentials, string region, string canonicalPath,
        IReadOnlyList<KeyValuePair<string, string>> query, DateTimeOffset now)
    {
        foreach (string h in new[] { "x-amz-date", "x-amz-content-sha256", "x-amz-security-token" })
        {
            request.Headers.Remove(h);
        }

        request.Headers.Authorization = null;
        if (credentials is null)
        {
            return;
        }

        string payload = request.Content is null ? SigV4Signer.EmptyPayloadHash
            : request.Options.TryGetValue(PayloadHash, out string? hash) && hash is { Length: 64 } ? hash : SigV4Signer.UnsignedPayload;
        string amzDate = SigV4Signer.AmzDate(now);
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payload);
        if (credentials.SessionToken is { } token)
        {
            request.Headers.TryAddWithoutValidation("x-amz-security-token", token);
        }

        var signed = new List<KeyValuePair<string, string>> { new("host", request.RequestUri!.Authority) };
        foreach (KeyValuePair<string, IEnumerable<string>> h in request.Headers)
        {
            if (h.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) || string.Equals(h.Key, "Range", StringComparison.OrdinalIgnoreCase))
            {
                signed.AddRange(h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v)));
            }
        }

        SigV4Signature signature = SigV4Signer.Sign(new SigV4Request(request.Method.Method, canonicalPath, query, signed, payload), credentials, region, "s3", now);
        request.Headers.Authorization = new AuthenticationHeaderValue(SigV4Signer.Algorithm, signature.Authorization[(SigV4Signer.Algorithm.Length + 1)..]);
    }

    /// <summary>Reads the S3 error document of a failed response (at most 64 KiB, put back for later readers) into a <see cref="ServerError"/> on the request.</summary>
    private async Task RecordErrorAsync(HttpRequestMessage request, HttpResponseMessage response, AwsCredentials? credentials, string bucket,
        S3Endpoint endpoint, CancellationToken cancellationToken)
    {
        (string? code, string? message) = (null, null);
        if (request.Method != HttpMethod.Head)
        {
            byte[] body = await ReadSomeAsync(response.Content, cancellationToken).ConfigureAwait(false);
            var replaced = new ByteArrayContent(body);
            foreach (KeyValuePair<string, IEnumerable<string>> h in response.Content.Headers)
            {
                if (!string.Equals(h.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    replaced.Headers.TryAddWithoutValidation(h.Key, h.Value);
                }
            }

            response.Content.Dispose();
            response.Content = replaced;
            (code, message) = ParseError(body);
        }

        code ??= response.StatusCode switch
        {
            HttpStatusCode.NotFound => "NotFound",
            HttpStatusCode.Forbidden => "Forbidden",
            HttpStatusCode.Unauthorized => "Unauthorized",
            _ => null,
        };
        bool refused = response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized ||
            (response.StatusCode == HttpStatusCode.BadRequest && credentials is null); // Swift answers an unsigned request 400 (HTML)
        if (code is null && !refused)
        {
            return;
        }

        if (message is not null && credentials is not null && credentials.Leaks(message))
        {
            message = message.Replace(credentials.SecretAccessKey, "***", StringComparison.Ordinal);
            message = credentials.SessionToken is { } t ? message.Replace(t, "***", StringComparison.Ordinal) : message;
        }

        string? hint = refused
            ? credentials is null
                ? "the request was not signed: no AWS credentials were found (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the static keys of AWS_PROFILE in ~/.aws/credentials)"
                : $"the request was signed with the credentials of {_settings.CredentialsSource} for region '{endpoint.Region}'"
            : code == "NoSuchBucket" ? $"no bucket '{bucket}' at {endpoint.Endpoint.GetLeftPart(UriPartial.Authority)}" : null;
        request.Options.Set(ServerError.Key, new ServerError(code, message, hint));
    }

    private static async Task<byte[]> ReadSomeAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxErrorBody];
        int total = 0;
        int n;
        while (total < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += n;
        }

        return buffer[..total];
    }

    /// <summary>The <c>Code</c> and <c>Message</c> of an S3 error document (<c>&lt;Error&gt;…&lt;/Error&gt;</c>), or nulls.</summary>
    internal static (string? Code, string? Message) ParseError(byte[] body)
    {
        if (body.Length == 0)
        {
            return (null, null);
        }

        string? code = null;
        string? message = null;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxErrorBody * 2 };
            using var reader = XmlReader.Create(new MemoryStream(body), settings);
            reader.MoveToContent();
            if (reader.LocalName != "Error")
            {
                return (null, null);
            }

            reader.Read();
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1 && reader.LocalName is "Code" or "Message")
                {
                    string name = reader.LocalName;
                    string text = Clean(reader.ReadElementContentAsString()); // leaves the reader on the next node
                    (code, message) = name == "Code" ? (text, message) : (code, text);
                    continue;
                }

                reader.Read();
            }
        }
        catch (XmlException)
        {
            // not an S3 error document (a proxy's HTML page): the status tells what is known
        }

        return (string.IsNullOrEmpty(code) ? null : code, string.IsNullOrEmpty(message) ? null : message);
    }

    private static string Clean(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, 300));
        foreach (char c in text.Trim())
        {
            if (sb.Length == 300)
            {
                sb.Append('…');
                break;
            }

            sb.Append(char.IsControl(c) ? ' ' : c);
        }

        return sb.ToString();
    }
}
