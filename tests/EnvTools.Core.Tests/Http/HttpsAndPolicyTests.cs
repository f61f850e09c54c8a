using System.Net;
using EnvTools.Config;
using EnvTools.Conda;
using EnvTools.Fetch;
using EnvTools.RepoData;
using Xunit;

namespace EnvTools.Tests.Http;

/// <summary><c>ssl_verify</c> against a loopback HTTPS server, and the retry policy's waits.</summary>
public sealed class HttpsAndPolicyTests
{
    [NotUnderWineFact("Wine's crypto cannot give a self-signed certificate its private key (CertificateRequest.CreateSelfSigned fails with 'Success')")]
    public async Task SslVerifyIsHonoured()
    {
        (System.Security.Cryptography.X509Certificates.X509Certificate2 cert, string pem) = ChannelServer.CreateLoopbackCertificate();
        await using HttpChannelFixture f = await HttpChannelFixture.StartAsync(cert);
        f.WriteChannel("chan", "noarch", new[] { "pip" }, "zst");
        Channel channel = f.Channel("chan");
        Assert.StartsWith("https://127.0.0.1:", channel.BaseUrl.AbsoluteUri);

        // default: the self-signed certificate is refused, at once (retries at 1 s, 2 s, 4 s would take 3.5 s or more)
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var ex = Assert.Throws<ChannelUnavailableException>(() => f.Load(f.Settings(("remote_max_retries", 3), ("remote_backoff_factor", 1)), "noarch", channel));
        Assert.Contains("cannot fetch", ex.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"took {sw.Elapsed}: a refused certificate was retried");

        // ssl_verify: false accepts it
        Assert.Single(f.Load(f.Settings(("ssl_verify", false), ("local_repodata_ttl", 0)), "noarch", channel)[0].Subdirs[0].Names);

        // ssl_verify: <CA bundle> trusts exactly that bundle
        string bundle = Path.Combine(f.Root, "ca.pem");
        File.WriteAllText(bundle, pem);
        Assert.Single(f.Load(f.Settings(("ssl_verify", bundle)), "noarch", channel)[0].Subdirs[0].Names);

        string other = Path.Combine(f.Root, "other.pem");
        File.WriteAllText(other, ChannelServer.CreateLoopbackCertificate().Pem);
        Assert.Throws<ChannelUnavailableException>(() => f.Load(f.Settings(("ssl_verify", other), ("remote_max_retries", 0)), "noarch", channel));
    }

    [Fact]
    public async Task UnusableProxyOrCaBundleIsAConfigurationError()
    {
        await using HttpChannelFixture f = await HttpChannelFixture.StartAsync();
        Channel channel = f.Channel("chan");
        var missingCa = Assert.Throws<InvalidConfigurationException>(() => f.Load(f.Settings(("ssl_verify", Path.Combine(f.Root, "nope.pem"))), "noarch", channel));
        Assert.Equal("ssl_verify", missingCa.Key);
        var badProxy = Assert.Throws<InvalidConfigurationException>(() =>
            f.Load(f.Settings(("proxy_servers", new Dictionary<string, string> { ["http"] = "http://user:secretpw@[bad" })), "noarch", channel));
        Assert.Equal("proxy_servers", badProxy.Key);
        Assert.DoesNotContain("secretpw", badProxy.Message);
        Assert.Empty(f.Server.Requests);
    }

    [Fact]
    public void BackOffGrowsExponentiallyWithJitterAndRetryAfterWins()
    {
        Assert.Equal(TimeSpan.FromSeconds(0.5), RetryPolicy.Delay(1, null, 1, 0));
        Assert.Equal(TimeSpan.FromSeconds(2), RetryPolicy.Delay(3, null, 1, 0));
        Assert.True(RetryPolicy.Delay(3, null, 1, 0.999) > TimeSpan.FromSeconds(3.99));
        Assert.Equal(HttpFetchOptions.MaxBackoff / 2, RetryPolicy.Delay(30, null, 1, 0));

        using var tooMany = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        tooMany.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        Assert.Equal(TimeSpan.FromSeconds(7), RetryPolicy.Delay(1, tooMany, 0.01, 0.5));
        tooMany.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromHours(5));
        Assert.Equal(HttpFetchOptions.MaxRetryAfter, RetryPolicy.Delay(1, tooMany, 0.01, 0.5));
    }

    [Fact]
    public void ProxyServersPickTheMostSpecificKey()
    {
        var p = new ProxySelector(new Dictionary<string, string>
        {
            ["http"] = "http://generic:3128",
            ["https://secure.example"] = "http://user:pw@special:8080",
            ["all"] = "http://fallback:1",
        });
        Assert.Equal(new Uri("http://generic:3128"), p.GetProxy(new Uri("http://a.example/x")));
        Assert.Equal(new Uri("http://special:8080"), p.GetProxy(new Uri("https://secure.example/x")));
        Assert.Equal(new Uri("http://fallback:1"), p.GetProxy(new Uri("https://other.example/x")));
        Assert.Equal("pw", p.GetCredential(new Uri("http://special:8080"), "Basic")!.Password);
        Assert.Null(new ProxySelector(new Dictionary<string, string> { ["https"] = "http://x:1" }).GetProxy(new Uri("http://plain.example")));
    }

    [Fact]
    public void CacheFileNamesAreCondasCacheFnUrl()
    {
        // conda: hashlib.md5(b"https://conda.anaconda.org/conda-forge/noarch/").hexdigest()[:8]
        Assert.Equal("09cdf8bf", RepoDataCache.KeyFor("https://conda.anaconda.org/conda-forge/noarch"));
        Assert.Equal(RepoDataCache.KeyFor("https://conda.anaconda.org/conda-forge/noarch/"), RepoDataCache.KeyFor("https://conda.anaconda.org/conda-forge/noarch"));
    }
}
