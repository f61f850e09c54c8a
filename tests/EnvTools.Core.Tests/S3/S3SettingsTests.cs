using System.Text;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.Fetch.S3;
using EnvTools.Tests.Config;
using Xunit;

namespace EnvTools.Tests.S3;

/// <summary>
/// <c>s3://</c> channels and their settings without a server: channel parsing, the <c>s3_options</c> key, endpoint,
/// region and addressing, credentials from the variables and the AWS shared files, and that none of it shows a secret.
/// </summary>
public sealed class S3SettingsTests : IDisposable
{
    private readonly ConfigFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void AnS3ChannelIsRemoteAndItsRecordUrlsKeepTheScheme()
    {
        Channel c = EnvTools.Config.ChannelResolver.ParseChannel("s3://my-bucket/conda/channel/linux-64/");
        Assert.Equal("s3://my-bucket/conda/channel", c.Name);
        Assert.False(c.IsLocal);
        Assert.Null(c.LocalPath);
        Assert.False(c.HasCredentials);
        Assert.Equal("s3://my-bucket/conda/channel/noarch", c.SubdirUrl("noarch"));
        Assert.Equal("s3://my-bucket/conda/channel", c.DisplayUrl);
        Assert.Equal(c, EnvTools.Config.ChannelResolver.ParseChannel("s3://my-bucket/conda/channel"));
        Assert.Equal("oci://ghcr.io/channel-mirrors/conda-forge", EnvTools.Config.ChannelResolver.ParseChannel("oci://ghcr.io/channel-mirrors/conda-forge").Name);
    }

    [Theory]
    [InlineData("s3://AKIAEXAMPLE:s3cr3tKey@bucket/channel", "holds no credentials")]
    [InlineData("s3:///channel", "needs a bucket")]
    [InlineData("gs://bucket/channel", "s3:// or oci://")]
    public void BadS3ChannelsAreInvalidSpecsThatShowNoSecret(string text, string reason)
    {
        var ex = Assert.Throws<InvalidSpecException>(() => EnvTools.Config.ChannelResolver.ParseChannel(text));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3tKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void S3OptionsAreReadFromCondarcAndMergedPerBucket()
    {
        _f.Write("home/.condarc", """
            s3_options:
              team-bucket:
                endpoint_url: http://127.0.0.1:9000/
                region: eu-central-1
                force_path_style: yes
            """);
        _f.Write("etc/conda/.condarc", """
            s3_options:
              team-bucket:
                region: us-west-2
              other:
                region: ap-south-1
            """);
        Settings settings = _f.Load();

        Assert.Equal(new[] { "other", "team-bucket" }, settings.S3Options.Keys);
        IReadOnlyDictionary<string, string> team = settings.S3Options["team-bucket"];
        Assert.Equal(("http://127.0.0.1:9000", "eu-central-1", "true"), (team["endpoint_url"], team["region"], team["force_path_style"]));
        Assert.Equal("ap-south-1", settings.S3Options["other"]["region"]);
        Assert.Contains("s3_options", Settings.KnownKeys);
        Assert.Empty(settings.UnknownKeys);

        S3Endpoint endpoint = S3Settings.From(settings).Endpoint("team-bucket");
        Assert.Equal((new Uri("http://127.0.0.1:9000"), "eu-central-1", true), (endpoint.Endpoint, endpoint.Region, endpoint.PathStyle));
        Assert.Equal("http://127.0.0.1:9000/team-bucket/channel/noarch/repodata.json",
            endpoint.Address("team-bucket", "channel/noarch/repodata.json", string.Empty).Url.AbsoluteUri);
    }

    [Theory]
    [InlineData("aws_secret_access_key: hunter2-secret", "'aws_secret_access_key' is not an s3_options field")]
    [InlineData("endpoint_url: http://user:hunter2-secret@minio:9000", "endpoint_url must hold no credentials")]
    [InlineData("endpoint_url: ftp://minio", "must be an http:// or https:// URL")]
    [InlineData("force_path_style: sometimes", "'sometimes' is not a boolean")]
    public void BadS3OptionsNameTheFileAndLineAndShowNoSecret(string field, string reason)
    {
        string file = _f.Write("home/.condarc", $"s3_options:\n  bucket:\n    {field}\n");
        var ex = Assert.Throws<InvalidConfigurationException>(() => _f.Load());
        Assert.Equal((file, 3, "s3_options"), (ex.FilePath, ex.Line, ex.Key));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetEnvConfigRefusesToWriteIntoTheMapOfMaps()
    {
        CondarcEditor editor = CondarcEditor.Open(Path.Combine(_f.Home, ".condarc"));
        var ex = Assert.Throws<ConfigKeyException>(() => editor.Set("s3_options.bucket", "x"));
        Assert.Equal("InvalidConfigOperation", ex.ErrorId);
    }

    [Theory]
    [InlineData("https://minio.example.com", "conda-mirror", false, "https://conda-mirror.minio.example.com/ch/x.json")]
    [InlineData("https://minio.example.com", "conda.mirror", true, "https://minio.example.com/conda.mirror/ch/x.json")]
    [InlineData("http://localhost:9000", "conda-mirror", true, "http://localhost:9000/conda-mirror/ch/x.json")]
    [InlineData("http://10.0.0.5:9000/base/", "conda-mirror", true, "http://10.0.0.5:9000/base/conda-mirror/ch/x.json")]
    public void AddressingIsPathStyleForIpsLocalhostAndDottedBucketsOverHttps(string endpoint, string bucket, bool pathStyle, string url)
    {
        _f.Variables["AWS_ENDPOINT_URL"] = endpoint;
        S3Endpoint e = S3Settings.From(_f.Load()).Endpoint(bucket);
        Assert.Equal(pathStyle, e.PathStyle);
        Assert.Equal(url, e.Address(bucket, "ch/x.json", string.Empty).Url.AbsoluteUri);
    }

    [Fact]
    public void EndpointAndRegionComeFromOptionsThenVariablesThenTheProfileThenAws()
    {
        Assert.Equal((new Uri("https://s3.us-east-1.amazonaws.com"), "us-east-1", false), Describe(S3Settings.From(_f.Load()).Endpoint("b-1")));

        _f.Write("home/.aws/config", "[default]\nregion = eu-north-1\ns3 =\n  addressing_style = path\n");
        Assert.Equal((new Uri("https://s3.eu-north-1.amazonaws.com"), "eu-north-1", true), Describe(S3Settings.From(_f.Load()).Endpoint("b-1")));

        _f.Variables["AWS_DEFAULT_REGION"] = "ca-central-1";
        _f.Variables["AWS_ENDPOINT_URL"] = "https://generic.example";
        Assert.Equal((new Uri("https://generic.example"), "ca-central-1", true), Describe(S3Settings.From(_f.Load()).Endpoint("b-1")));

        _f.Variables["AWS_REGION"] = "sa-east-1";
        _f.Variables["AWS_ENDPOINT_URL_S3"] = "https://s3-only.example";
        Assert.Equal((new Uri("https://s3-only.example"), "sa-east-1", true), Describe(S3Settings.From(_f.Load()).Endpoint("b-1")));

        Settings withOptions = _f.Load(options: new Dictionary<string, object?>
        {
            ["s3_options"] = new Dictionary<string, object?> { ["b-1"] = new Dictionary<string, object?> { ["endpoint_url"] = "https://own.example", ["region"] = "me-south-1", ["force_path_style"] = false } },
        });
        Assert.Equal((new Uri("https://own.example"), "me-south-1", false), Describe(S3Settings.From(withOptions).Endpoint("b-1")));
    }

    [Fact]
    public void CredentialsComeFromTheVariablesElseTheProfilesStaticKeys()
    {
        Assert.Null(S3Settings.From(_f.Load()).Credentials); // nothing anywhere: unsigned

        _f.Write("home/.aws/credentials", "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n");
        _f.Write("home/.aws/config", "# team profile\n[profile team]\naws_access_key_id = AKIDTEAM\naws_secret_access_key = team-secret\naws_session_token = team-token\n");
        S3Settings fromDefault = S3Settings.From(_f.Load());
        Assert.Equal(("AKIDDEFAULT", "default-secret"), (fromDefault.Credentials!.AccessKeyId, fromDefault.Credentials.SecretAccessKey));
        Assert.Equal($"the AWS profile 'default' in {Path.Combine(_f.Home, ".aws", "credentials")}", fromDefault.CredentialsSource);

        _f.Variables["AWS_PROFILE"] = "team";
        AwsCredentials team = S3Settings.From(_f.Load()).Credentials!;
        Assert.Equal(("AKIDTEAM", "team-secret", "team-token"), (team.AccessKeyId, team.SecretAccessKey, team.SessionToken));

        _f.Variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";
        _f.Variables["AWS_SECRET_ACCESS_KEY"] = "env-secret";
        _f.Variables["AWS_SESSION_TOKEN"] = "env-token";
        S3Settings fromEnv = S3Settings.From(_f.Load());
        Assert.Equal(("AKIDENV", "env-secret", "env-token"), (fromEnv.Credentials!.AccessKeyId, fromEnv.Credentials.SecretAccessKey, fromEnv.Credentials.SessionToken));
        Assert.Equal("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN", fromEnv.CredentialsSource);
    }

    [Fact]
    public void AMissingProfileOrHalfAKeyPairIsAConfigurationErrorWithoutTheSecret()
    {
        _f.Variables["AWS_PROFILE"] = "nowhere";
        var missing = Assert.Throws<InvalidConfigurationException>(() => S3Settings.From(_f.Load()).Credentials);
        Assert.Contains("the AWS profile 'nowhere' is in neither", missing.Message, StringComparison.Ordinal);

        _f.Variables.Remove("AWS_PROFILE");
        _f.Variables["AWS_SECRET_ACCESS_KEY"] = "lonely-secret";
        var half = Assert.Throws<InvalidConfigurationException>(() => S3Settings.From(_f.Load()).Credentials);
        Assert.Contains("AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID", half.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("lonely-secret", half.Message, StringComparison.Ordinal);

        _f.Variables.Remove("AWS_SECRET_ACCESS_KEY");
        _f.Write("home/.aws/credentials", "[default]\naws_secret_access_key = file-secret\n");
        var halfFile = Assert.Throws<InvalidConfigurationException>(() => S3Settings.From(_f.Load()).Credentials);
        Assert.Contains("aws_secret_access_key without aws_access_key_id", halfFile.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("file-secret", halfFile.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnusableProfileFailsALoadAsAConfigurationErrorBeforeAnyRequest()
    {
        _f.Variables["AWS_PROFILE"] = "nowhere";
        Settings settings = _f.Load(options: new Dictionary<string, object?> { ["pkgs_dirs"] = new[] { Path.Combine(_f.Root, "pkgs") } });
        var ex = Assert.Throws<InvalidConfigurationException>(() =>
            EnvTools.RepoData.RepoDataGateway.Load(new[] { EnvTools.Config.ChannelResolver.ParseChannel("s3://some-bucket/channel") }, Platform.Parse("linux-64"), settings));
        Assert.Equal("InvalidConfiguration", ex.ErrorId);
        Assert.Equal("env:AWS_PROFILE", ex.Source.ToString());
    }

    [Fact]
    public void TheClientKeyTellsSecretsApartWithoutHoldingThemAndNothingPrintsThem()
    {
        _f.Variables["AWS_ACCESS_KEY_ID"] = "AKIDONE";
        _f.Variables["AWS_SECRET_ACCESS_KEY"] = "first-secret";
        HttpFetchOptions first = HttpFetchOptions.From(_f.Load());
        _f.Variables["AWS_SECRET_ACCESS_KEY"] = "second-secret";
        HttpFetchOptions second = HttpFetchOptions.From(_f.Load());

        Assert.NotEqual(first.CacheKey(), second.CacheKey());
        Assert.Equal(second.CacheKey(), HttpFetchOptions.From(_f.Load()).CacheKey());

        // an edited credentials file makes a new client (its keys are read again)
        string file = _f.Write("home/.aws/credentials", "[default]\naws_access_key_id = A\naws_secret_access_key = B\n");
        string before = HttpFetchOptions.From(_f.Load()).CacheKey();
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1));
        Assert.NotEqual(before, HttpFetchOptions.From(_f.Load()).CacheKey());
        foreach (string text in new[] { first.CacheKey(), first.ToString(), first.S3.ToString(), first.S3.Credentials!.ToString() })
        {
            Assert.DoesNotContain("first-secret", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheS3ErrorDocumentGivesCodeAndMessageOnlyNeverTheSignatureOrStringToSign()
    {
        byte[] body = Encoding.UTF8.GetBytes("<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>SignatureDoesNotMatch</Code>" +
            "<Message>The request signature we calculated does not match the signature you provided.</Message><RequestId>tx1</RequestId>" +
            "<AWSAccessKeyId>test:tester</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n20261207T161641Z</StringToSign>" +
            "<SignatureProvided>0e17710c3b97ee887546621b87fdca93538f26218af7d029b4b11a98d0386ba1</SignatureProvided></Error>");
        Assert.Equal(("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."), S3SigningHandler.ParseError(body));
        Assert.Equal((null, null), S3SigningHandler.ParseError(Encoding.UTF8.GetBytes("<html><h1>Bad Request</h1></html>")));
        Assert.Equal((null, null), S3SigningHandler.ParseError(Encoding.UTF8.GetBytes("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><Error><Code>&e;</Code></Error>")));
    }

    private static (Uri, string, bool) Describe(S3Endpoint e) => (e.Endpoint, e.Region, e.PathStyle);
}
