using System.Globalization;
using System.Text;
using EnvTools.Config;
using EnvTools.Conda;
using EnvTools.Fetch.S3;

namespace EnvTools.Fetch;

/// <summary>
/// The connection settings of HTTP requests, taken from <see cref="Settings"/>: retries
/// (<c>remote_max_retries</c>, <c>remote_backoff_factor</c>), time-outs (<c>remote_connect_timeout_secs</c>,
/// <c>remote_read_timeout_secs</c>), <c>ssl_verify</c> and <c>proxy_servers</c>; for <c>oci://</c> channels
/// <c>oci_insecure_registries</c> and where registry credentials are read from; for <c>s3://</c> URLs <c>s3_options</c> with the
/// AWS variables (<see cref="S3Settings"/>).
/// </summary>
internal sealed record HttpFetchOptions
{
    /// <summary>The longest wait a server's <c>Retry-After</c> may impose before a retry.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(120);

    /// <summary>The longest back-off between tries.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(120);

    public int MaxRetries { get; init; } = 3;

    public double BackoffFactor { get; init; } = 1;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(9.15);

    /// <summary>The longest wait for the response headers or for the next bytes of a body (per try).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public SslVerify SslVerify { get; init; } = SslVerify.Default;

    /// <summary>Secret (proxy URLs may hold credentials): never print it.</summary>
    public IReadOnlyDictionary<string, string> ProxyServers { get; init; } = new Dictionary<string, string>();

    /// <summary><c>oci_insecure_registries</c>: registries (<c>HOST:PORT</c> or <c>HOST</c>) reached over plain HTTP.</summary>
    public IReadOnlyList<string> OciInsecureRegistries { get; init; } = Array.Empty<string>();

    /// <summary>The registry credential files (docker's <c>config.json</c> format), first match wins; paths only, no secret.</summary>
    public IReadOnlyList<string> RegistryAuthFiles { get; init; } = Array.Empty<string>();

    /// <summary>Secret (holds the AWS credentials of the variables): never print it.</summary>
    public S3Settings S3 { get; init; } = S3Settings.Empty;

    public static HttpFetchOptions From(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new HttpFetchOptions
        {
            MaxRetries = Math.Max(0, settings.RemoteMaxRetries),
            BackoffFactor = Math.Max(0, settings.RemoteBackoffFactor),
            ConnectTimeout = Seconds(settings.RemoteConnectTimeoutSecs, 9.15),
            ReadTimeout = Seconds(settings.RemoteReadTimeoutSecs, 60),
            SslVerify = settings.SslVerify,
            ProxyServers = settings.ProxyServers,
            OciInsecureRegistries = settings.OciInsecureRegistries,
            RegistryAuthFiles = Oci.OciCredentials.AuthFiles(settings.Environment),
            S3 = S3Settings.From(settings),
        };
    }

    /// <summary>
    /// Checks what can only fail when the first client is made (a malformed proxy URL, a missing or unreadable
    /// CA bundle), so that it fails as a configuration error naming the key and where it was set.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The proxy servers or the CA bundle are unusable.</exception>
    public static HttpFetchOptions FromValidated(Settings settings)
    {
        HttpFetchOptions options = From(settings);
        Check(settings, "proxy_servers", () => _ = new ProxySelector(options.ProxyServers));
        Check(settings, "ssl_verify", () => _ = CertificateValidation.For(options.SslVerify));
        return options;
    }

    private static void Check(Settings settings, string key, Action check)
    {
        try
        {
            check();
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            ConfigSource source = settings.GetValue(key)?.SourceInfo ?? ConfigSource.Default;
            throw new InvalidConfigurationException(source, key, UrlRedaction.Redact(ex.Message), ex);
        }
    }

    private static TimeSpan Seconds(double value, double fallback) =>
        TimeSpan.FromSeconds(value > 0 && !double.IsInfinity(value) ? value : fallback);

    /// <summary>A key that identifies the options for sharing one client (internal; holds proxy credentials).</summary>
    internal string CacheKey()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{MaxRetries}|{BackoffFactor:R}|{ConnectTimeout.Ticks}|{ReadTimeout.Ticks}|{SslVerify}");
        foreach (KeyValuePair<string, string> p in ProxyServers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sb.Append('|').Append(p.Key).Append('=').Append(p.Value);
        }

        sb.Append("|oci:").AppendJoin(',', OciInsecureRegistries).Append("|auth:").AppendJoin(Path.PathSeparator, RegistryAuthFiles);
        sb.Append("|s3:").Append(S3.CacheKey());

        return sb.ToString();
    }
}
