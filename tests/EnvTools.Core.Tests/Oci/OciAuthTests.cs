using System.Net;
using System.Text;
using EnvTools.Conda;
using EnvTools.Fetch;
using EnvTools.Fetch.Oci;
using EnvTools.Install;
using EnvTools.RepoData;
using Xunit;
using EnvTools.Environments;

namespace EnvTools.Tests.Oci;

/// <summary>
/// O2: a registry with bearer-token auth (<c>auth.token</c>) and the test <see cref="TokenServer"/>: anonymous pull through
/// the challenge, private repositories that need docker config.json credentials, wrong credentials, per-repository tokens.
/// </summary>
public sealed class OciTokenAuthTests : IAsyncLifetime
{
    private const string Private = "envtools/private/chan";

    private OciFixture _f = null!;

    private static string Sub => OciFixture.Subdir;

    public async Task InitializeAsync()
    {
        if (RegistryServer.SkipReason is null)
        {
            _f = await OciFixture.StartAsync(RegistryAuth.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (_f is not null)
        {
            await _f.DisposeAsync();
        }
    }

    /// <summary>Builds tool (and pyx) and publishes them under <paramref name="path"/> as the user (push needs a user).</summary>
    private async Task PublishAsUserAsync(string path)
    {
        _f.Package("pyx", "1.0+local");
        _f.Package("tool", "2.0", new[] { "pyx" });
        _f.WriteDockerConfig(OciFixture.User, OciFixture.Password);
        await _f.PublishAsync(_f.Settings(), path);
        _f.RemoveDockerConfig();
    }

    [RegistryFact]
    public async Task AnAnonymousPullGoesThroughTheChallenge()
    {
        await PublishAsUserAsync("envtools/chan");
        int mark = _f.Registry.Mark();
        int grants = _f.Tokens!.Grants.Count;

        EnvironmentResult result = _f.Create(_f.Settings(), "e1", "envtools/chan", "tool");
        Assert.Equal(new[] { "pyx", "tool" }, PrefixState.ReadInstalled(result.Plan.Prefix).Select(r => r.Name).Order(StringComparer.Ordinal));

        IReadOnlyList<RegistryRequest> log = _f.Registry.RequestsSince(mark);
        Assert.Single(log, r => r.Path == "/v2/" && r.Status == 401); // the probe: the challenge, once
        Assert.All(log.Where(r => r.Path != "/v2/"), r => Assert.True(r.Status is 200, $"{r.Method} {r.Path} → {r.Status}"));

        // anonymous tokens, pull only, one repository each: the two repodata repositories and the two packages
        TokenGrant[] asked = _f.Tokens.Grants.Skip(grants).ToArray();
        Assert.All(asked, g => Assert.Equal((null, 200), (g.User, g.Status)));
        Assert.Equal(new[]
            {
                $"repository:envtools/chan/noarch/repodata.json:pull",
                $"repository:envtools/chan/{Sub}/pyx:pull",
                $"repository:envtools/chan/{Sub}/repodata.json:pull",
                $"repository:envtools/chan/{Sub}/tool:pull",
            }.Order(StringComparer.Ordinal),
            asked.Select(g => g.Scopes.Single()).Distinct().Order(StringComparer.Ordinal));
    }

    [RegistryFact]
    public async Task APrivateRepositoryNeedsTheCredentialsOfDockerConfig()
    {
        await PublishAsUserAsync(Private);

        var ex = Assert.Throws<ChannelUnavailableException>(() => _f.Load(_f.Settings(), Private));
        Assert.Contains("HTTP 401", ex.Message);
        Assert.Contains("UNAUTHORIZED", ex.Message);
        Assert.Contains(_f.Tokens!.Realm, ex.Message);
        Assert.Contains($"no credentials for {_f.Registry.Authority} in {Path.Combine(_f.DockerConfig, "config.json")}", ex.Message);

        _f.WriteDockerConfig(OciFixture.User, OciFixture.Password);
        int grants = _f.Tokens.Grants.Count;
        EnvironmentResult result = _f.Create(_f.Settings(), "p1", Private, "tool");
        Assert.Contains(PrefixState.ReadInstalled(result.Plan.Prefix), r => r.Name == "tool");
        Assert.All(_f.Tokens.Grants.Skip(grants), g => Assert.Equal((OciFixture.User, 200), (g.User, g.Status)));
    }

    [RegistryFact]
    public async Task WrongCredentialsAreRefusedWithoutShowingThem()
    {
        await PublishAsUserAsync(Private);
        const string wrong = "wrong-Zq81-secret";
        string file = _f.WriteDockerConfig(OciFixture.User, wrong);
        string[] secrets = { wrong, Convert.ToBase64String(Encoding.UTF8.GetBytes($"{OciFixture.User}:{wrong}")) };

        var channel = Assert.Throws<ChannelUnavailableException>(() => _f.Load(_f.Settings(), Private));
        Assert.Contains("HTTP 401", channel.Message);
        Assert.Contains($"the token service {_f.Tokens!.Realm} refused the credentials from {file}", channel.Message);

        RepoDataRecord tool = _f.Records(path: Private).Single(r => r.Name == "tool");
        var package = Assert.Throws<PackageDownloadException>(() =>
            PackageCache.FromSettings(_f.Settings()).EnsureAsync(new[] { tool }, null, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Equal(401, package.StatusCode);
        Assert.Contains("refused the credentials", package.Message);

        foreach (string secret in secrets)
        {
            Assert.DoesNotContain(secret, channel.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, package.ToString(), StringComparison.Ordinal);
            Assert.All(Directory.EnumerateFiles(_f.Pkgs, "*", SearchOption.AllDirectories), f => Assert.DoesNotContain(secret, File.ReadAllText(f), StringComparison.Ordinal));
        }

        Assert.Contains(_f.Tokens.Grants, g => g.User == OciFixture.User && g.Status == 401);

        // pushing: with the wrong credentials, and anonymously (a pull-only token cannot start an upload)
        _f.Package("more", "1.0");
        var push = await Assert.ThrowsAsync<OciRegistryException>(() => _f.PublishAsync(_f.Settings(), Private));
        Assert.Equal(("OciRegistryRequestFailed", 401), (push.ErrorId, push.StatusCode));
        Assert.Contains("refused the credentials", push.Message);
        _f.RemoveDockerConfig();
        var anonymous = await Assert.ThrowsAsync<OciRegistryException>(() => _f.PublishAsync(_f.Settings(), "envtools/chan"));
        Assert.Equal((401, "UNAUTHORIZED"), (anonymous.StatusCode, anonymous.ServerCode));
        Assert.Contains("no credentials for", anonymous.Message);
        foreach (string secret in secrets)
        {
            Assert.DoesNotContain(secret, push.ToString(), StringComparison.Ordinal);
        }
    }

    [RegistryFact]
    public async Task ATokenForOneRepositoryDoesNotOpenAnother()
    {
        await PublishAsUserAsync("envtools/chan");
        string token = _f.Tokens!.AnonymousToken(RegistryOptions.TokenService, $"repository:envtools/chan/{Sub}/repodata.json:pull");
        Assert.Equal(HttpStatusCode.OK, (await _f.RawGetAsync($"/v2/envtools/chan/{Sub}/repodata.json/manifests/latest", token)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _f.RawGetAsync("/v2/envtools/chan/noarch/repodata.json/manifests/latest", token)).Status);

        // so the client asks for one token per repository …
        int grants = _f.Tokens.Grants.Count;
        _f.Load(_f.Settings());
        Assert.Equal(new[] { "repository:envtools/chan/noarch/repodata.json:pull", $"repository:envtools/chan/{Sub}/repodata.json:pull" }.Order(StringComparer.Ordinal),
            _f.Tokens.Grants.Skip(grants).Select(g => g.Scopes.Single()).Order(StringComparer.Ordinal));

        // … and reuses it within its lifetime: revalidating asks the token service nothing and is never refused
        grants = _f.Tokens.Grants.Count;
        int mark = _f.Registry.Mark();
        _f.Load(_f.Settings());
        Assert.Equal(grants, _f.Tokens.Grants.Count);
        Assert.All(_f.Registry.RequestsSince(mark), r => Assert.Equal(200, r.Status));
    }
}

/// <summary>O3: a registry with htpasswd Basic auth; credentials from a temp DOCKER_CONFIG.</summary>
public sealed class OciBasicAuthTests
{
    [RegistryFact(NeedsHtpasswd = true)]
    public async Task BasicCredentialsComeFromDockerConfig()
    {
        await using OciFixture f = await OciFixture.StartAsync(RegistryAuth.Htpasswd);
        f.Package("tool", "2.0");

        // the username/password form, under a key written as a URL (as some tools do)
        f.WriteDockerConfig(OciFixture.User, OciFixture.Password, usernameFields: true, key: $"http://{f.Registry.Authority}/v2/");
        await f.PublishAsync(f.Settings());

        // the auth (base64) form
        f.WriteDockerConfig(OciFixture.User, OciFixture.Password);
        int mark = f.Registry.Mark();
        EnvironmentResult result = f.Create(f.Settings(), "b1", "envtools/chan", "tool");
        Assert.Contains(PrefixState.ReadInstalled(result.Plan.Prefix), r => r.Name == "tool");
        IReadOnlyList<RegistryRequest> log = f.Registry.RequestsSince(mark);
        Assert.Single(log, r => r.Path == "/v2/" && r.Status == 401);
        Assert.All(log.Where(r => r.Path != "/v2/"), r => Assert.Equal(200, r.Status)); // the credentials went with the first try

        f.RemoveDockerConfig();

        // user:password@ in the channel URL serves as well
        Channel withUser = EnvTools.Config.ChannelResolver.ParseChannel($"oci://{OciFixture.User}:{OciFixture.Password}@{f.Registry.Authority}/envtools/chan");
        Assert.Contains("tool", RepoDataGateway.Load(new[] { withUser }, Platform.Current, f.Settings()).Single().Subdirs.SelectMany(s => s.Names));

        var none = Assert.Throws<ChannelUnavailableException>(() => f.Load(f.Settings()));
        Assert.Contains("HTTP 401", none.Message);
        Assert.Contains("Basic realm envtools-test", none.Message);
        Assert.Contains($"no credentials for {f.Registry.Authority}", none.Message);

        const string wrong = "not-the-Pw-7731";
        f.WriteDockerConfig(OciFixture.User, wrong);
        var refused = Assert.Throws<ChannelUnavailableException>(() => f.Load(f.Settings()));
        Assert.Contains("HTTP 401", refused.Message);
        Assert.Contains($"credentials from {Path.Combine(f.DockerConfig, "config.json")} do not grant pull", refused.Message);
        Assert.DoesNotContain(wrong, refused.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{OciFixture.User}:{wrong}")), refused.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>O4: a registry that speaks TLS with a self-signed certificate, trusted through <c>ssl_verify</c> alone.</summary>
public sealed class OciTlsTests
{
    [RegistryFact]
    public async Task ATlsRegistryIsTrustedThroughSslVerify()
    {
        await using OciFixture f = await OciFixture.StartAsync(tls: true);
        f.Package("tool", "2.0");
        Assert.Empty(f.Settings().OciInsecureRegistries);
        await f.PublishAsync(f.Settings());
        int mark = f.Registry.Mark();
        EnvironmentResult result = f.Create(f.Settings(), "t1", "envtools/chan", "tool");
        Assert.Contains(PrefixState.ReadInstalled(result.Plan.Prefix), r => r.Name == "tool");
        Assert.Contains(f.Registry.RequestsSince(mark), r => r.Path.EndsWith("/tool/blobs/sha256:" + OciFixture.Sha256(Path.Combine(f.Folder, OciFixture.Subdir, "tool-2.0-0.conda")), StringComparison.Ordinal));

        // without the certificate: an SSL error, at once (a refused certificate is not retried)
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var ex = Assert.Throws<ChannelUnavailableException>(() => f.Load(f.Settings(("ssl_verify", true), ("remote_max_retries", 3), ("remote_backoff_factor", 1))));
        Assert.Contains("SSL", ex.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"took {sw.Elapsed}");
    }
}
