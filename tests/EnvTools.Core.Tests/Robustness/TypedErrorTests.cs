using System.Text;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Environments;
using EnvTools.RepoData;
using Xunit;

namespace EnvTools.Tests.Robustness;

/// <summary>Bad input ends in an EnvTools error naming the input, never a raw .NET or library exception (issue 16, item 13).</summary>
public sealed class TypedErrorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "envtools-typed-" + Guid.NewGuid().ToString("N"));

    public TypedErrorTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("/")]
    [InlineData("https://\uFFFD/x")]
    [InlineData("https://ho\uFFFDst/conda-forge")]
    [InlineData("/tmp/a\0b")]
    [InlineData("file:///tmp/a\0b")]
    [InlineData("conda\0forge")]
    [InlineData("http://")]
    [InlineData("https://[::1/x")]
    public void MalformedChannel(string channel)
    {
        try
        {
            foreach (Channel c in ChannelResolver.Default.ResolveAll([channel], _dir))
            {
                _ = c.SubdirUrl("linux-64");
                _ = c.GetRequestUrl("noarch");
            }
        }
        catch (EnvToolsException ex)
        {
            Assert.Contains(channel.Replace("\0", "\\0"), ex.Message);
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("https://ho\uFFFDst/conda-forge")]
    [InlineData("https://\uFFFD/x")]
    [InlineData("conda\0forge")]
    public void MalformedChannelIsRefusedWhenResolved(string channel)
    {
        var ex = Assert.Throws<InvalidSpecException>(() => ChannelResolver.Default.ResolveAll([channel], _dir));
        Assert.Equal("InvalidSpec", ex.ErrorId);
    }

    [Fact]
    public void TarballPathWithNul()
    {
        var ex = Assert.Throws<InvalidSpecException>(() => MatchSpec.Parse("/tmp/a\0b/zlib-1.2-0.tar.bz2"));
        Assert.Equal("InvalidSpec", ex.ErrorId);
    }

    [ConformanceFact]
    public void DamagedLocalBz2Repodata()
    {
        byte[] good = File.ReadAllBytes(ConformanceData.PathOf("repodata/conda-forge-subchannel-python3.9-2024-05-16/win-arm64/repodata.json.bz2")!);
        var rng = new Random(3);
        int typed = 0;
        for (int i = 0; i < 40; i++)
        {
            byte[] bad = (byte[])good.Clone();
            for (int k = 0; k < 4; k++)
            {
                bad[10 + rng.Next(bad.Length - 10)] ^= (byte)(1 << rng.Next(8));
            }

            string path = Path.Combine(_dir, $"r{i}", "repodata.json.bz2");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bad);
            try
            {
                RepoDataIndex index = RepoDataIndex.Load(path, null, new RepoDataIndexOptions { UseDiskIndex = false });
                foreach (string n in index.Names.ToList())
                {
                    _ = index.GetRecords(n);
                }
            }
            catch (MalformedDataException ex)
            {
                Assert.Equal("MalformedRepoData", ex.ErrorId);
                Assert.Contains(path, ex.Message);
                typed++;
            }
        }

        Assert.True(typed > 20, $"only {typed} of 40 damaged files were refused");
    }

    [Fact]
    public void InvalidUtf8InRepodataSubdir()
    {
        byte[] json = [.. "{\"info\":{\"subdir\":\"linux-"u8, 0xFF, .. "\"},\"packages\":{\"a-1-0.tar.bz2\":{\"name\":\"a\",\"version\":\"1\",\"build\":\"0\",\"build_number\":0}}}"u8];
        var ex = Assert.Throws<MalformedDataException>(() => RepoDataParser.Parse(json, "repodata.json"));
        Assert.Equal("MalformedRepoData", ex.ErrorId);
        var ex2 = Assert.Throws<MalformedDataException>(() =>
        {
            RepoDataIndex index = RepoDataIndex.Create(json, "repodata.json");
            _ = index.Subdir;
            _ = index.GetRecords("a");
        });
        Assert.Contains("repodata.json", ex2.Message);
    }

    [Theory]
    [InlineData("name", false)]
    [InlineData("license", false)]
    [InlineData("url", false)]
    [InlineData("requested_spec", false)]
    [InlineData("files", false)]
    [InlineData("depends", false)]
    [InlineData("name", true)]
    [InlineData("license", true)]
    [InlineData("url", true)]
    [InlineData("files", true)]
    [InlineData("depends", true)]
    public void InvalidUtf8InCondaMetaRecord(string field, bool escaped)
    {
        // raw bytes that are not UTF-8, or an escaped lone surrogate
        byte[] bad = escaped ? "\"x\\ud800y\""u8.ToArray() : [.. "\"x"u8, 0xC3, 0x28, .. "\""u8];
        string Field(string f, string value) => f == field ? "" : value;
        byte[] json = [.. Encoding.UTF8.GetBytes("{\"name\":" + Field("name", "\"a\"")), .. field == "name" ? bad : [],
            .. Encoding.UTF8.GetBytes(",\"version\":\"1\",\"build\":\"0\",\"build_number\":0,\"channel\":\"x\""),
            .. Encoding.UTF8.GetBytes(field is "name" ? "" : $",\"{field}\":" + (field is "files" or "depends" ? "[" : "")), .. field is "name" ? [] : bad,
            .. Encoding.UTF8.GetBytes((field is "files" or "depends" ? "]" : "") + "}")];
        string path = Path.Combine(_dir, "a-1-0.json");
        File.WriteAllBytes(path, json);
        try
        {
            PrefixRecord r = PrefixRecord.Read(path);
            Assert.DoesNotContain(field == "name" ? r.Name : r.Version, "\0");
        }
        catch (MalformedDataException ex)
        {
            Assert.Equal("MalformedPrefixRecord", ex.ErrorId);
            Assert.Contains(path, ex.Message);
        }
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[1]")]
    [InlineData("7")]
    [InlineData("\"\\ud800\"")]
    public void MambaJsHashOfTheWrongShape(string md5)
    {
        string text = "{\"lockVersion\":\"1.0.0\",\"date\":\"2025-01-01\",\"channels\":[\"conda-forge\"],\"channelInfo\":{\"conda-forge\":[{\"url\":\"https://conda.anaconda.org/conda-forge\",\"protocol\":\"https\"}]},\"platform\":\"emscripten-wasm32\",\"specs\":[\"python\"],"
            + "\"packages\":{\"python-3.13.1-h_0.conda\":{\"name\":\"python\",\"version\":\"3.13.1\",\"build\":\"h_0\",\"hash\":{\"md5\":" + md5 + ",\"sha256\":null},\"channel\":\"conda-forge\",\"subdir\":\"emscripten-wasm32\"}},\"pipPackages\":{}}";
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => MambaJsLockFile.Parse(text, "lock.json"));
        Assert.Contains("lock.json", ex.Message);
    }

    [Theory]
    [InlineData("dependencies: [a\n- b")]
    [InlineData("- a\n b: c\n- [")]
    [InlineData("a: !!binary x\n")]
    [InlineData("? [a]\n: b\n")]
    [InlineData("*unknown\n")]
    [InlineData("a: &x 1\nb: &x 2\nc: *x\n")]
    [InlineData("%YAML 1.1\n%YAML 1.1\n---\na\n")]
    public void RawYamlFailures(string text)
    {
        try
        {
            EnvironmentFile.Parse(text, "environment.yml");
        }
        catch (InvalidEnvironmentFileException ex)
        {
            Assert.Contains("environment.yml", ex.Message);
        }

        try
        {
            CondarcReader.Parse(text, "/x/.condarc");
        }
        catch (InvalidConfigurationException ex)
        {
            Assert.Contains("/x/.condarc", ex.Message);
        }
    }

    [Theory]
    [InlineData("channel_alias: https://conda.anaconda&org\n")]
    [InlineData("channel_alias: 'http://'\n")]
    [InlineData("channels: ['/']\n")]
    [InlineData("custom_channels:\n  mine: 'https://\uFFFD/c'\n")]
    [InlineData("default_channels: ['a\0b']\n")]
    public void CondarcWithBadChannels(string rc)
    {
        var f = new Tests.Config.ConfigFixture();
        try
        {
            f.Write("home/.condarc", rc);
            Settings s = f.Load();
            _ = s.CreateChannelResolver().ResolveAll(s.Channels, _dir);
        }
        catch (EnvToolsException)
        {
        }
        finally
        {
            f.Dispose();
        }
    }

    [Fact]
    public void FilePathWithNul()
    {
        string path = Path.Combine(_dir, "a\0b.yml");
        Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFile.Load(path));
        Assert.Throws<InvalidEnvironmentFileException>(() => CondaLockFile.Load(path));
        Assert.Throws<InvalidEnvironmentFileException>(() => PixiLockFile.Load(path));
        Assert.Throws<InvalidEnvironmentFileException>(() => MambaJsLockFile.Load(path));
        Assert.Throws<InvalidEnvironmentFileException>(() => ExplicitFile.Load(path));
        Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFiles.Detect(path));
        Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentSource.Load(path, Platform.Parse("linux-64")));
    }

    /// <summary>JSON nested past every reader's depth bound (System.Text.Json's 64, the repodata scanner's own) is a typed error.</summary>
    [Fact]
    public void DeeplyNestedJson()
    {
        string deep = new string('[', 100_000) + new string(']', 100_000);
        byte[] repodata = Encoding.UTF8.GetBytes("{\"info\":{\"subdir\":\"linux-64\"},\"packages\":{\"a-1-0.tar.bz2\":{\"name\":\"a\",\"version\":\"1\",\"build\":\"0\",\"build_number\":0,\"depends\":" + deep + "}},\"x\":" + deep + "}");
        Assert.Throws<MalformedDataException>(() =>
        {
            _ = RepoDataParser.Parse(repodata, "repodata.json");
        });
        Assert.Throws<MalformedDataException>(() =>
        {
            RepoDataIndex index = RepoDataIndex.Create(repodata, "repodata.json");
            _ = index.GetRecords("a");
        });
        string record = "{\"name\":\"a\",\"version\":\"1\",\"build\":\"0\",\"build_number\":0,\"files\":" + deep + "}";
        Assert.Throws<MalformedDataException>(() => PrefixRecord.Parse(Encoding.UTF8.GetBytes(record), "a-1-0.json"));
        Assert.Throws<InvalidEnvironmentFileException>(() => MambaJsLockFile.Parse("{\"lockVersion\":" + deep + "}", "lock.json"));
    }
}
