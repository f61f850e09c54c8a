using System.Net;
using System.Text;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.Fetch.Oci;
using Xunit;

namespace EnvTools.Tests.Oci;

/// <summary>The OCI pieces without a registry: name and tag mapping, URL parsing, challenges, credential files, redaction.</summary>
public sealed class OciUnitTests
{
    [Theory]
    [InlineData("_openmp_mutex", "zzz_openmp_mutex")]
    [InlineData("__glibc", "zzz__glibc")]
    [InlineData("python", "python")]
    [InlineData("a_b", "a_b")]
    public void PackageNamesStartingWithUnderscoreGetZzz(string name, string repository) =>
        Assert.Equal(repository, OciLayout.PackageRepositoryName(name));

    [Theory]
    [InlineData("1.0", "0", "1.0-0")]
    [InlineData("1.0+local", "py_0", "1.0__p__local-py_0")]
    [InlineData("1!2.0", "h1_0", "1__e__2.0-h1_0")]
    [InlineData("2.0", "x=1", "2.0-x__eq__1")]
    [InlineData("1.0+a+b", "0", "1.0__p__a__p__b-0")]
    public void TagsEscapePlusBangAndEquals(string version, string build, string tag)
    {
        Assert.Equal(tag, OciLayout.PackageTag(version, build));
        Assert.True(OciLayout.IsValidTag(tag));
    }

    [Fact]
    public void NamesTheRegistryRefusesAreTold()
    {
        Assert.False(OciLayout.IsValidTag("1.0+local-0"));
        Assert.False(OciLayout.IsValidTag(new string('1', 129)));
        Assert.False(OciLayout.IsValidRepository("envtools/chan/linux-64/_openmp_mutex"));
        Assert.False(OciLayout.IsValidRepository("Envtools/chan"));
        Assert.True(OciLayout.IsValidRepository("envtools/chan/linux-64/zzz_openmp_mutex"));
        Assert.True(OciLayout.IsValidRepository("channel-mirrors/conda-forge/noarch/repodata.json"));
        Assert.True(OciLayout.IsValidDigest("sha256:" + new string('a', 64)));
        Assert.False(OciLayout.IsValidDigest("sha256:../../x"));
    }

    [Fact]
    public void ChannelUrlsMapToRepositoriesTagsAndMediaTypes()
    {
        OciTarget zst = OciLayout.Parse(new Uri("oci://ghcr.io/channel-mirrors/conda-forge/linux-64/repodata.json.zst"))!;
        Assert.Equal(new OciTarget("ghcr.io", "channel-mirrors/conda-forge/linux-64/repodata.json", "latest", OciTargetKind.Repodata, "repodata.json.zst",
            new[] { OciLayout.RepodataZst }), zst with { MediaTypes = zst.MediaTypes.ToArray() }, new TargetComparer());
        Assert.Equal(new[] { OciLayout.RepodataJson, OciLayout.RepodataGzip }, OciLayout.Parse(new Uri("oci://h:5000/a/b/noarch/repodata.json"))!.MediaTypes);
        Assert.Equal(new[] { OciLayout.RepodataBz2 }, OciLayout.Parse(new Uri("oci://h:5000/a/b/noarch/repodata.json.bz2"))!.MediaTypes);

        OciTarget pkg = OciLayout.Parse(new Uri("oci://127.0.0.1:5000/ns/chan/linux-64/_openmp_mutex-4.5-2_gnu.tar.bz2"))!;
        Assert.Equal(("127.0.0.1:5000", "ns/chan/linux-64/zzz_openmp_mutex", "4.5-2_gnu", OciTargetKind.Package, OciLayout.PackageTarBz2),
            (pkg.Authority, pkg.Repository, pkg.Tag, pkg.Kind, pkg.MediaTypes.Single()));
        OciTarget plus = OciLayout.Parse(new Uri("oci://h/ns/chan/noarch/foo-1.0%2Blocal-0.conda"))!;
        Assert.Equal(("ns/chan/noarch/foo", "1.0__p__local-0", OciLayout.PackageConda), (plus.Repository, plus.Tag, plus.MediaTypes.Single()));

        Assert.Null(OciLayout.Parse(new Uri("oci://h/ns/chan/linux-64/repodata_shards.msgpack.zst")));
        Assert.Null(OciLayout.Parse(new Uri("oci://h/ns/chan/linux-64/current_repodata.json")));
        Assert.Null(OciLayout.Parse(new Uri("oci://h/linux-64/repodata.json")));
        Assert.Null(OciLayout.Parse(new Uri("https://h/ns/chan/linux-64/repodata.json")));
    }

    private sealed class TargetComparer : IEqualityComparer<OciTarget>
    {
        public bool Equals(OciTarget? x, OciTarget? y) => x is not null && y is not null &&
            (x.Authority, x.Repository, x.Tag, x.Kind, x.FileName) == (y.Authority, y.Repository, y.Tag, y.Kind, y.FileName) && x.MediaTypes.SequenceEqual(y.MediaTypes);

        public int GetHashCode(OciTarget obj) => obj.Repository.GetHashCode(StringComparison.Ordinal);
    }

    [Fact]
    public void ChallengesAreParsedWithQuotedCommasAndEscapes()
    {
        OciChallenge bearer = OciChallenge.Parse("Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:a/b:pull,push\"");
        Assert.Equal(new OciChallenge("Bearer", "https://ghcr.io/token", "ghcr.io", "repository:a/b:pull,push"), bearer);
        Assert.True(bearer.IsBearer);

        OciChallenge basic = OciChallenge.Parse("Basic realm=\"my \\\"registry\\\"\"");
        Assert.True(basic.IsBasic);
        Assert.Equal("my \"registry\"", basic.Realm);

        Assert.Equal(new Dictionary<string, string> { ["realm"] = "x", ["error"] = "insufficient_scope" },
            OciChallenge.ParseParameters("Realm=x , error=\"insufficient_scope\""));
        Assert.Equal(new Dictionary<string, string> { ["realm"] = "x" }, OciChallenge.ParseParameters("realm=x, broken=\"unterminated"));

        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ParseAdd("Basic realm=\"r\"");
        response.Headers.WwwAuthenticate.ParseAdd("Bearer realm=\"https://t/token\",service=\"s\"");
        Assert.True(OciChallenge.From(response)!.IsBearer);
        Assert.Equal("Bearer realm https://t/token", OciChallenge.From(response)!.ToString());
    }

    [Fact]
    public void DockerConfigEntriesAreFoundByRegistry()
    {
        string b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes("me:p@ss:word"));
        string json = $$"""
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "{{Convert.ToBase64String(Encoding.UTF8.GetBytes("hub:hubpw"))}}"},
              "http://127.0.0.1:5000/v2/": {"auth": "{{b64}}"},
              "ghcr.io": {"username": "u", "password": "tok"},
              "quay.io": {"identitytoken": "x"}
            }, "credsStore": "desktop"}
            """;
        OciCredential local = OciCredentials.Parse(json, "127.0.0.1:5000", "/c.json")!;
        Assert.Equal(("me", "p@ss:word", "/c.json"), (local.Username, local.Password, local.Source));
        Assert.Equal(("u", "tok"), (OciCredentials.Parse(json, "GHCR.io", "/c.json")!.Username, OciCredentials.Parse(json, "ghcr.io", "/c.json")!.Password));
        Assert.Equal("hub", OciCredentials.Parse(json, "registry-1.docker.io", "/c.json")!.Username);
        Assert.Null(OciCredentials.Parse(json, "quay.io", "/c.json"));
        Assert.Null(OciCredentials.Parse(json, "127.0.0.1:5001", "/c.json"));

        // never shown: the record's text names only the file
        Assert.Equal("credentials from /c.json", local.ToString());
        Assert.DoesNotContain("p@ss", local.ToString(), StringComparison.Ordinal);

        var bad = Assert.Throws<InvalidDataException>(() => OciCredentials.Parse("{\"auths\": {\"h\": {\"auth\": \"%%%secret%%%\"}}}", "h", "/c.json"));
        Assert.DoesNotContain("secret", bad.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => OciCredentials.Parse("{\"auths\": {secretvalue", "h", "/c.json"));
    }

    [Fact]
    public void CredentialFilesFollowRegistryAuthFileAndDockerConfig()
    {
        var home = ConfigEnvironment.Create("/home/u");
        Assert.Equal(new[] { Path.Combine("/home/u", ".docker", "config.json") }, OciCredentials.AuthFiles(home));
        var both = ConfigEnvironment.Create("/home/u", new Dictionary<string, string> { ["REGISTRY_AUTH_FILE"] = "/run/auth.json", ["DOCKER_CONFIG"] = "/etc/dock" });
        Assert.Equal(new[] { "/run/auth.json", Path.Combine("/etc/dock", "config.json") }, OciCredentials.AuthFiles(both));

        string dir = Path.Combine(Path.GetTempPath(), "envtools-ocicred-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            string first = Path.Combine(dir, "auth.json"), second = Path.Combine(dir, "config.json");
            File.WriteAllText(first, "{\"auths\": {\"a.example\": {\"username\": \"one\", \"password\": \"1\"}}}");
            File.WriteAllText(second, "{\"auths\": {\"a.example\": {\"username\": \"two\", \"password\": \"2\"}, \"b.example\": {\"username\": \"three\", \"password\": \"3\"}}}");
            Assert.Equal("one", OciCredentials.Find(new[] { first, second }, "a.example")!.Username);
            Assert.Equal("three", OciCredentials.Find(new[] { first, second }, "b.example")!.Username);
            Assert.Null(OciCredentials.Find(new[] { Path.Combine(dir, "missing.json") }, "a.example"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void InsecureRegistriesAndLoopbackAreMatchedByAuthority()
    {
        var auth = new OciAuthenticator(new HttpFetchOptions { OciInsecureRegistries = new[] { "127.0.0.1:5000", "registry.lan", "http://other:81" } });
        Assert.Equal(new Uri("http://127.0.0.1:5000"), auth.BaseUri("127.0.0.1:5000"));
        Assert.Equal(new Uri("https://127.0.0.1:5001"), auth.BaseUri("127.0.0.1:5001"));
        Assert.True(auth.IsInsecure("registry.lan:8080"));
        Assert.True(auth.IsInsecure("other:81"));
        Assert.False(auth.IsInsecure("other:82"));
        Assert.Equal(new Uri("https://ghcr.io"), auth.BaseUri("ghcr.io"));
        Assert.True(OciAuthenticator.IsLoopback("localhost:5000"));
        Assert.True(OciAuthenticator.IsLoopback("127.0.0.5:1"));
        Assert.True(OciAuthenticator.IsLoopback("[::1]:5000"));
        Assert.False(OciAuthenticator.IsLoopback("ghcr.io"));
    }

    [Fact]
    public void TokenAnswersAndRegistryErrorsAreRead()
    {
        Assert.Equal(("t1", TimeSpan.FromSeconds(300)), OciAuthenticator.ParseToken("{\"token\":\"t1\",\"expires_in\":300}"u8));
        Assert.Equal(("t2", TimeSpan.FromSeconds(60)), OciAuthenticator.ParseToken("{\"access_token\":\"t2\"}"u8));
        Assert.Null(OciAuthenticator.ParseToken("{\"nothing\":1}"u8));
        Assert.Null(OciAuthenticator.ParseToken("not json"u8));

        string? said = OciErrors.Describe("""{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"latest"}},{"code":"DENIED"}]}"""u8);
        Assert.Equal("MANIFEST_UNKNOWN: manifest unknown; DENIED", said);
        Assert.Equal("MANIFEST_UNKNOWN", OciErrors.FirstCode(said));
        Assert.Null(OciErrors.FirstCode("the token service refused"));
        Assert.Null(OciErrors.Describe("<html>"u8));
        Assert.Equal("a b", OciErrors.Clean("a\nb"));
    }

    [Fact]
    public void ManifestsRoundTripAndRefuseBadDigests()
    {
        var m = new OciManifest(new OciDescriptor(OciLayout.EmptyConfigMediaType, "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", 2),
            new[] { new OciDescriptor(OciLayout.PackageConda, "sha256:" + new string('b', 64), 10, "x-1-0.conda") });
        OciManifest back = OciManifest.Parse(m.ToJson());
        Assert.Equal(m.Config, back.Config);
        Assert.Equal(m.Layers, back.Layers);
        Assert.Contains("\"schemaVersion\":2", Encoding.UTF8.GetString(m.ToJson()));
        Assert.Throws<InvalidDataException>(() => OciManifest.Parse("""{"layers":[{"mediaType":"x","digest":"sha256:../../etc","size":1}]}"""u8));
        Assert.Throws<InvalidDataException>(() => OciManifest.Parse("""{"manifests":[]}"""u8));
    }

    [Fact]
    public void OciChannelsAreRemoteKeepTheirSchemeAndHideCredentials()
    {
        Channel c = EnvTools.Config.ChannelResolver.ParseChannel("oci://ghcr.io/channel-mirrors/conda-forge/");
        Assert.False(c.IsLocal);
        Assert.Equal("oci://ghcr.io/channel-mirrors/conda-forge", c.Name);
        Assert.Equal("oci://ghcr.io/channel-mirrors/conda-forge/linux-64", c.SubdirUrl("linux-64"));
        Assert.Equal(c, EnvTools.Config.ChannelResolver.ParseChannel("oci://ghcr.io/channel-mirrors/conda-forge/linux-64"));
        Assert.Equal("s3://bucket/prefix", EnvTools.Config.ChannelResolver.ParseChannel("s3://bucket/prefix").Name);

        Channel withUser = EnvTools.Config.ChannelResolver.ParseChannel("oci://me:s3cret@127.0.0.1:5000/ns/chan");
        Assert.True(withUser.HasCredentials);
        Assert.Equal("oci://127.0.0.1:5000/ns/chan", withUser.Name);
        Assert.Equal("oci://me:***@127.0.0.1:5000/ns/chan", withUser.DisplayUrl);
        Assert.DoesNotContain("s3cret", UrlRedaction.Redact("cannot fetch oci://me:s3cret@127.0.0.1:5000/ns/chan/noarch/repodata.json"), StringComparison.Ordinal);

        var ex = Assert.Throws<InvalidSpecException>(() => EnvTools.Config.ChannelResolver.ParseChannel("ftp://host/x"));
        Assert.Contains("oci://", ex.Message);
    }

    [Fact]
    public void TheConfigKeyReachesTheFetchOptionsAndTheirCacheKey()
    {
        var env = ConfigEnvironment.Create("/home/u", new Dictionary<string, string> { ["CONDA_OCI_INSECURE_REGISTRIES"] = "a:1,b", ["DOCKER_CONFIG"] = "/d" });
        Settings s = Settings.Load(null, null, env);
        Assert.Equal(new[] { "a:1", "b" }, s.OciInsecureRegistries);
        HttpFetchOptions o = HttpFetchOptions.From(s);
        Assert.Equal(new[] { "a:1", "b" }, o.OciInsecureRegistries);
        Assert.Equal(new[] { Path.Combine("/d", "config.json") }, o.RegistryAuthFiles);
        Assert.NotEqual(o.CacheKey(), (o with { OciInsecureRegistries = new[] { "a:1" } }).CacheKey());
        Assert.NotEqual(o.CacheKey(), (o with { RegistryAuthFiles = Array.Empty<string>() }).CacheKey());
    }
}
