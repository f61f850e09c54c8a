using EnvTools.Config;
using EnvTools.Fetch.S3;
using EnvTools.Install;
using EnvTools.Publish;
using EnvTools.Tests.S3;
using Xunit;
using EnvTools.Environments;

namespace EnvTools.Tests.Publish;

/// <summary>
/// <see cref="ChannelPublisher"/> into a real S3 store (OpenStack Swift with s3api, SigV4 checked by the server): the
/// bucket's keys are read back, an environment created from <c>s3://</c> is compared with one from the source folder, a
/// re-run writes nothing, and refusals carry the server's code without the secret.
/// </summary>
[Collection(SwiftS3Collection.Name)]
public sealed class S3PublishTests : IDisposable
{
    private readonly SwiftS3Fixture _fixture;
    private readonly PublishFixture _f = new();

    public S3PublishTests(SwiftS3Fixture fixture) => _fixture = fixture;

    private static string Sub => PublishFixture.Sub;

    public void Dispose() => _f.Dispose();

    [SwiftFact]
    public async Task AChannelPublishedToABucketGivesTheSameEnvironmentAndARerunWritesNothing()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        _f.Packages();
        Settings settings = s.Settings();
        string url = $"s3://{s.Bucket}/mirror";
        PublishResult result = _f.Publish(ChannelDestinations.Open(url, settings, _f.Root), settings);
        Assert.Empty(result.Failures);
        Assert.Equal((4, 0), (result.Summary.Copied, result.Summary.Skipped));
        Assert.Equal(new[] { Sub, "noarch" }, result.Summary.RepodataWritten);

        // the keys, read back: every archive byte for byte (its ETag the record's md5), the indexer's repodata and its zstd form
        S3Client client = s.Client();
        foreach (string file in Directory.EnumerateFiles(_f.Source, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".zst", StringComparison.Ordinal)))
        {
            string key = "mirror/" + Path.GetRelativePath(_f.Source, file).Replace('\\', '/');
            Assert.Equal(File.ReadAllBytes(file), await client.GetObjectAsync(s.Bucket, key));
        }

        byte[] json = (await client.GetObjectAsync(s.Bucket, $"mirror/{Sub}/repodata.json"))!;
        using (var d = new ZstdSharp.Decompressor())
        {
            Assert.Equal(json, d.Unwrap((await client.GetObjectAsync(s.Bucket, $"mirror/{Sub}/repodata.json.zst"))!).ToArray());
        }

        // an environment from s3:// (the scenario's own, empty package cache) is the environment from the source folder
        string fromSource = _f.Create("from-source", _f.Source, null, "tool");
        string fromS3 = _f.Create("from-s3", url, settings, "tool");
        Assert.All(PrefixState.ReadInstalled(fromS3), r => Assert.StartsWith(url + "/", r.Url));
        PublishFixture.AssertSameEnvironment(fromSource, fromS3);

        // a re-run: HEADs and GETs, no PUT (the keys keep their time of change)
        DateTimeOffset? before = (await client.HeadObjectAsync(s.Bucket, $"mirror/{Sub}/repodata.json"))!.LastModified;
        var recording = new RecordingDestination(ChannelDestinations.Open(url, settings, _f.Root));
        await Task.Delay(1100); // a rewrite would show in Last-Modified (whole seconds)
        PublishResult again = _f.Publish(recording, settings);
        Assert.Equal((0, 4), (again.Summary.Copied, again.Summary.Skipped));
        Assert.Equal(new[] { Sub, "noarch" }, again.Summary.RepodataUnchanged);
        Assert.DoesNotContain(recording.Calls, c => c.StartsWith("put", StringComparison.Ordinal));
        Assert.Equal(before, (await client.HeadObjectAsync(s.Bucket, $"mirror/{Sub}/repodata.json"))!.LastModified);

        // an object of the right name and size but other bytes is replaced (its ETag is not the record's md5)
        string tool = Path.Combine(_f.Source, Sub, "tool-2.0-0.conda");
        byte[] wrong = File.ReadAllBytes(tool);
        wrong[10] ^= 1;
        await client.PutObjectAsync(s.Bucket, $"mirror/{Sub}/tool-2.0-0.conda", wrong);
        await client.PutObjectAsync(s.Bucket, $"mirror/{Sub}/repodata.json", "{}"u8.ToArray()); // forget the listing: content must show it
        PublishResult repaired = _f.Publish(ChannelDestinations.Open(url, settings, _f.Root), settings);
        Assert.Equal(PublishAction.Copied, repaired.Packages.Single(p => p.Name == "tool").Action);
        Assert.Equal(File.ReadAllBytes(tool), await client.GetObjectAsync(s.Bucket, $"mirror/{Sub}/tool-2.0-0.conda"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_f.Source, Sub, "repodata.json")), await client.GetObjectAsync(s.Bucket, $"mirror/{Sub}/repodata.json"));
    }

    [SwiftFact]
    public async Task RefusalsCarryTheServersCodeAndNoSecret()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        _f.Packages();
        string url = $"s3://{s.Bucket}/mirror";

        Settings wrong = s.Settings(S3Scenario.Keys(SwiftS3Server.AccessKey, "not-the-Secret-9"));
        var signature = Assert.Throws<S3RequestException>(() => _f.Publish(ChannelDestinations.Open(url, wrong, _f.Root), wrong));
        Assert.Equal(("S3RequestFailed", "SignatureDoesNotMatch", 403), (signature.ErrorId, signature.ServerCode, signature.StatusCode));
        Assert.DoesNotContain("not-the-Secret-9", signature.ToString(), StringComparison.Ordinal);

        // test:reader has no rights on test:tester's bucket: refused (AccessDenied), nothing is written
        Settings reader = s.Settings(S3Scenario.Keys(SwiftS3Server.ReaderAccessKey, SwiftS3Server.ReaderSecretKey));
        var denied = Assert.Throws<S3RequestException>(() => _f.Publish(ChannelDestinations.Open(url, reader, _f.Root), reader));
        Assert.Equal(("AccessDenied", 403), (denied.ServerCode, denied.StatusCode));
        Assert.DoesNotContain(SwiftS3Server.ReaderSecretKey, denied.ToString(), StringComparison.Ordinal);
        Assert.Null(await s.Client().HeadObjectAsync(s.Bucket, $"mirror/{Sub}/repodata.json"));
    }
}
