using System.IO.Compression;
using System.Text;
using SharpCompress.Compressors.BZip2;
using ZstdSharp;

namespace EnvTools.Tests.Packages;

/// <summary>One entry of a tar the tests write themselves (so that malicious archives need no files on disk).</summary>
public sealed record TarItem(string Name, char Type = '0', string Content = "", string Link = "", int Mode = 0x1A4 /* 0644 */);

/// <summary>Writes ustar archives (GNU 'L' records for long names), tar.bz2 and .conda files.</summary>
public static class TarFixture
{
    public static byte[] Tar(IEnumerable<TarItem> items)
    {
        var ms = new MemoryStream();
        foreach (var item in items)
        {
            byte[] nameBytes = Encoding.UTF8.GetBytes(item.Name);
            if (nameBytes.Length > 99)
            {
                WriteHeader(ms, "././@LongLink", 'L', nameBytes.Length + 1, "", 0x1A4);
                ms.Write(nameBytes);
                ms.WriteByte(0);
                Pad(ms, nameBytes.Length + 1);
            }

            byte[] data = Encoding.UTF8.GetBytes(item.Content);
            WriteHeader(ms, nameBytes.Length > 99 ? item.Name[..99] : item.Name, item.Type, item.Type is '0' ? data.Length : 0, item.Link, item.Mode);
            if (item.Type is '0')
            {
                ms.Write(data);
                Pad(ms, data.Length);
            }
        }

        ms.Write(new byte[1024]);
        return ms.ToArray();
    }

    public static void WriteTarBz2(string path, IEnumerable<TarItem> items) => WriteBz2(path, Tar(items));

    public static void WriteBz2(string path, byte[] tar)
    {
        using var fs = File.Create(path);
        using var bz = BZip2Stream.Create(fs, SharpCompress.Compressors.CompressionMode.Compress, false, false);
        bz.Write(tar);
    }

    public static void WriteConda(string path, IEnumerable<TarItem> info, IEnumerable<TarItem> pkg)
    {
        string stem = Path.GetFileName(path)[..^".conda".Length];
        using var fs = File.Create(path);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        using (var w = new StreamWriter(zip.CreateEntry("metadata.json", CompressionLevel.NoCompression).Open()))
        {
            w.Write("{\"conda_pkg_format_version\": 2}");
        }

        foreach (var (prefix, items) in new[] { ("info-", info), ("pkg-", pkg) })
        {
            using var entry = zip.CreateEntry(prefix + stem + ".tar.zst", CompressionLevel.NoCompression).Open();
            using var zst = new CompressionStream(entry, 3);
            zst.Write(Tar(items));
        }
    }

    private static void WriteHeader(Stream s, string name, char type, long size, string link, int mode)
    {
        var h = new byte[512];
        Put(h, 0, 100, name);
        Put(h, 100, 8, Convert.ToString(mode, 8).PadLeft(7, '0'));
        Put(h, 108, 8, "0000000");
        Put(h, 116, 8, "0000000");
        Put(h, 124, 12, Convert.ToString(size, 8).PadLeft(11, '0'));
        Put(h, 136, 12, "14000000000");
        h[156] = (byte)type;
        Put(h, 157, 100, link);
        Put(h, 257, 6, "ustar");
        h[262] = 0;
        h[263] = (byte)'0';
        h[264] = (byte)'0';
        for (int i = 148; i < 156; i++) h[i] = (byte)' ';
        int sum = h.Sum(b => (int)b);
        Put(h, 148, 8, Convert.ToString(sum, 8).PadLeft(6, '0'));
        h[154] = 0;
        h[155] = (byte)' ';
        s.Write(h);
    }

    private static void Put(byte[] h, int off, int len, string value)
    {
        byte[] b = Encoding.UTF8.GetBytes(value);
        if (b.Length > len) throw new ArgumentException($"'{value}' does not fit in {len} bytes");
        b.CopyTo(h, off);
    }

    private static void Pad(Stream s, long size)
    {
        int pad = (int)((512 - (size % 512)) % 512);
        s.Write(new byte[pad]);
    }
}
