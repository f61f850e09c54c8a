using System.Buffers;
using System.Security.Cryptography;
using EnvTools.Conda;
using EnvTools.RepoData;
using EnvTools.Solve;
using MessagePack;
using Xunit;

namespace EnvTools.Tests.Http;

/// <summary>CEP-16 sharded repodata over HTTP (<c>repodata_use_shards</c>).</summary>
public sealed class ShardedRepoDataTests : IAsyncLifetime
{
    // name → depends (linux-64); "unusedN" are never reached
    private static readonly Dictionary<string, string[]> Linux = new()
    {
        ["numpy"] = new[] { "python >=3.9,<3.13", "libblas" },
        ["python"] = new[] { "zlib", "openssl >=3" },
        ["zlib"] = Array.Empty<string>(),
        ["openssl"] = Array.Empty<string>(),
        ["unused1"] = new[] { "unused2" },
        ["unused2"] = Array.Empty<string>(),
    };

    private static readonly Dictionary<string, string[]> Noarch = new()
    {
        ["libblas"] = Array.Empty<string>(),
        ["pip"] = new[] { "python" },
    };

    private HttpChannelFixture _f = null!;

    public async Task InitializeAsync() => _f = await HttpChannelFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private EnvTools.Config.Settings Sharded(params (string, object?)[] more) =>
        _f.Settings(more.Prepend(("repodata_use_shards", (object?)true)).ToArray());

    [Fact]
    public void FetchesOnlyTheShardsARequestReachesAndPrefetchesDependencies()
    {
        WriteSharded("chan");
        IReadOnlyList<SolverChannel> loaded = _f.Load(Sharded(), "chan");
        IRecordSource linux = loaded[0].Subdirs.Single(s => s.Subdir == "linux-64");
        Assert.Equal(Linux.Keys.Order(), linux.Names.Order());
        Assert.Empty(ShardRequests());

        RepoDataRecord numpy = Assert.Single(linux.GetRecords("numpy"));
        Assert.Equal(new[] { "python >=3.9,<3.13", "libblas" }, numpy.Depends);
        Assert.Equal($"{_f.Server.Url}/chan/linux-64/numpy-1.0-0.conda", numpy.Url);
        Assert.Equal(Hex(Md5Of("numpy")), numpy.Md5);

        // without being asked, the shards of numpy's dependencies (python, libblas in noarch) and theirs (zlib, openssl) arrive
        string[] reached = { "numpy", "python", "libblas", "zlib", "openssl" };
        WaitFor(() => reached.All(n => ShardRequests().Contains(ShardHash(n))), "the dependency shards to be prefetched");
        foreach (string n in reached)
        {
            Assert.Single(loaded[0].Subdirs.SelectMany(s => s.GetRecords(n)));
        }

        Assert.Equal(reached.Select(ShardHash).Order(), ShardRequests().Order());
        Assert.DoesNotContain(_f.Server.Requests, r => r.Path.Contains("repodata.json", StringComparison.Ordinal));
    }

    [Fact]
    public void ShardsComeFromTheDiskCacheNextTime()
    {
        WriteSharded("chan");
        IReadOnlyList<SolverChannel> first = _f.Load(Sharded(), "chan");
        first[0].Subdirs.Single(s => s.Subdir == "linux-64").GetRecords("zlib");
        Assert.Single(ShardRequests());
        _f.Server.ClearLog();

        IReadOnlyList<SolverChannel> second = _f.Load(Sharded(), "chan");
        Assert.Single(second[0].Subdirs.Single(s => s.Subdir == "linux-64").GetRecords("zlib"));
        Assert.Empty(ShardRequests());
        Assert.All(_f.Server.Requests, r => Assert.Equal(304, r.Status)); // the index revalidated

        // offline: index and shard from the cache, no request at all
        _f.Server.ClearLog();
        Assert.Single(_f.Load(Sharded(("offline", true)), "chan")[0].Subdirs.Single(s => s.Subdir == "linux-64").GetRecords("zlib"));
        Assert.Empty(_f.Server.Requests);
    }

    [Fact]
    public void AChannelWithoutAShardIndexIsReadWholeAndNotProbedAgainForADay()
    {
        _f.WriteChannel("plain", "linux-64", new[] { "zlib" }, "zst");
        _f.WriteChannel("plain", "noarch", new[] { "pip" }, "zst");
        Assert.Single(_f.Load(Sharded(), "plain")[0].Subdirs.Single(s => s.Subdir == "linux-64").GetRecords("zlib"));
        Assert.Equal(2, _f.Server.RequestsFor(ShardedRepoData.IndexFile).Count);
        _f.Server.ClearLog();
        _f.Load(Sharded(), "plain");
        Assert.Empty(_f.Server.RequestsFor(ShardedRepoData.IndexFile));
    }

    [Fact]
    public void AShardThatDoesNotMatchItsHashIsRefused()
    {
        WriteSharded("chan");
        File.WriteAllBytes(Path.Combine(_f.Served, "chan", "linux-64", "shards", ShardHash("zlib") + ".msgpack.zst"), ShardBytes("linux-64", "zlib", new[] { "evil" }));
        IRecordSource linux = _f.Load(Sharded(), "chan")[0].Subdirs.Single(s => s.Subdir == "linux-64");
        var ex = Assert.Throws<ChannelUnavailableException>(() => linux.GetRecords("zlib"));
        Assert.Contains("sha256", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(_f.CacheDir, "shards")) &&
            Directory.EnumerateFiles(Path.Combine(_f.CacheDir, "shards")).Any(f => f.Contains(ShardHash("zlib"), StringComparison.Ordinal)));
    }

    [Fact]
    public void WithoutTheSettingShardsAreNeverAskedFor()
    {
        WriteSharded("chan");
        _f.WriteChannel("chan", "linux-64", Linux.Keys.ToArray(), "zst");
        _f.WriteChannel("chan", "noarch", Noarch.Keys.ToArray(), "zst");
        _f.Load(_f.Settings(), "chan");
        Assert.DoesNotContain(_f.Server.Requests, r => r.Path.Contains("shard", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadsCondasShardedTestRepository()
    {
        string? repo = ConformanceData.PathOf("repodata/conda-tests/conda_format_repo");
        if (repo is null || !File.Exists(Path.Combine(repo, "linux-64", ShardedRepoData.IndexFile)))
        {
            return; // conformance data absent
        }

        foreach (string subdir in new[] { "linux-64", "noarch" })
        {
            string to = Path.Combine(_f.Served, "conda", subdir);
            Directory.CreateDirectory(to);
            foreach (string file in Directory.EnumerateFiles(Path.Combine(repo, subdir)))
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }

        IRecordSource linux = _f.Load(Sharded(), "conda")[0].Subdirs.Single(s => s.Subdir == "linux-64");
        Assert.IsNotType<RepoDataIndexSource>(linux);
        IReadOnlyList<RepoDataRecord> zlib = linux.GetRecords("zlib");
        Assert.Equal(new[] { "zlib-1.2.11-h7b6447c_3.conda", "zlib-1.2.11-h7b6447c_3.tar.bz2" }, zlib.Select(r => r.FileName).Order());
        Assert.All(zlib, r => Assert.Equal(new[] { "libgcc-ng >=7.3.0" }, r.Depends));
        Assert.Equal("2e5b81671cc2b53177b94b258b1658b2", zlib.Single(r => r.FileName.EndsWith(".tar.bz2", StringComparison.Ordinal)).Md5);
        WaitFor(() => ShardRequests().Count == 2, "libgcc-ng's shard to be prefetched");
    }

    [Theory]
    [InlineData("python >=3.9", "python")]
    [InlineData("conda-forge::NumPy==1.26", "numpy")]
    [InlineData("libblas[build=*mkl]", "libblas")]
    [InlineData("zlib", "zlib")]
    public void DependencyNames(string spec, string name) => Assert.Equal(name, ShardedRepoData.DependencyName(spec));

    private List<string> ShardRequests() => _f.Server.Requests
        .Where(r => r.Path.EndsWith(".msgpack.zst", StringComparison.Ordinal) && !r.Path.EndsWith(ShardedRepoData.IndexFile, StringComparison.Ordinal))
        .Select(r => Path.GetFileName(r.Path).Replace(".msgpack.zst", string.Empty, StringComparison.Ordinal)).ToList();

    private static void WaitFor(Func<bool> condition, string what)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"timed out waiting for {what}");
            Thread.Sleep(20);
        }
    }

    private void WriteSharded(string channel)
    {
        foreach ((string subdir, Dictionary<string, string[]> names) in new[] { ("linux-64", Linux), ("noarch", Noarch) })
        {
            string dir = Path.Combine(_f.Served, channel, subdir);
            Directory.CreateDirectory(Path.Combine(dir, "shards"));
            var hashes = new Dictionary<string, byte[]>();
            foreach ((string name, string[] depends) in names)
            {
                byte[] shard = ShardBytes(subdir, name, depends);
                hashes[name] = SHA256.HashData(shard);
                File.WriteAllBytes(Path.Combine(dir, "shards", Hex(hashes[name]) + ".msgpack.zst"), shard);
            }

            var buffer = new ArrayBufferWriter<byte>();
            var w = new MessagePackWriter(buffer);
            w.WriteMapHeader(3);
            w.Write("version");
            w.Write(1);
            w.Write("info");
            w.WriteMapHeader(3);
            w.Write("base_url");
            w.Write(string.Empty);
            w.Write("shards_base_url");
            w.Write("./shards/");
            w.Write("subdir");
            w.Write(subdir);
            w.Write("shards");
            w.WriteMapHeader(hashes.Count);
            foreach ((string name, byte[] hash) in hashes)
            {
                w.Write(name);
                w.Write(hash.AsSpan());
            }

            w.Flush();
            File.WriteAllBytes(Path.Combine(dir, ShardedRepoData.IndexFile), Zst(buffer.WrittenSpan.ToArray()));
        }
    }

    /// <summary>A shard with one .conda record, md5 and sha256 as binary (as CEP-16 writes them).</summary>
    private static byte[] ShardBytes(string subdir, string name, string[] depends)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteMapHeader(2);
        w.Write("packages");
        w.WriteMapHeader(0);
        w.Write("packages.conda");
        w.WriteMapHeader(1);
        w.Write($"{name}-1.0-0.conda");
        w.WriteMapHeader(9);
        w.Write("name");
        w.Write(name);
        w.Write("version");
        w.Write("1.0");
        w.Write("build");
        w.Write("0");
        w.Write("build_number");
        w.Write(0);
        w.Write("depends");
        w.WriteArrayHeader(depends.Length);
        foreach (string d in depends)
        {
            w.Write(d);
        }

        w.Write("subdir");
        w.Write(subdir);
        w.Write("md5");
        w.Write(Md5Of(name).AsSpan());
        w.Write("sha256");
        w.Write(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)).AsSpan());
        w.Write("size");
        w.Write(4242);
        w.Flush();
        return Zst(buffer.WrittenSpan.ToArray());
    }

    private static byte[] Md5Of(string name) => MD5.HashData(System.Text.Encoding.UTF8.GetBytes(name));

    private static string ShardHash(string name)
    {
        string subdir = Linux.ContainsKey(name) ? "linux-64" : "noarch";
        string[] depends = Linux.TryGetValue(name, out string[]? d) ? d : Noarch[name];
        return Hex(SHA256.HashData(ShardBytes(subdir, name, depends)));
    }

    private static string Hex(byte[] b) => Convert.ToHexString(b).ToLowerInvariant();

    private static byte[] Zst(byte[] data)
    {
        using var c = new ZstdSharp.Compressor(3);
        return c.Wrap(data).ToArray();
    }
}
