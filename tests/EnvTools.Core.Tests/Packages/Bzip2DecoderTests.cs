using System.Diagnostics;
using System.Text;
using EnvTools.Packages;
using SharpCompress.Compressors.BZip2;
using Xunit;

namespace EnvTools.Tests.Packages;

/// <summary>The native (sequential and block-parallel) bzip2 decoders against SharpCompress's managed one.</summary>
[Collection(nameof(Bzip2DecoderTests))] // ForceManaged is process-wide
public sealed class Bzip2DecoderTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "envtools-bz2-" + Guid.NewGuid().ToString("N")[..8]);

    public Bzip2DecoderTests() => Directory.CreateDirectory(_tmp);

    public void Dispose()
    {
        NativeBzip2.ForceManaged = false;
        try
        {
            Directory.Delete(_tmp, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static bool Native => !OperatingSystem.IsWindows() && NativeBzip2.IsAvailable;

    [Fact]
    public void TheNativeLibraryLoadsWhereTheSystemHasOne()
    {
        bool present = OperatingSystem.IsLinux() && new[] { "/usr/lib/x86_64-linux-gnu/libbz2.so.1.0", "/lib/x86_64-linux-gnu/libbz2.so.1.0", "/usr/lib64/libbz2.so.1" }.Any(File.Exists);
        if (present) Assert.True(NativeBzip2.IsAvailable);
    }

    /// <summary>About <paramref name="mib"/> MiB of text-like data with random stretches and long runs (runs expand a block past 900 kB).</summary>
    private static byte[] Payload(int mib, int seed)
    {
        var rng = new Random(seed);
        var ms = new MemoryStream();
        string[] words = "alpha beta gamma delta import return numpy tensor kernel buffer offset".Split(' ');
        while (ms.Length < mib * 1048576L)
        {
            switch (rng.Next(10))
            {
                case 0:
                    var noise = new byte[rng.Next(1, 20000)];
                    rng.NextBytes(noise);
                    ms.Write(noise);
                    break;
                case 1:
                    ms.Write(Enumerable.Repeat((byte)rng.Next(256), rng.Next(1, 200000)).ToArray());
                    break;
                default:
                    var sb = new StringBuilder();
                    for (int i = rng.Next(100, 2000); i > 0; i--) sb.Append(words[rng.Next(words.Length)]).Append(rng.Next(1000)).Append(' ');
                    ms.Write(Encoding.ASCII.GetBytes(sb.ToString()));
                    break;
            }
        }

        return ms.ToArray();
    }

    private static byte[] CompressManaged(byte[] data)
    {
        var ms = new MemoryStream();
        using (var bz = BZip2Stream.Create(ms, SharpCompress.Compressors.CompressionMode.Compress, false, true))
        {
            bz.Write(data);
        }

        return ms.ToArray();
    }

    /// <summary>The <c>bzip2</c> command at a block size level, or null where it is not installed.</summary>
    private static byte[]? CompressWithTool(byte[] data, int level)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/usr/bin/bzip2") && !File.Exists("/bin/bzip2"))
        {
            return null;
        }

        var psi = new ProcessStartInfo("bzip2", $"-c -{level}") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        using Process p = Process.Start(psi)!;
        var output = new MemoryStream();
        Task copy = p.StandardOutput.BaseStream.CopyToAsync(output);
        p.StandardInput.BaseStream.Write(data);
        p.StandardInput.Close();
        copy.Wait();
        p.WaitForExit();
        return output.ToArray();
    }

    private static byte[] DecodeManaged(byte[] bz2)
    {
        using var s = BZip2Stream.Create(new MemoryStream(bz2), SharpCompress.Compressors.CompressionMode.Decompress, true, false);
        return ReadAll(s);
    }

    private static byte[] ReadAll(Stream s, int chunk = 7919)
    {
        var ms = new MemoryStream();
        var buf = new byte[chunk];
        int n;
        while ((n = s.Read(buf, 0, buf.Length)) > 0) ms.Write(buf, 0, n);
        return ms.ToArray();
    }

    private string Write(byte[] bytes, string name = "data.bz2")
    {
        string path = Path.Combine(_tmp, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] DecodeSequential(string path)
    {
        using var f = File.OpenRead(path);
        using var s = new NativeBzip2Stream(f, leaveOpen: false);
        return ReadAll(s);
    }

    private static byte[] DecodeParallel(string path, int lookahead, out int fallbacks, Action<ParallelBzip2Stream>? prepare = null)
    {
        using var f = File.OpenRead(path);
        using var s = new ParallelBzip2Stream(f, lookahead);
        prepare?.Invoke(s);
        byte[] result = ReadAll(s);
        fallbacks = s.Fallbacks;
        return result;
    }

    public static IEnumerable<object[]> Encoders() => new[] { new object[] { "managed" }, new object[] { "bzip2-1" }, new object[] { "bzip2-9" } };

    [Theory]
    [MemberData(nameof(Encoders))]
    public void NativeDecodersMatchSharpCompressOnMultiBlockStreams(string encoder)
    {
        if (!Native) return;
        byte[] data = Payload(3, 1);
        byte[]? bz2 = encoder == "managed" ? CompressManaged(data) : CompressWithTool(data, encoder[^1] - '0');
        if (bz2 is null) return;
        string path = Write(bz2);
        Assert.Equal(data, DecodeManaged(bz2));
        Assert.Equal(data, DecodeSequential(path));
        foreach (int lookahead in new[] { 1, 2, 5 })
        {
            Assert.Equal(data, DecodeParallel(path, lookahead, out int fallbacks));
            Assert.Equal(0, fallbacks);
        }
    }

    [Fact]
    public void ConcatenatedStreamsOfDifferentLevelsDecodeWhole()
    {
        if (!Native) return;
        byte[] a = Payload(2, 2), b = Payload(1, 3), c = Encoding.ASCII.GetBytes("tail");
        byte[]? first = CompressWithTool(a, 1) ?? CompressManaged(a);
        byte[] bz2 = first.Concat(CompressManaged(b)).Concat(CompressManaged(c)).ToArray();
        byte[] expected = a.Concat(b).Concat(c).ToArray();
        string path = Write(bz2);
        Assert.Equal(expected, DecodeManaged(bz2));
        Assert.Equal(expected, DecodeSequential(path));
        Assert.Equal(expected, DecodeParallel(path, 3, out int fallbacks));
        Assert.Equal(0, fallbacks);

        // bytes after the last stream that are no stream are ignored, as bzip2 -d does
        string trailing = Write(bz2.Concat(new byte[] { 0, 0, 0, 0, 1, 2 }).ToArray(), "trailing.bz2");
        Assert.Equal(expected, DecodeSequential(trailing));
        Assert.Equal(expected, DecodeParallel(trailing, 3, out _));
    }

    [Fact]
    public void FalseMagicCandidatesFallBackToTheSequentialDecoder()
    {
        if (!Native) return;
        byte[] data = Payload(3, 4);
        string path = Write(CompressWithTool(data, 2) ?? CompressManaged(data));
        long bits = new FileInfo(path).Length * 8;
        // a "magic" inside the second half of the file splits a block: its pieces fail to decode
        byte[] decoded = DecodeParallel(path, 2, out int fallbacks, s => s.InjectFalseCandidate(bits * 2 / 3 + 3));
        Assert.Equal(data, decoded);
        Assert.Equal(1, fallbacks);
    }

    [Fact]
    public void CorruptAndTruncatedDataAreCorruptArchiveErrors()
    {
        if (!Native) return;
        byte[] tar = TarOf(Payload(3, 5));
        byte[] bz2 = CompressWithTool(tar, 1) ?? CompressManaged(tar);
        byte[] corrupt = (byte[])bz2.Clone();
        for (int i = corrupt.Length / 2; i < corrupt.Length / 2 + 64; i++) corrupt[i] ^= 0x5A;
        byte[] truncated = bz2[..(bz2.Length * 3 / 4)];
        byte[] noMagic = Encoding.ASCII.GetBytes("this is not bzip2 data at all").Concat(new byte[200_000]).ToArray();
        foreach (bool managed in new[] { false, true })
        {
            NativeBzip2.ForceManaged = managed;
            foreach ((string name, byte[] bytes) in new[] { ("corrupt", corrupt), ("truncated", truncated), ("nomagic", noMagic) })
            {
                string archive = Write(bytes, $"{name}-{managed}-1.0-0.tar.bz2");
                string target = Path.Combine(_tmp, "out", name + managed);
                var ex = Assert.Throws<CorruptArchiveException>(() => PackageArchive.Extract(archive, target, CancellationToken.None));
                Assert.Equal("CorruptArchive", ex.ErrorId);
                Assert.False(Directory.Exists(target));
            }
        }
    }

    [Fact]
    public void TarBz2ExtractsTheSameWithTheManagedFallback()
    {
        byte[] content = Payload(3, 6);
        byte[] tar = TarOf(content);
        string archive = Write(CompressWithTool(tar, 1) ?? CompressManaged(tar), "pkg-1.0-0.tar.bz2");
        using (var f = File.OpenRead(archive))
        using (Stream s = PackageArchive.OpenBz2(archive, f))
        {
            Assert.Equal(Native, s is ParallelBzip2Stream);
        }

        PackageArchive.Extract(archive, Path.Combine(_tmp, "native"), CancellationToken.None);
        NativeBzip2.ForceManaged = true;
        Assert.False(NativeBzip2.IsAvailable);
        using (var f = File.OpenRead(archive))
        using (Stream s = PackageArchive.OpenBz2(archive, f))
        {
            Assert.IsNotType<ParallelBzip2Stream>(s);
            Assert.IsNotType<NativeBzip2Stream>(s);
        }

        PackageArchive.Extract(archive, Path.Combine(_tmp, "managed"), CancellationToken.None);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(_tmp, "native", "lib", "big.bin")));
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(_tmp, "managed", "lib", "big.bin")));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(_tmp, "managed", "info", "index.json")));
    }

    private static byte[] TarOf(byte[] content)
    {
        var ms = new MemoryStream();
        var tar = new TarWriter(ms, 0);
        tar.AddFile("info/index.json", "{}"u8, 0x1A4);
        tar.AddFile("lib/big.bin", content, 0x1A4);
        tar.Finish();
        return ms.ToArray();
    }
}
