using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Install;
using EnvTools.Packages;
using EnvTools.Publish;
using Xunit;

namespace EnvTools.Tests.Publish;

/// <summary>
/// A source channel folder of real packages (<see cref="PackageBuilder"/>, <see cref="ChannelIndexer"/>), a mirror folder,
/// an isolated home, and helpers to publish, to create environments from either channel (each with its own package cache,
/// so the mirror's archives are what gets installed) and to compare environments file by file. Deleted on dispose.
/// </summary>
internal sealed class PublishFixture : IDisposable
{
    /// <summary>Files and conda-meta keys that differ between two environments of the same packages from two channels.</summary>
    private static readonly string[] PerChannelKeys = { "url", "channel", "extracted_package_dir", "package_tarball_full_path" };

    public PublishFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "envtools-publish-" + Guid.NewGuid().ToString("N")[..10]);
        foreach (string d in new[] { Source, Mirror, Home, Envs })
        {
            Directory.CreateDirectory(d);
        }
    }

    public string Root { get; }

    public string Source => Path.Combine(Root, "source");

    public string Mirror => Path.Combine(Root, "mirror");

    public string Home => Path.Combine(Root, "home");

    public string Envs => Path.Combine(Root, "envs");

    public static string Sub => Platform.Current.Name;

    /// <summary>Settings over this fixture's home, with the given package cache (a folder under the root) and options.</summary>
    public Settings Settings(string pkgs = "pkgs", params (string Key, object? Value)[] overrides)
    {
        var options = new Dictionary<string, object?>
        {
            ["pkgs_dirs"] = new[] { Path.Combine(Root, pkgs) },
            ["envs_dirs"] = new[] { Envs },
            ["local_repodata_ttl"] = 0,
            ["remote_max_retries"] = 1,
            ["remote_backoff_factor"] = 0.01,
        };
        foreach ((string k, object? v) in overrides)
        {
            options[k] = v;
        }

        var env = ConfigEnvironment.Create(Home, new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(Root, "docker") }, Array.Empty<string>(), Root, isWindows: false);
        return EnvTools.Config.Settings.Load(null, options, env);
    }

    /// <summary>Builds name-version-build into the source (one text file under share/NAME).</summary>
    public string Package(string name, string version, string[]? depends = null, string? subdir = null, PackageFormats format = PackageFormats.Conda, string build = "0")
    {
        string src = Path.Combine(Root, "src-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(src, "share", name));
        File.WriteAllText(Path.Combine(src, "share", name, $"{name}-{version}.txt"), $"{name} {version} {build}\n");
        var def = new PackageDefinition
        {
            Name = name,
            Version = version,
            Build = build,
            Subdir = subdir ?? Sub,
            Noarch = subdir == "noarch" ? "generic" : null,
            Depends = depends ?? Array.Empty<string>(),
            Timestamp = 1700000000000,
        };
        string archive = PackageBuilder.Build(src, def, Path.Combine(Source, def.Subdir), format).Single().Path;
        Directory.Delete(src, true);
        return archive;
    }

    /// <summary>A small channel: a '_' name as .tar.bz2, a '+' version, a dependency chain, a noarch package.</summary>
    public void Packages()
    {
        Package("_mutex", "1.0", format: PackageFormats.TarBz2);
        Package("pyx", "1.0+local", new[] { "_mutex" });
        Package("tool", "2.0", new[] { "pyx", "docs" });
        Package("docs", "3.0", subdir: "noarch");
        ChannelIndexer.Index(Source);
    }

    public Channel SourceChannel => EnvTools.Config.ChannelResolver.ParseChannel(Source);

    /// <summary>Plans and publishes <paramref name="request"/> (default: the whole source) to <paramref name="destination"/>.</summary>
    public PublishResult Publish(IChannelDestination destination, Settings? settings = null, Func<PublishRequest, PublishRequest>? request = null)
    {
        var publisher = new ChannelPublisher(settings ?? Settings(), destination) { StagingDirectory = Path.Combine(Root, "staging") };
        PublishRequest r = new() { Source = SourceChannel };
        using PublishPlan plan = publisher.PlanAsync(request is null ? r : request(r)).GetAwaiter().GetResult();
        return publisher.PublishAsync(plan).GetAwaiter().GetResult();
    }

    /// <summary>Creates environment <paramref name="name"/> from <paramref name="channel"/> with its own package cache <c>pkgs-NAME</c>.</summary>
    public string Create(string name, string channel, Settings? settings = null, params string[] specs)
    {
        Settings s = settings ?? Settings("pkgs-" + name);
        var installer = new EnvironmentInstaller(s, options: new InstallOptions
        {
            EnvironmentsFile = Path.Combine(Home, ".conda", "environments.txt"),
            LockTimeout = TimeSpan.FromSeconds(20),
            HistoryCommand = "envtools test",
        });
        var request = new EnvironmentRequest
        {
            Prefix = Path.Combine(Envs, name),
            Action = EnvironmentAction.Create,
            Specs = specs.Select(MatchSpec.Parse).ToArray(),
            Channels = new[] { s.CreateChannelResolver().ResolveOne(channel) },
            NoDefaultPackages = true,
        };
        return installer.Apply(installer.Plan(request)).Plan.Prefix;
    }

    /// <summary>
    /// Every file of an environment with its sha256, except conda-meta/history and created_at (dates, commands); a conda-meta record is
    /// compared without the keys that name its channel or package cache.
    /// </summary>
    public static SortedDictionary<string, string> TreeDigest(string prefix)
    {
        var digest = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(prefix, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(prefix, file).Replace('\\', '/');
            if (rel is "conda-meta/history" or "conda-meta/created_at")
            {
                continue;
            }

            if (rel.StartsWith("conda-meta/", StringComparison.Ordinal) && rel.EndsWith(".json", StringComparison.Ordinal))
            {
                JsonObject record = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
                foreach (string key in PerChannelKeys)
                {
                    Assert.True(record.Remove(key) || key != "url", $"{rel} has no {key}");
                }

                (record["link"] as JsonObject)?.Remove("source"); // the package cache folder
                foreach (KeyValuePair<string, JsonNode?> field in record)
                {
                    digest[$"{rel}#{field.Key}"] = field.Value?.ToJsonString() ?? "null";
                }

                continue;
            }

            digest[rel] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
        }

        return digest;
    }

    /// <summary>Asserts that two environments hold the same files with the same bytes (see <see cref="TreeDigest"/>), naming the first difference.</summary>
    public static void AssertSameEnvironment(string expected, string actual)
    {
        SortedDictionary<string, string> a = TreeDigest(expected), b = TreeDigest(actual);
        Assert.Equal(a.Keys, b.Keys);
        foreach (string key in a.Keys)
        {
            Assert.Equal((key, a[key]), (key, b[key]));
        }
    }

    public static string Sha256(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant();

    public void Dispose()
    {
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

/// <summary>A destination that records every call (in order) and passes it to a real one.</summary>
internal sealed class RecordingDestination(IChannelDestination inner) : IChannelDestination
{
    private readonly List<string> _calls = new();

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_calls)
            {
                return _calls.ToArray();
            }
        }
    }

    public string DisplayName => inner.DisplayName;

    public Task<DestinationRepodata?> GetRepodataAsync(string subdir, CancellationToken cancellationToken)
    {
        Record($"get-repodata {subdir}");
        return inner.GetRepodataAsync(subdir, cancellationToken);
    }

    public Task<bool> HasPackageAsync(string subdir, RepoDataRecord record, bool verifyContent, CancellationToken cancellationToken)
    {
        Record($"has {subdir}/{record.FileName} verify={verifyContent}");
        return inner.HasPackageAsync(subdir, record, verifyContent, cancellationToken);
    }

    public Task<long> PutPackageAsync(string subdir, string archivePath, string sha256, CancellationToken cancellationToken)
    {
        Record($"put {subdir}/{Path.GetFileName(archivePath)}");
        return inner.PutPackageAsync(subdir, archivePath, sha256, cancellationToken);
    }

    public Task PutRepodataAsync(string subdir, byte[] json, byte[] zst, CancellationToken cancellationToken)
    {
        Record($"put-repodata {subdir}");
        return inner.PutRepodataAsync(subdir, json, zst, cancellationToken);
    }

    private void Record(string call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }
}
