using System.Text;
using EnvTools.Config;
using EnvTools.Fetch.S3;
using Xunit;

namespace EnvTools.Tests.Fetch;

/// <summary>
/// The SigV4 signer against AWS's published vectors: the four S3 examples of the S3 API reference ("Signature
/// Calculations for the Authorization Header": examplebucket, 2013-05-24) and cases of the Signature Version 4 test suite
/// (service "service", 2015-08-30), plus the S3 handler signing a real <see cref="HttpRequestMessage"/>.
/// </summary>
public sealed class SigV4SignerTests
{
    private static readonly AwsCredentials S3Example = new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset S3ExampleTime = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);
    private static readonly AwsCredentials Suite = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private const string SuiteToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    [Fact]
    public void S3GetObjectWithRangeMatchesTheCanonicalRequestStringToSignAndSignature()
    {
        SigV4Signature s = SignS3Example("GET", "/test.txt", new[] { ("Range", "bytes=0-9") }, SigV4Signer.EmptyPayloadHash);

        Assert.Equal(
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n" +
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\n" +
            "host;range;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            s.CanonicalRequest);
        Assert.Equal("AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
            s.StringToSign);
        Assert.Equal("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", s.Signature);
        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", s.Authorization);
    }

    [Fact]
    public void S3PutObjectSignsThePayloadHashAndEncodesTheKeyOnce()
    {
        byte[] body = Encoding.UTF8.GetBytes("Welcome to Amazon S3.");
        string hash = SigV4Signer.Sha256Hex(body);
        Assert.Equal("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", hash);

        SigV4Signature s = SignS3Example("PUT", SigV4Signer.EncodePath("/test$file.text"),
            new[] { ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY") }, hash);

        Assert.StartsWith("PUT\n/test%24file.text\n", s.CanonicalRequest, StringComparison.Ordinal);
        Assert.Equal("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", s.SignedHeaders);
        Assert.EndsWith("9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d", s.StringToSign, StringComparison.Ordinal);
        Assert.Equal("98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd", s.Signature);
    }

    [Fact]
    public void S3GetBucketLifecycleSignsAQueryParameterWithoutValue()
    {
        SigV4Signature s = SignS3Example("GET", "/", Array.Empty<(string, string)>(), SigV4Signer.EmptyPayloadHash, ("lifecycle", ""));
        Assert.Equal("fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543", s.Signature);
    }

    [Fact]
    public void S3ListObjectsSortsTheQuery()
    {
        SigV4Signature s = SignS3Example("GET", "/", Array.Empty<(string, string)>(), SigV4Signer.EmptyPayloadHash, ("prefix", "J"), ("max-keys", "2"));
        Assert.Contains("\nmax-keys=2&prefix=J\n", s.CanonicalRequest, StringComparison.Ordinal);
        Assert.Equal("34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7", s.Signature);
    }

    [Theory]
    [InlineData("get-vanilla", "GET", "/", "", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("get-vanilla-empty-query-key", "GET", "/", "Param1=value1", "", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb")]
    [InlineData("get-vanilla-query-order-key", "GET", "/", "Param1=value2&Param1=Value1", "", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1")]
    [InlineData("get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1", "", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    [InlineData("get-vanilla-query-order-value", "GET", "/", "Param1=value2&Param1=value1", "", "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694")]
    [InlineData("get-vanilla-query-unreserved", "GET", "/",
        "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "",
        "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197")]
    [InlineData("get-vanilla-utf8-query", "GET", "/", "\u1234=bar", "", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04")]
    [InlineData("get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "", "",
        "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f")]
    [InlineData("get-space", "GET", "/example space/", "", "", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741")]
    [InlineData("get-header-key-duplicate", "GET", "/", "", "My-Header1:value2|My-Header1:value2|My-Header1:value1",
        "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea")]
    [InlineData("get-header-value-order", "GET", "/", "", "My-Header1:value4|My-Header1:value1|My-Header1:value3|My-Header1:value2",
        "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01")]
    [InlineData("get-header-value-trim", "GET", "/", "", "My-Header1: value1|My-Header2: \"a   b   c\"",
        "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736")]
    [InlineData("post-vanilla", "POST", "/", "", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    [InlineData("post-vanilla-query", "POST", "/", "Param1=value1", "", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11")]
    [InlineData("post-header-key-sort", "POST", "/", "", "My-Header1:value1", "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c")]
    [InlineData("post-header-value-case", "POST", "/", "", "My-Header1:VALUE1", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d")]
    [InlineData("post-sts-header-before", "POST", "/", "", "X-Amz-Security-Token:" + SuiteToken,
        "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead")]
    public void SignatureVersion4TestSuite(string name, string method, string path, string query, string headers, string signature)
    {
        var h = new List<KeyValuePair<string, string>> { new("Host", "example.amazonaws.com") };
        foreach (string pair in headers.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = pair.IndexOf(':', StringComparison.Ordinal);
            h.Add(new(pair[..colon], pair[(colon + 1)..]));
        }

        h.Add(new("X-Amz-Date", "20150830T123600Z"));
        SigV4Signature s = SigV4Signer.Sign(new SigV4Request(method, SigV4Signer.EncodePath(path), Query(query), h, SigV4Signer.EmptyPayloadHash),
            Suite, "us-east-1", "service", SuiteTime);
        Assert.True(s.Signature == signature, $"{name}: {s.Signature}\n{s.CanonicalRequest}");
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=", s.Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void SuiteFormUrlEncodedPostSignsTheBodyHashAndContentHeaders()
    {
        byte[] body = Encoding.UTF8.GetBytes("Param1=value1");
        // post-x-www-form-urlencoded-parameters: the suite's .sts and .authz sign content-type (charset=utf8), host and
        // x-amz-date; its .creq lists content-length too, which matches neither.
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Content-Type", "application/x-www-form-urlencoded; charset=utf8"),
            new("Host", "example.amazonaws.com"),
            new("X-Amz-Date", "20150830T123600Z"),
        };
        SigV4Signature s = SigV4Signer.Sign(new SigV4Request("POST", "/", Query(""), headers, SigV4Signer.Sha256Hex(body)), Suite, "us-east-1", "service", SuiteTime);

        Assert.Equal("9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e", SigV4Signer.Sha256Hex(body));
        Assert.Equal("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n2e1cf7ed91881a30569e46552437e4156c823447bf1781b921b5d486c568dd1c", s.StringToSign);
        Assert.Equal("content-type;host;x-amz-date", s.SignedHeaders);
        Assert.Equal("1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe", s.Signature);
    }

    [Fact]
    public void TheHandlerSignsAnS3RequestAsTheRangeExampleOnAVirtualHostEndpoint()
    {
        Settings settings = Settings.Load(null, new Dictionary<string, object?>
        {
            ["s3_options"] = new Dictionary<string, object?>
            {
                ["examplebucket"] = new Dictionary<string, object?> { ["endpoint_url"] = "https://s3.amazonaws.com", ["region"] = "us-east-1" },
            },
        }, ConfigEnvironment.Create(Path.GetTempPath(), new Dictionary<string, string>()));
        S3Endpoint endpoint = S3Settings.From(settings).Endpoint("examplebucket");
        Assert.False(endpoint.PathStyle);
        (string bucket, string key, var query) = S3SigningHandler.Parse(new Uri("s3://examplebucket/test.txt"));
        (Uri url, string canonicalPath) = endpoint.Address(bucket, key, string.Empty);
        Assert.Equal("https://examplebucket.s3.amazonaws.com/test.txt", url.AbsoluteUri);

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 9);
        S3SigningHandler.Sign(request, S3Example, endpoint.Region, canonicalPath, query, S3ExampleTime);

        Assert.Equal("AWS4-HMAC-SHA256", request.Headers.Authorization!.Scheme);
        Assert.Equal("Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", request.Headers.Authorization.Parameter);
        Assert.Equal("20130524T000000Z", request.Headers.GetValues("x-amz-date").Single());
        Assert.False(request.Headers.Contains("x-amz-security-token"));
    }

    [Fact]
    public void ASecondTryIsSignedAfreshWithTheSessionTokenAndNoStaleHeaders()
    {
        var temporary = new AwsCredentials("AKIDEXAMPLE", "secret-key-value", "session-token-value");
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9000/b/k");
        S3SigningHandler.Sign(request, temporary, "us-east-1", "/b/k", Array.Empty<KeyValuePair<string, string>>(), S3ExampleTime);
        string first = request.Headers.Authorization!.Parameter!;
        S3SigningHandler.Sign(request, temporary, "us-east-1", "/b/k", Array.Empty<KeyValuePair<string, string>>(), S3ExampleTime.AddSeconds(7));

        Assert.Equal("20130524T000007Z", request.Headers.GetValues("x-amz-date").Single());
        Assert.Equal("session-token-value", request.Headers.GetValues("x-amz-security-token").Single());
        Assert.Contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,", request.Headers.Authorization!.Parameter, StringComparison.Ordinal);
        Assert.NotEqual(first, request.Headers.Authorization.Parameter);
        Assert.DoesNotContain("secret-key-value", request.Headers.ToString(), StringComparison.Ordinal);
        Assert.Equal("AwsCredentials(***)", temporary.ToString());
    }

    [Fact]
    public void UriEncodingKeepsOnlyUnreservedCharacters()
    {
        Assert.Equal("/a%2Bb/c%20d/%E1%88%B4~_-.", SigV4Signer.EncodePath("/a+b/c d/\u1234~_-."));
        Assert.Equal("a%2Fb%3D", SigV4Signer.UriEncode("a/b=", encodeSlash: true));
    }

    private static SigV4Signature SignS3Example(string method, string path, (string Name, string Value)[] extra, string payloadHash, params (string Name, string Value)[] query)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Host", "examplebucket.s3.amazonaws.com") };
        headers.AddRange(extra.Select(e => new KeyValuePair<string, string>(e.Name, e.Value)));
        headers.Add(new("x-amz-content-sha256", payloadHash));
        headers.Add(new("x-amz-date", SigV4Signer.AmzDate(S3ExampleTime)));
        return SigV4Signer.Sign(new SigV4Request(method, path, query.Select(q => new KeyValuePair<string, string>(q.Name, q.Value)).ToArray(), headers, payloadHash),
            S3Example, "us-east-1", "s3", S3ExampleTime);
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Query(string query) => query.Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2))
        .Select(p => new KeyValuePair<string, string>(p[0], p.Length > 1 ? p[1] : string.Empty))
        .ToArray();
}
