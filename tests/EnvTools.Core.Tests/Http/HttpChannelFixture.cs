using System.Text;
using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.RepoData;
using EnvTools.Solve;

namespace EnvTools.Tests.Http;

/// <summary>
/// A temp folder with channels written by the tests, a loopback <see cref="ChannelServer"/> over it, a pkgs
/// dir for the repodata cache, and settings with small back-off and time-outs.
/// </summary>
internal sealed class HttpChannelFixture : IAsyncDisposable
{
    private HttpChannelFixture(string root, ChannelServer server)
    {
        Root = root;
        Server = server;
    }

    public string Root { get; }

    public string Served => Path.Combine(Root, "served");

    public string Pkgs => Path.Combine(Root, "pkgs");

    public string CacheDir => Path.Combine(Pkgs, "cache");

    public ChannelServer Server { get; }

    public static async Task<HttpChannelFixture> StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        string root = Path.Combine(Path.GetTempPath(), "envtools-http-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "served"));
        Directory.CreateDirectory(Path.Combine(root, "home"));
        return new HttpChannelFixture(root, await ChannelServer.StartAsync(Path.Combine(root, "served"), certificate: certificate));
    }

    /// <summary>Writes <c>served/&lt;channel&gt;/&lt;subdir&gt;/&lt;file&gt;</c> for each form in <paramref name="forms"/> (json, zst, bz2).</summary>
    public void WriteChannel(string channel, string subdir, string[] names, params string[] forms)
    {
        string dir = Path.Combine(Served, channel, subdir);
        Directory.CreateDirectory(dir);
        byte[] json = RepoDataJson(subdir, names);
        foreach (string form in forms.Length == 0 ? new[] { "json" } : forms)
        {
            switch (form)
            {
                case "json":
                    File.WriteAllBytes(Path.Combine(dir, "repodata.json"), json);
                    break;
                case "zst":
                    using (var c = new ZstdSharp.Compressor(3))
                    {
                        File.WriteAllBytes(Path.Combine(dir, "repodata.json.zst"), c.Wrap(json).ToArray());
                    }

                    break;
                case "bz2":
                    using (var ms = new MemoryStream())
                    {
                        using (var bz = SharpCompress.Compressors.BZip2.BZip2Stream.Create(ms, SharpCompress.Compressors.CompressionMode.Compress, false, true))
                        {
                            bz.Write(json);
                        }

                        File.WriteAllBytes(Path.Combine(dir, "repodata.json.bz2"), ms.ToArray());
                    }

                    break;
                default:
                    throw new ArgumentException(form);
            }
        }
    }

    /// <summary>A repodata.json with one record per name (version 1.0, and 2.0 for names ending in 2).</summary>
    public static byte[] RepoDataJson(string subdir, IEnumerable<string> names)
    {
        var packages = new JsonObject();
        foreach (string name in names)
        {
            packages[$"{name}-1.0-0.tar.bz2"] = new JsonObject
            {
                ["name"] = name,
                ["version"] = "1.0",
                ["build"] = "0",
                ["build_number"] = 0,
                ["depends"] = new JsonArray(),
                ["subdir"] = subdir,
                ["md5"] = "0123456789abcdef0123456789abcdef",
                ["size"] = 1234,
            };
        }

        var doc = new JsonObject
        {
            ["info"] = new JsonObject { ["subdir"] = subdir },
            ["packages"] = packages,
            ["packages.conda"] = new JsonObject(),
            ["repodata_version"] = 1,
        };
        return Encoding.UTF8.GetBytes(doc.ToJsonString());
    }

    /// <summary>Settings for the tests: this fixture's pkgs dir, fast back-off, short time-outs, TTL 0; plus overrides.</summary>
    public Settings Settings(params (string Key, object? Value)[] overrides)
    {
        var options = new Dictionary<string, object?>
        {
            ["pkgs_dirs"] = new[] { Pkgs },
            ["remote_max_retries"] = 3,
            ["remote_backoff_factor"] = 0.01,
            ["remote_connect_timeout_secs"] = 2,
            ["remote_read_timeout_secs"] = 5,
            ["local_repodata_ttl"] = 0,
            ["repodata_use_zst"] = true,
        };
        foreach ((string key, object? value) in overrides)
        {
            options[key] = value;
        }

        return EnvTools.Config.Settings.Load(null, options, ConfigEnvironment.Create(Path.Combine(Root, "home"), new Dictionary<string, string>(), Array.Empty<string>(), Root, isWindows: false));
    }

    public Channel Channel(string path) => EnvTools.Config.ChannelResolver.ParseChannel($"{Server.Url}/{path}");

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "the tests call it on their fixture, beside its instance overload")]
    public IReadOnlyList<SolverChannel> Load(Settings settings, string platform = "linux-64", params Channel[] channels) =>
        RepoDataGateway.Load(channels, Platform.Parse(platform), settings);

    public IReadOnlyList<SolverChannel> Load(Settings settings, string channelPath) => Load(settings, "linux-64", Channel(channelPath));

    /// <summary>Every file name under the cache folder (relative), sorted.</summary>
    public IReadOnlyList<string> CacheFiles() => Directory.Exists(CacheDir)
        ? Directory.EnumerateFiles(CacheDir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(CacheDir, f)).Order(StringComparer.Ordinal).ToArray()
        : Array.Empty<string>();

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
