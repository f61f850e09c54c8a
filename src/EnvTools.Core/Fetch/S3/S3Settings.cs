using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using EnvTools.Config;
using EnvTools.Conda;

namespace EnvTools.Fetch.S3;

/// <summary>One bucket's <c>s3_options</c> entry (each field may be absent).</summary>
internal sealed record S3BucketOptions(string? EndpointUrl, string? Region, bool? ForcePathStyle);

/// <summary>Where a bucket is served: the endpoint (no trailing slash), the signing region, and path-style or virtual-host addressing.</summary>
internal sealed record S3Endpoint(Uri Endpoint, string Region, bool PathStyle)
{
    /// <summary>
    /// The HTTP(S) URL of <paramref name="key"/> (raw, not encoded) in <paramref name="bucket"/>, and the path as signed:
    /// <c>ENDPOINT/BUCKET/KEY</c> in path style, <c>SCHEME://BUCKET.HOST/KEY</c> otherwise; the key encoded once
    /// (<see cref="SigV4Signer.EncodePath"/>), the query appended as given (already encoded).
    /// </summary>
    internal (Uri Url, string CanonicalPath) Address(string bucket, string key, string query)
    {
        string basePath = Endpoint.AbsolutePath.TrimEnd('/');
        string path = PathStyle
            ? $"{basePath}/{SigV4Signer.UriEncode(bucket, encodeSlash: true)}/{SigV4Signer.EncodePath(key)}"
            : $"{basePath}/{SigV4Signer.EncodePath(key)}";
        if (PathStyle && key.Length == 0)
        {
            path = path.TrimEnd('/'); // the bucket itself: /bucket
        }

        string authority = PathStyle ? Endpoint.Authority : $"{bucket}.{Endpoint.Authority}";
        var url = new Uri($"{Endpoint.Scheme}://{authority}{path}{(query.Length > 0 ? "?" + query : string.Empty)}");
        return (url, path);
    }
}

/// <summary>
/// How <c>s3://BUCKET/KEY</c> requests are addressed and signed, from the settings and the AWS variables:
/// <list type="bullet">
/// <item>the endpoint: the bucket's <c>s3_options.endpoint_url</c>, else <c>AWS_ENDPOINT_URL_S3</c>, <c>AWS_ENDPOINT_URL</c>, the
/// profile's <c>endpoint_url</c>, else AWS's regional endpoint;</item>
/// <item>the region: <c>s3_options.region</c>, else <c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>, the profile's <c>region</c>,
/// else <c>us-east-1</c>;</item>
/// <item>path style when <c>force_path_style</c> (or the profile's <c>addressing_style = path</c>), when the endpoint is an IP
/// address or <c>localhost</c>, or when the bucket is no DNS label; virtual-host otherwise;</item>
/// <item>the credentials: <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>(/<c>AWS_SESSION_TOKEN</c>), else the static keys of
/// <c>AWS_PROFILE</c> (<c>default</c>) in the shared files (<see cref="AwsProfile"/>, read when first needed), else none:
/// the requests go unsigned.</item>
/// </list>
/// Secret: it holds the credentials; <see cref="ToString"/> and <see cref="CacheKey"/> show none of them.
/// </summary>
internal sealed class S3Settings
{
    internal const string DefaultRegion = "us-east-1";

    private readonly Lazy<AwsProfile> _profile;
    private readonly Lazy<(AwsCredentials? Credentials, string? Source)> _credentials;
    private readonly string? _envKeyId;
    private readonly string? _envSecret;
    private readonly string? _envToken;

    private S3Settings(IReadOnlyDictionary<string, S3BucketOptions> buckets, Func<string, string?> variable, string home)
    {
        Buckets = buckets;
        EndpointVariable = NonEmpty(variable("AWS_ENDPOINT_URL_S3")) is not null ? "AWS_ENDPOINT_URL_S3" : "AWS_ENDPOINT_URL";
        EndpointUrl = NonEmpty(variable(EndpointVariable));
        Region = NonEmpty(variable("AWS_REGION")) ?? NonEmpty(variable("AWS_DEFAULT_REGION"));
        _envKeyId = NonEmpty(variable("AWS_ACCESS_KEY_ID"));
        _envSecret = NonEmpty(variable("AWS_SECRET_ACCESS_KEY"));
        _envToken = NonEmpty(variable("AWS_SESSION_TOKEN"));
        string? profile = NonEmpty(variable("AWS_PROFILE"));
        ProfileName = profile ?? "default";
        CredentialsFile = NonEmpty(variable("AWS_SHARED_CREDENTIALS_FILE")) ?? Path.Combine(home, ".aws", "credentials");
        ConfigFile = NonEmpty(variable("AWS_CONFIG_FILE")) ?? Path.Combine(home, ".aws", "config");
        _profile = new Lazy<AwsProfile>(() => AwsProfile.Load(ProfileName, profile is not null, CredentialsFile, ConfigFile));
        _credentials = new Lazy<(AwsCredentials?, string?)>(ResolveCredentials);
    }

    /// <summary>No <c>s3_options</c> and no AWS variables (the process's home for the shared files).</summary>
    internal static S3Settings Empty { get; } = new(new Dictionary<string, S3BucketOptions>(), _ => null, ConfigEnvironment.UserHome);

    /// <summary>The <c>s3_options</c> entries by bucket.</summary>
    internal IReadOnlyDictionary<string, S3BucketOptions> Buckets { get; }

    /// <summary><c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c>.</summary>
    internal string? EndpointUrl { get; }

    /// <summary>The variable <see cref="EndpointUrl"/> comes from.</summary>
    internal string EndpointVariable { get; }

    /// <summary><c>AWS_REGION</c> or <c>AWS_DEFAULT_REGION</c>.</summary>
    internal string? Region { get; }

    internal string ProfileName { get; }

    internal string CredentialsFile { get; }

    internal string ConfigFile { get; }

    /// <summary>The credentials to sign with, or null (unsigned requests).</summary>
    /// <exception cref="InvalidConfigurationException">Half a key pair, or an <c>AWS_PROFILE</c> that does not exist.</exception>
    internal AwsCredentials? Credentials => _credentials.Value.Credentials;

    /// <summary>Where <see cref="Credentials"/> came from (the variables' names or the profile and file), or null; no secret.</summary>
    internal string? CredentialsSource => _credentials.Value.Source;

    /// <summary>The settings of <paramref name="settings"/>: <c>s3_options</c> and the AWS variables of its environment.</summary>
    internal static S3Settings From(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var buckets = new Dictionary<string, S3BucketOptions>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, IReadOnlyDictionary<string, string>> b in settings.S3Options)
        {
            buckets[b.Key] = new S3BucketOptions(
                b.Value.GetValueOrDefault("endpoint_url"),
                b.Value.GetValueOrDefault("region"),
                b.Value.GetValueOrDefault("force_path_style") is { } f ? ConfigKeys.ParseBool(f) : null);
        }

        return new S3Settings(buckets, settings.Environment.GetEnvironmentVariable, settings.Environment.HomeDirectory);
    }

    /// <summary>Where <paramref name="bucket"/> is served.</summary>
    /// <exception cref="InvalidConfigurationException">An endpoint from a variable or profile that is no http(s) URL; an unusable profile.</exception>
    internal S3Endpoint Endpoint(string bucket)
    {
        S3BucketOptions? options = Buckets.GetValueOrDefault(bucket);
        AwsProfile? profile = options?.EndpointUrl is null || options.Region is null || options.ForcePathStyle is null ? _profile.Value : null;
        string region = options?.Region ?? Region ?? profile?.Region ?? DefaultRegion;
        Uri endpoint = options?.EndpointUrl is { } configured ? new Uri(configured)
            : EndpointUrl is { } fromVariable ? ParseEndpoint(fromVariable, ConfigSource.EnvironmentVariable(EndpointVariable))
            : profile?.EndpointUrl is { } fromProfile ? ParseEndpoint(fromProfile, ConfigSource.File(ConfigFile))
            : new Uri($"https://s3.{region}.{(region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com")}");
        bool pathStyle = options?.ForcePathStyle ?? profile?.PathStyle ?? false;
        pathStyle |= endpoint.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || endpoint.IsLoopback ||
            string.Equals(endpoint.Host, "localhost", StringComparison.OrdinalIgnoreCase) || !IsDnsLabel(bucket, endpoint.Scheme == "https");
        return new S3Endpoint(endpoint, region, pathStyle);
    }

    /// <summary>A key that tells settings apart for sharing one HTTP client: the bucket options, the variables, the shared files'
    /// paths and times of change (an edited ~/.aws/credentials is read again), and a SHA-256 fingerprint of the variables'
    /// credentials (never the credentials).</summary>
    internal string CacheKey()
    {
        var sb = new StringBuilder();
        foreach (KeyValuePair<string, S3BucketOptions> b in Buckets.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"{b.Key}={b.Value.EndpointUrl},{b.Value.Region},{b.Value.ForcePathStyle};");
        }

        string secret = $"{_envKeyId}\n{_envSecret}\n{_envToken}";
        sb.Append(CultureInfo.InvariantCulture, $"|{EndpointUrl}|{Region}|{ProfileName}|{CredentialsFile}@{Changed(CredentialsFile)}|{ConfigFile}@{Changed(ConfigFile)}|");
        sb.Append(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret))));
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => $"S3Settings({Buckets.Count} bucket(s), profile '{ProfileName}', credentials ***)";

    private (AwsCredentials?, string?) ResolveCredentials()
    {
        if (_envKeyId is not null || _envSecret is not null)
        {
            if (_envKeyId is null || _envSecret is null)
            {
                throw new InvalidConfigurationException(ConfigSource.EnvironmentVariable(_envKeyId is null ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY"), null,
                    $"{(_envKeyId is null ? "AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID" : "AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY")}");
            }

            return (new AwsCredentials(_envKeyId, _envSecret, _envToken),
                _envToken is null ? "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN");
        }

        AwsProfile profile = _profile.Value;
        return (profile.Credentials, profile.CredentialsSource);
    }

    private static Uri ParseEndpoint(string text, ConfigSource source) =>
        Uri.TryCreate(text.Trim().TrimEnd('/'), UriKind.Absolute, out Uri? u) && u.Scheme is "http" or "https" && u.UserInfo.Length == 0
            ? u
            : throw new InvalidConfigurationException(source, null, $"the S3 endpoint '{UrlRedaction.Redact(text)}' must be an http:// or https:// URL without credentials");

    /// <summary>Whether a bucket name can be a host label (virtual-host addressing): lower-case letters, digits and hyphens,
    /// 3 to 63 characters; dots only over plain HTTP (a wildcard certificate covers one label).</summary>
    private static bool IsDnsLabel(string bucket, bool https) =>
        bucket.Length is >= 3 and <= 63 && bucket.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' || (c == '.' && !https)) &&
        bucket[0] != '-' && bucket[^1] != '-' && !IPAddress.TryParse(bucket, out _);

    private static long Changed(string path)
    {
        try
        {
            return File.Exists(path) ? File.GetLastWriteTimeUtc(path).Ticks : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }
    }

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
