using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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

namespace EnvTools.Tests.Oci;

/// <summary>
/// A real registry (<see cref="RegistryServer"/>, optionally with a <see cref="TokenServer"/>, htpasswd or TLS), a folder
/// channel of real packages (<see cref="PackageBuilder"/>, <see cref="ChannelIndexer"/>) published into it with
/// <see cref="OciPushClient"/>, and an isolated home, package cache, envs folder and docker config. Deleted on dispose.
/// </summary>
internal sealed class OciFixture : IAsyncDisposable
{
    public const string User = "ci";
    public const string Password = "ci-secret-8e6f1";

    private OciFixture(string root, RegistryServer registry, TokenServer? tokens, string? tlsCertificate)
    {
        Root = root;
        Registry = registry;
        Tokens = tokens;
        TlsCertificate = tlsCertificate;
    }

    public string Root { get; }

    public RegistryServer Registry { get; }

    public TokenServer? Tokens { get; }

    /// <summary>The PEM certificate of a TLS registry, or null.</summary>
    public string? TlsCertificate { get; }

    /// <summary>Where packages are built and indexed before they are pushed.</summary>
    public string Folder => Path.Combine(Root, "folder");

    public string Pkgs => Path.Combine(Root, "pkgs");

    public string Envs => Path.Combine(Root, "envs");

    public string Home => Path.Combine(Root, "home");

    /// <summary>The DOCKER_CONFIG folder of <see cref="Settings"/> (empty until <see cref="WriteDockerConfig"/>).</summary>
    public string DockerConfig => Path.Combine(Root, "docker");

    public static string Subdir => Platform.Current.Name;

    public static async Task<OciFixture> StartAsync(RegistryAuth auth = RegistryAuth.None, bool tls = false, string privatePrefix = "envtools/private/")
    {
        string root = Path.Combine(Path.GetTempPath(), "envtools-oci-" + Guid.NewGuid().ToString("N")[..10]);
        foreach (string d in new[] { "folder", "pkgs", "envs", "home", "docker", "etc" })
        {
            Directory.CreateDirectory(Path.Combine(root, d));
        }

        TokenServer? tokens = null;
        string? htpasswd = null, cert = null, key = null;
        if (auth == RegistryAuth.Token)
        {
            tokens = await TokenServer.StartAsync(Path.Combine(root, "etc"), new Dictionary<string, string> { [User] = Password }, privatePrefix);
        }
        else if (auth == RegistryAuth.Htpasswd)
        {
            htpasswd = Path.Combine(root, "etc", "htpasswd");
            File.WriteAllText(htpasswd, Htpasswd(User, Password));
        }

        if (tls)
        {
            (cert, key) = WriteLoopbackCertificate(Path.Combine(root, "etc"));
        }

        RegistryServer registry = RegistryServer.Start(new RegistryOptions(auth, htpasswd, tokens?.Realm, tokens?.CertificateFile, cert, key));
        return new OciFixture(root, registry, tokens, cert);
    }

    /// <summary>A bcrypt htpasswd line from apache2-utils' <c>htpasswd -Bbn</c> (distribution accepts only bcrypt).</summary>
    private static string Htpasswd(string user, string password)
    {
        string exe = RegistryServer.FindOnPath("htpasswd") ?? throw new InvalidOperationException("htpasswd is not installed (Debian package apache2-utils)");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "-Bbn", user, password })
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        string line = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? line : throw new InvalidOperationException("htpasswd failed: " + p.StandardError.ReadToEnd());
    }

    /// <summary>A self-signed certificate for 127.0.0.1 and its key, as PEM files (what the registry's <c>http.tls</c> takes).</summary>
    private static (string Certificate, string Key) WriteLoopbackCertificate(string folder)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        string certFile = Path.Combine(folder, "tls.crt");
        string keyFile = Path.Combine(folder, "tls.key");
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, rsa.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }

    /// <summary>The channel URL of <paramref name="path"/> in the registry.</summary>
    public string ChannelUrl(string path = "envtools/chan") => $"oci://{Registry.Authority}/{path}";

    public Channel Channel(string path = "envtools/chan") => EnvTools.Config.ChannelResolver.ParseChannel(ChannelUrl(path));

    /// <summary>
    /// Settings over this fixture's folders: TTL 0, fast back-off, the registry in <c>oci_insecure_registries</c> unless it
    /// speaks TLS (then <c>ssl_verify</c> is its certificate), DOCKER_CONFIG = <see cref="DockerConfig"/>; plus overrides.
    /// </summary>
    public Settings Settings(params (string Key, object? Value)[] overrides)
    {
        var options = new Dictionary<string, object?>
        {
            ["pkgs_dirs"] = new[] { Pkgs },
            ["envs_dirs"] = new[] { Envs },
            ["remote_max_retries"] = 1,
            ["remote_backoff_factor"] = 0.01,
            ["remote_connect_timeout_secs"] = 5,
            ["remote_read_timeout_secs"] = 20,
            ["local_repodata_ttl"] = 0,
        };
        if (TlsCertificate is null)
        {
            options["oci_insecure_registries"] = new[] { Registry.Authority };
        }
        else
        {
            options["ssl_verify"] = TlsCertificate;
        }

        foreach ((string k, object? v) in overrides)
        {
            options[k] = v;
        }

        var env = ConfigEnvironment.Create(Home, new Dictionary<string, string> { ["DOCKER_CONFIG"] = DockerConfig }, Array.Empty<string>(), Root, isWindows: false);
        return EnvTools.Config.Settings.Load(null, options, env);
    }

    /// <summary>Writes DOCKER_CONFIG/config.json with an entry for the registry: <c>auth</c> (base64) or <c>username</c>/<c>password</c>.</summary>
    public string WriteDockerConfig(string user, string password, bool usernameFields = false, string? key = null)
    {
        JsonObject entry = usernameFields
            ? new JsonObject { ["username"] = user, ["password"] = password }
            : new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")) };
        var doc = new JsonObject { ["auths"] = new JsonObject { [key ?? Registry.Authority] = entry } };
        string file = Path.Combine(DockerConfig, "config.json");
        File.WriteAllText(file, doc.ToJsonString());
        return file;
    }

    public void RemoveDockerConfig() => File.Delete(Path.Combine(DockerConfig, "config.json"));

    /// <summary>Builds name-version-0 into the folder channel (one text file; <paramref name="format"/> .conda or .tar.bz2).</summary>
    public void Package(string name, string version, string[]? depends = null, string? subdir = null, PackageFormats format = PackageFormats.Conda)
    {
        string src = Path.Combine(Root, "src-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(src, "share", name));
        File.WriteAllText(Path.Combine(src, "share", name, name + ".txt"), $"{name} {version}\n");
        var def = new PackageDefinition
        {
            Name = name,
            Version = version,
            Build = "0",
            Subdir = subdir ?? Subdir,
            Noarch = subdir == "noarch" ? "generic" : null,
            Depends = depends ?? Array.Empty<string>(),
            Timestamp = 1700000000000,
        };
        PackageBuilder.Build(src, def, Path.Combine(Folder, def.Subdir), format);
        Directory.Delete(src, true);
    }

    /// <summary>
    /// Indexes the folder channel and publishes it under <paramref name="path"/> with <paramref name="settings"/>' credentials:
    /// every archive of every subdir, then each subdir's repodata (json and zst layers). Returns the push results.
    /// </summary>
    public async Task<IReadOnlyList<OciPushResult>> PublishAsync(Settings settings, string path = "envtools/chan")
    {
        ChannelIndexer.Index(Folder);
        var client = new OciPushClient(new Uri(ChannelUrl(path)), HttpFetchOptions.FromValidated(settings));
        var results = new List<OciPushResult>();
        foreach (string dir in Directory.EnumerateDirectories(Folder).Order(StringComparer.Ordinal))
        {
            string subdir = Path.GetFileName(dir);
            foreach (string archive in Directory.EnumerateFiles(dir).Where(f => f.EndsWith(".conda", StringComparison.Ordinal) || f.EndsWith(".tar.bz2", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                results.Add(await client.PushPackageAsync(subdir, archive));
            }

            results.Add(await client.PushRepodataAsync(subdir, File.ReadAllBytes(Path.Combine(dir, "repodata.json"))));
        }

        return results;
    }

    /// <summary>The folder channel's records of a subdir as a client of the oci:// channel reads them (URLs in the registry).</summary>
    public RepoDataRecord[] Records(string? subdir = null, string path = "envtools/chan", Func<string, string>? editJson = null)
    {
        string file = Path.Combine(Folder, subdir ?? Subdir, "repodata.json");
        if (editJson is not null)
        {
            string edited = Path.Combine(Root, "edited-repodata.json");
            File.WriteAllText(edited, editJson(File.ReadAllText(file)));
            file = edited;
        }

        return RepoDataParser.ParseFile(file, $"{ChannelUrl(path)}/{subdir ?? Subdir}").Records.ToArray();
    }

    /// <summary>Loads the channel's repodata through the gateway; <paramref name="origins"/> gets "subdir: origin" lines.</summary>
    public IReadOnlyList<SolverChannel> Load(Settings settings, string path = "envtools/chan", List<string>? origins = null) =>
        RepoDataGateway.Load(new[] { Channel(path) }, Platform.Current, settings,
            origins is null ? null : new SyncProgress<RepoDataProgress>(p => { lock (origins) { origins.Add($"{p.Subdir}: {p.Origin}"); } }));

    public EnvironmentInstaller Installer(Settings settings) => new(settings, options: new InstallOptions
    {
        EnvironmentsFile = Path.Combine(Home, ".conda", "environments.txt"),
        LockTimeout = TimeSpan.FromSeconds(20),
        HistoryCommand = "envtools test",
    });

    /// <summary>Plans and applies the creation of <paramref name="name"/> with <paramref name="specs"/> from the oci:// channel.</summary>
    public EnvironmentResult Create(Settings settings, string name, string path, params string[] specs)
    {
        EnvironmentInstaller installer = Installer(settings);
        var request = new EnvironmentRequest
        {
            Prefix = Path.Combine(Envs, name),
            Action = EnvironmentAction.Create,
            Specs = specs.Select(MatchSpec.Parse).ToArray(),
            Channels = new[] { Channel(path) },
            NoDefaultPackages = true,
        };
        return installer.Apply(installer.Plan(request));
    }

    /// <summary>A GET of the registry's own API (no EnvTools code in between), with an optional bearer token or Basic credentials.</summary>
    public async Task<(HttpStatusCode Status, byte[] Body)> RawGetAsync(string path, string? bearer = null, (string User, string Password)? basic = null, string? accept = OciLayout.ManifestMediaType)
    {
        using var handler = new HttpClientHandler();
        if (TlsCertificate is not null)
        {
            handler.ServerCertificateCustomValidationCallback = (_, _, _, _) => true;
        }

        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, Registry.Url + path);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }
        else if (basic is { } b)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{b.User}:{b.Password}")));
        }

        using HttpResponseMessage response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    public static string Sha256(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant();

    public async ValueTask DisposeAsync()
    {
        Registry.Dispose();
        if (Tokens is not null)
        {
            await Tokens.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (no synchronization context hop).</summary>
internal sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
