using System.Net;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch.Oci;
using EnvTools.Install;
using EnvTools.Publish;
using EnvTools.RepoData;
using EnvTools.Tests.Oci;
using Xunit;
using EnvTools.Environments;

namespace EnvTools.Tests.Publish;

/// <summary>
/// <see cref="ChannelPublisher"/> into a real registry (Debian's docker-registry, open, plain HTTP through
/// <c>oci_insecure_registries</c>): the published channel is read back with the registry's own API and through <c>oci://</c>,
/// and an environment created from it is compared with one created from the source folder.
/// </summary>
public sealed class OciPublishTests : IDisposable
{
    private readonly PublishFixture _f = new();
    private readonly RegistryServer? _registry;

    public OciPublishTests()
    {
        if (RegistryServer.SkipReason is null)
        {
            _registry = RegistryServer.Start(new RegistryOptions());
        }
    }

    private static string Sub => PublishFixture.Sub;

    private RegistryServer Registry => _registry!;

    private string Mirror => $"oci://{Registry.Authority}/envtools/mirror";

    public void Dispose()
    {
        _registry?.Dispose();
        _f.Dispose();
    }

    private Settings Settings(string pkgs = "pkgs") => _f.Settings(pkgs, ("oci_insecure_registries", new[] { Registry.Authority }));

    private IChannelDestination Destination() => ChannelDestinations.Open(Mirror, Settings(), _f.Root);

    private async Task<(HttpStatusCode Status, byte[] Body)> RawGetAsync(string path, bool manifest = true)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Registry.Url + path);
        if (manifest)
        {
            request.Headers.Accept.ParseAdd(OciLayout.ManifestMediaType);
        }

        using HttpResponseMessage response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    [RegistryFact]
    public async Task AChannelPublishedToARegistryGivesTheSameEnvironmentAndARerunPushesNothing()
    {
        _f.Packages();
        int mark = Registry.Mark();
        PublishResult result = _f.Publish(Destination(), Settings());
        Assert.Empty(result.Failures);
        Assert.Equal((4, 0), (result.Summary.Copied, result.Summary.Skipped));
        Assert.Equal(new[] { Sub, "noarch" }, result.Summary.RepodataWritten);
        Assert.All(result.Packages, p => Assert.Equal(new FileInfo(Path.Combine(_f.Source, p.Subdir, p.FileName)).Length, p.Bytes));

        // the registry saw every package manifest before the first repodata manifest
        IReadOnlyList<RegistryRequest> log = Registry.RequestsSince(mark);
        var puts = log.Where(r => r.Method == "PUT" && r.Path.Contains("/manifests/", StringComparison.Ordinal)).Select(r => r.Path).ToList();
        Assert.Equal(6, puts.Count);
        Assert.Equal(new[] { $"/v2/envtools/mirror/{Sub}/repodata.json/manifests/latest", "/v2/envtools/mirror/noarch/repodata.json/manifests/latest" }, puts.Skip(4));
        Assert.Contains($"/v2/envtools/mirror/{Sub}/zzz_mutex/manifests/1.0-0", puts);
        Assert.Contains($"/v2/envtools/mirror/{Sub}/pyx/manifests/1.0__p__local-0", puts);

        // read back with the registry's own API: the repodata layers are the source's repodata.json and its zstd form
        (HttpStatusCode status, byte[] body) = await RawGetAsync($"/v2/envtools/mirror/{Sub}/repodata.json/manifests/latest");
        Assert.Equal(HttpStatusCode.OK, status);
        OciManifest manifest = OciManifest.Parse(body);
        Assert.Equal(new[] { OciLayout.RepodataJson, OciLayout.RepodataZst }, manifest.Layers.Select(l => l.MediaType));
        (_, byte[] json) = await RawGetAsync($"/v2/envtools/mirror/{Sub}/repodata.json/blobs/{manifest.Layers[0].Digest}", manifest: false);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_f.Source, Sub, "repodata.json")), json);
        (_, byte[] zst) = await RawGetAsync($"/v2/envtools/mirror/{Sub}/repodata.json/blobs/{manifest.Layers[1].Digest}", manifest: false);
        using (var d = new ZstdSharp.Decompressor())
        {
            Assert.Equal(json, d.Unwrap(zst).ToArray());
        }

        // an environment from oci:// (its own package cache) is the environment from the source folder
        string fromSource = _f.Create("from-source", _f.Source, null, "tool");
        string fromOci = _f.Create("from-oci", Mirror, Settings("pkgs-from-oci"), "tool");
        Assert.All(PrefixState.ReadInstalled(fromOci), r => Assert.StartsWith(Mirror + "/", r.Url));
        PublishFixture.AssertSameEnvironment(fromSource, fromOci);

        // a re-run asks (manifests, HEAD) and pushes nothing, repodata included
        mark = Registry.Mark();
        PublishResult again = _f.Publish(Destination(), Settings());
        Assert.Equal((0, 4, 0L), (again.Summary.Copied, again.Summary.Skipped, again.Summary.Bytes));
        Assert.Equal(new[] { Sub, "noarch" }, again.Summary.RepodataUnchanged);
        log = Registry.RequestsSince(mark);
        Assert.All(log, r => Assert.Equal(("GET", 200), (r.Method, r.Status)));
        // the probe, each subdir's repodata manifest and JSON layer, each package's manifest: nothing else
        Assert.Equal(1 + (2 * 2) + 4, log.Count);
        Assert.Equal(4, log.Count(r => r.Path.Contains("/manifests/", StringComparison.Ordinal) && !r.Path.Contains("/repodata.json/", StringComparison.Ordinal)));
    }

    [RegistryFact]
    public async Task PublishingASubsetAddsToTheRepodataInTheRegistry()
    {
        _f.Packages();
        PublishResult first = _f.Publish(Destination(), Settings(), r => r with { Specs = new[] { MatchSpec.Parse("docs") } });
        Assert.Equal(new[] { "docs-3.0-0.conda" }, first.Packages.Select(p => p.FileName));

        PublishResult second = _f.Publish(Destination(), Settings(), r => r with { Specs = new[] { MatchSpec.Parse("tool") }, WithDependencies = true });
        Assert.Equal(new[] { ("_mutex-1.0-0.tar.bz2", PublishAction.Copied), ("docs-3.0-0.conda", PublishAction.Skipped), ("pyx-1.0+local-0.conda", PublishAction.Copied), ("tool-2.0-0.conda", PublishAction.Copied) },
            second.Packages.Select(p => (p.FileName, p.Action)).OrderBy(p => p.FileName, StringComparer.Ordinal));

        // the merged repodata, read through oci:// as any client reads it
        using var loaded = RepoDataGateway.Load(new[] { EnvTools.Config.ChannelResolver.ParseChannel(Mirror) }, Platform.Current, Settings()).Single();
        Assert.Equal(new[] { "_mutex", "docs", "pyx", "tool" }, loaded.Subdirs.SelectMany(s => s.Names).Order(StringComparer.Ordinal));

        // a destination path without a namespace, and a registry that is not there, are typed errors
        Assert.Throws<InvalidPublishDestinationException>(() => ChannelDestinations.Open($"oci://{Registry.Authority}/mirror", Settings(), _f.Root));
        Registry.Dispose();
        var down = await Assert.ThrowsAsync<PublishDestinationUnavailableException>(() =>
            new ChannelPublisher(Settings(), Destination()).PlanAsync(new PublishRequest { Source = _f.SourceChannel }));
        Assert.Equal("PublishDestinationUnavailable", down.ErrorId);
        Assert.Contains(Registry.Authority, down.Message);
    }
}
