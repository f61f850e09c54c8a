using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EnvTools.Tests.Http;

/// <summary>What a <see cref="Fault"/> does to a request.</summary>
public enum FaultKind
{
    /// <summary>Answer with a status code (and <c>Retry-After</c> when given) instead of the file.</summary>
    Status,
    /// <summary>Send the headers and half the body, then reset the connection.</summary>
    ResetMidBody,
    /// <summary>Declare the full length, send half the body, then end the response (the connection closes early).</summary>
    TruncatedBody,
    /// <summary>A complete, well-formed response whose body is only the first half of the file (a broken mirror).</summary>
    CorruptBody,
    /// <summary>Wait <see cref="Fault.Delay"/> before the first byte, then serve the file.</summary>
    SlowFirstByte,
    /// <summary>A complete response of the right length whose bytes are wrong (a checksum mismatch).</summary>
    WrongBytes,
}

/// <summary>A fault injected into the next <see cref="Times"/> requests of a path (-1: every request).</summary>
public sealed record Fault(FaultKind Kind, int Times = 1, int StatusCode = 503, TimeSpan? RetryAfter = null, TimeSpan? Delay = null)
{
    public static Fault Status(int code, int times = 1, TimeSpan? retryAfter = null) => new(FaultKind.Status, times, code, retryAfter);

    public static Fault Reset(int times = 1) => new(FaultKind.ResetMidBody, times);

    public static Fault Truncate(int times = 1) => new(FaultKind.TruncatedBody, times);

    public static Fault Corrupt(int times = -1) => new(FaultKind.CorruptBody, times);

    public static Fault Slow(TimeSpan delay, int times = 1) => new(FaultKind.SlowFirstByte, times, Delay: delay);

    public static Fault WrongBytes(int times = -1) => new(FaultKind.WrongBytes, times);
}

/// <summary>One request the server saw.</summary>
public sealed record RequestLogEntry(string Method, string Path, string Host, string? IfNoneMatch, string? IfModifiedSince,
    string? Authorization, int Status, FaultKind? Fault, DateTimeOffset Time, string? Range = null);

/// <summary>
/// A loopback HTTP(S) server (Kestrel, 127.0.0.1 only, port 0 unless given) that serves a folder of channels
/// and injects faults on request: status codes (500/503, 429 with <c>Retry-After</c>, 403), a reset in
/// mid-body, a truncated body, a corrupt body, a slow first byte. It supports <c>ETag</c>/<c>If-None-Match</c>
/// and <c>Last-Modified</c>/<c>If-Modified-Since</c> (304), an optional <c>Cache-Control</c>, an optional
/// token (<c>/t/&lt;token&gt;/…</c>, else 403), <c>Range: bytes=N-</c> (206, unless <see cref="SupportsRange"/> is off)
/// and logs every request. Requests in absolute form
/// (<c>GET http://host/path</c>) are served too, so it can stand in for an HTTP proxy.
/// </summary>
public sealed class ChannelServer : IAsyncDisposable, IDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RequestLogEntry> _log = new();
    private readonly Dictionary<string, List<Fault>> _faults = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    private ChannelServer(WebApplication app, string root, bool https)
    {
        _app = app;
        Root = root;
        Scheme = https ? "https" : "http";
    }

    /// <summary>The folder served.</summary>
    public string Root { get; }

    /// <summary>The port bound on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary><c>http</c> or <c>https</c>.</summary>
    public string Scheme { get; }

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url => $"{Scheme}://127.0.0.1:{Port}";

    /// <summary>Send <c>ETag</c> and answer <c>If-None-Match</c> (default true).</summary>
    public bool UseETag { get; set; } = true;

    /// <summary>Send <c>Last-Modified</c> and answer <c>If-Modified-Since</c> (default true).</summary>
    public bool UseLastModified { get; set; } = true;

    /// <summary>Answer <c>Range: bytes=N-</c> with 206 and the rest of the file (default true); false: always the whole file.</summary>
    public bool SupportsRange { get; set; } = true;

    /// <summary>A <c>Cache-Control</c> value to send with files, or null.</summary>
    public string? CacheControl { get; set; }

    /// <summary>When set, every path must start with <c>/t/&lt;token&gt;/</c> (stripped before serving); other requests get 403.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>The requests seen so far, in order.</summary>
    public IReadOnlyList<RequestLogEntry> Requests => _log.ToArray();

    /// <summary>Starts serving <paramref name="root"/> on 127.0.0.1 (HTTPS when a certificate is given).</summary>
    public static async Task<ChannelServer> StartAsync(string root, int port = 0, X509Certificate2? certificate = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = root });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        WebApplication app = builder.Build();
        var server = new ChannelServer(app, Path.GetFullPath(root), certificate is not null);
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

    /// <summary>Injects <paramref name="fault"/> into requests whose path (token stripped) ends with <paramref name="pathSuffix"/>.</summary>
    public void AddFault(string pathSuffix, Fault fault)
    {
        lock (_lock)
        {
            if (!_faults.TryGetValue(pathSuffix, out List<Fault>? list))
            {
                _faults[pathSuffix] = list = new List<Fault>();
            }

            list.Add(fault);
        }
    }

    /// <summary>Removes every pending fault.</summary>
    public void ClearFaults()
    {
        lock (_lock)
        {
            _faults.Clear();
        }
    }

    /// <summary>Forgets the requests logged so far.</summary>
    public void ClearLog() => _log.Clear();

    /// <summary>The logged requests for paths ending with <paramref name="pathSuffix"/>.</summary>
    public IReadOnlyList<RequestLogEntry> RequestsFor(string pathSuffix) =>
        Requests.Where(r => r.Path.EndsWith(pathSuffix, StringComparison.Ordinal)).ToArray();

    private Fault? TakeFault(string path)
    {
        lock (_lock)
        {
            foreach (KeyValuePair<string, List<Fault>> e in _faults)
            {
                if (!path.EndsWith(e.Key, StringComparison.Ordinal) || e.Value.Count == 0)
                {
                    continue;
                }

                Fault f = e.Value[0];
                if (f.Times > 0)
                {
                    e.Value[0] = f with { Times = f.Times - 1 };
                    if (f.Times == 1)
                    {
                        e.Value.RemoveAt(0);
                    }
                }

                return f;
            }
        }

        return null;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        HttpRequest req = ctx.Request;
        HttpResponse res = ctx.Response;
        string path = req.Path.Value ?? "/";
        FaultKind? applied = null;
        bool logged = false;
        void Log(int status)
        {
            if (!logged)
            {
                logged = true;
                _log.Enqueue(new RequestLogEntry(req.Method, path, req.Host.Value ?? string.Empty,
                    req.Headers.IfNoneMatch.Count > 0 ? req.Headers.IfNoneMatch.ToString() : null,
                    req.Headers.IfModifiedSince.Count > 0 ? req.Headers.IfModifiedSince.ToString() : null,
                    req.Headers.Authorization.Count > 0 ? req.Headers.Authorization.ToString() : null,
                    status, applied, DateTimeOffset.UtcNow, req.Headers.Range.Count > 0 ? req.Headers.Range.ToString() : null));
            }
        }

        try
        {
            if (RequiredToken is { } token)
            {
                string prefix = $"/t/{token}/";
                if (!path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    res.StatusCode = StatusCodes.Status403Forbidden;
                    Log(res.StatusCode);
                    await res.WriteAsync("token required").ConfigureAwait(false);
                    return;
                }

                path = path[(prefix.Length - 1)..];
            }

            Fault? fault = TakeFault(path);
            applied = fault?.Kind;
            if (fault is { Kind: FaultKind.Status })
            {
                res.StatusCode = fault.StatusCode;
                if (fault.RetryAfter is { } after)
                {
                    res.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                Log(res.StatusCode);
                await res.WriteAsync($"injected {fault.StatusCode}").ConfigureAwait(false);
                return;
            }

            if (fault is { Kind: FaultKind.SlowFirstByte, Delay: { } delay })
            {
                await Task.Delay(delay, ctx.RequestAborted).ConfigureAwait(false);
            }

            string file = Path.GetFullPath(Path.Combine(Root, Uri.UnescapeDataString(path).TrimStart('/')));
            if (!file.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(file))
            {
                res.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            byte[] body = await File.ReadAllBytesAsync(file).ConfigureAwait(false);
            string etag = "\"" + Convert.ToHexString(SHA256.HashData(body), 0, 8).ToLowerInvariant() + "\"";
            DateTimeOffset modified = new DateTimeOffset(File.GetLastWriteTimeUtc(file)).AddTicks(-(File.GetLastWriteTimeUtc(file).Ticks % TimeSpan.TicksPerSecond));
            if (UseETag)
            {
                res.Headers.ETag = etag;
            }

            if (UseLastModified)
            {
                res.Headers.LastModified = modified.ToString("R", CultureInfo.InvariantCulture);
            }

            if (CacheControl is not null)
            {
                res.Headers.CacheControl = CacheControl;
            }

            bool notModified = UseETag && req.Headers.IfNoneMatch.Count > 0
                ? req.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*"))
                : UseLastModified && DateTimeOffset.TryParse(req.Headers.IfModifiedSince.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset since) && modified <= since;
            if (notModified)
            {
                res.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            res.ContentType = file.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream";
            res.Headers.AcceptRanges = SupportsRange ? "bytes" : "none";
            string range = req.Headers.Range.ToString();
            if (SupportsRange && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-') &&
                long.TryParse(range.AsSpan(6, range.Length - 7), NumberStyles.None, CultureInfo.InvariantCulture, out long from))
            {
                if (from >= body.Length)
                {
                    res.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                    res.Headers.ContentRange = $"bytes */{body.Length}";
                    return;
                }

                res.StatusCode = StatusCodes.Status206PartialContent;
                res.Headers.ContentRange = $"bytes {from}-{body.Length - 1}/{body.Length}";
                body = body[(int)from..];
            }

            Log(res.StatusCode);
            switch (fault?.Kind)
            {
                case FaultKind.ResetMidBody:
                    res.ContentLength = body.Length;
                    await res.Body.WriteAsync(body.AsMemory(0, body.Length / 2)).ConfigureAwait(false);
                    await res.Body.FlushAsync().ConfigureAwait(false);
                    await Task.Delay(50).ConfigureAwait(false);
                    ctx.Abort();
                    return;
                case FaultKind.TruncatedBody:
                    res.ContentLength = body.Length;
                    await res.Body.WriteAsync(body.AsMemory(0, body.Length / 2)).ConfigureAwait(false);
                    await res.Body.FlushAsync().ConfigureAwait(false);
                    return; // Kestrel ends the connection: fewer bytes than declared
                case FaultKind.CorruptBody:
                    res.ContentLength = body.Length / 2;
                    await res.Body.WriteAsync(body.AsMemory(0, body.Length / 2)).ConfigureAwait(false);
                    return;
                case FaultKind.WrongBytes:
                    byte[] wrong = (byte[])body.Clone();
                    for (int i = wrong.Length / 3; i < wrong.Length; i += 997)
                    {
                        wrong[i] ^= 0x5A;
                    }

                    res.ContentLength = wrong.Length;
                    await res.Body.WriteAsync(wrong).ConfigureAwait(false);
                    return;
                default:
                    res.ContentLength = body.Length;
                    await res.Body.WriteAsync(body).ConfigureAwait(false);
                    return;
            }
        }
        finally
        {
            Log(res.StatusCode);
        }
    }

    /// <summary>A self-signed certificate for 127.0.0.1 (for HTTPS tests), with its PEM.</summary>
    public static (X509Certificate2 Certificate, string Pem) CreateLoopbackCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        // re-import so that the private key is usable by SslStream on every platform
#pragma warning disable SYSLIB0057
        var usable = new X509Certificate2(cert.Export(X509ContentType.Pkcs12));
#pragma warning restore SYSLIB0057
        return (usable, cert.ExportCertificatePem());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
