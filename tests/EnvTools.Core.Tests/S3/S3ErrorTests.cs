using System.Text.RegularExpressions;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.Fetch.S3;
using EnvTools.Install;
using EnvTools.Packages;
using EnvTools.RepoData;
using Xunit;

namespace EnvTools.Tests.S3;

/// <summary>
/// What a refused or missing S3 request gives, against the real Swift server: the S3 error code in a typed error with a
/// stable ErrorId, and never a secret (key, token or signature) in its text.
/// </summary>
[Collection(SwiftS3Collection.Name)]
public sealed partial class S3ErrorTests
{
    private const string WrongSecret = "not-the-secret-5d1c";

    private readonly SwiftS3Fixture _fixture;

    public S3ErrorTests(SwiftS3Fixture fixture) => _fixture = fixture;

    [SwiftFact]
    public async Task AWrongSecretIsSignatureDoesNotMatchWithoutTheSecretOrSignature()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        s.Package("alpha", "1.0");
        await s.PublishAsync();
        Settings settings = s.Settings(S3Scenario.Keys(SwiftS3Server.AccessKey, WrongSecret));

        var ex = Assert.Throws<ChannelUnavailableException>(() => RepoDataGateway.Load(new[] { s.Channel() }, Platform.Current, settings));
        Assert.Equal("ChannelUnavailable", ex.ErrorId);
        Assert.Equal("SignatureDoesNotMatch", ex.ServerCode);
        Has(ex.Message, "answered HTTP 403 (Forbidden): SignatureDoesNotMatch (The request signature we calculated does not match");
        Has(ex.Message, "signed with the credentials of AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
        AssertNoSecret(ex.ToString(), WrongSecret);

        // the same through a create, as New-Env runs it
        var planned = Assert.Throws<ChannelUnavailableException>(() => Installer(s, settings).Plan(Create(s, "alpha")));
        Assert.Equal("SignatureDoesNotMatch", planned.ServerCode);
        AssertNoSecret(planned.ToString(), WrongSecret);
    }

    [SwiftFact]
    public async Task AnAuthenticatedUserWithoutRightsIsAccessDenied()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        s.Package("alpha", "1.0");
        await s.PublishAsync();
        Settings settings = s.Settings(S3Scenario.Keys(SwiftS3Server.ReaderAccessKey, SwiftS3Server.ReaderSecretKey));

        var ex = Assert.Throws<ChannelUnavailableException>(() => RepoDataGateway.Load(new[] { s.Channel() }, Platform.Current, settings));
        Assert.Equal("AccessDenied", ex.ServerCode);
        Has(ex.Message, "HTTP 403 (Forbidden): AccessDenied");
        AssertNoSecret(ex.ToString(), SwiftS3Server.ReaderSecretKey);

        // the reader cannot write either
        var put = await Assert.ThrowsAsync<S3RequestException>(() =>
            s.Client(S3Scenario.Keys(SwiftS3Server.ReaderAccessKey, SwiftS3Server.ReaderSecretKey)).PutObjectAsync(s.Bucket, "channel/x.txt", "x"u8.ToArray()));
        Assert.Equal(("S3RequestFailed", 403, "AccessDenied"), (put.ErrorId, put.StatusCode, put.ServerCode));
        AssertNoSecret(put.ToString(), SwiftS3Server.ReaderSecretKey);
    }

    [SwiftFact]
    public async Task WithoutCredentialsTheRequestGoesUnsignedAndTheRefusalSaysSo()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        s.Package("alpha", "1.0");
        await s.PublishAsync();
        Settings settings = s.Settings(new Dictionary<string, string>()); // no variables, no ~/.aws

        var ex = Assert.Throws<ChannelUnavailableException>(() => RepoDataGateway.Load(new[] { s.Channel() }, Platform.Current, settings));
        Assert.Null(ex.ServerCode); // Swift answers an unsigned request with an HTML 400 page, no S3 code
        Has(ex.Message, "answered HTTP 400 (Bad Request): the request was not signed: no AWS credentials were found");
    }

    [SwiftFact]
    public async Task AMissingArchiveIsNoSuchKeyAndTheProgressAndFilesHoldNoSecret()
    {
        using S3Scenario s = await S3Scenario.CreateAsync(_fixture);
        BuiltPackage gone = s.Package("alpha", "1.0");
        await s.PublishAsync();
        Settings settings = s.Settings(S3Scenario.Keys(SwiftS3Server.AccessKey, SwiftS3Server.SecretKey));
        EnvironmentInstaller installer = Installer(s, settings);
        var progress = new List<string>();
        EnvironmentPlan plan = installer.Plan(Create(s, "alpha"), new SyncProgress<OperationProgress>(p => progress.Add($"{p.Status} {p.Detail}")));
        await DeleteAsync(s, $"channel/{Platform.Current.Name}/{gone.FileName}"); // the repodata stays: a broken mirror

        var ex = Assert.ThrowsAny<EnvToolsException>(() => installer.Apply(plan, new SyncProgress<OperationProgress>(p => progress.Add($"{p.Status} {p.Detail}"))));
        PackageDownloadException download = ex as PackageDownloadException ?? Assert.IsType<PackageDownloadException>(ex.InnerException);
        Assert.Equal((404, "NoSuchKey"), (download.StatusCode, download.ServerCode));
        Has(download.Message, $"s3://{s.Bucket}/channel/{Platform.Current.Name}/{gone.FileName}");
        Has(download.Message, "NoSuchKey (The specified key does not exist)");
        foreach (string text in progress.Append(ex.ToString()))
        {
            AssertNoSecret(text, SwiftS3Server.SecretKey);
        }

        Assert.All(S3Scenario.Files(s.Root), f => Assert.DoesNotContain(SwiftS3Server.SecretKey, f.Text, StringComparison.Ordinal));
    }

    internal static void Has(string text, string part) => Assert.True(text.Contains(part, StringComparison.Ordinal), $"'{part}' is not in: {text}");

    /// <summary>Neither the secret nor anything shaped like a SigV4 signature (64 hex digits) nor an Authorization value.</summary>
    internal static void AssertNoSecret(string text, string secret)
    {
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotMatch(Hex64(), text);
        Assert.DoesNotContain("Signature=", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AWS4-HMAC-SHA256 Credential", text, StringComparison.Ordinal);
    }

    [GeneratedRegex("[0-9a-f]{64}")]
    private static partial Regex Hex64();

    private static EnvironmentInstaller Installer(S3Scenario s, Settings settings) => new(settings, options: new InstallOptions
    {
        EnvironmentsFile = Path.Combine(s.Home, ".conda", "environments.txt"),
        LockTimeout = TimeSpan.FromSeconds(20),
        HistoryCommand = "envtools test",
    });

    private static EnvironmentRequest Create(S3Scenario s, string spec) => new()
    {
        Prefix = Path.Combine(s.Envs, "env-" + Guid.NewGuid().ToString("N")[..6]),
        Action = EnvironmentAction.Create,
        Specs = new[] { MatchSpec.Parse(spec) },
        Channels = new[] { s.Channel() },
        NoDefaultPackages = true,
    };

    /// <summary>Deletes a key (a signed DELETE through the same pipeline).</summary>
    private static async Task DeleteAsync(S3Scenario s, string key)
    {
        using HttpClient client = EnvHttpClients.Create(HttpFetchOptions.From(s.Settings()));
        using var request = new HttpRequestMessage(HttpMethod.Delete, S3Client.ObjectUrl(s.Bucket, key));
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
    }
}
