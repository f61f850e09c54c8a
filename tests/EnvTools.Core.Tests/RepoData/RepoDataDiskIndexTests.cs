using System.Text;
using EnvTools.RepoData;
using SharpCompress.Compressors.BZip2;
using Xunit;

namespace EnvTools.Tests.RepoData;

/// <summary>The on-disk index of <see cref="RepoDataIndex.Load(string, string?, RepoDataIndexOptions)"/>.</summary>
public sealed class RepoDataDiskIndexTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"envtools-diskindex-{Guid.NewGuid():N}");
    private readonly string _channel;
    private readonly string _cache;
    private readonly string _userCache;

    public RepoDataDiskIndexTests()
    {
        _channel = Directory.CreateDirectory(Path.Combine(_root, "channel", "linux-64")).FullName;
        _cache = Path.Combine(_root, "cache");
        _userCache = Path.Combine(_root, "user-cache");
    }

    public void Dispose()
    {
        foreach (string d in Directory.EnumerateDirectories(_root, "*", SearchOption.AllDirectories).Prepend(_root))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(d, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Explicit cache folder, whatever the environment says; every file gets an index.</summary>
    private RepoDataIndexOptions InCache => new() { CacheDirectory = _cache, MinimumSourceLength = 0, ReadEnvironment = false };

    /// <summary>Loads and disposes an index (Windows refuses to rewrite a file in place while an index maps it), saying
    /// whether it came from the on-disk index.</summary>
    private static bool LoadedFromDisk(string path, RepoDataIndexOptions options)
    {
        using RepoDataIndex index = RepoDataIndex.Load(path, null, options);
        return index.FromDiskIndex;
    }

    /// <summary>The default places (next to the raw file, else the per-user cache, here a temporary one).</summary>
    private RepoDataIndexOptions DefaultPlaces => new() { MinimumSourceLength = 0, ReadEnvironment = false, UserCacheOverride = _userCache };

    /// <summary>A repodata file: 40 names, both sections, info.base_url, repodata_version, removed, an escaped key.</summary>
    private static string Json(string pythonVersion = "3.9.1")
    {
        var sb = new StringBuilder();
        sb.Append("{\"info\":{\"subdir\":\"linux-64\",\"base_url\":\"https://files.example/linux-64\"},\"repodata_version\":2,\n\"packages\":{");
        for (int i = 0; i < 120; i++)
        {
            string name = i == 0 ? "python" : $"pkg{i % 40}";
            string version = i == 0 ? pythonVersion : $"1.{i}.0";
            sb.Append(i == 0 ? "" : ",").Append('\n');
            sb.Append($"\"{name}-{version}-h{i}_0.tar.bz2\":{{\"name\":\"{name}\",\"version\":\"{version}\",\"build\":\"h{i}_0\",\"build_number\":0,")
              .Append($"\"depends\":[\"python >=3.8\",\"libc\"],\"md5\":\"{i:x32}\",\"size\":{1000 + i},\"subdir\":\"linux-64\"}}");
        }

        sb.Append("},\n\"packages.conda\":{");
        for (int i = 0; i < 60; i++)
        {
            string name = $"pkg{i % 40}";
            sb.Append(i == 0 ? "" : ",");
            sb.Append($"\"{name}-2.{i}.0-c{i}_0.conda\":{{\"name\":\"{name}\",\"version\":\"2.{i}.0\",\"build\":\"c{i}_0\",\"build_number\":1,\"depends\":[],\"subdir\":\"linux-64\"}}");
        }

        sb.Append(",\"esc\\u0061ped-1.0-0.conda\":{\"name\":\"escaped\",\"version\":\"1.0\",\"build\":\"0\",\"build_number\":0,\"depends\":[]}");
        sb.Append("},\n\"removed\":[\"old-1.0-0.tar.bz2\",\"older-0.1-0.conda\"]}");
        return sb.ToString();
    }

    private string Write(string json, string file = "repodata.json")
    {
        string path = Path.Combine(_channel, file);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>Every name's records, as JSON, plus the header values: what must not depend on the index.</summary>
    private static string Dump(RepoDataIndex index)
    {
        var sb = new StringBuilder();
        sb.Append($"{index.Subdir}|{index.BaseUrl}|{index.RepoDataVersion}|{string.Join(",", index.Removed)}|{index.Count}\n");
        foreach (string name in index.Names.Order(StringComparer.Ordinal))
        {
            sb.Append(name).Append(": ").AppendJoin("\n  ", index.GetRecords(name).Select(r => r.ToJson())).Append('\n');
        }

        return sb.ToString();
    }

    private static string Expected(string json, string path) =>
        Dump(RepoDataIndex.Create(Encoding.UTF8.GetBytes(json), path, new Uri(Path.GetDirectoryName(path)!).AbsoluteUri));

    [Fact]
    public void IndexIsWritten_ThenReusedWithoutScanning()
    {
        string json = Json();
        string path = Write(json);
        RepoDataIndex first = RepoDataIndex.Load(path, null, InCache);
        Assert.False(first.FromDiskIndex);
        Assert.NotNull(first.IndexPath);
        Assert.StartsWith(Path.GetFullPath(_cache), first.IndexPath);
        Assert.True(File.Exists(first.IndexPath));

        RepoDataIndex second = RepoDataIndex.Load(path, null, InCache);
        Assert.True(second.FromDiskIndex);
        Assert.Equal(first.IndexPath, second.IndexPath);
        Assert.Equal(Expected(json, path), Dump(second));
        Assert.Equal(Dump(first), Dump(second));
        Assert.Contains("python", second.Names);
        Assert.Contains("escaped", second.Names);
        Assert.Equal("https://files.example/linux-64/python-3.9.1-h0_0.tar.bz2", second.GetRecords("python")[0].Url);
        Assert.Empty(second.GetRecords("absent"));
        Assert.False(second.Contains("absent"));

        // Another subdir URL for the same file: the index holds no URL of its own.
        RepoDataIndex other = RepoDataIndex.Load(path, "https://mirror.example/ch/linux-64", InCache);
        Assert.True(other.FromDiskIndex);
        Assert.Equal("https://mirror.example/ch/linux-64", other.GetRecords("pkg1")[0].Channel);
    }

    [Fact]
    public void DefaultPlace_IsNextToTheRawFile()
    {
        string path = Write(Json());
        RepoDataIndex first = RepoDataIndex.Load(path, null, DefaultPlaces);
        Assert.Equal(path + ".etidx", first.IndexPath);
        Assert.True(File.Exists(path + ".etidx"));
        Assert.False(Directory.Exists(_userCache));
        Assert.True(RepoDataIndex.Load(path, null, DefaultPlaces).FromDiskIndex);
    }

    [Fact]
    public void EnvironmentVariable_IsTheDefaultCacheFolder()
    {
        // This test process points ENVTOOLS_INDEX_CACHE at a temporary folder (IndexCacheForTests).
        string path = Write(Json());
        RepoDataIndex index = RepoDataIndex.Load(path, null, new RepoDataIndexOptions { MinimumSourceLength = 0 });
        Assert.StartsWith(IndexCacheForTests.Directory, index.IndexPath);
        Assert.False(File.Exists(path + ".etidx"));
    }

    [Fact]
    public void SmallFiles_AndDisabled_GetNoIndex()
    {
        string path = Write(Json());
        Assert.Null(RepoDataIndex.Load(path, null, new RepoDataIndexOptions { CacheDirectory = _cache, ReadEnvironment = false }).IndexPath);
        Assert.Null(RepoDataIndex.Load(path, null, new RepoDataIndexOptions { CacheDirectory = _cache, UseDiskIndex = false, MinimumSourceLength = 0 }).IndexPath);
        Assert.False(Directory.Exists(_cache));
    }

    [Fact]
    public void StaleIndex_AfterTheRawFileChanges_IsRebuilt()
    {
        string path = Write(Json("3.9.1"));
        Assert.False(LoadedFromDisk(path, InCache));
        Assert.True(LoadedFromDisk(path, InCache));

        // Same bytes, another last-write time.
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddSeconds(-5));
        Assert.False(LoadedFromDisk(path, InCache));
        Assert.True(LoadedFromDisk(path, InCache));

        // Another length (records shifted by one byte).
        string longer = " " + Json("3.9.1");
        File.WriteAllText(path, longer);
        using (RepoDataIndex l = RepoDataIndex.Load(path, null, InCache))
        {
            Assert.False(l.FromDiskIndex);
            Assert.Equal(Expected(longer, path), Dump(l));
        }

        Assert.True(LoadedFromDisk(path, InCache));

        // Other content of the same length with the same last-write time: the content hash tells.
        DateTime mtime = File.GetLastWriteTimeUtc(path);
        string changed = " " + Json("3.9.2");
        Assert.Equal(longer.Length, changed.Length);
        File.WriteAllText(path, changed);
        File.SetLastWriteTimeUtc(path, mtime);
        RepoDataIndex c = RepoDataIndex.Load(path, null, InCache);
        Assert.False(c.FromDiskIndex);
        Assert.Equal("3.9.2", c.GetRecords("python")[0].Version.ToString());
        RepoDataIndex again = RepoDataIndex.Load(path, null, InCache);
        Assert.True(again.FromDiskIndex);
        Assert.Equal("3.9.2", again.GetRecords("python")[0].Version.ToString());
    }

    [Fact]
    public void ContentChange_InALargeFile_IsSeenBySampling()
    {
        // Over 1 MiB the hash samples blocks: the first 64 KiB are always among them.
        string json = Json("3.9.1");
        string padded = json[..^1] + ",\"pad\":\"" + new string('x', 2 << 20) + "\"}";
        string path = Write(padded);
        Assert.False(LoadedFromDisk(path, InCache));
        Assert.True(LoadedFromDisk(path, InCache));
        DateTime mtime = File.GetLastWriteTimeUtc(path);
        File.WriteAllText(path, padded.Replace("3.9.1", "3.9.2"));
        File.SetLastWriteTimeUtc(path, mtime);
        RepoDataIndex c = RepoDataIndex.Load(path, null, InCache);
        Assert.False(c.FromDiskIndex);
        Assert.Equal("3.9.2", c.GetRecords("python")[0].Version.ToString());
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("garbage")]
    [InlineData("empty")]
    [InlineData("version")]
    public void CorruptIndex_IsRebuiltSilently(string damage)
    {
        string json = Json();
        string path = Write(json);
        string indexPath = RepoDataIndex.Load(path, null, InCache).IndexPath!;
        byte[] bytes = File.ReadAllBytes(indexPath);
        switch (damage)
        {
            case "flip":        // a unit's offset, deep in the table: only the checksum can tell
                bytes[bytes.Length - 32 - 20] ^= 0x04;
                break;
            case "truncate":
                bytes = bytes[..(bytes.Length / 2)];
                break;
            case "garbage":
                Random.Shared.NextBytes(bytes);
                break;
            case "empty":
                bytes = [];
                break;
            case "version":
                bytes[8]++;
                break;
        }

        File.WriteAllBytes(indexPath, bytes);
        RepoDataIndex rebuilt = RepoDataIndex.Load(path, null, InCache);
        Assert.False(rebuilt.FromDiskIndex);
        Assert.Equal(Expected(json, path), Dump(rebuilt));
        RepoDataIndex reused = RepoDataIndex.Load(path, null, InCache);
        Assert.True(reused.FromDiskIndex);
        Assert.Equal(Expected(json, path), Dump(reused));
    }

    [Fact]
    public void UnwritableCacheFolder_StillLoads()
    {
        string path = Write(Json());
        string blocker = Path.Combine(_root, "a-file");
        File.WriteAllText(blocker, "not a folder");
        var options = new RepoDataIndexOptions { CacheDirectory = Path.Combine(blocker, "index"), MinimumSourceLength = 0, ReadEnvironment = false };
        RepoDataIndex index = RepoDataIndex.Load(path, null, options);
        Assert.Null(index.IndexPath);
        Assert.False(index.FromDiskIndex);
        Assert.Equal(Expected(Json(), path), Dump(index));
        Assert.False(RepoDataIndex.Load(path, null, options).FromDiskIndex);
    }

    [Fact]
    public void ReadOnlySourceFolder_UsesThePerUserCache()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // folder permissions: Unix only
        }

        string path = Write(Json());
        File.SetUnixFileMode(_channel, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        RepoDataIndex first = RepoDataIndex.Load(path, null, DefaultPlaces);
        Assert.NotNull(first.IndexPath);
        Assert.StartsWith(_userCache, first.IndexPath);
        Assert.Equal([path], Directory.GetFiles(_channel));
        RepoDataIndex second = RepoDataIndex.Load(path, null, DefaultPlaces);
        Assert.True(second.FromDiskIndex);
        Assert.Equal(first.IndexPath, second.IndexPath);
        Assert.Equal(Expected(Json(), path), Dump(second));
    }

    [Theory]
    [InlineData("zst")]
    [InlineData("bz2")]
    public void CompressedSource_IsDecompressedOnce_AndGivesTheSameRecords(string kind)
    {
        string json = Json();
        byte[] raw = Encoding.UTF8.GetBytes(json);
        string path = Path.Combine(_channel, "repodata.json." + kind);
        if (kind == "zst")
        {
            File.WriteAllBytes(path, new ZstdSharp.Compressor().Wrap(raw).ToArray());
        }
        else
        {
            using var fs = File.Create(path);
            using var s = BZip2Stream.Create(fs, SharpCompress.Compressors.CompressionMode.Compress, false, false);
            s.Write(raw);
        }

        RepoDataIndex first = RepoDataIndex.Load(path, null, InCache);
        Assert.False(first.FromDiskIndex);
        string copy = Path.ChangeExtension(first.IndexPath!, ".etjson");
        Assert.Equal(raw, File.ReadAllBytes(copy));

        RepoDataIndex second = RepoDataIndex.Load(path, null, InCache);
        Assert.True(second.FromDiskIndex);
        Assert.Equal(Expected(json, path), Dump(second));
        Assert.Equal(Dump(first), Dump(second));

        // A damaged decompressed copy is not trusted.
        first.Dispose();
        second.Dispose();
        byte[] damaged = File.ReadAllBytes(copy);
        damaged[json.IndexOf("3.9.1", StringComparison.Ordinal)] = (byte)'4';
        File.WriteAllBytes(copy, damaged);
        RepoDataIndex rebuilt = RepoDataIndex.Load(path, null, InCache);
        Assert.False(rebuilt.FromDiskIndex);
        Assert.Equal("3.9.1", rebuilt.GetRecords("python")[0].Version.ToString());
        Assert.True(RepoDataIndex.Load(path, null, InCache).FromDiskIndex);
    }

    [ConformanceTheory]
    [InlineData("repodata/conda-tests/index4.json")]
    [InlineData("repodata/conda-forge-subchannel-python3.9-2024-05-16/linux-64/repodata.json")]
    [InlineData("repodata/conda-forge-subchannel-python3.9-2024-05-16/noarch/repodata.json.zst")]
    [InlineData("repodata/rattler/test-server/repo/noarch/repodata.json.bz2")]
    public void RealFile_SameRecordsWithAndWithoutIndex(string rel)
    {
        string path = ConformanceData.PathOf(rel)!;
        string folder = Path.GetDirectoryName(path)!;
        string[] before = Directory.GetFiles(folder);
        var options = new RepoDataIndexOptions { CacheDirectory = _cache, MinimumSourceLength = 0, ReadEnvironment = false };
        string plain = Dump(RepoDataIndex.Load(path, null, new RepoDataIndexOptions { UseDiskIndex = false }));
        RepoDataIndex built = RepoDataIndex.Load(path, null, options);
        Assert.False(built.FromDiskIndex);
        RepoDataIndex reused = RepoDataIndex.Load(path, null, options);
        Assert.True(reused.FromDiskIndex);
        Assert.Equal(plain, Dump(built));
        Assert.Equal(plain, Dump(reused));
        Assert.Equal(before, Directory.GetFiles(folder));
    }

    [ConformanceFact]
    public void ReadOnlySharedDataFolder_GetsNoIndexFiles()
    {
        // The shared data folder is read-only (r-x): the default places fall back to the per-user cache.
        string path = ConformanceData.PathOf("repodata/conda-tests/index4.json")!;
        string folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows() || (File.GetUnixFileMode(folder) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            return; // a writable checkout of the data: nothing to show
        }

        string[] before = Directory.GetFiles(folder);
        RepoDataIndex index = RepoDataIndex.Load(path, null, DefaultPlaces);
        Assert.StartsWith(_userCache, index.IndexPath);
        Assert.Equal(before, Directory.GetFiles(folder));
        Assert.True(RepoDataIndex.Load(path, null, DefaultPlaces).FromDiskIndex);
    }
}
