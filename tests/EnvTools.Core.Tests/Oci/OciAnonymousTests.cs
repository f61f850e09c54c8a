using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.Fetch.Oci;
using EnvTools.Install;
using EnvTools.Packages;
using EnvTools.RepoData;
using EnvTools.Solve;
using Xunit;
using EnvTools.Environments;

namespace EnvTools.Tests.Oci;

/// <summary>
/// O1: an open registry (Debian's docker-registry, reached over plain HTTP through <c>oci_insecure_registries</c>), seeded
/// with <see cref="OciPushClient"/>, read through <c>oci://</c> channels. What the registry served is read from its access log.
/// </summary>
public sealed class OciAnonymousTests : IAsyncLifetime
{
    private OciFixture _f = null!;

    private static string Sub => OciFixture.Subdir;

    public async Task InitializeAsync()
    {
        if (RegistryServer.SkipReason is null)
        {
            _f = await OciFixture.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_f is not null)
        {
            await _f.DisposeAsync();
        }
    }

    private void Packages()
    {
        _f.Package("_envtools_mutex", "1.0", format: PackageFormats.TarBz2);
        _f.Package("pyx", "1.0+local", new[] { "_envtools_mutex" });
        _f.Package("tool", "2.0", new[] { "pyx" });
        _f.Package("docs", "3.0", subdir: "noarch");
    }

    private string Archive(string file) => Path.Combine(_f.Folder, Sub, file);

    private static IReadOnlyList<CachedPackage> Ensure(Settings settings, params RepoDataRecord[] records) =>
        PackageCache.FromSettings(settings).EnsureAsync(records, null, CancellationToken.None).GetAwaiter().GetResult();

    [RegistryFact]
    public async Task PublishesTheCondaOciLayoutThatTheRegistryServes()
    {
        Packages();
        await _f.PublishAsync(_f.Settings());

        // read back with the registry's own API, no EnvTools code in between
        (HttpStatusCode status, byte[] body) = await _f.RawGetAsync($"/v2/envtools/chan/{Sub}/zzz_envtools_mutex/tags/list", accept: null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"1.0-0\"", Encoding.UTF8.GetString(body));
        (status, body) = await _f.RawGetAsync($"/v2/envtools/chan/{Sub}/zzz_envtools_mutex/manifests/1.0-0");
        OciDescriptor mutex = OciManifest.Parse(body).Layers.Single();
        Assert.Equal((OciLayout.PackageTarBz2, "_envtools_mutex-1.0-0.tar.bz2", "sha256:" + OciFixture.Sha256(Archive("_envtools_mutex-1.0-0.tar.bz2"))),
            (mutex.MediaType, mutex.Title, mutex.Digest));

        (status, body) = await _f.RawGetAsync($"/v2/envtools/chan/{Sub}/pyx/manifests/1.0__p__local-0");
        Assert.Equal(HttpStatusCode.OK, status);
        OciManifest pyx = OciManifest.Parse(body);
        Assert.Equal(OciLayout.EmptyConfigMediaType, pyx.Config.MediaType);
        Assert.Equal((OciLayout.PackageConda, "pyx-1.0+local-0.conda", "sha256:" + OciFixture.Sha256(Archive("pyx-1.0+local-0.conda"))),
            (pyx.Layers.Single().MediaType, pyx.Layers.Single().Title, pyx.Layers.Single().Digest));
        (status, body) = await _f.RawGetAsync($"/v2/envtools/chan/{Sub}/pyx/blobs/{pyx.Layers.Single().Digest}", accept: null);
        Assert.Equal(File.ReadAllBytes(Archive("pyx-1.0+local-0.conda")), body);

        (status, body) = await _f.RawGetAsync($"/v2/envtools/chan/noarch/repodata.json/manifests/latest");
        OciManifest repodata = OciManifest.Parse(body);
        Assert.Equal(new[] { OciLayout.RepodataJson, OciLayout.RepodataZst }, repodata.Layers.Select(l => l.MediaType));
        byte[] json = File.ReadAllBytes(Path.Combine(_f.Folder, "noarch", "repodata.json"));
        (_, byte[] jsonLayer) = await _f.RawGetAsync($"/v2/envtools/chan/noarch/repodata.json/blobs/{repodata.Layers[0].Digest}", accept: null);
        (_, byte[] zstLayer) = await _f.RawGetAsync($"/v2/envtools/chan/noarch/repodata.json/blobs/{repodata.Layers[1].Digest}", accept: null);
        Assert.Equal(json, jsonLayer);
        using (var d = new ZstdSharp.Decompressor())
        {
            Assert.Equal(json, d.Unwrap(zstLayer).ToArray());
        }

        // pushing again uploads nothing: every blob is found with HEAD first
        int mark = _f.Registry.Mark();
        IReadOnlyList<OciPushResult> again = await _f.PublishAsync(_f.Settings());
        Assert.All(again.SelectMany(r => r.Blobs), b => Assert.False(b.Uploaded));
        Assert.Equal(0, again.Sum(r => r.BytesUploaded));
        IReadOnlyList<RegistryRequest> log = _f.Registry.RequestsSince(mark);
        Assert.DoesNotContain(log, r => r.Method is "POST" || (r.Method == "PUT" && r.Path.Contains("/blobs/", StringComparison.Ordinal)));
        Assert.Contains(log, r => r.Method == "HEAD" && r.Status == 200);
    }

    [RegistryFact]
    public async Task CreatesAnEnvironmentFromTheZstLayerAndPackagesByDigest()
    {
        Packages();
        await _f.PublishAsync(_f.Settings());
        Settings settings = _f.Settings();
        (_, byte[] body) = await _f.RawGetAsync($"/v2/envtools/chan/{Sub}/repodata.json/manifests/latest");
        string zstDigest = OciManifest.Parse(body).Layer(OciLayout.RepodataZst)!.Digest;

        int mark = _f.Registry.Mark();
        var origins = new List<string>();
        Assert.Equal(new[] { "_envtools_mutex", "docs", "pyx", "tool" },
            _f.Load(settings, origins: origins)[0].Subdirs.SelectMany(s => s.Names).Order(StringComparer.Ordinal));
        Assert.Equal(2, origins.Count);
        Assert.All(origins, o => Assert.Contains("downloaded repodata.json.zst", o));
        IReadOnlyList<RegistryRequest> log = _f.Registry.RequestsSince(mark);
        Assert.Single(log, r => r.Path == "/v2/"); // the probe, once per registry
        Assert.Single(log, r => r.Path == $"/v2/envtools/chan/{Sub}/repodata.json/manifests/latest" && r.Status == 200);
        Assert.Single(log, r => r.Path == $"/v2/envtools/chan/{Sub}/repodata.json/blobs/{zstDigest}" && r.Status == 200);
        Assert.DoesNotContain(log, r => r.Path.Contains("shards", StringComparison.Ordinal) || r.Path.Contains("current_repodata", StringComparison.Ordinal));

        mark = _f.Registry.Mark();
        EnvironmentResult result = _f.Create(settings, "e1", "envtools/chan", "tool", "docs");
        string prefix = result.Plan.Prefix;
        Assert.Equal(new[] { "_envtools_mutex=1.0", "docs=3.0", "pyx=1.0+local", "tool=2.0" },
            PrefixState.ReadInstalled(prefix).Select(r => $"{r.Name}={r.Version}").Order(StringComparer.Ordinal));
        Assert.Equal("pyx 1.0+local\n", File.ReadAllText(Path.Combine(prefix, "share", "pyx", "pyx.txt")));
        Assert.All(PrefixState.ReadInstalled(prefix), r =>
        {
            Assert.StartsWith($"oci://{_f.Registry.Authority}/envtools/chan/", r.Url);
            Assert.Equal($"oci://{_f.Registry.Authority}/envtools/chan/{r.Subdir}", r.Channel); // as conda-meta records it
        });

        // each archive by its digest (the record's sha256) in the repository of its name: '_' → 'zzz_'
        log = _f.Registry.RequestsSince(mark);
        foreach ((string repo, string file) in new[] { ("zzz_envtools_mutex", "_envtools_mutex-1.0-0.tar.bz2"), ("pyx", "pyx-1.0+local-0.conda"), ("tool", "tool-2.0-0.conda") })
        {
            Assert.Single(log, r => r.Method == "GET" && r.Status == 200 && r.Path == $"/v2/envtools/chan/{Sub}/{repo}/blobs/sha256:{OciFixture.Sha256(Archive(file))}");
        }

        Assert.DoesNotContain(log, r => r.Path.Contains("/manifests/", StringComparison.Ordinal) && !r.Path.EndsWith("/repodata.json/manifests/latest", StringComparison.Ordinal));
    }

    [RegistryFact]
    public async Task RepodataIsCachedWithinTheTtlAndRevalidatedWithTheLayerDigest()
    {
        Packages();
        await _f.PublishAsync(_f.Settings());
        Settings ttl = _f.Settings(("local_repodata_ttl", 3600));
        _f.Load(ttl);

        // within local_repodata_ttl: no request at all
        int mark = _f.Registry.Mark();
        var origins = new List<string>();
        _f.Load(ttl, origins: origins);
        Assert.All(origins, o => Assert.Contains("cache hit", o));
        Assert.Empty(_f.Registry.RequestsSince(mark));

        // after it: one manifest request per subdir, the layer digest unchanged, a 304 and no blob
        mark = _f.Registry.Mark();
        origins.Clear();
        _f.Load(_f.Settings(), origins: origins);
        Assert.Equal(2, origins.Count);
        Assert.All(origins, o => Assert.Contains("304 Not Modified", o));
        IReadOnlyList<RegistryRequest> log = _f.Registry.RequestsSince(mark);
        Assert.Equal(new[] { $"/v2/envtools/chan/{Sub}/repodata.json/manifests/latest", "/v2/envtools/chan/noarch/repodata.json/manifests/latest" },
            log.Select(r => r.Path).Order(StringComparer.Ordinal));

        (_, byte[] body) = await _f.RawGetAsync($"/v2/envtools/chan/{Sub}/repodata.json/manifests/latest");
        string zst = OciManifest.Parse(body).Layer(OciLayout.RepodataZst)!.Digest;
        RepoDataCacheState state = RepoDataCache.InFirstWritable(new[] { _f.Pkgs })!.Read(_f.Channel().SubdirUrl(Sub))!;
        Assert.Equal($"\"{zst}\"", state.Etag);
        Assert.Null(state.CacheControl); // not the blob's year-long max-age

        // a new package changes the subdir's layer digest: that subdir is downloaded again, the other one stays a 304
        _f.Package("extra", "1.0");
        await _f.PublishAsync(_f.Settings());
        origins.Clear();
        Assert.Contains("extra", _f.Load(_f.Settings(), origins: origins)[0].Subdirs.SelectMany(s => s.Names));
        Assert.Contains(origins, o => o.StartsWith(Sub + ": downloaded repodata.json.zst", StringComparison.Ordinal));
        Assert.Contains(origins, o => o.StartsWith("noarch: 304", StringComparison.Ordinal));
    }

    [RegistryFact]
    public async Task PlainNamesResolveThroughAnOciChannelAlias()
    {
        Packages();
        await _f.PublishAsync(_f.Settings());
        Settings settings = _f.Settings(("channel_alias", $"oci://{_f.Registry.Authority}/envtools"));
        Channel chan = settings.CreateChannelResolver().ResolveOne("chan");
        Assert.Equal(("chan", $"oci://{_f.Registry.Authority}/envtools/chan"), (chan.Name, chan.BaseUrl.AbsoluteUri));
        SolverChannel loaded = RepoDataGateway.Load(new[] { chan }, Platform.Current, settings).Single();
        Assert.Equal("chan", loaded.Name);
        RepoDataRecord tool = loaded.Subdirs.SelectMany(s => s.GetRecords("tool")).Single();
        Assert.Equal($"oci://{_f.Registry.Authority}/envtools/chan/{Sub}/tool-2.0-0.conda", tool.Url);
    }

    [RegistryFact]
    public async Task AMissingTagOrBlobIsAClearError()
    {
        Packages();
        await _f.PublishAsync(_f.Settings());
        Settings settings = _f.Settings();

        // no repodata tag in either subdir: one manifest request per subdir serves all three forms
        int mark = _f.Registry.Mark();
        var channel = Assert.Throws<ChannelUnavailableException>(() => _f.Load(settings, "envtools/nosuch"));
        Assert.Equal("ChannelUnavailable", channel.ErrorId);
        Assert.Contains("has no repodata", channel.Message);
        IReadOnlyList<RegistryRequest> log = _f.Registry.RequestsSince(mark);
        Assert.Single(log, r => r.Path == $"/v2/envtools/nosuch/{Sub}/repodata.json/manifests/latest" && r.Status == 404);
        Assert.Single(log, r => r.Path == "/v2/envtools/nosuch/noarch/repodata.json/manifests/latest" && r.Status == 404);

        // a record whose archive was never pushed: the blob and the manifest are missing; 404 is not retried
        _f.Package("ghost", "1.0");
        ChannelIndexer.Index(_f.Folder);
        RepoDataRecord ghost = _f.Records().Single(r => r.Name == "ghost");
        mark = _f.Registry.Mark();
        var ex = Assert.Throws<PackageDownloadException>(() => Ensure(settings, ghost));
        Assert.Equal(("PackageDownloadFailed", 404), (ex.ErrorId, ex.StatusCode));
        Assert.Contains("HTTP 404", ex.Message);
        Assert.Contains("BLOB_UNKNOWN", ex.Message);
        Assert.Contains("MANIFEST_UNKNOWN", ex.Message);
        Assert.Contains("ghost-1.0-0.conda", ex.Message);
        log = _f.Registry.RequestsSince(mark);
        Assert.Equal(new[] { ("GET", $"/v2/envtools/chan/{Sub}/ghost/blobs/sha256:{ghost.Sha256}", 404), ("GET", $"/v2/envtools/chan/{Sub}/ghost/manifests/1.0-0", 404) },
            log.Select(r => (r.Method, r.Path, r.Status)));
    }

    [RegistryFact]
    public async Task ARecordWithoutSha256IsFetchedThroughThePackageManifest()
    {
        Packages();
        await _f.PublishAsync(_f.Settings());
        RepoDataRecord pyx = _f.Records(editJson: json =>
        {
            JsonNode doc = JsonNode.Parse(json)!;
            foreach (string section in new[] { "packages", "packages.conda" })
            {
                foreach (KeyValuePair<string, JsonNode?> p in doc[section]!.AsObject())
                {
                    p.Value!.AsObject().Remove("sha256");
                }
            }

            return doc.ToJsonString();
        }).Single(r => r.Name == "pyx");
        Assert.Null(pyx.Sha256);

        int mark = _f.Registry.Mark();
        CachedPackage got = Ensure(_f.Settings(), pyx).Single();
        Assert.Equal(OciFixture.Sha256(Archive("pyx-1.0+local-0.conda")), OciFixture.Sha256(got.ArchivePath!));
        IReadOnlyList<RegistryRequest> log = _f.Registry.RequestsSince(mark).Where(r => r.Path != "/v2/").ToArray();
        Assert.Equal(2, log.Count);
        Assert.Equal(($"/v2/envtools/chan/{Sub}/pyx/manifests/1.0__p__local-0", 200), (log[0].Path, log[0].Status));
        Assert.Equal(($"/v2/envtools/chan/{Sub}/pyx/blobs/sha256:{OciFixture.Sha256(Archive("pyx-1.0+local-0.conda"))}", 200), (log[1].Path, log[1].Status));
    }

    [RegistryFact]
    public async Task APartialDownloadIsResumedWithRange()
    {
        Packages();
        await _f.PublishAsync(_f.Settings());
        RepoDataRecord pyx = _f.Records().Single(r => r.Name == "pyx");
        byte[] archive = File.ReadAllBytes(Archive(pyx.FileName));
        int half = archive.Length / 2;
        File.WriteAllBytes(Path.Combine(_f.Pkgs, pyx.FileName + ".partial"), archive[..half]);

        int mark = _f.Registry.Mark();
        CachedPackage got = Ensure(_f.Settings(), pyx).Single();
        Assert.Equal(archive, File.ReadAllBytes(got.ArchivePath!));
        RegistryRequest blob = _f.Registry.RequestsSince(mark).Single(r => r.Path.Contains("/pyx/blobs/", StringComparison.Ordinal));
        Assert.Equal((206, (long)(archive.Length - half)), (blob.Status, blob.Bytes));
    }
}
