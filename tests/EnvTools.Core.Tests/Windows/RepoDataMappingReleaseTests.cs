using System.Text;
using EnvTools.Conda;
using EnvTools.RepoData;
using EnvTools.Solve;
using Xunit;

namespace EnvTools.Tests.Windows;

/// <summary>
/// Issue 17 behaviour 7: a repodata index releases its memory mapping when disposed (Windows refuses to replace a mapped
/// file, so a refresh must not wait for a finalizer). On Linux the kernel's list of this process's mappings
/// (<c>/proc/self/maps</c>) shows whether the file is still mapped.
/// </summary>
public sealed class RepoDataMappingReleaseTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"envtools-unmap-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A channel whose linux-64 repodata.json is larger than the on-disk index threshold (so it is mapped).</summary>
    private string Channel()
    {
        string subdir = Directory.CreateDirectory(Path.Combine(_root, "channel", "linux-64")).FullName;
        Directory.CreateDirectory(Path.Combine(_root, "channel", "noarch"));
        var sb = new StringBuilder("{\"info\":{\"subdir\":\"linux-64\"},\"packages\":{");
        for (int i = 0; i < 2500; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append($"\"pkg{i % 50}-1.{i}.0-h{i}_0.tar.bz2\":{{\"name\":\"pkg{i % 50}\",\"version\":\"1.{i}.0\",\"build\":\"h{i}_0\",")
              .Append($"\"build_number\":0,\"depends\":[],\"md5\":\"{i:x32}\",\"size\":{1000 + i},\"subdir\":\"linux-64\"}}");
        }

        sb.Append("}}");
        File.WriteAllText(Path.Combine(subdir, "repodata.json"), sb.ToString());
        File.WriteAllText(Path.Combine(_root, "channel", "noarch", "repodata.json"), "{\"info\":{\"subdir\":\"noarch\"},\"packages\":{}}");
        Assert.True(new FileInfo(Path.Combine(subdir, "repodata.json")).Length > RepoDataIndexOptions.Default.MinimumSourceLength);
        return Path.Combine(_root, "channel");
    }

    /// <summary>Whether this process maps <paramref name="path"/>: on Linux its list of mappings says; Windows refuses to
    /// rewrite a mapped file in place ("user-mapped section"), so there the same bytes are written back.</summary>
    private static bool Mapped(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            return File.ReadAllLines("/proc/self/maps").Any(l => l.EndsWith(" " + path, StringComparison.Ordinal));
        }

        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            File.WriteAllBytes(path, bytes);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    [MappingsVisibleFact]
    public void A_disposed_index_unmaps_its_file_and_keeps_what_it_decoded()
    {
        string file = Path.Combine(Channel(), "linux-64", "repodata.json");
        var options = new RepoDataIndexOptions { CacheDirectory = Path.Combine(_root, "idx"), ReadEnvironment = false };
        using (RepoDataIndex.Load(file, null, options))
        {
            // the first load scans and writes the on-disk index; the second maps both
        }

        var index = RepoDataIndex.Load(file, null, options);
        Assert.True(index.FromDiskIndex);
        Assert.True(Mapped(file));
        var pkg1 = index.GetRecords("pkg1");
        Assert.Equal(50, pkg1.Count);

        index.Dispose();
        Assert.False(Mapped(file));
        Assert.All(Directory.GetFiles(Path.Combine(_root, "idx")), f => Assert.False(Mapped(f), f));
        Assert.Same(pkg1, index.GetRecords("pkg1")); // decoded before: still there
        Assert.Equal("1.1.0", pkg1[0].Version);
        Assert.Throws<ObjectDisposedException>(() => index.GetRecords("pkg2"));
        Assert.Empty(index.GetRecords("absent"));
        index.Dispose(); // twice is fine
    }

    [MappingsVisibleFact]
    public void Loaded_channels_release_their_mappings_when_disposed()
    {
        string channel = Channel();
        string file = Path.Combine(channel, "linux-64", "repodata.json");
        IReadOnlyList<SolverChannel> loaded = RepoDataGateway.Load(new[] { EnvTools.Config.ChannelResolver.ParseChannel(channel) }, Platform.Linux64);
        Assert.True(Mapped(file));
        var result = CondaSolver.Solve(new SolveRequest { Specs = new[] { MatchSpec.Parse("pkg7") }, Channels = loaded });
        SolverChannel.DisposeAll(loaded);
        Assert.False(Mapped(file));
        Assert.Equal("pkg7", Assert.Single(result.Records).Name); // the solve's records do not need the mapping
    }

    [MappingsVisibleFact]
    public void A_refresh_replaces_the_json_and_the_index_that_another_reader_maps()
    {
        string file = Path.Combine(Channel(), "linux-64", "repodata.json");
        var options = new RepoDataIndexOptions { CacheDirectory = Path.Combine(_root, "idx"), ReadEnvironment = false };
        using (RepoDataIndex.Load(file, null, options))
        {
        }

        // another session's index, still reading: it maps the JSON and its on-disk index
        using var held = RepoDataIndex.Load(file, null, options);
        Assert.True(held.FromDiskIndex);
        Assert.True(Mapped(file));
        string json = File.ReadAllText(file);
        Assert.Contains("\"version\":\"1.1.0\"", json, StringComparison.Ordinal);

        // the cache refresh writes the new JSON over it; the next load rebuilds the index over the mapped one
        EnvTools.IO.AtomicFiles.WriteAtomically(file, Encoding.UTF8.GetBytes(json.Replace("\"version\":\"1.1.0\"", "\"version\":\"9.1.0\"", StringComparison.Ordinal)));
        using (RepoDataIndex fresh = RepoDataIndex.Load(file, null, options))
        {
            Assert.False(fresh.FromDiskIndex);
            Assert.Equal("9.1.0", fresh.GetRecords("pkg1")[0].Version.ToString());
        }

        using (RepoDataIndex again = RepoDataIndex.Load(file, null, options))
        {
            Assert.True(again.FromDiskIndex); // the rebuilt index was written
            Assert.Equal("9.1.0", again.GetRecords("pkg1")[0].Version.ToString());
        }

        // the reader keeps what it mapped: the old records
        Assert.Equal("1.2.0", held.GetRecords("pkg2")[0].Version.ToString());
        held.Dispose();

        // what was moved aside for the reader is gone once nothing maps it (with the next replacement)
        EnvTools.IO.AtomicFiles.WriteAtomically(file, Encoding.UTF8.GetBytes(json));
        using (RepoDataIndex.Load(file, null, options))
        {
        }

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, "*.old"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "idx"), "*.old"));
    }
}

/// <summary>Needs a way to see which files the process maps: Linux's <c>/proc/self/maps</c>, or Windows' refusal to rewrite a
/// mapped file.</summary>
public sealed class MappingsVisibleFactAttribute : FactAttribute
{
    public MappingsVisibleFactAttribute()
    {
        if (!OperatingSystem.IsWindows() && !File.Exists("/proc/self/maps"))
        {
            Skip = "needs /proc/self/maps (Linux) or Windows to see which files the process has mapped";
        }
    }
}
