using EnvTools.Activation;
using EnvTools.Conda;
using Xunit;
using EnvTools.Platforms;

namespace EnvTools.Tests.Activation;

public class VirtualPackagesTests
{
    private static Func<string, string?> Env(params (string Key, string? Value)[] vars)
    {
        var d = vars.ToDictionary(v => v.Key, v => v.Value);
        return k => d.TryGetValue(k, out string? v) ? v : null;
    }

    [Theory]
    [InlineData("__cuda=12.4", "__cuda", "12.4", "0")]
    [InlineData("__glibc=2.28", "__glibc", "2.28", "0")]
    [InlineData("__unix", "__unix", "0", "0")]
    [InlineData("__archspec=1=x86_64", "__archspec", "1", "x86_64")]
    [InlineData("__OSX=13.0", "__osx", "13.0", "0")]
    public void ParsesUserGivenVirtualPackages(string text, string name, string version, string build)
    {
        VirtualPackage p = VirtualPackages.Parse(text);
        Assert.Equal((name, version, build), (p.Name, p.Version, p.Build));
        Assert.Equal(VirtualPackageSource.User, p.Source);
    }

    [Theory]
    [InlineData("cuda=12.4")]
    [InlineData("__cuda=1..2")]
    [InlineData("__cuda=1=2=3")]
    [InlineData("__")]
    public void RejectsMalformedVirtualPackages(string text)
    {
        var ex = Assert.Throws<InvalidSpecException>(() => VirtualPackages.Parse(text));
        Assert.Equal("InvalidSpec", ex.ErrorId);
    }

    [UnixFact("on Windows win-64 is the host: its virtual packages are detected, not the platform's defaults")]
    public void WindowsDefaultsWhenNotTheHost()
    {
        var pkgs = VirtualPackages.For(Platform.Win64, Env());
        Assert.Equal(new[] { "__win", "__archspec" }, pkgs.Select(p => p.Name));
        Assert.All(pkgs, p => Assert.Equal(VirtualPackageSource.PlatformDefault, p.Source));
        Assert.Equal("x86_64", pkgs.Single(p => p.Name == "__archspec").Build);
    }

    [Fact]
    public void OsxArm64DefaultsWhenNotTheHost()
    {
        var pkgs = VirtualPackages.For(Platform.OsxArm64, Env());
        Assert.Equal(new[] { "__unix", "__osx", "__archspec" }, pkgs.Select(p => p.Name));
        Assert.Equal("11.0", pkgs.Single(p => p.Name == "__osx").Version);
        Assert.Equal("arm64", pkgs.Single(p => p.Name == "__archspec").Build);
    }

    [Fact]
    public void OverridesWinAndEmptyCudaOverrideRemovesCuda()
    {
        var withCuda = VirtualPackages.For(Platform.Linux64, Env(("CONDA_OVERRIDE_CUDA", "12.4"), ("CONDA_OVERRIDE_GLIBC", "2.28")));
        Assert.Equal("12.4", withCuda.Single(p => p.Name == "__cuda").Version);
        var glibc = withCuda.Single(p => p.Name == "__glibc");
        Assert.Equal(("2.28", VirtualPackageSource.Override), (glibc.Version, glibc.Source));

        var noCuda = VirtualPackages.For(Platform.Linux64, Env(("CONDA_OVERRIDE_CUDA", "")));
        Assert.DoesNotContain(noCuda, p => p.Name == "__cuda");
    }

    [Fact]
    public void DetectsTheHostOnLinux()
    {
        if (!OperatingSystem.IsLinux() || Platform.Current != Platform.Linux64)
        {
            return; // host detection is checked on linux-64 hosts (CI's)
        }

        var pkgs = VirtualPackages.For(Platform.Current, Env());
        var glibc = pkgs.Single(p => p.Name == "__glibc");
        Assert.Equal(VirtualPackageSource.Detected, glibc.Source);
        Assert.True(EnvTools.Conda.Version.Parse(glibc.Version) >= EnvTools.Conda.Version.Parse("2.17"));
        var linux = pkgs.Single(p => p.Name == "__linux");
        Assert.Equal(VirtualPackageSource.Detected, linux.Source);
        Assert.StartsWith(linux.Version, File.ReadAllText("/proc/sys/kernel/osrelease").Trim());
        Assert.StartsWith("x86_64", pkgs.Single(p => p.Name == "__archspec").Build);
    }

    [Theory]
    [InlineData("6.1.0-18-amd64", "6.1.0")]
    [InlineData("5.15.146.1-microsoft-standard-WSL2", "5.15.146.1")]
    [InlineData("4.4", "4.4")]
    [InlineData("weird", null)]
    public void NormalizesKernelReleases(string release, string? expected)
    {
        Assert.Equal(expected, VirtualPackages.NormalizeKernelRelease(release));
    }

    [Fact]
    public void UserValuesReplaceDetectedOnes()
    {
        var merged = VirtualPackages.Merge(
            VirtualPackages.For(Platform.Linux64, Env(("CONDA_OVERRIDE_GLIBC", "2.17"))),
            new[] { VirtualPackages.Parse("__glibc=2.35"), VirtualPackages.Parse("__cuda=12.1") });
        Assert.Equal("2.35", merged.Single(p => p.Name == "__glibc").Version);
        Assert.Single(merged, p => p.Name == "__glibc");
        Assert.Equal("12.1", merged.Single(p => p.Name == "__cuda").Version);
        var record = merged.Single(p => p.Name == "__cuda").ToRecord();
        Assert.True(MatchSpec.Parse("__cuda>=12").Matches(record));
        Assert.False(MatchSpec.Parse("__cuda>=12.2").Matches(record));
    }
}
