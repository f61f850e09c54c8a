using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using EnvTools.Fetch.Oci;
using EnvTools.Fetch.S3;
using Microsoft.Extensions.DependencyInjection;

namespace EnvTools.Fetch;

/// <summary>
/// HttpClients from <see cref="IHttpClientFactory"/>, one service provider per distinct set of
/// <see cref="HttpFetchOptions"/> (handlers are pooled and recycled by the factory). Each client's
/// pipeline: the retry policy (Polly), then <see cref="BufferingHandler"/> (read time-out per try,
/// body read inside the try), then <see cref="OciHandler"/> (answers <c>oci://</c> URLs from the registry), then
/// <see cref="S3SigningHandler"/> (<c>s3://</c> URLs rewritten to their endpoint and signed afresh on every try), then a
/// <see cref="SocketsHttpHandler"/> with the connect time-out, proxies, certificate validation and automatic decompression.
/// </summary>
internal static class EnvHttpClients
{
    private const string ClientName = "EnvTools";

    private static readonly ConcurrentDictionary<string, Lazy<ServiceProvider>> Providers = new(StringComparer.Ordinal);

    internal static readonly ProductInfoHeaderValue UserAgent =
        new("EnvTools", typeof(EnvHttpClients).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0");

    /// <summary>A client for <paramref name="options"/> (cheap: the handlers behind it are shared).</summary>
    internal static HttpClient Create(HttpFetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ServiceProvider provider = Providers.GetOrAdd(options.CacheKey(), _ => new Lazy<ServiceProvider>(() => Build(options))).Value;
        return provider.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);
    }

    private static ServiceProvider Build(HttpFetchOptions options)
    {
        var oci = new OciChannelReader(options); // one per options: the handlers the factory recycles share its tokens
        var services = new ServiceCollection();
        services.AddHttpClient(ClientName, c =>
            {
                c.Timeout = Timeout.InfiniteTimeSpan; // time-outs are per try (BufferingHandler), not per call
                c.DefaultRequestHeaders.UserAgent.Add(UserAgent);
            })
            .ConfigurePrimaryHttpMessageHandler(() => CreatePrimaryHandler(options))
            .AddPolicyHandler(RetryPolicy.Create(options))
            .AddHttpMessageHandler(() => new BufferingHandler(options.ReadTimeout))
            .AddHttpMessageHandler(() => new OciHandler(oci))
            .AddHttpMessageHandler(() => new S3SigningHandler(options.S3));
        return services.BuildServiceProvider();
    }

    internal static SocketsHttpHandler CreatePrimaryHandler(HttpFetchOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate | DecompressionMethods.Brotli,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = true,
        };
        if (options.ProxyServers.Count > 0)
        {
            handler.UseProxy = true;
            handler.Proxy = new ProxySelector(options.ProxyServers);
        }

        if (CertificateValidation.For(options.SslVerify) is { } validate)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = validate;
        }

        return handler;
    }
}
