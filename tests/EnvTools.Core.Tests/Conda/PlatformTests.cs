using EnvTools.Conda;
using Xunit;

namespace EnvTools.Tests.Conda;

public class PlatformTests
{
    [Theory]
    [InlineData("linux-64", "linux", "x86_64")]
    [InlineData("linux-aarch64", "linux", "aarch64")]
    [InlineData("linux-ppc64le", "linux", "ppc64le")]
    [InlineData("osx-arm64", "osx", "arm64")]
    [InlineData("win-32", "win", "x86")]
    [InlineData("win-arm64", "win", "arm64")]
    [InlineData("zos-z", "zos", "z")]
    [InlineData("emscripten-wasm32", "emscripten", "wasm32")]
    [InlineData("noarch", null, null)]
    public void Parse_GivesOsAndArchAsCondaWritesThem(string name, string? os, string? arch)
    {
        Platform p = Platform.Parse(name);
        Assert.Equal(name, p.Name);
        Assert.Equal(name, p.ToString());
        Assert.Equal(os, p.Os);
        Assert.Equal(arch, p.Arch);
        Assert.Equal(os is "linux" or "osx" or "zos", p.IsUnix);
        Assert.Equal(os == "win", p.IsWindows);
        Assert.Equal(os == "linux", p.IsLinux);
        Assert.Equal(os == "osx", p.IsOsx);
        Assert.Equal(os is null, p.IsNoArch);
    }

    [Fact]
    public void All_HasEverySubdir_OnceAndParsable()
    {
        Assert.Equal(18, Platform.All.Count);
        Assert.Equal(Platform.All.Count, Platform.All.Select(p => p.Name).Distinct().Count());
        Assert.All(Platform.All, p => Assert.Equal(p, Platform.Parse(p.Name)));
        Assert.Equal(Platform.NoArch, default(Platform));
    }

    [Theory]
    [InlineData("linux-fake")]
    [InlineData("Linux-64")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_RejectsUnknown(string? name)
    {
        Assert.False(Platform.TryParse(name, out _));
        if (name is not null)
        {
            Assert.Throws<ArgumentException>(() => Platform.Parse(name));
        }
    }

    [Fact]
    public void Current_MatchesTheHost()
    {
        Platform c = Platform.Current;
        Assert.False(c.IsNoArch);
        Assert.Equal(OperatingSystem.IsLinux(), c.IsLinux);
        Assert.Equal(OperatingSystem.IsWindows(), c.IsWindows);
        Assert.Equal(OperatingSystem.IsMacOS(), c.IsOsx);
        if (System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64)
        {
            Assert.Equal("x86_64", c.Arch);
        }
    }

    [Fact]
    public void Equality()
    {
        Assert.True(Platform.Linux64 == Platform.Parse("linux-64"));
        Assert.True(Platform.Linux64 != Platform.Osx64);
        Assert.Equal(Platform.Win64.GetHashCode(), Platform.Parse("win-64").GetHashCode());
    }

    [Theory]
    [InlineData("linux64", "linux-64")]
    [InlineData("Linux-64", "linux-64")]
    [InlineData("win64", "win-64")]
    [InlineData("osx_arm64", "osx-arm64")]
    [InlineData("osx-arm", "osx-arm64")]
    [InlineData("plan9", null)]
    public void UnknownPlatform_suggests_the_closest_known_name(string name, string? suggestion)
    {
        var ex = new UnknownPlatformException(name);
        Assert.Equal("UnknownPlatform", ex.ErrorId);
        Assert.Equal(suggestion, ex.Suggestion);
        Assert.Contains(suggestion is null ? "not a known conda platform" : $"did you mean {suggestion}?", ex.Message, StringComparison.Ordinal);
    }
}
