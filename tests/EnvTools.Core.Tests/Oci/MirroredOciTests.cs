using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Environments;
using EnvTools.Install;
using EnvTools.RepoData;
using Xunit;

namespace EnvTools.Tests.Oci;

/// <summary>
/// <c>mirrored_channels</c> with an <c>oci://</c> mirror (conda-oci-mirror's layout in Debian's docker-registry): an environment
/// of <c>conda-forge</c> created while the channel's own URL and the first mirror are closed ports; conda-meta names the channel.
/// </summary>
public sealed class MirroredOciTests : IAsyncLifetime
{
    private OciFixture _f = null!;

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

    [RegistryFact]
    public async Task AnEnvironmentOfTheChannelComesFromItsOciMirror_CondaMetaNamesTheChannel()
    {
        _f.Package("_envtools_mutex", "1.0");
        _f.Package("tool", "2.0", new[] { "_envtools_mutex" });
        await _f.PublishAsync(_f.Settings(), "mirrors/conda-forge");
        int closed = UnusedPort();
        string alias = $"http://127.0.0.1:{closed}";
        Settings settings = _f.Settings(
            ("channel_alias", alias),
            ("mirrored_channels", new Dictionary<string, string[]> { ["conda-forge"] = new[] { $"{alias}/down/conda-forge", _f.ChannelUrl("mirrors/conda-forge") } }));

        int mark = _f.Registry.Mark();
        var origins = new List<string>();
        Channel condaForge = settings.CreateChannelResolver().ResolveOne("conda-forge");
        RepoDataGateway.Load(new[] { condaForge }, Platform.Current, settings,
            new SyncProgress<RepoDataProgress>(p => { lock (origins) { origins.Add(p.Origin ?? string.Empty); } }));
        Assert.Contains(origins, o => o.Contains($"downloaded repodata.json.zst", StringComparison.Ordinal) &&
            o.Contains($"from mirror {_f.ChannelUrl("mirrors/conda-forge")}", StringComparison.Ordinal));

        EnvironmentInstaller installer = _f.Installer(settings);
        EnvironmentResult result = installer.Apply(installer.Plan(new EnvironmentRequest
        {
            Prefix = Path.Combine(_f.Envs, "mirrored"),
            Action = EnvironmentAction.Create,
            Specs = new[] { MatchSpec.Parse("tool") },
            Channels = new[] { condaForge },
            NoDefaultPackages = true,
        }));

        string prefix = result.Plan.Prefix;
        Assert.Equal("tool 2.0\n", File.ReadAllText(Path.Combine(prefix, "share", "tool", "tool.txt")));
        foreach (PrefixRecord r in PrefixState.ReadInstalled(prefix))
        {
            Assert.Equal($"{alias}/conda-forge/{r.Subdir}/{r.FileName}", r.Url);
            Assert.Equal($"{alias}/conda-forge/{r.Subdir}", r.Channel);
            JsonNode meta = JsonNode.Parse(File.ReadAllText(Path.Combine(prefix, "conda-meta", $"{r.Name}-{r.Version}-{r.Build}.json")))!;
            Assert.Equal(r.Url, (string?)meta["url"]);
        }

        // the archives came from the registry, by digest
        IReadOnlyList<RegistryRequest> log = _f.Registry.RequestsSince(mark);
        Assert.Single(log, r => r.Method == "GET" && r.Status == 200 && r.Path.StartsWith($"/v2/mirrors/conda-forge/{OciFixture.Subdir}/tool/blobs/sha256:", StringComparison.Ordinal));
        Assert.Single(log, r => r.Method == "GET" && r.Status == 200 && r.Path.StartsWith($"/v2/mirrors/conda-forge/{OciFixture.Subdir}/zzz_envtools_mutex/blobs/sha256:", StringComparison.Ordinal));
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
