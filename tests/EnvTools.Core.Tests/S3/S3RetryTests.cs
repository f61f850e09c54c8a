using System.Collections.Concurrent;
using System.Net;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.Fetch.S3;
using EnvTools.RepoData;
using EnvTools.Solve;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;
using EnvTools.IO;

namespace EnvTools.Tests.S3;

/// <summary>
/// Retries sign every try afresh: the requests go through an HTTP proxy (<c>proxy_servers</c>) in the test that forwards
/// them to Swift, except the first try of a marked path, which it answers 503 with <c>Retry-After: 1</c>. The retry must
/// carry a new <c>x-amz-date</c> and signature, and Swift must accept it.
/// </summary>
[Collection(SwiftS3Collection.Name)]
public sealed class S3RetryTests
{
    private readonly SwiftS3Fixture _fixture;

    public S3RetryTests(SwiftS3Fixture fixture) => _fixture = fixture;

    [SwiftFact]
    public async Task ARetriedReadAndARetriedPutAreSignedAgainWithAFreshDate()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        s.Package("alpha", "1.0");
        await s.PublishAsync();
        await using FaultyForwarder proxy = await FaultyForwarder.StartAsync();
        Settings settings = s.Settings(overrides: ("proxy_servers", new Dictionary<string, string> { ["http"] = proxy.Url }));

        proxy.FailOnce($"/{s.Bucket}/channel/{Platform.Current.Name}/repodata.json");
        var origins = new List<string>();
        IRecordSource loaded = (await new RemoteRepoData(settings).LoadAsync(s.Channel(), Platform.Current.Name, CancellationToken.None, origins.Add))!;
        Assert.Equal(new[] { "alpha" }, loaded.Names);
        AssertResigned(proxy.Tries($"/{s.Bucket}/channel/{Platform.Current.Name}/repodata.json"));

        string file = Path.Combine(s.Root, "upload.bin");
        File.WriteAllBytes(file, new byte[100_000]);
        proxy.FailOnce($"/{s.Bucket}/uploaded.bin");
        await S3Client.From(settings).PutFileAsync(s.Bucket, "uploaded.bin", file, Checksums.OfFile(file).Sha256);
        AssertResigned(proxy.Tries($"/{s.Bucket}/uploaded.bin"));
        Assert.Equal(100_000, (await s.Client().HeadObjectAsync(s.Bucket, "uploaded.bin"))!.Size);
    }

    private static void AssertResigned(IReadOnlyList<(int Status, string? AmzDate, string? Authorization)> tries)
    {
        Assert.Equal(new[] { 503, 200 }, tries.Select(t => t.Status));
        Assert.NotNull(tries[0].AmzDate);
        Assert.True(string.CompareOrdinal(tries[1].AmzDate, tries[0].AmzDate) > 0, $"the retry's x-amz-date {tries[1].AmzDate} is not after {tries[0].AmzDate}");
        Assert.NotEqual(tries[0].Authorization, tries[1].Authorization);
    }

    /// <summary>A loopback HTTP proxy (absolute-form requests) that forwards to the named host, failing the first try of marked paths.</summary>
    private sealed class FaultyForwarder : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly HttpClient _upstream = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
        private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<(string Path, int Status, string? AmzDate, string? Authorization)> _log = new();

        private FaultyForwarder(WebApplication app) => _app = app;

        public string Url { get; private set; } = string.Empty;

        public static async Task<FaultyForwarder> StartAsync()
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            WebApplication app = builder.Build();
            var proxy = new FaultyForwarder(app);
            app.Run(proxy.HandleAsync);
            await app.StartAsync();
            proxy.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return proxy;
        }

        public void FailOnce(string path) => _failures[path] = 1;

        public IReadOnlyList<(int Status, string? AmzDate, string? Authorization)> Tries(string path) =>
            _log.Where(e => e.Path == path).Select(e => (e.Status, e.AmzDate, e.Authorization)).ToArray();

        private async Task HandleAsync(HttpContext context)
        {
            HttpRequest r = context.Request;
            string path = r.Path.Value ?? "/";
            string? date = r.Headers["x-amz-date"].FirstOrDefault();
            string? authorization = r.Headers.Authorization.FirstOrDefault();
            if (_failures.TryGetValue(path, out int left) && left > 0)
            {
                _failures[path] = left - 1;
                await DrainAsync(r);
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = "1";
                _log.Enqueue((path, 503, date, authorization));
                return;
            }

            using var forward = new HttpRequestMessage(new HttpMethod(r.Method), $"http://{r.Host}{r.Path}{r.QueryString}");
            if (r.ContentLength is > 0 || r.Headers.TransferEncoding.Count > 0)
            {
                var body = new MemoryStream();
                await r.Body.CopyToAsync(body);
                forward.Content = new ByteArrayContent(body.ToArray());
            }

            foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> h in r.Headers)
            {
                if (h.Key.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase) || h.Key is "Connection" or "Transfer-Encoding" or "Content-Length")
                {
                    continue;
                }

                if (!forward.Headers.TryAddWithoutValidation(h.Key, (IEnumerable<string?>)h.Value))
                {
                    forward.Content?.Headers.TryAddWithoutValidation(h.Key, (IEnumerable<string?>)h.Value);
                }
            }

            using HttpResponseMessage answer = await _upstream.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead);
            _log.Enqueue((path, (int)answer.StatusCode, date, authorization));
            context.Response.StatusCode = (int)answer.StatusCode;
            foreach (KeyValuePair<string, IEnumerable<string>> h in answer.Headers.Concat(answer.Content.Headers))
            {
                if (h.Key is not ("Transfer-Encoding" or "Connection"))
                {
                    context.Response.Headers[h.Key] = h.Value.ToArray();
                }
            }

            if (r.Method != "HEAD")
            {
                await answer.Content.CopyToAsync(context.Response.Body);
            }
        }

        private static async Task DrainAsync(HttpRequest r)
        {
            if (r.ContentLength is > 0)
            {
                await r.Body.CopyToAsync(Stream.Null);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _upstream.Dispose();
        }
    }
}
