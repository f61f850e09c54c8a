using EnvTools.Config;
using Xunit;

namespace EnvTools.Tests.Config;

public sealed class InvalidConfigurationTests : IDisposable
{
    private readonly ConfigFixture _f = new();

    public void Dispose() => _f.Dispose();

    private InvalidConfigurationException LoadFails()
    {
        var ex = Assert.Throws<InvalidConfigurationException>(() => _f.Load());
        Assert.Equal("InvalidConfiguration", ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, ex.Kind);
        return ex;
    }

    [Fact]
    public void InvalidYaml_NamesFileAndLine()
    {
        string rc = _f.Write("home/.condarc", "offline: true\nchannels:\n  - a\n - b\n");
        InvalidConfigurationException ex = LoadFails();
        Assert.Equal(rc, ex.FilePath);
        Assert.Equal(4, ex.Line);
        Assert.Contains($"{rc}:4", ex.Message);
    }

    [Fact]
    public void UnclosedQuote_IsInvalidYaml()
    {
        string rc = _f.Write("home/.condarc", "channel_alias: \"https://x\n");
        InvalidConfigurationException ex = LoadFails();
        Assert.Equal(rc, ex.FilePath);
        Assert.Contains("invalid YAML", ex.Message);
    }

    [Fact]
    public void ScalarWhereAListIsExpected_NamesKeyAndLine()
    {
        string rc = _f.Write("home/.condarc", "offline: false\nchannels: 5\n");
        InvalidConfigurationException ex = LoadFails();
        Assert.Equal("channels", ex.Key);
        Assert.Equal(rc, ex.FilePath);
        Assert.Equal(2, ex.Line);
        Assert.Contains("expected a list", ex.Message);
    }

    [Fact]
    public void UnknownChannelPriority_ListsTheChoices()
    {
        _f.Write("home/.condarc", "\n\nchannel_priority: sometimes\n");
        InvalidConfigurationException ex = LoadFails();
        Assert.Equal("channel_priority", ex.Key);
        Assert.Equal(3, ex.Line);
        Assert.Contains("'strict', 'flexible', 'disabled'", ex.Message);
    }

    [Theory]
    [InlineData("offline: maybe\n", "offline")]
    [InlineData("remote_max_retries: many\n", "remote_max_retries")]
    [InlineData("remote_max_retries: -1\n", "remote_max_retries")]
    [InlineData("remote_read_timeout_secs: soon\n", "remote_read_timeout_secs")]
    [InlineData("proxy_servers: http://proxy\n", "proxy_servers")]
    [InlineData("channels:\n  - {a: b}\n", "channels")]
    [InlineData("channel_alias: conda.example\n", "channel_alias")]
    [InlineData("ssl_verify: /no/such/ca.pem\n", "ssl_verify")]
    [InlineData("local_repodata_ttl: forever\n", "local_repodata_ttl")]
    public void WrongTypes_AreRejected(string yaml, string key)
    {
        string rc = _f.Write("home/.condarc", yaml);
        InvalidConfigurationException ex = LoadFails();
        Assert.Equal(key, ex.Key);
        Assert.Equal(rc, ex.FilePath);
        Assert.NotNull(ex.Line);
    }

    [Fact]
    public void TopLevelList_IsRejected()
    {
        _f.Write("home/.condarc", "- channels\n");
        Assert.Contains("top level", LoadFails().Message);
    }

    [Fact]
    public void KeyAndAliasInOneFile_AreRejected()
    {
        _f.Write("home/.condarc", "envs_dirs: [/a]\nenvs_path: [/b]\n");
        Assert.Equal("envs_dirs", LoadFails().Key);
    }

    [Fact]
    public void BadEnvironmentVariable_NamesTheVariable()
    {
        _f.Variables["CONDA_CHANNEL_PRIORITY"] = "bogus";
        InvalidConfigurationException ex = LoadFails();
        Assert.Equal(ConfigSourceKind.EnvironmentVariable, ex.Source.Kind);
        Assert.Contains("CONDA_CHANNEL_PRIORITY", ex.Message);
    }

    [Fact]
    public void BadFileInCondarcD_IsNamed()
    {
        _f.Write("etc/conda/condarc.d/a.yml", "offline: true\n");
        string bad = _f.Write("etc/conda/condarc.d/b.yml", "offline: [x]\n");
        Assert.Equal(bad, LoadFails().FilePath);
    }

    [Fact]
    public void EmptyAndCommentOnlyFiles_AreFine()
    {
        _f.Write("home/.condarc", "");
        _f.Write("home/.conda/condarc", "# nothing here\n");
        Assert.Equal(2, _f.Load().Files.Count);
    }
}
