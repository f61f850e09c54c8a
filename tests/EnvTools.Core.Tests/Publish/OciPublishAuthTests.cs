using System.Text;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch.Oci;
using EnvTools.Install;
using EnvTools.Packages;
using EnvTools.Publish;
using EnvTools.Tests.Oci;
using Xunit;
using EnvTools.Environments;

namespace EnvTools.Tests.Publish;

/// <summary>
/// <see cref="ChannelPublisher"/> into a registry with bearer-token auth (the test <see cref="TokenServer"/>: anonymous
/// callers may only pull): pushing needs the docker config.json credentials; without them, or with wrong ones, the
/// registry's refusal comes back with its code and without the secret, and no repodata is written.
/// </summary>
public sealed class OciPublishAuthTests : IAsyncLifetime
{
    private const string Path = "envtools/team";
    private OciFixture _f = null!;

    public async Task InitializeAsync()
    {
        if (RegistryServer.SkipReason is null)
        {
            _f = await OciFixture.StartAsync(RegistryAuth.Token);
            _f.Package("pyx", "1.0+local");
            _f.Package("tool", "2.0", new[] { "pyx" });
            ChannelIndexer.Index(_f.Folder);
        }
    }

    public async Task DisposeAsync()
    {
        if (_f is not null)
        {
            await _f.DisposeAsync();
        }
    }

    private async Task<PublishResult> PublishAsync(Settings settings)
    {
        var publisher = new ChannelPublisher(settings, ChannelDestinations.Open(_f.ChannelUrl(Path), settings, _f.Root));
        using PublishPlan plan = await publisher.PlanAsync(new PublishRequest { Source = EnvTools.Config.ChannelResolver.ParseChannel(_f.Folder) });
        return await publisher.PublishAsync(plan);
    }

    [RegistryFact]
    public async Task AnAnonymousPushIsRefusedWithTheRegistrysCodeAndNoRepodataIsWritten()
    {
        int mark = _f.Registry.Mark();
        var refused = await Assert.ThrowsAsync<OciRegistryException>(() => PublishAsync(_f.Settings()));
        Assert.Equal(("OciRegistryRequestFailed", 401), (refused.ErrorId, refused.StatusCode));
        Assert.Contains("HTTP 401", refused.Message);
        Assert.Equal(ErrorKind.SecurityError, refused.Kind);

        IReadOnlyList<RegistryRequest> log = _f.Registry.RequestsSince(mark);
        Assert.Contains(log, r => r.Method == "POST" && r.Status == 401); // the upload the anonymous (pull-only) token cannot start
        Assert.DoesNotContain(log, r => r.Method == "PUT" && r.Status is >= 200 and < 300);
        Assert.Contains(_f.Tokens!.Grants, g => g.User is null && g.Scopes.Any(s => s.EndsWith(":pull,push", StringComparison.Ordinal)) && g.Granted.All(a => a.EndsWith(":pull", StringComparison.Ordinal)));
    }

    [RegistryFact]
    public async Task WrongCredentialsFailWithoutShowingThemAndRightOnesPublish()
    {
        const string wrong = "wrong-Kp27-secret";
        string file = _f.WriteDockerConfig(OciFixture.User, wrong);
        string[] secrets = { wrong, Convert.ToBase64String(Encoding.UTF8.GetBytes($"{OciFixture.User}:{wrong}")) };
        var refused = await Assert.ThrowsAsync<OciRegistryException>(() => PublishAsync(_f.Settings()));
        Assert.Equal(401, refused.StatusCode);
        Assert.Contains($"refused the credentials from {file}", refused.Message);
        Assert.All(secrets, s => Assert.DoesNotContain(s, refused.ToString(), StringComparison.Ordinal));

        _f.WriteDockerConfig(OciFixture.User, OciFixture.Password);
        PublishResult result = await PublishAsync(_f.Settings());
        Assert.Equal((2, 0), (result.Summary.Copied, result.Summary.Failed));
        Assert.Contains(_f.Tokens!.Grants, g => g.User == OciFixture.User && g.Granted.Any(a => a.EndsWith(":pull,push", StringComparison.Ordinal)));
        Assert.All(secrets.Append(OciFixture.Password), s => Assert.DoesNotContain(s, string.Join("\n", result.Packages.Select(p => $"{p.Destination} {p.FileName}")), StringComparison.Ordinal));

        // anyone may pull what the team published
        _f.RemoveDockerConfig();
        EnvironmentResult env = _f.Create(_f.Settings(), "from-team", Path, "tool");
        Assert.Equal(new[] { "pyx", "tool" }, PrefixState.ReadInstalled(env.Plan.Prefix).Select(r => r.Name).Order(StringComparer.Ordinal));
    }
}
