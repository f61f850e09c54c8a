using EnvTools.Environments;
using Xunit;
using EnvTools.IO;

namespace EnvTools.Tests.Environments;

public sealed class DiskUsageTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void LinkCount_IsRead_ForARealHardLink()
    {
        Assert.True(FileStatusReader.IsSupported, "link counts must be readable on the test platforms (linux-x64, linux-arm64)");
        string a = _tmp.Sub("a.txt");
        File.WriteAllText(a, "hello");
        Assert.True(FileStatusReader.TryLStat(a, out FileStatus before));
        Assert.Equal((FileKind.Regular, 5L, 1L), (before.Kind, before.Size, before.LinkCount));

        TestPrefix.HardLink(a, _tmp.Sub("b.txt"));
        Assert.True(FileStatusReader.TryLStat(a, out FileStatus after));
        Assert.True(FileStatusReader.TryLStat(_tmp.Sub("b.txt"), out FileStatus other));
        Assert.Equal(2, after.LinkCount);
        Assert.Equal((after.Device, after.Inode), (other.Device, other.Inode));

        Assert.True(FileStatusReader.TryLStat(_tmp.Path, out FileStatus dir));
        Assert.Equal(FileKind.Directory, dir.Kind);
        Assert.False(FileStatusReader.TryLStat(_tmp.Sub("nope"), out _));
    }

    [NotUnderWineFact("Wine has no symbolic links (CreateSymbolicLink succeeds and leaves nothing usable)")]
    public void LStat_DoesNotFollowSymbolicLinks()
    {
        File.WriteAllText(_tmp.Sub("target"), new string('x', 1000));
        File.CreateSymbolicLink(_tmp.Sub("link"), _tmp.Sub("target"));
        Assert.True(FileStatusReader.TryLStat(_tmp.Sub("link"), out FileStatus s));
        Assert.Equal(FileKind.SymbolicLink, s.Kind);
    }

    [Fact]
    public void ExclusiveSize_LeavesOutFilesSharedWithTheCache_AndCountsInnerLinksOnce()
    {
        string pkgs = _tmp.Sub("pkgs", "foo-1.0-0", "lib");
        string prefix = _tmp.Sub("envs", "a");
        Directory.CreateDirectory(pkgs);
        Directory.CreateDirectory(Path.Combine(prefix, "lib"));
        File.WriteAllBytes(Path.Combine(pkgs, "shared.so"), new byte[3000]);
        TestPrefix.HardLink(Path.Combine(pkgs, "shared.so"), Path.Combine(prefix, "lib", "shared.so"));
        File.WriteAllBytes(Path.Combine(prefix, "lib", "own.bin"), new byte[500]);
        File.WriteAllBytes(Path.Combine(prefix, "lib", "twice.bin"), new byte[70]);
        TestPrefix.HardLink(Path.Combine(prefix, "lib", "twice.bin"), Path.Combine(prefix, "twice-again.bin"));

        // A link to a big file outside, and a link to a folder outside: neither is followed nor counted.
        File.WriteAllBytes(_tmp.Sub("big.bin"), new byte[100_000]);
        File.CreateSymbolicLink(Path.Combine(prefix, "lib", "big-link"), _tmp.Sub("big.bin"));
        Directory.CreateSymbolicLink(Path.Combine(prefix, "pkgs-link"), _tmp.Sub("pkgs"));

        DiskUsage u = DiskUsage.Measure(prefix);
        Assert.Equal(3000 + 500 + 70, u.Size);
        Assert.Equal(500 + 70, u.ExclusiveSize);
        Assert.Equal(3, u.FileCount);

        // Once the cache copy is gone, the file belongs to the environment alone.
        File.Delete(Path.Combine(pkgs, "shared.so"));
        Assert.Equal(3570, DiskUsage.Measure(prefix).ExclusiveSize);
    }

    [Fact]
    public void Measure_HonoursCancellation()
    {
        Directory.CreateDirectory(_tmp.Sub("x"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => DiskUsage.Measure(_tmp.Path, cts.Token));
    }
}
