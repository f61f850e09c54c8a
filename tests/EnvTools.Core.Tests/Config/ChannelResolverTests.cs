using EnvTools.Conda;
using EnvTools.Config;
using Xunit;

namespace EnvTools.Tests.Config;

public sealed class ChannelResolverTests : IDisposable
{
    private readonly ConfigFixture _f = new();

    public void Dispose() => _f.Dispose();

    private ChannelResolver Resolver(string condarc)
    {
        _f.Write("home/.condarc", condarc);
        return _f.Load().CreateChannelResolver();
    }

    [Fact]
    public void Name_GoesUnderTheChannelAlias()
    {
        Channel c = ChannelResolver.Default.ResolveOne("conda-forge");
        Assert.Equal("conda-forge", c.Name);
        Assert.Equal("https://conda.anaconda.org/conda-forge", c.BaseUrl.AbsoluteUri);
        Assert.Equal("https://conda.anaconda.org/conda-forge/linux-64", c.SubdirUrl("linux-64"));
    }

    [Fact]
    public void ConfiguredAlias_IsUsed_AndLabelsFollow()
    {
        ChannelResolver r = Resolver("channel_alias: https://mirror.example/conda/\n");
        Channel c = r.ResolveOne("conda-forge/label/dev");
        Assert.Equal("conda-forge/label/dev", c.Name);
        Assert.Equal("https://mirror.example/conda/conda-forge/label/dev", c.BaseUrl.AbsoluteUri);
        Assert.Equal("conda-forge", r.ResolveOne("https://mirror.example/conda/conda-forge/noarch").Name);
    }

    [Fact]
    public void Defaults_ExpandsToDefaultChannels_NamedAsConda()
    {
        IReadOnlyList<Channel> d = ChannelResolver.Default.Resolve("defaults");
        Assert.Equal(Settings.DefaultChannelsUnix.Count == 2 && !OperatingSystem.IsWindows() ? 2 : d.Count, d.Count);
        Assert.Equal("pkgs/main", d[0].Name);
        Assert.Equal("https://repo.anaconda.com/pkgs/main", d[0].BaseUrl.AbsoluteUri);
        Assert.Equal("defaults", d[0].CanonicalName);
        Assert.Equal("pkgs/r", d[1].Name);
        Assert.Throws<InvalidSpecException>(() => ChannelResolver.Default.ResolveOne("defaults"));
    }

    [Fact]
    public void DefaultMembers_ResolveByName_ToTheirHost()
    {
        Channel c = ChannelResolver.Default.ResolveOne("pkgs/main");
        Assert.Equal("https://repo.anaconda.com/pkgs/main", c.BaseUrl.AbsoluteUri);
        Assert.True(c.IsDefaultsMember);
        Channel url = ChannelResolver.Default.ResolveOne("https://repo.anaconda.com/pkgs/main/linux-64");
        Assert.Equal("pkgs/main", url.Name);
        Assert.Equal(c, url);
    }

    [Fact]
    public void ConfiguredDefaultChannels_ReplaceDefaults()
    {
        ChannelResolver r = Resolver("default_channels:\n  - https://corp.example/mirror/main\n  - https://corp.example/mirror/extra\n");
        IReadOnlyList<Channel> d = r.Resolve("defaults");
        Assert.Equal(new[] { "https://corp.example/mirror/main", "https://corp.example/mirror/extra" }, d.Select(c => c.BaseUrl.AbsoluteUri));
        Assert.Equal(new[] { "mirror/main", "mirror/extra" }, d.Select(c => c.Name));
        Assert.Equal("https://corp.example/mirror/main", r.ResolveOne("mirror/main").BaseUrl.AbsoluteUri);
    }

    [Fact]
    public void CustomChannels_WinOverTheAlias_WithLabels()
    {
        ChannelResolver r = Resolver("custom_channels:\n  corp: https://conda.corp.example/repo\n");
        Channel c = r.ResolveOne("corp");
        Assert.Equal("corp", c.Name);
        Assert.Equal("https://conda.corp.example/repo/corp", c.BaseUrl.AbsoluteUri);
        Channel label = r.ResolveOne("corp/label/beta");
        Assert.Equal("corp/label/beta", label.Name);
        Assert.Equal("https://conda.corp.example/repo/corp/label/beta", label.BaseUrl.AbsoluteUri);
        Assert.Equal("corp", r.ResolveOne("https://conda.corp.example/repo/corp/osx-arm64").Name);
        Assert.Equal("https://conda.anaconda.org/conda-forge", r.ResolveOne("conda-forge").BaseUrl.AbsoluteUri);
    }

    [Fact]
    public void CustomMultichannels_Expand()
    {
        ChannelResolver r = Resolver("custom_multichannels:\n  stack:\n    - conda-forge\n    - https://corp.example/extra\n");
        IReadOnlyList<Channel> s = r.Resolve("stack");
        Assert.Equal(new[] { "https://conda.anaconda.org/conda-forge", "https://corp.example/extra" }, s.Select(c => c.BaseUrl.AbsoluteUri));
        Assert.True(r.IsMultichannel("stack"));
    }

    [Fact]
    public void ResolveAll_ExpandsAndDeduplicates_InOrder()
    {
        IReadOnlyList<Channel> all = ChannelResolver.Default.ResolveAll(new[] { "conda-forge", "defaults", "https://conda.anaconda.org/conda-forge" });
        Assert.Equal(new[] { "conda-forge", "pkgs/main", "pkgs/r" }, all.Take(3).Select(c => c.Name));
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void OtherUrls_KeepTheirUrlAsName_AndDropASubdir()
    {
        Channel c = ChannelResolver.Default.ResolveOne("https://static.example/channels/mine/win-64/");
        Assert.Equal("https://static.example/channels/mine", c.Name);
        Assert.Equal("https://static.example/channels/mine/noarch", c.SubdirUrl("noarch"));
        Assert.False(c.HasCredentials);
    }

    [Fact]
    public void LocalPathsAndFileUrls_AreFileChannels()
    {
        string dir = Path.Combine(_f.Root, "chan");
        Directory.CreateDirectory(dir);
        Channel rel = ChannelResolver.Default.ResolveOne("./chan", _f.Root);
        Assert.True(rel.IsLocal);
        Assert.Equal(dir, rel.LocalPath);
        Channel url = ChannelResolver.Default.ResolveOne(new Uri(dir).AbsoluteUri + "/linux-64");
        Assert.Equal(rel, url);
        ChannelResolver r = Resolver("offline: false\n");
        Channel home = r.ResolveOne("~/localchan");
        Assert.Equal(Path.Combine(_f.Home, "localchan"), home.LocalPath);
    }

    [Fact]
    public void TokensAndCredentials_AreKeptForRequests_NeverShown()
    {
        Channel c = ChannelResolver.Default.ResolveOne("https://alice:pw-9876@conda.anaconda.org/t/tk-abc123/private-chan/linux-64");
        Assert.Equal("private-chan", c.Name);
        Assert.Equal("https://conda.anaconda.org/private-chan", c.BaseUrl.AbsoluteUri);
        Assert.True(c.HasCredentials);
        Assert.Equal("https://alice:pw-9876@conda.anaconda.org/t/tk-abc123/private-chan/linux-64", c.GetRequestUrl("linux-64"));
        Assert.Equal("https://alice:***@conda.anaconda.org/t/<TOKEN>/private-chan", c.DisplayUrl);
        foreach (string shown in new[] { c.ToString(), c.Name, c.CanonicalName, c.BaseUrl.ToString(), c.SubdirUrl("noarch"), c.DisplayUrl })
        {
            Assert.DoesNotContain("tk-abc123", shown);
            Assert.DoesNotContain("pw-9876", shown);
        }
    }

    [Fact]
    public void TokenOnTheAlias_OrACustomChannel_IsCarriedToItsChannels()
    {
        ChannelResolver r = Resolver("channel_alias: https://conda.corp.example/t/alias-tok\ncustom_channels:\n  priv: https://bob:pw@secure.example/t/cust-tok/base\n");
        Channel viaAlias = r.ResolveOne("conda-forge");
        Assert.Equal("https://conda.corp.example/conda-forge", viaAlias.BaseUrl.AbsoluteUri);
        Assert.Equal("https://conda.corp.example/t/alias-tok/conda-forge/noarch", viaAlias.GetRequestUrl("noarch"));
        Channel custom = r.ResolveOne("priv");
        Assert.Equal("https://secure.example/base/priv", custom.BaseUrl.AbsoluteUri);
        Assert.Equal("https://bob:pw@secure.example/t/cust-tok/base/priv", custom.GetRequestUrl());
        Assert.DoesNotContain("cust-tok", custom.DisplayUrl);
        Assert.Equal("conda-forge", r.ResolveOne("https://conda.corp.example/t/alias-tok/conda-forge").Name);
    }

    [Fact]
    public void BadUrls_AreInvalidSpecs_WithoutTheSecretInTheMessage()
    {
        var ex = Assert.Throws<InvalidSpecException>(() => ChannelResolver.Default.ResolveOne("ftp://u:topsecret@host/x"));
        Assert.DoesNotContain("topsecret", ex.Message);
        Assert.Throws<InvalidSpecException>(() => ChannelResolver.Default.ResolveOne("  "));
    }

    [Fact]
    public void ChannelParse_StillResolvesWithAnAlias()
    {
        Channel c = EnvTools.Config.ChannelResolver.ParseChannel("bioconda", channelAlias: "https://alias.example");
        Assert.Equal("https://alias.example/bioconda", c.BaseUrl.AbsoluteUri);
        Assert.Equal("bioconda", c.Name);
    }

    [Theory]
    [InlineData("https://u:p@h.example/t/abc/x", "https://u:***@h.example/t/<TOKEN>/x")]
    [InlineData("https://tokenonly@h.example/x", "https://***@h.example/x")]
    [InlineData("no url /t/abc here", "no url /t/abc here")]
    [InlineData("see https://h.example/t/abc-1/x and http://a:b@c", "see https://h.example/t/<TOKEN>/x and http://a:***@c")]
    public void UrlRedaction_MasksTokensAndPasswords(string input, string expected)
    {
        Assert.Equal(expected, UrlRedaction.Redact(input));
    }
}
