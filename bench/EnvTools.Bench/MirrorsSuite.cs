using System.Diagnostics;
using System.Globalization;
using System.Text;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.Fetch.S3;
using EnvTools.Install;
using EnvTools.Publish;
using EnvTools.RepoData;
using EnvTools.Solve;
using EnvTools.Tests.Http;
using EnvTools.Tests.S3;
using EnvTools.Environments;

namespace EnvTools.Bench;

/// <summary>
/// Mirrors benchmark (<c>build.ps1 Bench -Suite Mirrors</c>): the cf39 subset (<see cref="MirrorChannel"/>) published
/// with <see cref="ChannelPublisher"/> to a folder served by the loopback HTTP channel server, to Debian's docker-registry
/// (<c>oci://</c>) and to OpenStack Swift with s3api (<c>s3://</c>); then, in rounds that alternate the order of the
/// three channel kinds, a cold and a warm (304) repodata load of every subdir, a download of the environment's archives
/// and a create of the environment from each. EnvTools only: the reference is EnvTools on the HTTP channel.
/// </summary>
internal static class MirrorsSuite
{
    private const int DefaultRounds = 5;
    private const string Bucket = "envtools-bench";
    private static readonly string[] Kinds = { "http", "oci", "s3" };

    /// <summary>Why the suite cannot run here (a server's Debian package is missing), or null.</summary>
    internal static string? SkipReason() =>
        BenchRegistry.Executable is null ? $"docker-registry is not installed (apt-get install --no-install-recommends {BenchRegistry.DebianPackage})"
        : SwiftS3Server.Missing() is { } m ? $"OpenStack Swift is not installed ({m} is missing: apt-get install --no-install-recommends {SwiftS3Server.DebianPackages})"
        : null;

    internal static string Run(string data, string work)
    {
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("ENVTOOLS_BENCH_MIRROR_ROUNDS"), out int n) && n > 0 ? n : DefaultRounds;
        string root = Path.Combine(work, "mirrors");
        string? indexCache = Environment.GetEnvironmentVariable(RepoDataIndexOptions.CacheEnvironmentVariable);
        string load = LoadAverage();
        Console.WriteLine("mirrors: building the source channel...");
        MirrorChannel source = MirrorChannel.Ensure(Path.Combine(data, "repodata", "conda-forge-subchannel-python3.9-2024-05-16"), root);
        Console.WriteLine($"mirrors: {source.Solved.Count} packages in the environment, {source.ArchiveBytes / 1e6:F1} MB of archives");
        string served = Path.Combine(root, "served");
        Reset(served);
        using ChannelServer http = ChannelServer.StartAsync(served).GetAwaiter().GetResult();
        using BenchRegistry registry = BenchRegistry.Start();
        SwiftS3Server swift = SwiftS3Server.StartAsync(TimeSpan.FromSeconds(180)).GetAwaiter().GetResult();
        try
        {
            var world = new World(root, registry.Authority, swift.Endpoint);
            S3Client.From(world.Settings(Path.Combine(root, "publish"))).CreateBucketAsync(Bucket).GetAwaiter().GetResult();
            var channels = new Dictionary<string, Channel>
            {
                ["http"] = EnvTools.Config.ChannelResolver.ParseChannel($"{http.Url}/cf39"),
                ["oci"] = EnvTools.Config.ChannelResolver.ParseChannel($"oci://{registry.Authority}/bench/cf39"),
                ["s3"] = EnvTools.Config.ChannelResolver.ParseChannel($"s3://{Bucket}/cf39"),
            };
            var destinations = new Dictionary<string, string>
            {
                ["http"] = Path.Combine(served, "cf39"),
                ["oci"] = $"oci://{registry.Authority}/bench/cf39",
                ["s3"] = $"s3://{Bucket}/cf39",
            };
            var published = Kinds.ToDictionary(k => k, k => Publish(world, source, destinations[k]));
            string? noCurl = CurlReference.SkipReason();
            if (noCurl is not null)
            {
                Console.WriteLine($"mirrors: no curl reference: {noCurl}");
            }

            string refs = Path.Combine(root, "curl");
            var curl = noCurl is not null ? null : new Dictionary<string, CurlReference>
            {
                ["http"] = CurlReference.Http($"{http.Url}/cf39", Path.Combine(refs, "http")),
                ["oci"] = CurlReference.Oci(registry.Authority, "bench/cf39", Path.Combine(refs, "oci")),
                ["s3"] = CurlReference.S3(swift.Endpoint, Bucket, "cf39", SwiftS3Server.AccessKey, SwiftS3Server.SecretKey, Path.Combine(refs, "s3")),
            };
            var results = Kinds.ToDictionary(k => k, _ => new Results());
            for (int round = 0; round <= rounds; round++)
            {
                for (int i = 0; i < Kinds.Length; i++)
                {
                    string kind = Kinds[(i + round) % Kinds.Length];
                    Sample s = Measure(world, source, channels[kind], kind == "http" ? http : null,
                        Path.Combine(root, "run", $"{kind}-{round}"), curl?[kind]);
                    Directory.Delete(Path.Combine(root, "run", $"{kind}-{round}"), recursive: true);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  round {round}{(round == 0 ? " (warm-up)" : string.Empty)} {kind}: cold {s.Cold * 1000:F0} ms, warm {s.Warm * 1000:F0} ms, download {s.Download * 1000:F0} ms, create {s.Create * 1000:F0} ms; curl: warm {s.CurlWarm * 1000:F0} ms, download {s.CurlDownload * 1000:F0} ms"));
                    if (round > 0)
                    {
                        results[kind].Add(s);
                    }
                }
            }

            return Render(source, rounds, load, published, results, noCurl);
        }
        finally
        {
            Environment.SetEnvironmentVariable(RepoDataIndexOptions.CacheEnvironmentVariable, indexCache);
            swift.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Seeds the full repodata of every subdir, then publishes the environment's archives with <see cref="ChannelPublisher"/>.</summary>
    private static Published Publish(World world, MirrorChannel source, string destination)
    {
        string dir = Path.Combine(world.Root, "publish");
        Reset(dir);
        Settings settings = world.Settings(dir);
        IChannelDestination dest = ChannelDestinations.Open(destination, settings, world.Root);
        var sw = Stopwatch.StartNew();
        foreach (string subdir in source.Subdirs)
        {
            byte[] json = File.ReadAllBytes(Path.Combine(source.Folder, subdir, "repodata.json"));
            dest.PutRepodataAsync(subdir, json, PublishRepodata.Compress(json), CancellationToken.None).GetAwaiter().GetResult();
        }

        double seed = sw.Elapsed.TotalSeconds;
        var publisher = new ChannelPublisher(settings, dest) { StagingDirectory = Path.Combine(dir, "staging") };
        Directory.CreateDirectory(publisher.StagingDirectory!);
        sw.Restart();
        PublishPlan plan = publisher.PlanAsync(new PublishRequest
        {
            Source = EnvTools.Config.ChannelResolver.ParseChannel(new Uri(source.Folder).AbsoluteUri),
            Subdirs = new[] { MirrorChannel.Subdir },
            Specs = source.Solved.Select(r => MatchSpec.Parse($"{r.Name}=={r.Version}={r.Build}")).ToArray(),
        }).GetAwaiter().GetResult();
        PublishResult result = publisher.PublishAsync(plan).GetAwaiter().GetResult();
        double archives = sw.Elapsed.TotalSeconds;
        int copied = result.Packages.Count(p => p.Action == PublishAction.Copied);
        if (result.Failures.Count > 0 || copied != source.Archives.Count)
        {
            throw new InvalidOperationException($"publish to {destination}: {copied} of {source.Archives.Count} archives copied, {result.Failures.Count} failures: {string.Join("; ", result.Failures.Take(2))}");
        }

        Console.WriteLine($"  published to {dest.DisplayName}: repodata {seed * 1000:F0} ms, {copied} archives {archives * 1000:F0} ms");
        return new Published(seed, archives, copied);
    }

    private static Sample Measure(World world, MirrorChannel source, Channel channel, ChannelServer? http, string dir, CurlReference? curl)
    {
        Reset(dir);
        // a fresh on-disk index cache too (its files are named after the raw file's path, which repeats round by round)
        Environment.SetEnvironmentVariable(RepoDataIndexOptions.CacheEnvironmentVariable, Path.Combine(dir, "index-cache"));
        Settings settings = world.Settings(dir);
        var files = source.Archives.Select(a => a.FileName).ToHashSet(StringComparer.Ordinal);
        (double cold, long records, _) = LoadAll(settings, channel, source.Subdirs, files);
        http?.ClearLog();
        (double warm, long again, RepoDataRecord[] env) = LoadAll(settings, channel, source.Subdirs, files);
        if (again != records || env.Length != files.Count)
        {
            throw new InvalidOperationException($"{channel.DisplayUrl}: the warm load saw {again} records ({records} cold), {env.Length} of {files.Count} archives");
        }

        if (http is not null && http.Requests.Any(r => r.Status != 304))
        {
            throw new InvalidOperationException("the warm HTTP load was not served by 304s");
        }

        double download = Download(settings, env, Path.Combine(dir, "downloads"));
        // the same requests by curl, right after EnvTools' (same server, same machine load)
        double curlWarm = curl?.Warm(source.Subdirs) ?? double.NaN;
        double curlDownload = curl?.Download(env, Path.Combine(dir, "curl-downloads")) ?? double.NaN;
        var installer = new EnvironmentInstaller(settings, options: new InstallOptions
        {
            CompilePyc = false,
            RegisterEnvironment = false,
            EnvironmentsFile = Path.Combine(dir, "environments.txt"),
            HistoryCommand = "envtools bench",
        });
        string prefix = Path.Combine(dir, "envs", "bench");
        var sw = Stopwatch.StartNew();
        EnvironmentPlan plan = installer.Plan(new EnvironmentRequest
        {
            Prefix = prefix,
            Action = EnvironmentAction.Create,
            Specs = MirrorChannel.Specs.Select(MatchSpec.Parse).ToArray(),
            Channels = new[] { channel },
            NoDefaultPackages = true,
        });
        installer.Apply(plan);
        double create = sw.Elapsed.TotalSeconds;
        int installed = PrefixState.ReadInstalled(prefix).Count;
        if (installed != source.Solved.Count)
        {
            throw new InvalidOperationException($"{channel.DisplayUrl}: {installed} packages installed, {source.Solved.Count} expected");
        }

        return new Sample(cold, warm, download, source.ArchiveBytes, create, records, curlWarm, curlDownload);
    }

    /// <summary>Loads every subdir concurrently; returns the time, the records, and the records of <paramref name="files"/>.</summary>
    private static (double Seconds, long Records, RepoDataRecord[] Files) LoadAll(Settings settings, Channel channel, string[] subdirs, HashSet<string> files)
    {
        var remote = new RemoteRepoData(settings);
        var sw = Stopwatch.StartNew();
        IRecordSource?[] sources = Task.WhenAll(subdirs.Select(s => remote.LoadAsync(channel, s, CancellationToken.None))).GetAwaiter().GetResult();
        double t = sw.Elapsed.TotalSeconds;
        try
        {
            long records = sources.Sum(s => (long)(s?.Names.Sum(n => s.GetRecords(n).Count) ?? 0));
            RepoDataRecord[] found = sources.Where(s => s is not null).SelectMany(s => s!.Names.SelectMany(s.GetRecords)).Where(r => files.Contains(r.FileName)).ToArray();
            return (t, records, found);
        }
        finally
        {
            foreach (IRecordSource? s in sources)
            {
                (s as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>The package downloader (as the package cache uses it: 4 at once, verified while streaming), into files only.</summary>
    private static double Download(Settings settings, RepoDataRecord[] records, string dir)
    {
        Reset(dir);
        var options = PackageFetchOptions.From(settings);
        var downloader = new PackageDownloader(options);
        using var gate = new SemaphoreSlim(options.MaxParallelDownloads);
        var sw = Stopwatch.StartNew();
        Task.WhenAll(records.Select(async r =>
        {
            await gate.WaitAsync();
            try
            {
                await downloader.FetchAsync(r, Path.Combine(dir, r.FileName), _ => { }, CancellationToken.None);
            }
            finally
            {
                gate.Release();
            }
        })).GetAwaiter().GetResult();
        double t = sw.Elapsed.TotalSeconds;
        long bytes = records.Sum(r => new FileInfo(Path.Combine(dir, r.FileName)).Length);
        if (bytes != records.Sum(r => r.Size ?? 0))
        {
            throw new InvalidOperationException("the downloaded archives do not have their records' sizes");
        }

        return t;
    }

    private static string Render(MirrorChannel source, int rounds, string load, Dictionary<string, Published> published, Dictionary<string, Results> results, string? noCurl)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        Results h = results["http"];
        sb.AppendLine("## Mirrors: OCI registry and S3 channels against the HTTP channel (`-Suite Mirrors`)");
        sb.AppendLine();
        sb.AppendLine($"Machine: {Program.Describe()}; load average when the suite started: {load}, when it ended: {LoadAverage()} (other builds share the machine). " +
            $"Servers, all on 127.0.0.1: the tests' Kestrel channel server (HTTP, in the harness process), Debian's `docker-registry` ({Program.ToolVersion("docker-registry", "--version").Split('\n')[0]}, filesystem storage, no auth), " +
            "OpenStack Swift with `s3api` (proxy, account, container and object servers, one replica, SigV4 checked).");
        sb.AppendLine();
        sb.AppendLine(string.Create(inv, $"**What was published.** The conda-forge python 3.9 subset has repodata but no archives. The environment `{string.Join(' ', MirrorChannel.Specs)}` (linux-64) was solved on its repodata: ")
            + string.Create(inv, $"{source.Solved.Count} packages. Each was built as a real `.conda` with `PackageBuilder` from its record (name, version, build, depends, constrains, noarch) and an incompressible payload of the record's size clamped to {MirrorChannel.MinPayload / 1024} KiB–{MirrorChannel.MaxPayload / 1048576} MiB: ")
            + string.Create(inv, $"{source.ArchiveBytes / 1e6:F1} MB of archives. The source channel (a folder) has the full repodata of all {source.Subdirs.Length} subdirs ({h.Records:N0} records) with those {source.Solved.Count} records pointing at the built archives. ")
            + "Each destination got the full repodata of every subdir through its own `PutRepodataAsync` (json + zst), then `ChannelPublisher` (plan + publish of the environment's records from the folder) copied the archives and rewrote linux-64/noarch repodata.");
        sb.AppendLine();
        sb.AppendLine("| destination | repodata (8 subdirs, json + zst) | archives (plan + copy) |");
        sb.AppendLine("|---|---:|---:|");
        foreach ((string kind, Published p) in published)
        {
            sb.AppendLine(string.Create(inv, $"| {Label(kind)} | {p.Repodata * 1000:F0} ms | {p.Archives * 1000:F0} ms ({p.Copied} archives, {source.ArchiveBytes / 1e6 / p.Archives:F0} MB/s) |"));
        }

        sb.AppendLine();
        sb.AppendLine(string.Create(inv, $"**Reading.** {rounds} rounds after one warm-up round; in every round each kind runs once, the order rotating round by round (so all see the same machine load); medians. ")
            + "Every run starts with an empty pkgs dir (repodata cache included) and an empty on-disk index cache, in a folder of its own (no path repeats). Cold: all subdirs loaded concurrently (fetch, decompress, index, write the cache). Warm: the same again with `local_repodata_ttl: 0`, "
            + "so every subdir is revalidated (HTTP and S3: `If-None-Match` → 304; OCI: the manifest's layer digest is the ETag, 304 without a blob request); the HTTP server's log is checked for 304s (the registry's and Swift's logs are not read here; the 304 paths of both are covered by the engine's tests). "
            + "Download: the environment's archives through the package downloader (4 at once, sha256 verified while streaming) into files. "
            + "Create: plan (solve on linux-64 and noarch, revalidated) + download + extract + link into a new prefix, no .pyc compilation.");
        sb.AppendLine();
        sb.AppendLine("| measure | HTTP | OCI | S3 | OCI / HTTP | S3 / HTTP | target |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---|");
        Row(sb, "cold load, all subdirs", results, r => r.Cold, "time", null);
        Row(sb, "warm load (304), all subdirs", results, r => r.Warm, "time", "≤ 1.5× HTTP");
        Row(sb, "download throughput", results, r => r.Throughput, "rate", "≥ 0.8× HTTP");
        Row(sb, $"create ({source.Solved.Count} packages)", results, r => r.Create, "time", null);
        sb.AppendLine();
        sb.AppendLine(noCurl is not null ? $"No curl reference: {noCurl}." : CurlTable(results));
        sb.AppendLine();
        string All(List<double> xs, double scale) => string.Join(' ', xs.Select(x => (x * scale).ToString("F0", inv)));
        foreach ((string kind, Results r) in results)
        {
            sb.AppendLine($"All rounds, {Label(kind)}: cold {All(r.Cold, 1000)} ms; warm {All(r.Warm, 1000)} ms; download {All(r.Throughput, 1e-6)} MB/s; create {All(r.Create, 1000)} ms"
                + (noCurl is null ? $"; curl: warm {All(r.CurlWarm, 1000)} ms, download {All(r.CurlThroughput, 1e-6)} MB/s.  " : ".  "));
        }

        sb.AppendLine();
        return sb.ToString();
    }

    /// <summary>The curl reference beside EnvTools, server by server: how much of a ratio to HTTP is the server's.</summary>
    private static string CurlTable(Dictionary<string, Results> results)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("**The same requests by curl** (" + CurlVersion() + "; one process, `--parallel`), run in every round right after EnvTools' on the same server: "
            + "the warm load as the same revalidations, all subdirs at once (HTTP and S3: `If-None-Match` with the ETag an untimed fetch saved, answered 304; OCI: the repodata manifests), "
            + "the download as the same archives by the same URLs, 4 at once, into files (curl verifies no checksum). A process start is in curl's times.");
        sb.AppendLine();
        sb.AppendLine("| measure | server | EnvTools | curl | EnvTools / curl | curl / curl on HTTP |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|");
        double ch = Median(results["http"].CurlWarm), ct = Median(results["http"].CurlThroughput);
        foreach ((string kind, Results r) in results)
        {
            double e = Median(r.Warm), c = Median(r.CurlWarm);
            sb.AppendLine(string.Create(inv, $"| warm load (304) | {Label(kind)} | {e * 1000:F0} ms | {c * 1000:F0} ms | {e / c:F2}× | {c / ch:F2}× |"));
        }

        foreach ((string kind, Results r) in results)
        {
            double e = Median(r.Throughput), c = Median(r.CurlThroughput);
            sb.AppendLine(string.Create(inv, $"| download throughput | {Label(kind)} | {e / 1e6:F0} MB/s | {c / 1e6:F0} MB/s | {e / c:F2}× | {c / ct:F2}× |"));
            Console.WriteLine(string.Create(inv, $"  {kind}: warm EnvTools/curl {Median(r.Warm) / Median(r.CurlWarm):F2}, download EnvTools/curl {e / c:F2}"));
        }

        sb.AppendLine();
        double Ratio(string kind, Func<Results, List<double>> pick) => Median(pick(results[kind])) / Median(pick(results["http"]));
        sb.AppendLine(string.Create(inv, $"**Reading.** The targets compare each server with the HTTP channel. From the same servers curl itself gets ")
            + string.Create(inv, $"{Ratio("oci", r => r.CurlThroughput):F2}× (registry) and {Ratio("s3", r => r.CurlThroughput):F2}× (Swift) of its HTTP download throughput, ")
            + string.Create(inv, $"and takes {Ratio("oci", r => r.CurlWarm):F2}× and {Ratio("s3", r => r.CurlWarm):F2}× its HTTP time to revalidate; ")
            + string.Create(inv, $"EnvTools downloads at {Median(results["oci"].Throughput) / Median(results["oci"].CurlThroughput):F2}× and {Median(results["s3"].Throughput) / Median(results["s3"].CurlThroughput):F2}× of curl's throughput on the same server. ")
            + "A target that curl misses on a server is that server's ceiling, not the client's.");
        return sb.ToString().TrimEnd();
    }

    private static string CurlVersion() => Program.ToolVersion("curl", "--version").Split(' ').Take(2).Aggregate((a, b) => $"{a} {b}");

    private static void Row(StringBuilder sb, string what, Dictionary<string, Results> results, Func<Results, List<double>> pick, string unit, string? target)
    {
        var inv = CultureInfo.InvariantCulture;
        double m(string k) => Median(pick(results[k]));
        string Show(double v) => unit == "rate" ? string.Create(inv, $"{v / 1e6:F0} MB/s") : string.Create(inv, $"{v * 1000:F0} ms");
        double oci = m("oci") / m("http");
        double s3 = m("s3") / m("http");
        bool Met(double ratio) => unit == "rate" ? ratio >= 0.8 : ratio <= 1.5;
        string Ratio(double ratio) => target is null ? string.Create(inv, $"{ratio:F2}×") : string.Create(inv, $"{ratio:F2}× ({(Met(ratio) ? "met" : "**not met**")})");
        sb.AppendLine($"| {what} | {Show(m("http"))} | {Show(m("oci"))} | {Show(m("s3"))} | {Ratio(oci)} | {Ratio(s3)} | {target} |");
        Console.WriteLine($"  {what}: OCI/HTTP {oci:F2}, S3/HTTP {s3:F2}");
    }

    private static string Label(string kind) => kind switch { "http" => "HTTP (folder served by Kestrel)", "oci" => "OCI (docker-registry)", _ => "S3 (Swift + s3api)" };

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static void Reset(string dir)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The settings every run shares: its own pkgs/envs dirs, TTL 0, the registry as insecure (plain HTTP), the bucket's endpoint, the S3 user's keys.</summary>
    private sealed class World
    {
        private readonly string _registry;
        private readonly Uri _s3;

        internal World(string root, string registry, Uri s3)
        {
            Root = root;
            _registry = registry;
            _s3 = s3;
            Directory.CreateDirectory(Path.Combine(root, "home", ".docker"));
        }

        internal string Root { get; }

        internal Settings Settings(string dir) => EnvTools.Config.Settings.Load(null, new Dictionary<string, object?>
        {
            ["pkgs_dirs"] = new[] { Path.Combine(dir, "pkgs") },
            ["envs_dirs"] = new[] { Path.Combine(dir, "envs") },
            ["local_repodata_ttl"] = 0,
            ["oci_insecure_registries"] = new[] { _registry },
            ["s3_options"] = new Dictionary<string, object?>
            {
                [Bucket] = new Dictionary<string, object?> { ["endpoint_url"] = _s3.AbsoluteUri, ["region"] = "us-east-1", ["force_path_style"] = true },
            },
        }, ConfigEnvironment.Create(Path.Combine(Root, "home"), new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = SwiftS3Server.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = SwiftS3Server.SecretKey,
            ["DOCKER_CONFIG"] = Path.Combine(Root, "home", ".docker"),
        }, Array.Empty<string>(), Root, isWindows: false));
    }

    private sealed record Published(double Repodata, double Archives, int Copied);

    private sealed record Sample(double Cold, double Warm, double Download, long Bytes, double Create, long Records, double CurlWarm, double CurlDownload);

    private sealed class Results
    {
        public List<double> Cold { get; } = new();

        public List<double> Warm { get; } = new();

        public List<double> Throughput { get; } = new();

        public List<double> Create { get; } = new();

        public List<double> CurlWarm { get; } = new();

        public List<double> CurlThroughput { get; } = new();

        public long Records { get; private set; }

        public void Add(Sample s)
        {
            Cold.Add(s.Cold);
            Warm.Add(s.Warm);
            Throughput.Add(s.Bytes / s.Download);
            Create.Add(s.Create);
            CurlWarm.Add(s.CurlWarm);
            CurlThroughput.Add(s.Bytes / s.CurlDownload);
            Records = s.Records;
        }
    }
}
