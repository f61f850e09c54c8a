using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.Fetch.S3;
using EnvTools.Packages;
using Xunit;
using EnvTools.IO;

namespace EnvTools.Tests.S3;

/// <summary>One Swift server for every S3 test class of the collection, started when the first test asks for it.</summary>
public sealed class SwiftS3Fixture : IAsyncLifetime
{
    private readonly object _gate = new();
    private Task<SwiftS3Server>? _server;

    /// <summary>The running server (started on first call; a start that failed fails every caller with its reason).</summary>
    internal Task<SwiftS3Server> ServerAsync()
    {
        lock (_gate)
        {
            return _server ??= StartAsync();
        }
    }

    /// <summary>Starts the server; a start that failed once (a free port taken meanwhile) is tried once more on other ports.</summary>
    private static async Task<SwiftS3Server> StartAsync()
    {
        if (SwiftS3Server.Missing() is not null)
        {
            return await SwiftS3Server.StartAsync(TimeSpan.FromSeconds(180)); // fails with the packages to install
        }

        try
        {
            return await SwiftS3Server.StartAsync(TimeSpan.FromSeconds(180));
        }
        catch (InvalidOperationException)
        {
            return await SwiftS3Server.StartAsync(TimeSpan.FromSeconds(180));
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Task<SwiftS3Server>? started;
        lock (_gate)
        {
            started = _server;
        }

        if (started is { IsCompletedSuccessfully: true })
        {
            await started.Result.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SwiftS3Collection : ICollectionFixture<SwiftS3Fixture>
{
    public const string Name = "Swift S3";
}

/// <summary>
/// A test against the real Swift server: skipped on Windows (Swift runs on Linux) and, outside CI, when the Debian
/// packages are missing (the reason names them); under <c>CI=true</c> it runs and fails without them.
/// </summary>
public sealed class SwiftFactAttribute : FactAttribute
{
    public SwiftFactAttribute()
    {
        if (TestPlatform.OnWindows("OpenStack Swift (the S3 peer) runs on Linux") is { } windows)
        {
            Skip = windows;
        }
        else if (!ConformanceData.IsCI && SwiftS3Server.Missing() is { } missing)
        {
            Skip = $"OpenStack Swift is not installed (missing {missing}): apt-get install -y --no-install-recommends {SwiftS3Server.DebianPackages}";
        }
    }
}

/// <summary>
/// One test's world on the shared server: its own bucket (created by test:tester through <see cref="S3Client"/>), a temp
/// folder with a home, pkgs and envs folders and a local channel built with <see cref="PackageBuilder"/> and indexed
/// with <see cref="ChannelIndexer"/>, published to the bucket by the S3 client.
/// </summary>
internal sealed class S3Scenario : IDisposable
{
    private S3Scenario(SwiftS3Server server, string bucket)
    {
        Server = server;
        Bucket = bucket;
        Root = Path.Combine(Path.GetTempPath(), "envtools-s3-" + Guid.NewGuid().ToString("N")[..10]);
        foreach (string d in new[] { Home, Pkgs, Envs, LocalChannel })
        {
            Directory.CreateDirectory(d);
        }
    }

    public SwiftS3Server Server { get; }

    public string Bucket { get; }

    public string Root { get; }

    public string Home => Path.Combine(Root, "home");

    public string Pkgs => Path.Combine(Root, "pkgs");

    public string Envs => Path.Combine(Root, "envs");

    public string LocalChannel => Path.Combine(Root, "channel");

    public static async Task<S3Scenario> CreateAsync(SwiftS3Fixture fixture)
    {
        SwiftS3Server server = await fixture.ServerAsync();
        var scenario = new S3Scenario(server, "envtools-" + Guid.NewGuid().ToString("N")[..12]);
        await scenario.Client().CreateBucketAsync(scenario.Bucket);
        return scenario;
    }

    /// <summary>The AWS variables of a user (test:tester by default).</summary>
    public static Dictionary<string, string> Keys(string accessKey = SwiftS3Server.AccessKey, string secretKey = SwiftS3Server.SecretKey) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = accessKey,
        ["AWS_SECRET_ACCESS_KEY"] = secretKey,
    };

    /// <summary>Settings with this scenario's folders, TTL 0, fast retries, the given AWS variables and, unless
    /// <paramref name="s3Options"/> is false, <c>s3_options</c> for the bucket (the server's endpoint, us-east-1, path style).</summary>
    public Settings Settings(Dictionary<string, string>? variables = null, bool s3Options = true, params (string Key, object? Value)[] overrides)
    {
        var options = new Dictionary<string, object?>
        {
            ["pkgs_dirs"] = new[] { Pkgs },
            ["envs_dirs"] = new[] { Envs },
            ["local_repodata_ttl"] = 0,
            ["remote_max_retries"] = 2,
            ["remote_backoff_factor"] = 0.05,
            ["remote_read_timeout_secs"] = 30,
        };
        if (s3Options)
        {
            options["s3_options"] = new Dictionary<string, object?>
            {
                [Bucket] = new Dictionary<string, object?>
                {
                    ["endpoint_url"] = Server.Endpoint.AbsoluteUri,
                    ["region"] = "us-east-1",
                    ["force_path_style"] = true,
                },
            };
        }

        foreach ((string key, object? value) in overrides)
        {
            options[key] = value;
        }

        return EnvTools.Config.Settings.Load(null, options, ConfigEnvironment.Create(Home, variables ?? Keys(), Array.Empty<string>(), Root, isWindows: false));
    }

    /// <summary>An S3 client as test:tester (or with the given variables).</summary>
    public S3Client Client(Dictionary<string, string>? variables = null) => S3Client.From(Settings(variables));

    /// <summary>The channel <c>s3://BUCKET/PREFIX</c>.</summary>
    public Channel Channel(string prefix = "channel") => EnvTools.Config.ChannelResolver.ParseChannel($"s3://{Bucket}/{prefix}");

    /// <summary>Builds name-version into the local channel (for this platform): a text file, and <paramref name="filler"/>
    /// bytes of incompressible data when asked (to make a large archive).</summary>
    public BuiltPackage Package(string name, string version, string[]? depends = null, int filler = 0)
    {
        string src = Path.Combine(Root, "src-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(src, "share", name));
        File.WriteAllText(Path.Combine(src, "share", name, name + ".txt"), $"{name} {version}\n");
        if (filler > 0)
        {
            byte[] noise = new byte[filler];
            new Random(filler).NextBytes(noise);
            File.WriteAllBytes(Path.Combine(src, "share", name, "filler.bin"), noise);
        }

        var definition = new PackageDefinition
        {
            Name = name,
            Version = version,
            Build = "0",
            Subdir = Platform.Current.Name,
            Depends = depends ?? Array.Empty<string>(),
            Timestamp = 1700000000000,
        };
        BuiltPackage built = PackageBuilder.Build(src, definition, Path.Combine(LocalChannel, definition.Subdir), PackageFormats.Conda).Single();
        Directory.Delete(src, true);
        return built;
    }

    /// <summary>Indexes the local channel and uploads every file of it below <paramref name="prefix"/> (subdirs may be left out).</summary>
    public async Task PublishAsync(string prefix = "channel", params string[] skipSubdirs)
    {
        ChannelIndexer.Index(LocalChannel);
        S3Client client = Client();
        foreach (string file in Directory.EnumerateFiles(LocalChannel, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(LocalChannel, file).Replace('\\', '/');
            if (!skipSubdirs.Contains(relative.Split('/')[0]))
            {
                await client.PutFileAsync(Bucket, $"{prefix}/{relative}", file, Checksums.OfFile(file).Sha256);
            }
        }
    }

    /// <summary>Every file's text below <paramref name="folder"/>, for checking that no secret was written anywhere.</summary>
    public static IEnumerable<(string Path, string Text)> Files(string folder) => Directory.Exists(folder)
        ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => (f, File.ReadAllText(f)))
        : Array.Empty<(string, string)>();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the reporter's thread, one report at a time (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T> : IProgress<T>
{
    private readonly Action<T> _report;

    public SyncProgress(Action<T> report) => _report = report;

    public void Report(T value)
    {
        lock (_report)
        {
            _report(value);
        }
    }
}
