using System.Net;
using System.Net.Http.Headers;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.Fetch.S3;
using EnvTools.Install;
using EnvTools.Packages;
using EnvTools.RepoData;
using EnvTools.Solve;
using Xunit;
using EnvTools.IO;
using EnvTools.Environments;

namespace EnvTools.Tests.S3;

/// <summary>
/// <c>s3://</c> channels read from a real OpenStack Swift with s3api (SigV4 checked by the server): an environment created
/// from one, ETag revalidation (304), <c>Range</c> resume (206), a missing subdir, credentials from an AWS profile and the
/// endpoint from <c>AWS_ENDPOINT_URL</c>.
/// </summary>
[Collection(SwiftS3Collection.Name)]
public sealed class S3ChannelTests
{
    private readonly SwiftS3Fixture _fixture;

    public S3ChannelTests(SwiftS3Fixture fixture) => _fixture = fixture;

    [SwiftFact]
    public async Task CreatesAnEnvironmentFromAnS3ChannelWithNoSecretInItsFilesOrProgress()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        s.Package("tool", "1.0", new[] { "libfoo >=2" });
        s.Package("libfoo", "2.1");
        s.Package("libfoo", "1.0");
        await s.PublishAsync();

        Settings settings = s.Settings();
        var installer = new EnvironmentInstaller(settings, options: new InstallOptions
        {
            EnvironmentsFile = Path.Combine(s.Home, ".conda", "environments.txt"),
            LockTimeout = TimeSpan.FromSeconds(20),
            HistoryCommand = "envtools test",
        });
        var progress = new List<string>();
        var report = new SyncProgress<OperationProgress>(p => progress.Add($"{p.Step} {p.Status} {p.Detail}"));
        string prefix = Path.Combine(s.Envs, "from-s3");
        EnvironmentPlan plan = installer.Plan(new EnvironmentRequest
        {
            Prefix = prefix,
            Action = EnvironmentAction.Create,
            Specs = new[] { MatchSpec.Parse("tool") },
            Channels = new[] { s.Channel() },
            NoDefaultPackages = true,
        }, report);
        installer.Apply(plan, report);

        PrefixRecord[] installed = PrefixState.ReadInstalled(prefix).OrderBy(r => r.Name, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "libfoo=2.1", "tool=1.0" }, installed.Select(r => $"{r.Name}={r.Version}"));
        Assert.All(installed, r =>
        {
            Assert.Equal($"s3://{s.Bucket}/channel/{Platform.Current.Name}", r.Channel); // conda-meta keeps the subdir URL
            Assert.Equal($"s3://{s.Bucket}/channel/{Platform.Current.Name}/{r.FileName}", r.Url);
        });
        Assert.Equal("tool 1.0\n", File.ReadAllText(Path.Combine(prefix, "share", "tool", "tool.txt")));

        foreach ((string path, string text) in S3Scenario.Files(prefix).Concat(S3Scenario.Files(s.Pkgs)).Concat(progress.Select(p => ("progress", p))))
        {
            Assert.False(text.Contains(SwiftS3Server.SecretKey, StringComparison.Ordinal), $"the secret is in {path}");
            Assert.False(text.Contains("Signature=", StringComparison.Ordinal), $"a signature is in {path}");
        }
    }

    [SwiftFact]
    public async Task RevalidatesTheCachedRepodataWithTheS3ETagAnd304ThenSeesAChange()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        s.Package("alpha", "1.0");
        await s.PublishAsync();
        Settings settings = s.Settings();
        Channel channel = s.Channel();
        string subdir = Platform.Current.Name;

        var origins = new List<string>();
        var remote = new RemoteRepoData(settings);
        IRecordSource first = (await remote.LoadAsync(channel, subdir, CancellationToken.None, origins.Add))!;
        Assert.Equal(new[] { "alpha" }, first.Names);
        Assert.StartsWith("downloaded repodata.json ", origins[^1], StringComparison.Ordinal);

        // the cache keeps the object's ETag (Swift: the MD5 of a single-part upload), as HEAD reports it
        S3ObjectInfo head = (await s.Client().HeadObjectAsync(s.Bucket, $"channel/{subdir}/repodata.json"))!;
        RepoDataCacheState state = RepoDataCache.InFirstWritable(settings.PkgsDirs)!.Read(channel.SubdirUrl(subdir))!;
        Assert.Equal(head.ETag, state.Etag);
        Assert.Equal(Checksums.OfFile(Path.Combine(s.LocalChannel, subdir, "repodata.json")).Md5, head.ETag!.Trim('"'));

        IRecordSource second = (await new RemoteRepoData(settings).LoadAsync(channel, subdir, CancellationToken.None, origins.Add))!;
        Assert.Equal("304 Not Modified: the cached repodata", origins[^1]);
        Assert.Equal(new[] { "alpha" }, second.Names);

        s.Package("beta", "1.0");
        await s.PublishAsync();
        IRecordSource third = (await new RemoteRepoData(settings).LoadAsync(channel, subdir, CancellationToken.None, origins.Add))!;
        Assert.StartsWith("downloaded repodata.json ", origins[^1], StringComparison.Ordinal);
        Assert.Equal(new[] { "alpha", "beta" }, third.Names.Order(StringComparer.Ordinal));
    }

    [SwiftFact]
    public async Task AMissingSubdirIsEmptyAndNoShardsAreAskedFor()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        s.Package("alpha", "1.0");
        await s.PublishAsync("channel", "noarch");
        Settings settings = s.Settings(overrides: ("repodata_use_shards", true));

        var origins = new List<string>();
        var remote = new RemoteRepoData(settings);
        Assert.Null(await remote.LoadAsync(s.Channel(), "noarch", CancellationToken.None, origins.Add));
        Assert.Equal(new[] { "no repodata (404)" }, origins);
        IReadOnlyList<SolverChannel> loaded = RepoDataGateway.Load(new[] { s.Channel() }, Platform.Current, settings);
        Assert.Equal(new[] { "alpha" }, loaded.Single().Subdirs.SelectMany(d => d.Names));

        // a subdir of a bucket that does not exist is no empty subdir
        Channel missing = EnvTools.Config.ChannelResolver.ParseChannel($"s3://{s.Bucket}-missing/channel");
        var ex = await Assert.ThrowsAsync<ChannelUnavailableException>(() =>
            new RemoteRepoData(s.Settings(overrides: ("s3_options", BucketOptions(s, s.Bucket + "-missing")))).LoadAsync(missing, "noarch", CancellationToken.None));
        Assert.Equal("NoSuchBucket", ex.ServerCode);
        Assert.Contains("NoSuchBucket", ex.Message, StringComparison.Ordinal);
    }

    [SwiftFact]
    public async Task ResumesAPartialDownloadWithRangeAnd206()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        BuiltPackage big = s.Package("big", "1.0", filler: 3 << 20);
        await s.PublishAsync();
        Settings settings = s.Settings();

        // the handler passes Range through, signed: the server answers 206 with the rest
        using (HttpClient client = EnvHttpClients.Create(HttpFetchOptions.From(settings)))
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"s3://{s.Bucket}/channel/{Platform.Current.Name}/{big.FileName}"))
        {
            request.Headers.Range = new RangeHeaderValue(big.Size - 100, null);
            using HttpResponseMessage response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(big.Size - 100, response.Content.Headers.ContentRange!.From);
            Assert.Equal(File.ReadAllBytes(big.Path)[^100..], await response.Content.ReadAsByteArrayAsync());
        }

        // a download that broke off after 2 MiB goes on from there: the first bytes reported are beyond what was kept
        RepoDataRecord record = RepoDataGateway.Load(new[] { s.Channel() }, Platform.Current, settings).Single().Subdirs
            .SelectMany(d => d.GetRecords("big")).Single();
        string destination = Path.Combine(s.Root, big.FileName);
        const int kept = 2 << 20;
        File.WriteAllBytes(destination + ".partial", File.ReadAllBytes(big.Path)[..kept]);
        var reported = new List<long>();
        FileDigest digest = await new PackageDownloader(PackageFetchOptions.From(settings)).FetchAsync(record, destination, reported.Add, CancellationToken.None);

        Assert.Equal(big.Sha256, digest.Sha256);
        Assert.True(reported[0] > kept, $"the first progress was {reported[0]} bytes: the download started over");
        Assert.Equal(File.ReadAllBytes(big.Path), File.ReadAllBytes(destination));
    }

    [SwiftFact]
    public async Task TakesKeysFromAnAwsProfileAndTheEndpointFromAwsEndpointUrl()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        s.Package("alpha", "1.0");
        await s.PublishAsync();
        string aws = Path.Combine(s.Home, ".aws");
        Directory.CreateDirectory(aws);
        File.WriteAllText(Path.Combine(aws, "credentials"),
            $"[default]\naws_access_key_id = nobody\naws_secret_access_key = default-secret-7f3\n\n[ci]\naws_access_key_id = {SwiftS3Server.AccessKey}\naws_secret_access_key = {SwiftS3Server.SecretKey}\n");
        File.WriteAllText(Path.Combine(aws, "config"), "[profile ci]\nregion = us-east-1\n");
        var variables = new Dictionary<string, string> { ["AWS_PROFILE"] = "ci", ["AWS_ENDPOINT_URL"] = s.Server.Endpoint.AbsoluteUri };

        IReadOnlyList<SolverChannel> loaded = RepoDataGateway.Load(new[] { s.Channel() }, Platform.Current, s.Settings(variables, s3Options: false));
        Assert.Equal(new[] { "alpha" }, loaded.Single().Subdirs.SelectMany(d => d.Names));

        // the default profile's keys are refused: the profile was what made it work
        var refused = Assert.Throws<ChannelUnavailableException>(() => RepoDataGateway.Load(new[] { s.Channel() }, Platform.Current,
            s.Settings(new Dictionary<string, string> { ["AWS_ENDPOINT_URL"] = s.Server.Endpoint.AbsoluteUri }, s3Options: false)));
        Assert.Contains("the AWS profile 'default' in " + Path.Combine(s.Home, ".aws", "credentials"), refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("default-secret-7f3", refused.ToString(), StringComparison.Ordinal);
    }

    internal static Dictionary<string, object?> BucketOptions(S3Scenario s, string bucket) => new()
    {
        [bucket] = new Dictionary<string, object?> { ["endpoint_url"] = s.Server.Endpoint.AbsoluteUri, ["region"] = "us-east-1", ["force_path_style"] = true },
    };
}
