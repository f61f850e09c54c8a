using EnvTools.Conda;
using EnvTools.Install;
using EnvTools.Solve;
using Xunit;

namespace EnvTools.Tests.Install;

/// <summary>Resolve-EnvPackage's engine call on a real local channel: channels as given, pins, priority, errors.</summary>
public sealed class PackageResolverTests : IDisposable
{
    private readonly ChannelInstallFixture _f = new();

    public PackageResolverTests()
    {
        _f.Package("zlib", "1.2");
        _f.Package("zlib", "1.3");
        _f.Package("app", "1.0", new[] { "zlib >=1.2" });
        _f.Index();
    }

    public void Dispose() => _f.Dispose();

    private EnvironmentChangeArguments Arguments(params string[] channels) => new()
    {
        WorkingDirectory = _f.Root,
        Channels = channels,
        OverrideChannels = true,
    };

    [Fact]
    public void SolvesAgainstTheGivenChannel_ForTheHostPlatform()
    {
        PackageResolution r = PackageResolver.Solve(_f.Settings, new[] { MatchSpec.Parse("app") }, Arguments("channel"));

        Assert.Equal(new[] { "zlib=1.3", "app=1.0" }, r.Result.Records.Select(x => $"{x.Name}={x.Version}"));
        Assert.Equal(Platform.Current, r.Platform);
        Channel c = Assert.Single(r.Channels);
        Assert.Equal(Path.TrimEndingDirectorySeparator(Path.Combine(_f.Root, "channel")), Path.TrimEndingDirectorySeparator(c.LocalPath!));
    }

    [Fact]
    public void HonoursTheConfiguredPins()
    {
        var settings = EnvTools.Config.Settings.Load(null, new Dictionary<string, object?>
        {
            ["pkgs_dirs"] = _f.Settings.PkgsDirs.ToArray(),
            ["pinned_packages"] = new[] { "zlib=1.2" },
        }, _f.Settings.Environment);

        PackageResolution r = PackageResolver.Solve(settings, new[] { MatchSpec.Parse("app") }, Arguments("channel"));

        Assert.Contains("zlib=1.2", r.Result.Records.Select(x => $"{x.Name}={x.Version}"));
    }

    [Fact]
    public void OverrideChannelsWithoutAChannel_IsAnError()
    {
        var ex = Assert.ThrowsAny<EnvToolsException>(() => PackageResolver.Solve(_f.Settings, new[] { MatchSpec.Parse("app") }, Arguments()));
        Assert.Equal("OverrideChannelsWithoutChannel", ex.ErrorId);
    }

    [Fact]
    public void AnUnknownPlatform_IsAnError()
    {
        Assert.Throws<UnknownPlatformException>(() =>
            PackageResolver.Solve(_f.Settings, new[] { MatchSpec.Parse("app") }, Arguments("channel") with { Platform = "linux-65" }));
    }

    [Fact]
    public void AMissingPackage_IsUnsatisfiable()
    {
        Assert.ThrowsAny<EnvToolsException>(() => PackageResolver.Solve(_f.Settings, new[] { MatchSpec.Parse("nothere") }, Arguments("channel")));
    }
}
