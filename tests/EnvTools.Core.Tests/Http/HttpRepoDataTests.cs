using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EnvTools.Conda;
using EnvTools.RepoData;
using EnvTools.Solve;
using Xunit;

namespace EnvTools.Tests.Http;

/// <summary>HTTP channels through <see cref="RepoDataGateway"/> against the loopback <see cref="ChannelServer"/>.</summary>
public sealed class HttpRepoDataTests : IAsyncLifetime
{
    private static readonly string[] Linux = { "python", "numpy", "zlib" };
    private static readonly string[] Noarch = { "tzdata", "pip" };

    private HttpChannelFixture _f = null!;

    public async Task InitializeAsync() => _f = await HttpChannelFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private void WriteChan(string channel = "chan", params string[] forms)
    {
        _f.WriteChannel(channel, "linux-64", Linux, forms);
        _f.WriteChannel(channel, "noarch", Noarch, forms);
    }

    private static string[] Names(IReadOnlyList<SolverChannel> loaded) =>
        loaded.SelectMany(c => c.Subdirs).SelectMany(s => s.Names).Order(StringComparer.Ordinal).ToArray();

    private static readonly string[] AllNames = Linux.Concat(Noarch).Order(StringComparer.Ordinal).ToArray();

    private static int[] Statuses(IEnumerable<RequestLogEntry> log) => log.Select(r => r.Status).ToArray();

    [Fact]
    public void LoadsAnHttpChannelLikeAFolder()
    {
        WriteChan("chan", "json");
        IReadOnlyList<SolverChannel> http = _f.Load(_f.Settings(), "chan");
        IReadOnlyList<SolverChannel> folder = RepoDataGateway.Load(new[] { EnvTools.Config.ChannelResolver.ParseChannel(Path.Combine(_f.Served, "chan")) }, Platform.Parse("linux-64"));
        Assert.Equal(Names(folder), Names(http));
        RepoDataRecord numpy = http[0].Subdirs.Single(s => s.Subdir == "linux-64").GetRecords("numpy").Single();
        Assert.Equal($"{_f.Server.Url}/chan/linux-64/numpy-1.0-0.tar.bz2", numpy.Url);
        Assert.Equal(new[] { "linux-64", "noarch" }, http[0].Subdirs.Select(s => s.Subdir));
    }

    [Fact]
    public void PrefersZstAndNeverAsksForTheOthersWhenItExists()
    {
        WriteChan("chan", "zst", "bz2", "json");
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(), "chan")));
        Assert.All(_f.Server.Requests, r => Assert.EndsWith("/repodata.json.zst", r.Path));
        Assert.Equal(2, _f.Server.Requests.Count);
    }

    [Fact]
    public void WithoutZstItFallsBackToBz2ThenJsonAndRemembersTheForm()
    {
        WriteChan("chan", "json");
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(), "chan")));
        IReadOnlyList<RequestLogEntry> linux = _f.Server.RequestsFor("/linux-64/repodata.json.zst").Concat(_f.Server.RequestsFor("/linux-64/repodata.json.bz2"))
            .Concat(_f.Server.RequestsFor("/linux-64/repodata.json")).ToArray();
        Assert.Equal(new[] { 404, 404, 200 }, Statuses(linux));

        _f.Server.ClearLog();
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(), "chan")));
        // the second load asks for the form that worked, conditionally, and nothing else
        Assert.All(_f.Server.Requests, r => Assert.EndsWith("/repodata.json", r.Path));
        Assert.All(_f.Server.Requests, r => Assert.Equal(304, r.Status));
    }

    [Fact]
    public void BzipIsUsedWhenItIsTheOnlyCompressedForm()
    {
        WriteChan("chan", "bz2");
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(), "chan")));
        Assert.Equal(new[] { 404, 200 }, Statuses(_f.Server.Requests.Where(r => r.Path.StartsWith("/chan/noarch/", StringComparison.Ordinal))));
    }

    [Fact]
    public void RepodataUseZstFalseNeverAsksForZst()
    {
        WriteChan("chan", "zst", "json");
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(("repodata_use_zst", false)), "chan")));
        Assert.DoesNotContain(_f.Server.Requests, r => r.Path.EndsWith(".zst", StringComparison.Ordinal));
    }

    [Fact]
    public void RetriesTwo503sThenSucceeds()
    {
        WriteChan("chan", "zst");
        _f.Server.AddFault("/chan/linux-64/repodata.json.zst", Fault.Status(503, times: 2));
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(), "chan")));
        Assert.Equal(new[] { 503, 503, 200 }, Statuses(_f.Server.RequestsFor("/chan/linux-64/repodata.json.zst")));
    }

    [Fact]
    public void GivesUpAfterTheConfiguredRetriesWithChannelUnavailable()
    {
        WriteChan("chan", "zst");
        _f.Server.AddFault("/chan/linux-64/repodata.json.zst", Fault.Status(500, times: -1));
        var ex = Assert.Throws<ChannelUnavailableException>(() => _f.Load(_f.Settings(("remote_max_retries", 2)), "chan"));
        Assert.Contains("HTTP 500", ex.Message);
        Assert.Contains("after 2 retries", ex.Message);
        Assert.Equal(3, _f.Server.RequestsFor("/chan/linux-64/repodata.json.zst").Count);
        Assert.Equal("ChannelUnavailable", ex.ErrorId);
    }

    [Fact]
    public void HonoursRetryAfterOn429()
    {
        WriteChan("chan", "zst");
        _f.Server.AddFault("/chan/noarch/repodata.json.zst", Fault.Status(429, times: 1, retryAfter: TimeSpan.FromSeconds(1)));
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(("remote_backoff_factor", 0.001)), "chan")));
        IReadOnlyList<RequestLogEntry> log = _f.Server.RequestsFor("/chan/noarch/repodata.json.zst");
        Assert.Equal(new[] { 429, 200 }, Statuses(log));
        Assert.True(log[1].Time - log[0].Time >= TimeSpan.FromMilliseconds(900), $"waited only {(log[1].Time - log[0].Time).TotalMilliseconds} ms");
    }

    [Theory]
    [InlineData(FaultKind.ResetMidBody)]
    [InlineData(FaultKind.TruncatedBody)]
    public void RetriesABodyCutShort(FaultKind kind)
    {
        // a body large enough that half of it is a real cut
        _f.WriteChannel("chan", "linux-64", Enumerable.Range(0, 2000).Select(i => $"pkg{i}").ToArray(), "json");
        _f.WriteChannel("chan", "noarch", Noarch, "json");
        _f.Server.AddFault("/chan/linux-64/repodata.json", new Fault(kind));
        IReadOnlyList<SolverChannel> loaded = _f.Load(_f.Settings(("repodata_use_zst", false)), "chan");
        Assert.Equal(2000 + Noarch.Length, Names(loaded).Length);
        IReadOnlyList<RequestLogEntry> log = _f.Server.RequestsFor("/chan/linux-64/repodata.json");
        Assert.Equal(2, log.Count);
        Assert.Equal(kind, log[0].Fault);
        Assert.Null(log[1].Fault);
    }

    [Fact]
    public void ADamagedBodyIsAClearErrorAndNothingIsCached()
    {
        WriteChan("chan", "zst");
        _f.Server.AddFault("/chan/linux-64/repodata.json.zst", Fault.Corrupt());
        var ex = Assert.Throws<ChannelUnavailableException>(() => _f.Load(_f.Settings(), "chan"));
        Assert.Contains("damaged", ex.Message);
        Assert.Contains("/chan/linux-64/repodata.json.zst", ex.Message);
        string key = RepoDataCache.KeyFor(_f.Channel("chan").SubdirUrl("linux-64"));
        Assert.DoesNotContain(_f.CacheFiles(), f => f.StartsWith(key, StringComparison.Ordinal));
        Assert.DoesNotContain(_f.CacheFiles(), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void ASlowFirstByteTimesOutTheTryAndIsRetried()
    {
        WriteChan("chan", "zst");
        _f.Server.AddFault("/chan/noarch/repodata.json.zst", Fault.Slow(TimeSpan.FromSeconds(3)));
        var sw = Stopwatch.StartNew();
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(("remote_read_timeout_secs", 0.5)), "chan")));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2.9), $"took {sw.Elapsed}");
        Assert.Equal(2, _f.Server.RequestsFor("/chan/noarch/repodata.json.zst").Count);
    }

    [Fact]
    public void RevalidatesWithETagAndReadsTheCacheOn304()
    {
        WriteChan("chan", "zst");
        _f.Load(_f.Settings(), "chan");
        Assert.All(_f.Server.Requests, r => Assert.Null(r.IfNoneMatch));
        _f.Server.ClearLog();

        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(), "chan")));
        Assert.Equal(2, _f.Server.Requests.Count);
        Assert.All(_f.Server.Requests, r =>
        {
            Assert.Equal(304, r.Status);
            Assert.NotNull(r.IfNoneMatch);
        });
    }

    [Fact]
    public void RevalidatesWithLastModifiedWhenThereIsNoETag()
    {
        _f.Server.UseETag = false;
        WriteChan("chan", "zst");
        _f.Load(_f.Settings(), "chan");
        _f.Server.ClearLog();
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(), "chan")));
        Assert.All(_f.Server.Requests, r =>
        {
            Assert.Equal(304, r.Status);
            Assert.Null(r.IfNoneMatch);
            Assert.NotNull(r.IfModifiedSince);
        });
    }

    [Fact]
    public void AChangedFileIsFetchedAgain()
    {
        WriteChan("chan", "zst");
        _f.Load(_f.Settings(), "chan");
        _f.WriteChannel("chan", "linux-64", new[] { "python", "numpy", "zlib", "scipy" }, "zst");
        _f.Server.ClearLog();
        Assert.Contains("scipy", Names(_f.Load(_f.Settings(), "chan")));
        Assert.Equal(200, _f.Server.RequestsFor("/chan/linux-64/repodata.json.zst").Single().Status);
    }

    [Fact]
    public void ACacheFileThatIsNotTheOneItsStateDescribesIsIgnored()
    {
        WriteChan("chan", "zst");
        _f.Load(_f.Settings(("local_repodata_ttl", 3600)), "chan");
        // another process (or a crash of a tool without atomic writes) left a different, partial file
        string json = Path.Combine(_f.CacheDir, RepoDataCache.KeyFor(_f.Channel("chan").SubdirUrl("linux-64")) + ".json");
        File.WriteAllText(json, "{\"packages\": {\"broken");
        _f.Server.ClearLog();
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(("local_repodata_ttl", 3600)), "chan")));
        // noarch still fresh (no request); linux-64 fetched again, unconditionally
        RequestLogEntry again = Assert.Single(_f.Server.Requests);
        Assert.Equal("/chan/linux-64/repodata.json.zst", again.Path);
        Assert.Null(again.IfNoneMatch);
        Assert.Equal(200, again.Status);
        Assert.StartsWith("{\"info\"", File.ReadAllText(json));
    }

    [Fact]
    public void WithinTheTtlNoRequestIsMade()
    {
        WriteChan("chan", "zst");
        _f.Load(_f.Settings(("local_repodata_ttl", 3600)), "chan");
        _f.Server.ClearLog();
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(("local_repodata_ttl", 3600)), "chan")));
        Assert.Empty(_f.Server.Requests);
        // TTL 0: always revalidate
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(("local_repodata_ttl", 0)), "chan")));
        Assert.Equal(2, _f.Server.Requests.Count);
    }

    [Fact]
    public void TtlOneHonoursCacheControlMaxAge()
    {
        WriteChan("chan", "zst");
        _f.Server.CacheControl = "public, max-age=600";
        _f.Load(_f.Settings(("local_repodata_ttl", 1)), "chan");
        _f.Server.ClearLog();
        _f.Load(_f.Settings(("local_repodata_ttl", 1)), "chan");
        Assert.Empty(_f.Server.Requests);

        _f.Server.CacheControl = null;
        using var other = new TempChannel(_f, "other");
        _f.Load(_f.Settings(("local_repodata_ttl", 1)), "other");
        _f.Server.ClearLog();
        _f.Load(_f.Settings(("local_repodata_ttl", 1)), "other");
        Assert.Equal(2, _f.Server.Requests.Count); // no max-age: revalidated
    }

    [Fact]
    public void OfflineReadsTheCacheWithoutAnyRequest()
    {
        WriteChan("chan", "zst");
        _f.Load(_f.Settings(), "chan");
        _f.Server.ClearLog();
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(("offline", true)), "chan")));
        Assert.Empty(_f.Server.Requests);
    }

    [Fact]
    public void OfflineWithoutACacheIsChannelUnavailable()
    {
        WriteChan("chan", "zst");
        var ex = Assert.Throws<ChannelUnavailableException>(() => _f.Load(_f.Settings(("offline", true)), "chan"));
        Assert.Contains("offline", ex.Message);
        Assert.Contains("no cached repodata", ex.Message);
        Assert.Empty(_f.Server.Requests);
    }

    [Fact]
    public void AMissingPlatformSubdirIsEmptyButAMissingChannelIsUnavailable()
    {
        _f.WriteChannel("chan", "noarch", Noarch, "json");
        IReadOnlyList<SolverChannel> loaded = _f.Load(_f.Settings(), "chan");
        Assert.Equal(new[] { "noarch" }, loaded[0].Subdirs.Select(s => s.Subdir));

        // the 404 is cached too: offline it is still an empty subdir
        _f.Server.ClearLog();
        Assert.Equal(Noarch.Order(StringComparer.Ordinal), Names(_f.Load(_f.Settings(("offline", true)), "chan")));

        var ex = Assert.Throws<ChannelUnavailableException>(() => _f.Load(_f.Settings(), "nochannel"));
        Assert.Contains("no repodata", ex.Message);
    }

    [Fact]
    public void TokensWorkAndNeverReachTheCache()
    {
        const string token = "sekrit-token-4711";
        WriteChan("chan", "zst");
        _f.Server.RequiredToken = token;
        Channel channel = EnvTools.Config.ChannelResolver.ParseChannel($"{_f.Server.Url}/t/{token}/chan");
        IReadOnlyList<SolverChannel> loaded = _f.Load(_f.Settings(), "linux-64", channel);
        Assert.Equal(AllNames, Names(loaded));
        Assert.DoesNotContain(token, loaded[0].Subdirs[0].GetRecords("numpy")[0].Url ?? string.Empty);
        Assert.NotEmpty(_f.CacheFiles());
        foreach (string file in _f.CacheFiles())
        {
            Assert.DoesNotContain(token, file);
            Assert.DoesNotContain(token, File.ReadAllText(Path.Combine(_f.CacheDir, file)));
        }

        string state = File.ReadAllText(Path.Combine(_f.CacheDir, RepoDataCache.KeyFor(channel.SubdirUrl("linux-64")) + ".info.json"));
        Assert.Contains($"\"{_f.Server.Url}/chan/linux-64/repodata.json\"", state);
    }

    [Fact]
    public void ForbiddenIsChannelUnavailableNamingTheRedactedUrlAndStatus()
    {
        WriteChan("chan", "zst");
        _f.Server.RequiredToken = "right";
        Channel channel = EnvTools.Config.ChannelResolver.ParseChannel($"{_f.Server.Url}/t/wrong-token-99/chan");
        var ex = Assert.Throws<ChannelUnavailableException>(() => _f.Load(_f.Settings(), "linux-64", channel));
        Assert.Contains("HTTP 403", ex.Message);
        Assert.Contains("/t/<TOKEN>/chan/", ex.Message);
        Assert.DoesNotContain("wrong-token-99", ex.Message);
        // 403 is not retried: each subdir asked once at most (the first failure cancels the other)
        Assert.All(_f.Server.Requests.GroupBy(r => r.Path), g => Assert.Single(g));
        Assert.All(_f.Server.Requests, r => Assert.Equal(403, r.Status));
    }

    [Fact]
    public void BasicAuthCredentialsAreSentButNotStored()
    {
        WriteChan("chan", "zst");
        Channel channel = EnvTools.Config.ChannelResolver.ParseChannel($"http://alice:pa55word@127.0.0.1:{_f.Server.Port}/chan");
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(), "linux-64", channel)));
        Assert.All(_f.Server.Requests, r => Assert.Equal("Basic " + Convert.ToBase64String("alice:pa55word"u8.ToArray()), r.Authorization));
        Assert.All(_f.CacheFiles(), f => Assert.DoesNotContain("pa55word", File.ReadAllText(Path.Combine(_f.CacheDir, f))));
    }

    [Fact]
    public void AnUnreachableHostIsChannelUnavailableAfterRetries()
    {
        int port = UnusedPort();
        Channel channel = EnvTools.Config.ChannelResolver.ParseChannel($"http://127.0.0.1:{port}/chan");
        var sw = Stopwatch.StartNew();
        var ex = Assert.Throws<ChannelUnavailableException>(() => _f.Load(_f.Settings(("remote_max_retries", 2)), "linux-64", channel));
        Assert.Contains("cannot fetch", ex.Message);
        Assert.Contains("after 2 retries", ex.Message);
        Assert.Contains($"127.0.0.1:{port}/chan/", ex.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }

    [Fact]
    public void ProxyServersAreUsed()
    {
        WriteChan("chan", "zst");
        int dead = UnusedPort();
        Channel channel = EnvTools.Config.ChannelResolver.ParseChannel($"http://127.0.0.1:{dead}/chan");
        var proxies = new Dictionary<string, string> { ["http"] = _f.Server.Url };
        Assert.Equal(AllNames, Names(_f.Load(_f.Settings(("proxy_servers", proxies)), "linux-64", channel)));
        Assert.All(_f.Server.Requests, r => Assert.Equal($"127.0.0.1:{dead}", r.Host));
    }

    [Fact]
    public void LoadsManyChannelsAndBothSubdirsConcurrently()
    {
        string[] names = { "c1", "c2", "c3", "c4" };
        foreach (string n in names)
        {
            WriteChan(n, "zst");
            _f.Server.AddFault($"/{n}/linux-64/repodata.json.zst", Fault.Slow(TimeSpan.FromMilliseconds(600)));
            _f.Server.AddFault($"/{n}/noarch/repodata.json.zst", Fault.Slow(TimeSpan.FromMilliseconds(600)));
        }

        var sw = Stopwatch.StartNew();
        IReadOnlyList<SolverChannel> loaded = _f.Load(_f.Settings(), "linux-64", names.Select(_f.Channel).ToArray());
        Assert.Equal(names.Select(n => _f.Channel(n).Name), loaded.Select(c => c.Name)); // priority order kept
        Assert.All(loaded, c => Assert.Equal(AllNames, Names(new[] { c })));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(8 * 0.6 / 2), $"8 slow subdirs took {sw.Elapsed}: not concurrent");
    }

    [Fact]
    public void TheFirstChannelsErrorWinsWhenSeveralFail()
    {
        WriteChan("good", "zst");
        var ex = Assert.Throws<ChannelUnavailableException>(() =>
            _f.Load(_f.Settings(), "linux-64", _f.Channel("good"), _f.Channel("missing1"), _f.Channel("missing2")));
        Assert.Equal(_f.Channel("missing1").Name, ex.Channel);
    }

    private static int UnusedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private sealed class TempChannel : IDisposable
    {
        public TempChannel(HttpChannelFixture f, string name)
        {
            f.WriteChannel(name, "linux-64", Linux, "zst");
            f.WriteChannel(name, "noarch", Noarch, "zst");
        }

        public void Dispose()
        {
        }
    }
}
