using EnvTools.Config;
using EnvTools.Solve;
using Xunit;

namespace EnvTools.Tests.Config;

public sealed class SettingsTests : IDisposable
{
    private readonly ConfigFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void NoFiles_GiveCondasDefaults_WithDefaultSource()
    {
        Settings s = _f.Load();
        Assert.Equal(new[] { "defaults" }, s.Channels);
        Assert.Equal(Settings.DefaultChannelsUnix, s.DefaultChannels);
        Assert.Equal("https://conda.anaconda.org", s.ChannelAlias);
        Assert.Equal(ChannelPriority.Flexible, s.ChannelPriority);
        Assert.Equal(3, s.RemoteMaxRetries);
        Assert.Equal(1.0, s.RemoteBackoffFactor);
        Assert.Equal(9.15, s.RemoteConnectTimeoutSecs);
        Assert.Equal(60.0, s.RemoteReadTimeoutSecs);
        Assert.Equal(1, s.LocalRepodataTtl);
        Assert.True(s.RepodataUseZst);
        Assert.False(s.Offline);
        Assert.True(s.SslVerify.Enabled);
        Assert.Null(s.SslVerify.CaPath);
        Assert.True(s.ChangePs1);
        Assert.False(s.AlwaysYes);
        Assert.Equal("https://repo.anaconda.com", s.CustomChannels["pkgs/pro"]);
        Assert.Equal(new[] { Path.Combine(_f.Home, ".conda", "envs") }, s.EnvsDirs);
        Assert.Equal(new[] { Path.Combine(_f.Home, ".conda", "pkgs") }, s.PkgsDirs);
        Assert.Empty(s.Files);
        Assert.All(s.Values, v => Assert.Equal(ConfigSourceKind.Default, v.SourceInfo.Kind));
    }

    [Fact]
    public void UserCondarc_SetsValues_AndEachKnowsItsFileAndLine()
    {
        string rc = _f.Write("home/.condarc", "# comment\nchannel_priority: strict\noffline: true\nchannels:\n  - conda-forge\n  - bioconda\n");
        Settings s = _f.Load();
        Assert.Equal(ChannelPriority.Strict, s.ChannelPriority);
        Assert.True(s.Offline);
        Assert.Equal(new[] { "conda-forge", "bioconda" }, s.Channels);

        ConfigValue priority = s.GetValue("channel_priority")!;
        Assert.Equal(rc, priority.Source);
        Assert.Equal(2, priority.Line);
        Assert.Equal(ChannelPriority.Strict, priority.Value);
        Assert.Equal(3, s.GetValue("offline")!.Line);
        ConfigValue channels = s.GetValue("channels")!;
        Assert.Equal(4, channels.Line);
        Assert.Equal(new[] { "conda-forge", "bioconda" }, Assert.IsType<string[]>(channels.Value));
        Assert.Equal(new[] { rc }, s.Files);
    }

    [Fact]
    public void SearchOrder_LaterFilesWinForScalars()
    {
        // Lowest to highest: /etc/conda, /var/lib/conda, ~/.config/conda, ~/.conda, ~/.condarc, <prefix>, $CONDARC.
        string etc = _f.Write("etc/conda/.condarc", "remote_max_retries: 1\nremote_read_timeout_secs: 1\nremote_connect_timeout_secs: 1\nremote_backoff_factor: 1\nlocal_repodata_ttl: 1\n");
        string varlib = _f.Write("var/lib/conda/condarc", "remote_read_timeout_secs: 2\nremote_connect_timeout_secs: 2\nremote_backoff_factor: 2\nlocal_repodata_ttl: 2\n");
        string xdg = _f.Write("home/.config/conda/condarc", "remote_connect_timeout_secs: 3\nremote_backoff_factor: 3\nlocal_repodata_ttl: 3\n");
        string dotConda = _f.Write("home/.conda/condarc.d/a.yml", "remote_backoff_factor: 4\nlocal_repodata_ttl: 4\n");
        string user = _f.Write("home/.condarc", "local_repodata_ttl: 5\nchannel_alias: https://user.example\n");
        string prefixRc = _f.Write("envs/p/.condarc", "channel_alias: https://prefix.example\nrepodata_use_zst: false\n");
        string condarc = _f.Write("custom/rc.yaml", "repodata_use_zst: true\n");
        _f.Variables["CONDARC"] = condarc;

        Settings s = _f.Load(prefix: Path.Combine(_f.Root, "envs", "p"));
        Assert.Equal(new[] { etc, varlib, xdg, dotConda, user, prefixRc, condarc }, s.Files);
        Assert.Equal(1, s.RemoteMaxRetries);
        Assert.Equal(2.0, s.RemoteReadTimeoutSecs);
        Assert.Equal(3.0, s.RemoteConnectTimeoutSecs);
        Assert.Equal(4.0, s.RemoteBackoffFactor);
        Assert.Equal(5, s.LocalRepodataTtl);
        Assert.Equal("https://prefix.example", s.ChannelAlias);
        Assert.Equal(prefixRc, s.GetValue("channel_alias")!.Source);
        Assert.True(s.RepodataUseZst);
        Assert.Equal(condarc, s.GetValue("repodata_use_zst")!.Source);
    }

    [Fact]
    public void PrefixDefaultsToCondaPrefix_AndAnExplicitPrefixReplacesIt()
    {
        _f.Write("active/.condarc", "offline: true\n");
        _f.Write("target/.condarc", "offline: false\nalways_yes: true\n");
        _f.Variables["CONDA_PREFIX"] = Path.Combine(_f.Root, "active");
        Assert.True(_f.Load().Offline);
        Settings target = _f.Load(prefix: Path.Combine(_f.Root, "target"));
        Assert.False(target.Offline);
        Assert.True(target.AlwaysYes);
    }

    [Fact]
    public void XdgConfigHome_IsSearchedBeforeDotConfig()
    {
        _f.Write("xdg/conda/.condarc", "remote_max_retries: 7\noffline: true\n");
        _f.Write("home/.config/conda/.condarc", "remote_max_retries: 8\n");
        _f.Variables["XDG_CONFIG_HOME"] = Path.Combine(_f.Root, "xdg");
        Settings s = _f.Load();
        Assert.Equal(8, s.RemoteMaxRetries);
        Assert.True(s.Offline);
    }

    [Fact]
    public void CondarcD_ReadsOnlyYamlFiles_InNameOrder()
    {
        _f.Write("etc/conda/condarc.d/20-b.yaml", "remote_max_retries: 20\n");
        _f.Write("etc/conda/condarc.d/10-a.yml", "remote_max_retries: 10\noffline: true\n");
        _f.Write("etc/conda/condarc.d/99-ignored.txt", "remote_max_retries: 99\n");
        Settings s = _f.Load();
        Assert.Equal(20, s.RemoteMaxRetries);
        Assert.True(s.Offline);
        Assert.Equal(2, s.Files.Count);
    }

    [Fact]
    public void RestrictedSearchPath_ReadsOnlyCondarc()
    {
        _f.Write("home/.condarc", "offline: true\n");
        string rc = _f.Write("only.yml", "always_yes: true\n");
        _f.Variables["CONDARC"] = rc;
        _f.Variables["CONDA_RESTRICT_RC_SEARCH_PATH"] = "1";
        Settings s = _f.Load();
        Assert.False(s.Offline);
        Assert.True(s.AlwaysYes);
        Assert.Equal(new[] { rc }, s.Files);
    }

    [Fact]
    public void Sequences_HigherPrecedenceFirst_Deduplicated()
    {
        string sys = _f.Write("etc/conda/.condarc", "channels:\n  - defaults\n  - conda-forge\n");
        string user = _f.Write("home/.condarc", "channels:\n  - conda-forge\n  - bioconda\n");
        Settings s = _f.Load();
        Assert.Equal(new[] { "conda-forge", "bioconda", "defaults" }, s.Channels);
        ConfigValue v = s.GetValue("channels")!;
        Assert.Equal(user, v.Source);
        Assert.Equal(new[] { user, sys }, v.GetSources().Select(x => x.Path));
    }

    [Fact]
    public void Maps_MergeByEntry_LaterWins()
    {
        _f.Write("etc/conda/.condarc", "proxy_servers:\n  http: http://sys:8080\n  https: http://sys:8443\n");
        _f.Write("home/.condarc", "proxy_servers:\n  http: http://user:3128\n");
        Settings s = _f.Load();
        Assert.Equal("http://user:3128", s.ProxyServers["http"]);
        Assert.Equal("http://sys:8443", s.ProxyServers["https"]);
    }

    [Fact]
    public void FinalMarker_OnALowerFile_LocksTheKey()
    {
        _f.Write("etc/conda/.condarc", "channel_priority: strict  #!final\nchannels:  #!final\n  - corp\npkgs_dirs:\n  - /sys/pkgs\n");
        _f.Write("home/.condarc", "channel_priority: disabled\nchannels:\n  - conda-forge\npkgs_dirs:\n  - /user/pkgs\n");
        Settings s = _f.Load();
        Assert.Equal(ChannelPriority.Strict, s.ChannelPriority);
        Assert.Equal(new[] { "corp" }, s.Channels);
        Assert.Equal(new[] { _f.Abs("/user/pkgs"), _f.Abs("/sys/pkgs") }, s.PkgsDirs);
    }

    [Fact]
    public void EnvironmentVariables_OverrideFiles_AndSplitSequences()
    {
        _f.Write("home/.condarc", "channels: [a]\nchannel_priority: strict\noffline: false\npkgs_dirs: [/file/pkgs]\nenvs_dirs: [/file/envs]\n");
        _f.Variables["CONDA_CHANNELS"] = "x, y";
        _f.Variables["CONDA_CHANNEL_PRIORITY"] = "disabled";
        _f.Variables["CONDA_OFFLINE"] = "yes";
        _f.Variables["CONDA_PKGS_DIRS"] = "/env/p1,/env/p2";
        _f.Variables["CONDA_ENVS_PATH"] = "/env/e1:/env/e2";
        _f.Variables["CONDA_SSL_VERIFY"] = "false";
        _f.Variables["CONDA_PINNED_PACKAGES"] = "python=3.11&numpy<2";
        Settings s = _f.Load();
        Assert.Equal(new[] { "x", "y", "a" }, s.Channels);
        Assert.Equal(ChannelPriority.Disabled, s.ChannelPriority);
        Assert.True(s.Offline);
        Assert.Equal(new[] { _f.Abs("/env/p1"), _f.Abs("/env/p2"), _f.Abs("/file/pkgs") }, s.PkgsDirs);
        Assert.Equal(new[] { _f.Abs("/env/e1"), _f.Abs("/env/e2"), _f.Abs("/file/envs"), Path.Combine(_f.Home, ".conda", "envs") }, s.EnvsDirs);
        Assert.False(s.SslVerify.Enabled);
        Assert.Equal(new[] { "python=3.11", "numpy<2" }, s.PinnedPackages);
        Assert.Equal("env:CONDA_CHANNEL_PRIORITY", s.GetValue("channel_priority")!.Source);
        Assert.Equal("env:CONDA_CHANNELS", s.GetValue("channels")!.Source);
    }

    [Fact]
    public void EnvironmentVariable_CanBeOverruledByAFinalFile()
    {
        _f.Write("etc/conda/.condarc", "offline: false  #!final\n");
        _f.Variables["CONDA_OFFLINE"] = "true";
        Assert.False(_f.Load().Offline);
    }

    [Fact]
    public void CallOptions_OverrideEverything()
    {
        _f.Write("home/.condarc", "channels: [a]\noffline: false\nremote_max_retries: 2\n");
        _f.Variables["CONDA_OFFLINE"] = "false";
        _f.Variables["CONDA_REMOTE_MAX_RETRIES"] = "4";
        Settings s = _f.Load(options: new Dictionary<string, object?>
        {
            ["offline"] = true,
            ["remote_max_retries"] = 9,
            ["channels"] = new[] { "c" },
            ["channel_priority"] = ChannelPriority.Strict,
        });
        Assert.True(s.Offline);
        Assert.Equal(9, s.RemoteMaxRetries);
        Assert.Equal(new[] { "c", "a" }, s.Channels);
        Assert.Equal(ChannelPriority.Strict, s.ChannelPriority);
        Assert.Equal("option:offline", s.GetValue("offline")!.Source);
    }

    [Fact]
    public void CallOptionChannels_WithoutConfiguredChannels_AddDefaults_AndOverrideChannelsUsesOnlyThem()
    {
        Settings plain = _f.Load(options: new Dictionary<string, object?> { ["channels"] = new[] { "c" } });
        Assert.Equal(new[] { "c", "defaults" }, plain.Channels);

        _f.Write("home/.condarc", "channels: [a]\n");
        Settings overridden = _f.Load(options: new Dictionary<string, object?> { ["channels"] = new[] { "c" }, [Settings.OverrideChannelsOption] = true });
        Assert.Equal(new[] { "c" }, overridden.Channels);
    }

    [Fact]
    public void UnknownCallOption_IsAnArgumentError()
    {
        Assert.Throws<ArgumentException>(() => _f.Load(options: new Dictionary<string, object?> { ["no_such_key"] = 1 }));
    }

    [Fact]
    public void VariablesAreExpanded_InExpandableKeys()
    {
        _f.Variables["MIRROR"] = "https://mirror.example";
        _f.Variables["CACHE"] = "/data/cache";
        _f.Write("home/.condarc", "channel_alias: ${MIRROR}/conda\npkgs_dirs:\n  - $CACHE/pkgs\n  - ~/pkgs\nchannels:\n  - ${UNSET_VAR}/x\ncustom_channels:\n  corp: ${MIRROR}/corp\n");
        Settings s = _f.Load();
        Assert.Equal("https://mirror.example/conda", s.ChannelAlias);
        Assert.Equal(new[] { _f.Abs("/data/cache/pkgs"), Path.Combine(_f.Home, "pkgs") }, s.PkgsDirs);
        Assert.Equal(new[] { "${UNSET_VAR}/x" }, s.Channels);
        Assert.Equal("https://mirror.example/corp", s.CustomChannels["corp"]);
    }

    [Fact]
    public void Aliases_AreAccepted()
    {
        _f.Write("home/.condarc", "envs_path: [/e]\nyes: true\ncopy: true\nverify_ssl: false\n");
        Settings s = _f.Load();
        Assert.Equal(_f.Abs("/e"), s.EnvsDirs[0]);
        Assert.True(s.AlwaysYes);
        Assert.True(s.AlwaysCopy);
        Assert.False(s.SslVerify.Enabled);
    }

    [Fact]
    public void SslVerify_TakesAnExistingCaPath_OrTruststore()
    {
        string ca = _f.Write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
        _f.Write("home/.condarc", $"ssl_verify: {ca}\n");
        Assert.Equal(ca, _f.Load().SslVerify.CaPath);
        _f.Write("home/.condarc", "ssl_verify: truststore\n");
        Assert.True(_f.Load().SslVerify.UseTruststore);
    }

    [Fact]
    public void NullValues_AreAsIfNotSet()
    {
        _f.Write("etc/conda/.condarc", "channels: [sys]\n");
        _f.Write("home/.condarc", "channels: ~\nproxy_servers:\n");
        Settings s = _f.Load();
        Assert.Equal(new[] { "sys" }, s.Channels);
        Assert.Empty(s.ProxyServers);
    }

    [Fact]
    public void UnknownKeys_AreKeptButIgnored()
    {
        string rc = _f.Write("home/.condarc", "offline: true\nsolver: libmamba\n");
        Settings s = _f.Load();
        Assert.True(s.Offline);
        ConfigValue unknown = Assert.Single(s.UnknownKeys);
        Assert.Equal("solver", unknown.Key);
        Assert.Equal("libmamba", unknown.Value);
        Assert.Equal(rc, unknown.Source);
        Assert.Equal(2, unknown.Line);
        Assert.Null(s.GetValue("solver"));
    }

    [Fact]
    public void CustomMultichannels_AndOverrideVirtualPackages_AreRead()
    {
        _f.Write("home/.condarc", "custom_multichannels:\n  corp:\n    - https://corp.example/a\n    - conda-forge\noverride_virtual_packages:\n  cuda: '12.4'\n");
        Settings s = _f.Load();
        Assert.Equal(new[] { "https://corp.example/a", "conda-forge" }, s.CustomMultichannels["corp"]);
        Assert.Equal("12.4", s.OverrideVirtualPackages["cuda"]);
    }

    [Fact]
    public void Values_RedactCredentials_ButTypedSettingsKeepThem()
    {
        _f.Write("home/.condarc", "channels:\n  - https://user:s3cret@corp.example/t/tk-123/main\nproxy_servers:\n  https: http://bob:hunter2@proxy:3128\n");
        Settings s = _f.Load();
        Assert.Equal("https://user:s3cret@corp.example/t/tk-123/main", s.Channels[0]);
        Assert.Equal("http://bob:hunter2@proxy:3128", s.ProxyServers["https"]);
        string shown = string.Join("\n", s.Values.Select(v => v.ToString()));
        Assert.DoesNotContain("s3cret", shown);
        Assert.DoesNotContain("tk-123", shown);
        Assert.DoesNotContain("hunter2", shown);
        Assert.Contains("https://user:***@corp.example/t/<TOKEN>/main", shown);
    }

    [Fact]
    public void UserHome_IsUSERPROFILE_OnWindows_AndHOME_Elsewhere_ForEveryTilde()
    {
        // conda's ~ is os.path.expanduser: USERPROFILE on Windows (HOME is ignored there), HOME elsewhere. On Windows,
        // Environment.GetFolderPath ignores USERPROFILE, so environments.txt once went to the real profile when a
        // session (or a test) pointed USERPROFILE elsewhere.
        var vars = new Dictionary<string, string> { ["HOME"] = "/home/u", ["USERPROFILE"] = @"C:\Users\u" };
        Assert.Equal(@"C:\Users\u", ConfigEnvironment.HomeFrom(n => vars.GetValueOrDefault(n), isWindows: true));
        Assert.Equal("/home/u", ConfigEnvironment.HomeFrom(n => vars.GetValueOrDefault(n), isWindows: false));
        Assert.Equal(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ConfigEnvironment.HomeFrom(_ => null, isWindows: true));

        string home = ConfigEnvironment.HomeFrom(Environment.GetEnvironmentVariable, OperatingSystem.IsWindows());
        Assert.Equal(home, ConfigEnvironment.UserHome);
        Assert.Equal(home, ConfigEnvironment.FromProcess().HomeDirectory);
        Assert.Equal(Path.Combine(home, ".conda", "environments.txt"), EnvTools.Environments.EnvironmentsFile.DefaultPath);
    }
}
