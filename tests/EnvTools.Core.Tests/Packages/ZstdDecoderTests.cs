using System.Text;
using EnvTools.Packages;
using Xunit;

namespace EnvTools.Tests.Packages;

/// <summary>The native zstd decoder against ZstdSharp.</summary>
[Collection(nameof(Bzip2DecoderTests))] // the decoder switches are process-wide
public sealed class ZstdDecoderTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "envtools-zst-" + Guid.NewGuid().ToString("N")[..8]);

    public ZstdDecoderTests() => Directory.CreateDirectory(_tmp);

    public void Dispose()
    {
        NativeZstd.ForceManaged = false;
        try
        {
            Directory.Delete(_tmp, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static byte[] Payload(int size, int seed, bool noise = true)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder();
        while (sb.Length < size) sb.Append("word").Append(rng.Next(5000)).Append(rng.Next(9) == 0 ? '\n' : ' ');
        byte[] bytes = Encoding.ASCII.GetBytes(sb.ToString());
        if (noise) rng.NextBytes(bytes.AsSpan(bytes.Length / 3, bytes.Length / 10)); // an incompressible stretch
        return bytes;
    }

    private static byte[] Compress(byte[] data, int level, bool checksum = false)
    {
        using var c = new ZstdSharp.Compressor(level);
        if (checksum) c.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        return c.Wrap(data).ToArray();
    }

    private static byte[] ReadAll(Stream s)
    {
        var ms = new MemoryStream();
        var buf = new byte[5003];
        int n;
        while ((n = s.Read(buf, 0, buf.Length)) > 0) ms.Write(buf, 0, n);
        return ms.ToArray();
    }

    [Fact]
    public void NativeDecodingMatchesZstdSharpAcrossFrames()
    {
        if (!NativeZstd.IsAvailable) return;
        byte[] a = Payload(3 << 20, 1), b = Payload(100_000, 2);
        byte[] zst = Compress(a, 3).Concat(Compress(b, 19)).Concat(Compress(Array.Empty<byte>(), 1)).ToArray();
        byte[] expected = a.Concat(b).ToArray();
        using (var managed = new ZstdSharp.DecompressionStream(new MemoryStream(zst)))
        {
            Assert.Equal(expected, ReadAll(managed));
        }

        using (Stream native = PackageArchive.OpenZstd(new MemoryStream(zst)))
        {
            Assert.IsType<NativeZstdStream>(native);
            Assert.Equal(expected, ReadAll(native));
        }
    }

    [Fact]
    public void CorruptOrTruncatedDataIsAnError()
    {
        if (!NativeZstd.IsAvailable) return;
        byte[] zst = Compress(Payload(1 << 20, 3), 3, checksum: true);
        byte[] corrupt = (byte[])zst.Clone();
        for (int i = zst.Length / 2; i < zst.Length / 2 + 32; i++) corrupt[i] ^= 0x33;
        Assert.Throws<InvalidDataException>(() => ReadAll(new NativeZstdStream(new MemoryStream(zst[..(zst.Length / 2)]))));
        Assert.Throws<InvalidDataException>(() => ReadAll(new NativeZstdStream(new MemoryStream(corrupt))));
        Assert.Throws<InvalidDataException>(() => ReadAll(new NativeZstdStream(new MemoryStream(Encoding.ASCII.GetBytes("not zstd at all")))));
    }

    [Fact]
    public void CondaExtractsTheSameWithTheManagedFallback()
    {
        var items = Enumerable.Range(0, 50).Select(i => new TarItem($"lib/f{i}.txt", Content: Encoding.ASCII.GetString(Payload(i * 1000, i)))).ToArray();
        string conda = Path.Combine(_tmp, "z-1.0-0.conda");
        TarFixture.WriteConda(conda, new[] { new TarItem("info/index.json", Content: "{}") }, items);
        PackageArchive.Extract(conda, Path.Combine(_tmp, "native"), CancellationToken.None);
        NativeZstd.ForceManaged = true;
        using (Stream s = PackageArchive.OpenZstd(new MemoryStream()))
        {
            Assert.IsNotType<NativeZstdStream>(s);
        }

        PackageArchive.Extract(conda, Path.Combine(_tmp, "managed"), CancellationToken.None);
        foreach (var item in items)
        {
            string rel = item.Name.Replace('/', Path.DirectorySeparatorChar);
            Assert.Equal(item.Content, File.ReadAllText(Path.Combine(_tmp, "native", rel)));
            Assert.Equal(item.Content, File.ReadAllText(Path.Combine(_tmp, "managed", rel)));
        }
    }

    [Fact]
    public void CorruptCondaMemberIsACorruptArchive()
    {
        string conda = Path.Combine(_tmp, "bad-1.0-0.conda");
        TarFixture.WriteConda(conda, new[] { new TarItem("info/index.json", Content: "{}") }, new[] { new TarItem("big.txt", Content: Encoding.ASCII.GetString(Payload(2 << 20, 9, noise: false))) });
        byte[] bytes = File.ReadAllBytes(conda);
        for (int i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++) bytes[i] ^= 0x5A; // inside the pkg member's data
        File.WriteAllBytes(conda, bytes);
        foreach (bool managed in new[] { false, true })
        {
            NativeZstd.ForceManaged = managed;
            string target = Path.Combine(_tmp, "bad" + managed);
            Assert.Throws<CorruptArchiveException>(() => PackageArchive.Extract(conda, target, CancellationToken.None));
            Assert.False(Directory.Exists(target));
        }
    }
}
