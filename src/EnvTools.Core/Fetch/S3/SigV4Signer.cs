using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EnvTools.Fetch.S3;

/// <summary>
/// AWS credentials: an access key id, its secret key and, for temporary credentials, a session token (sent as
/// <c>x-amz-security-token</c>). Secret: <see cref="ToString"/> shows none of it; use <see cref="Fingerprint"/> to tell
/// two sets apart.
/// </summary>
internal sealed class AwsCredentials
{
    internal AwsCredentials(string accessKeyId, string secretAccessKey, string? sessionToken = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
    }

    internal string AccessKeyId { get; }

    internal string SecretAccessKey { get; }

    internal string? SessionToken { get; }

    /// <summary>A SHA-256 of the three values (hex): equal for equal credentials, and no way back to them.</summary>
    internal string Fingerprint =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{AccessKeyId}\n{SecretAccessKey}\n{SessionToken}"))).ToLowerInvariant();

    /// <summary>Whether <paramref name="text"/> contains any of the secret values (the secret key, the session token).</summary>
    internal bool Leaks(string text) =>
        text.Contains(SecretAccessKey, StringComparison.Ordinal) || (SessionToken is not null && text.Contains(SessionToken, StringComparison.Ordinal));

    /// <inheritdoc />
    public override string ToString() => "AwsCredentials(***)";
}

/// <summary>
/// The parts of a request that Signature Version 4 covers. <paramref name="CanonicalPath"/> is the path as sent, each
/// segment URI-encoded once (<see cref="SigV4Signer.EncodePath"/>); <paramref name="Query"/> holds decoded names and
/// values; <paramref name="Headers"/> are the headers to sign (host and <c>x-amz-date</c> among them), in the order sent,
/// a name given several times for several values; <paramref name="PayloadHash"/> is the body's lower-case hex SHA-256,
/// or <c>UNSIGNED-PAYLOAD</c>.
/// </summary>
internal sealed record SigV4Request(
    string Method,
    string CanonicalPath,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string PayloadHash);

/// <summary>A signature and the intermediate texts it was made from (the texts hold no secret).</summary>
internal readonly record struct SigV4Signature(string CanonicalRequest, string StringToSign, string SignedHeaders, string Signature, string Authorization);

/// <summary>
/// AWS Signature Version 4 in the <c>Authorization</c> header (<c>AWS4-HMAC-SHA256</c>) on the BCL's HMAC-SHA256 and
/// SHA-256: the canonical request (method, path, sorted query, sorted lower-case headers with trimmed values, the
/// signed header list, the payload hash), the string to sign over its hash and the credential scope
/// (<c>date/region/service/aws4_request</c>), and the signature with the key derived from the secret through the date,
/// region and service. Paths are encoded once and not normalised, as S3 wants.
/// </summary>
internal static class SigV4Signer
{
    internal const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The SHA-256 of no bytes (the payload hash of a request without a body).</summary>
    internal const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>The payload hash that leaves the body out of the signature (S3 only).</summary>
    internal const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>The <c>x-amz-date</c> form of a time: <c>yyyyMMddTHHmmssZ</c> in UTC.</summary>
    internal static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Signs <paramref name="request"/> made at <paramref name="time"/> (which its <c>x-amz-date</c> header must state).</summary>
    internal static SigV4Signature Sign(SigV4Request request, AwsCredentials credentials, string region, string service, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        string amzDate = AmzDate(time);
        string date = amzDate[..8];
        string scope = $"{date}/{region}/{service}/aws4_request";
        string canonical = CanonicalRequest(request, out string signedHeaders);
        string stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        byte[] key = SigningKey(credentials.SecretAccessKey, date, region, service);
        string signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        string authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Signature(canonical, stringToSign, signedHeaders, signature, authorization);
    }

    /// <summary>The canonical request, and the <c>;</c>-joined lower-case names of the signed headers.</summary>
    internal static string CanonicalRequest(SigV4Request request, out string signedHeaders)
    {
        var headers = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> h in request.Headers)
        {
            string name = h.Key.Trim().ToLowerInvariant();
            if (!headers.TryGetValue(name, out List<string>? values))
            {
                headers[name] = values = new List<string>();
            }

            values.Add(CollapseSpaces(h.Value));
        }

        string query = string.Join('&', request.Query
            .Select(p => (Name: UriEncode(p.Key, encodeSlash: true), Value: UriEncode(p.Value, encodeSlash: true)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
        var sb = new StringBuilder();
        sb.Append(request.Method.ToUpperInvariant()).Append('\n')
          .Append(request.CanonicalPath.Length == 0 ? "/" : request.CanonicalPath).Append('\n')
          .Append(query).Append('\n');
        foreach (KeyValuePair<string, List<string>> h in headers)
        {
            sb.Append(h.Key).Append(':').Append(string.Join(',', h.Value)).Append('\n');
        }

        signedHeaders = string.Join(';', headers.Keys);
        sb.Append('\n').Append(signedHeaders).Append('\n').Append(request.PayloadHash);
        return sb.ToString();
    }

    /// <summary>The key that signs the requests of one day, region and service.</summary>
    internal static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        byte[] k = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(region));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(k, "aws4_request"u8);
    }

    /// <summary>A raw path (<c>/bucket/key with spaces+plus</c>) encoded for sending and signing: every byte of its UTF-8
    /// but the unreserved characters and <c>/</c> as <c>%XX</c>.</summary>
    internal static string EncodePath(string rawPath) => UriEncode(rawPath, encodeSlash: false);

    /// <summary>SigV4's URI encoding: <c>A-Z a-z 0-9 - _ . ~</c> kept (and <c>/</c> unless <paramref name="encodeSlash"/>), every other
    /// UTF-8 byte as upper-case <c>%XX</c>.</summary>
    internal static string UriEncode(string text, bool encodeSlash)
    {
        var sb = new StringBuilder(text.Length + 16);
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            char c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~' || (c == '/' && !encodeSlash))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <summary>Lower-case hex of a SHA-256 of <paramref name="data"/>.</summary>
    internal static string Sha256Hex(ReadOnlySpan<byte> data) => Hex(SHA256.HashData(data));

    private static string CollapseSpaces(string value)
    {
        var sb = new StringBuilder(value.Length);
        bool space = false;
        foreach (char c in value.Trim())
        {
            if (c is ' ' or '\t')
            {
                space = true;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
