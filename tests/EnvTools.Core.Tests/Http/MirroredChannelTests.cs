using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.Packages;
using EnvTools.RepoData;
using EnvTools.Solve;
using EnvTools.Tests.Oci;
using Xunit;

namespace EnvTools.Tests.Http;

/// <summary>
/// <c>mirrored_channels</c>: <c>conda-forge</c> (under a <c>channel_alias</c> on a closed loopback port, so the channel's own
/// URL never answers) fetched from mirrors on the loopback <see cref="ChannelServer"/> (<c>/&lt;mirror&gt;/conda-forge</c>),
/// a closed port and a folder. What each mirror was asked and answered is read from the server's log.
/// </summary>
public sealed class MirroredChannelTests : IAsyncLifetime
{
    private HttpChannelFixture _f = null!;
    private int _closed;

    public async Task InitializeAsync()
    {
        _f = await HttpChannelFixture.StartAsync();
        _closed = UnusedPort();
    }

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private string Alias => $"http://127.0.0.1:{_closed}";

    private string Canonical => $"{Alias}/conda-forge";

    /// <summary>A mirror on the loopback server.</summary>
    private string Mirror(string name) => $"{_f.Server.Url}/{name}/conda-forge";

    /// <summary>A mirror nobody listens on.</summary>
    private string Down => $"http://127.0.0.1:{_closed}/down/conda-forge";

    private string MirrorDir(string name) => Path.Combine(_f.Served, name, "conda-forge");

    /// <summary>Builds real packages into served/&lt;mirror&gt;/conda-forge/linux-64 and indexes the mirror.</summary>
    private void Publish(string mirror, params string[] names)
    {
        string channel = MirrorDir(mirror);
        foreach (string name in names)
        {
            string src = Path.Combine(_f.Root, "src-" + name);
            Directory.CreateDirectory(Path.Combine(src, "share"));
            File.WriteAllText(Path.Combine(src, "share", name + ".txt"), $"{name} from the mirrors\n");
            PackageBuilder.Build(src, new PackageDefinition { Name = name, Version = "1.0", Build = "0", Subdir = "linux-64", Timestamp = 1700000000000 },
                Path.Combine(channel, "linux-64"), PackageFormats.Conda);
        }

        ChannelIndexer.Index(channel);
    }

    /// <summary>A mirror that has the repodata of <paramref name="from"/> but none of its archives.</summary>
    private void RepodataOnly(string from, string mirror)
    {
        foreach (string subdir in new[] { "linux-64", "noarch" })
        {
            Directory.CreateDirectory(Path.Combine(MirrorDir(mirror), subdir));
            File.Copy(Path.Combine(MirrorDir(from), subdir, "repodata.json"), Path.Combine(MirrorDir(mirror), subdir, "repodata.json"));
        }
    }

    private Settings Settings(string[] mirrors, params (string Key, object? Value)[] more) =>
        _f.Settings(new (string, object?)[]
        {
            ("channel_alias", Alias),
            ("mirrored_channels", new Dictionary<string, string[]> { ["conda-forge"] = mirrors }),
            ("remote_max_retries", 1),
        }.Concat(more).ToArray());

    private static Channel CondaForge(Settings s) => s.CreateChannelResolver().ResolveOne("conda-forge");

    private static IReadOnlyList<SolverChannel> Load(Settings s, List<string> origins, Channel? channel = null) =>
        RepoDataGateway.Load(new[] { channel ?? CondaForge(s) }, Platform.Parse("linux-64"), s,
            new SyncProgress<RepoDataProgress>(p => { lock (origins) { origins.Add($"{p.Subdir}: {p.Origin}"); } }));

    private static RepoDataRecord Record(IReadOnlyList<SolverChannel> loaded, string name) =>
        loaded.Single().Subdirs.Single(s => s.Subdir == "linux-64").GetRecords(name).Single();

    private static IReadOnlyList<CachedPackage> Ensure(Settings s, List<string>? served, params RepoDataRecord[] records) =>
        PackageCache.FromSettings(s).EnsureAsync(records, new SyncProgress<PackageFetchProgress>(p =>
        {
            if (p.Source is { } source && served is not null)
            {
                lock (served)
                {
                    served.Add($"{p.FileName} {source}");
                }
            }
        }), CancellationToken.None).GetAwaiter().GetResult();

    private IReadOnlyList<RequestLogEntry> Log(string mirror) =>
        _f.Server.Requests.Where(r => r.Path.StartsWith($"/{mirror}/", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void TheFirstMirrorDown_TheSecondServesRepodataAndPackages_RecordsNameTheChannel()
    {
        Publish("b", "alpha", "beta");
        Settings s = Settings(new[] { Down, Mirror("b") });
        var origins = new List<string>();
        IReadOnlyList<SolverChannel> loaded = Load(s, origins);

        Assert.Equal("conda-forge", loaded.Single().Name);
        RepoDataRecord alpha = Record(loaded, "alpha");
        Assert.Equal($"{Canonical}/linux-64/alpha-1.0-0.conda", alpha.Url);
        Assert.StartsWith(Canonical + "/", alpha.Channel);
        Assert.Contains(origins, o => o.StartsWith("linux-64: downloaded repodata.json", StringComparison.Ordinal) &&
            o.Contains($"from mirror {Mirror("b")}", StringComparison.Ordinal));

        // the repodata cache is the channel's, not the mirror's
        RepoDataCache cache = RepoDataCache.InFirstWritable(new[] { _f.Pkgs })!;
        Assert.NotNull(cache.Read($"{Canonical}/linux-64"));
        Assert.Null(cache.Read($"{Mirror("b")}/linux-64"));

        var served = new List<string>();
        IReadOnlyList<CachedPackage> got = Ensure(s, served, alpha, Record(loaded, "beta"));
        Assert.Equal(new[] { 200, 200 }, Log("b").Where(r => r.Path.EndsWith(".conda", StringComparison.Ordinal)).Select(r => r.Status));
        Assert.All(served, line => Assert.Contains($"from mirror {Mirror("b")}", line));
        Assert.Equal(2, served.Count);
        foreach (CachedPackage p in got)
        {
            Assert.Equal($"{Canonical}/linux-64/{p.Record.FileName}", p.Record.Url);
            JsonNode marker = JsonNode.Parse(File.ReadAllText(Path.Combine(p.ExtractedDirectory, "info", "repodata_record.json")))!;
            Assert.Equal(p.Record.Url, (string?)marker["url"]);
            Assert.StartsWith(Canonical + "/", (string?)marker["channel"]);
            Assert.Equal($"{p.Record.Name} from the mirrors\n", File.ReadAllText(Path.Combine(p.ExtractedDirectory, "share", p.Record.Name + ".txt")));
        }

        Assert.Contains($"{Canonical}/linux-64/alpha-1.0-0.conda", File.ReadAllLines(Path.Combine(_f.Pkgs, "urls.txt")));
    }

    [Fact]
    public void AMirrorThatFailsIsTriedAfterTheOthersForTheRestOfTheOperation()
    {
        Publish("b", "alpha", "beta");
        Directory.CreateDirectory(MirrorDir("a"));
        foreach (string suffix in new[] { "/a/conda-forge/linux-64/repodata.json.zst", "/a/conda-forge/noarch/repodata.json.zst" })
        {
            _f.Server.AddFault(suffix, Fault.Status(503, times: -1));
        }

        Settings s = Settings(new[] { Mirror("a"), Mirror("b") });
        IReadOnlyList<SolverChannel> loaded = Load(s, new List<string>());
        Assert.All(Log("a"), r => Assert.Equal(503, r.Status));
        Assert.Equal(4, Log("a").Count); // each subdir: one try and one retry, then mirror b

        // the same settings (one operation): the packages go to mirror b first, mirror a is not asked
        Ensure(s, null, Record(loaded, "alpha"), Record(loaded, "beta"));
        Assert.Equal(4, Log("a").Count);
        Assert.Equal(2, Log("b").Count(r => r.Path.EndsWith(".conda", StringComparison.Ordinal)));
    }

    [Fact]
    public void AMirrorWithTheRepodataButWithoutAPackageGivesWayToTheNextForThatPackage()
    {
        Publish("b", "alpha", "beta");
        RepodataOnly("b", "a");
        Settings s = Settings(new[] { Mirror("a"), Mirror("b") });
        var origins = new List<string>();
        IReadOnlyList<SolverChannel> loaded = Load(s, origins);
        Assert.Contains(origins, o => o.StartsWith("linux-64:", StringComparison.Ordinal) && o.Contains($"from mirror {Mirror("a")}", StringComparison.Ordinal));
        Assert.DoesNotContain(Log("b"), r => r.Path.Contains("repodata", StringComparison.Ordinal));

        var served = new List<string>();
        Ensure(s, served, Record(loaded, "alpha"), Record(loaded, "beta"));
        // a 404 is about one file, not the mirror: mirror a stays first and is asked for each package
        Assert.Equal(new[] { 404, 404 }, Log("a").Where(r => r.Path.EndsWith(".conda", StringComparison.Ordinal)).Select(r => r.Status));
        Assert.Equal(new[] { 200, 200 }, Log("b").Where(r => r.Path.EndsWith(".conda", StringComparison.Ordinal)).Select(r => r.Status));
        Assert.All(served, line => Assert.Contains($"from mirror {Mirror("b")} (after {Mirror("a")}/linux-64/", line));
    }

    [Fact]
    public void AFolderMirrorServesAndIsRevalidatedByItsModificationTime()
    {
        Publish("folder", "alpha");
        Settings s = Settings(new[] { Down, MirrorDir("folder") });
        var origins = new List<string>();
        IReadOnlyList<SolverChannel> loaded = Load(s, origins);
        RepoDataRecord alpha = Record(loaded, "alpha");
        Assert.Equal($"{Canonical}/linux-64/alpha-1.0-0.conda", alpha.Url);
        string folderUrl = new Uri(MirrorDir("folder")).AbsoluteUri;
        Assert.Contains(origins, o => o.Contains($"from mirror {folderUrl}", StringComparison.Ordinal));

        var served = new List<string>();
        CachedPackage p = Ensure(s, served, alpha).Single();
        Assert.Equal(alpha.Url, p.Record.Url);
        Assert.Contains($"from mirror {folderUrl}", served.Single());

        // a second load (TTL 0) asks the folder again: unchanged files are a 304, the cached repodata is kept
        origins.Clear();
        Load(Settings(new[] { MirrorDir("folder") }), origins);
        Assert.Contains(origins, o => o.StartsWith("linux-64: 304 Not Modified", StringComparison.Ordinal));
        Assert.Empty(_f.Server.Requests);
    }

    [Fact]
    public void TheChannelGivenByItsUrlIsMirroredToo_AnotherChannelIsNot()
    {
        Publish("b", "alpha");
        Settings s = Settings(new[] { Down, Mirror("b") });
        IReadOnlyList<SolverChannel> loaded = Load(s, new List<string>(), s.CreateChannelResolver().ResolveOne(Canonical));
        Assert.Equal("conda-forge", loaded.Single().Name);
        Assert.Equal($"{Canonical}/linux-64/alpha-1.0-0.conda", Record(loaded, "alpha").Url);

        var ex = Assert.Throws<ChannelUnavailableException>(() => Load(s, new List<string>(), s.CreateChannelResolver().ResolveOne("bioconda")));
        Assert.Contains($"{Alias}/bioconda/", ex.Message);
        Assert.DoesNotContain("mirror", ex.Message);
    }

    [Fact]
    public void EveryMirrorFailing_IsChannelUnavailableNamingEachMirrorAndWhatItAnswered_WithoutSecrets()
    {
        Publish("b", "alpha");
        _f.Server.AddFault("/b/conda-forge/linux-64/repodata.json.zst", Fault.Status(500, times: -1));
        string withToken = $"{_f.Server.Url}/t/tk-5ecret-77/c/conda-forge";
        string withPassword = $"http://mirroruser:pa55-5ecret@127.0.0.1:{_closed}/p/conda-forge";
        Settings s = Settings(new[] { Down, Mirror("b"), withToken, withPassword });
        var ex = Assert.Throws<ChannelUnavailableException>(() => Load(s, new List<string>()));
        Assert.Equal("ChannelUnavailable", ex.ErrorId);
        Assert.Equal("conda-forge", ex.Channel);
        Assert.Contains("4 tried", ex.Message);
        Assert.Contains($"{Down}: cannot fetch {Down}/linux-64/repodata.json.zst", ex.Message);
        Assert.Contains($"{Mirror("b")}: {Mirror("b")}/linux-64/repodata.json.zst answered HTTP 500", ex.Message);
        Assert.Contains($"{_f.Server.Url}/t/<TOKEN>/c/conda-forge: no repodata for linux-64 (404)", ex.Message);
        Assert.Contains($"http://mirroruser:***@127.0.0.1:{_closed}/p/conda-forge: cannot fetch", ex.Message);
        Assert.DoesNotContain("5ecret", ex.ToString());
        // the token mirror was sent its token
        Assert.Contains(_f.Server.Requests, r => r.Path.StartsWith("/t/tk-5ecret-77/c/conda-forge/linux-64/", StringComparison.Ordinal));

    }

    [Fact]
    public void EveryMirrorLackingAPackage_IsAPackageDownloadErrorNamingEachMirror()
    {
        Publish("b", "alpha");
        RepodataOnly("b", "a");
        RepodataOnly("b", "c");
        Settings s = Settings(new[] { Mirror("a"), Mirror("c") });
        RepoDataRecord alpha = Record(Load(s, new List<string>()), "alpha");
        var ex = Assert.Throws<PackageDownloadException>(() => Ensure(s, null, alpha));
        Assert.Equal(404, ex.StatusCode);
        Assert.Equal("PackageDownloadFailed", ex.ErrorId);
        Assert.Contains($"{Mirror("a")}/linux-64/alpha-1.0-0.conda: the server answered HTTP 404", ex.Message);
        Assert.Contains($"{Mirror("c")}/linux-64/alpha-1.0-0.conda: the server answered HTTP 404", ex.Message);
        Assert.Contains("channel 'conda-forge'", ex.Message);
        Assert.False(File.Exists(Path.Combine(_f.Pkgs, "alpha-1.0-0.conda")));
    }

    [Fact]
    public void WrongBytesFromOneMirrorGiveWayToTheNext()
    {
        Publish("b", "alpha");
        Directory.CreateDirectory(MirrorDir("a"));
        CopyTree(MirrorDir("b"), MirrorDir("a"));
        _f.Server.AddFault("/a/conda-forge/linux-64/alpha-1.0-0.conda", Fault.WrongBytes());
        Settings s = Settings(new[] { Mirror("a"), Mirror("b") });
        var served = new List<string>();
        CachedPackage p = Ensure(s, served, Record(Load(s, new List<string>()), "alpha")).Single();
        Assert.Equal("alpha", p.Record.Name);
        Assert.Equal(2, Log("a").Count(r => r.Path.EndsWith(".conda", StringComparison.Ordinal))); // fetched twice there, as without mirrors
        Assert.Contains($"from mirror {Mirror("b")} (after {Mirror("a")}/linux-64/alpha-1.0-0.conda: its sha256 is", served.Single());
    }

    [Fact]
    public void WrongBytesFromEveryMirrorAreAChecksumMismatch()
    {
        Publish("b", "alpha");
        CopyTree(MirrorDir("b"), MirrorDir("a"));
        _f.Server.AddFault("/conda-forge/linux-64/alpha-1.0-0.conda", Fault.WrongBytes());
        Settings s = Settings(new[] { Mirror("a"), Mirror("b") });
        RepoDataRecord alpha = Record(Load(s, new List<string>()), "alpha");
        var ex = Assert.Throws<ChecksumMismatchException>(() => Ensure(s, null, alpha));
        Assert.Equal("sha256", ex.Algorithm);
        Assert.Equal(4, _f.Server.Requests.Count(r => r.Path.EndsWith(".conda", StringComparison.Ordinal)));
        Assert.False(File.Exists(Path.Combine(_f.Pkgs, "alpha-1.0-0.conda")));
    }

    [Fact]
    public void ACacheHitWithinTheTtlAndOfflineModeNeedNoMirror()
    {
        Publish("b", "alpha");
        Load(Settings(new[] { Mirror("b") }), new List<string>());
        _f.Server.ClearLog();

        var origins = new List<string>();
        Assert.Equal("alpha", Record(Load(Settings(new[] { Down, Mirror("b") }, ("local_repodata_ttl", 3600)), origins), "alpha").Name);
        Assert.Contains("linux-64: cache hit (within local_repodata_ttl)", origins);
        origins.Clear();
        Assert.Equal("alpha", Record(Load(Settings(new[] { Down, Mirror("b") }, ("offline", true)), origins), "alpha").Name);
        Assert.Contains("linux-64: offline: from the cache", origins);
        Assert.Empty(_f.Server.Requests);

        // offline without a cache is the error it always was
        Directory.Delete(_f.CacheDir, recursive: true);
        var ex = Assert.Throws<ChannelUnavailableException>(() => Load(Settings(new[] { Mirror("b") }, ("offline", true)), new List<string>()));
        Assert.Contains("offline", ex.Message);
    }

    [Fact]
    public void SubdirsNoMirrorHasAreEmpty_AsForTheChannelItself()
    {
        Publish("b", "alpha");
        Settings s = Settings(new[] { Mirror("missing"), Mirror("b") });
        var origins = new List<string>();
        IReadOnlyList<SolverChannel> loaded = RepoDataGateway.Load(new[] { CondaForge(s) }, Platform.Parse("osx-arm64"), s,
            new SyncProgress<RepoDataProgress>(p => { lock (origins) { origins.Add($"{p.Subdir}: {p.Origin}"); } }));
        Assert.Equal(new[] { "noarch" }, loaded.Single().Subdirs.Select(x => x.Subdir));
        Assert.Contains(origins, o => o.StartsWith("osx-arm64: no repodata on any mirror (404)", StringComparison.Ordinal));
        Assert.True(RepoDataCache.InFirstWritable(new[] { _f.Pkgs })!.Read($"{Canonical}/osx-arm64")!.Missing);
    }

    [Fact]
    public void TheKeyIsReadAndBadMirrorsAreConfigurationErrors()
    {
        Settings s = Settings(new[] { Mirror("a"), "oci://ghcr.io/channel-mirrors/conda-forge" });
        Assert.Equal(new[] { Mirror("a"), "oci://ghcr.io/channel-mirrors/conda-forge" }, s.MirroredChannels["conda-forge"]);
        Assert.Contains("mirrored_channels", EnvTools.Config.Settings.KnownKeys);

        var empty = Assert.Throws<InvalidConfigurationException>(() => ChannelMirrors.From(Settings(Array.Empty<string>())));
        Assert.Equal("mirrored_channels", empty.Key);
        var bad = Assert.Throws<InvalidConfigurationException>(() => ChannelMirrors.From(Settings(new[] { "ftp://user:pw-5ecret@host/conda-forge" })));
        Assert.Contains("mirror of 'conda-forge'", bad.Message);
        Assert.DoesNotContain("5ecret", bad.Message);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static int UnusedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
