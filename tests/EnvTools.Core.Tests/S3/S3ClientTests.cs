using System.Security.Cryptography;
using System.Text;
using EnvTools.Fetch;
using EnvTools.Fetch.S3;
using Xunit;
using EnvTools.IO;

namespace EnvTools.Tests.S3;

/// <summary>The PUT/HEAD client a publisher builds on, against the real Swift server.</summary>
[Collection(SwiftS3Collection.Name)]
public sealed class S3ClientTests
{
    private readonly SwiftS3Fixture _fixture;

    public S3ClientTests(SwiftS3Fixture fixture) => _fixture = fixture;

    [SwiftFact]
    public async Task PutThenHeadReportsTheSizeAndTheMd5ETagAndAMissingKeyIsNull()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        S3Client client = s.Client();
        Assert.Null(await client.HeadObjectAsync(s.Bucket, "dir/a b+c.txt"));

        byte[] body = Encoding.UTF8.GetBytes("hello, bucket\n");
        S3ObjectInfo put = await client.PutObjectAsync(s.Bucket, "dir/a b+c.txt", body, "text/plain");
        string md5 = Convert.ToHexString(MD5.HashData(body)).ToLowerInvariant();
        Assert.Equal($"\"{md5}\"", put.ETag);

        S3ObjectInfo head = (await client.HeadObjectAsync(s.Bucket, "dir/a b+c.txt"))!;
        Assert.Equal((body.Length, $"\"{md5}\""), (head.Size!.Value, head.ETag));
        Assert.NotNull(head.LastModified);

        // the key with a space and a plus reads back under the same name through a channel-style s3:// URL
        using HttpClient http = EnvHttpClients.Create(HttpFetchOptions.From(s.Settings()));
        Assert.Equal(body, await http.GetByteArrayAsync(S3Client.ObjectUrl(s.Bucket, "dir/a b+c.txt")));
    }

    [SwiftFact]
    public async Task AFileGoesUpSignedWithItsSha256OrUnsignedAndAWrongHashIsRefused()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        S3Client client = s.Client();
        string file = Path.Combine(s.Root, "blob.bin");
        byte[] data = new byte[300_000];
        new Random(7).NextBytes(data);
        File.WriteAllBytes(file, data);
        string sha256 = Checksums.OfFile(file).Sha256;

        await client.PutFileAsync(s.Bucket, "signed.bin", file, sha256);
        await client.PutFileAsync(s.Bucket, "unsigned.bin", file);
        Assert.Equal(data.Length, (await client.HeadObjectAsync(s.Bucket, "signed.bin"))!.Size);
        Assert.Equal(data.Length, (await client.HeadObjectAsync(s.Bucket, "unsigned.bin"))!.Size);

        // the payload hash is part of what the server checks: a body that is not the one signed is refused, and nothing is written
        var ex = await Assert.ThrowsAsync<S3RequestException>(() => client.PutFileAsync(s.Bucket, "mismatch.bin", file, new string('0', 64)));
        Assert.Equal(400, ex.StatusCode);
        Assert.Contains(ex.ServerCode, new[] { "BadDigest", "XAmzContentSHA256Mismatch" }); // Swift's s3api: BadDigest; AWS: XAmzContentSHA256Mismatch
        Assert.Null(await client.HeadObjectAsync(s.Bucket, "mismatch.bin"));
        S3ErrorTests.AssertNoSecret(ex.Message, SwiftS3Server.SecretKey);
    }

    [SwiftFact]
    public async Task CreatingAnOwnBucketAgainIsFine()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        await s.Client().CreateBucketAsync(s.Bucket);
        Assert.Null(await s.Client().HeadObjectAsync(s.Bucket, "nothing-here"));
    }
}
