using System.Buffers;
using System.Globalization;
using System.Text;

namespace EnvTools.Packages;

/// <summary>
/// Writes a ustar stream: regular files, directories and symlinks, owner 0/0, a fixed modification time.
/// Names or link targets that do not fit the ustar fields (or are not ASCII) get a pax header (<c>x</c>),
/// as GNU tar and Python's tarfile write them. The end-of-archive blocks come from <see cref="Finish"/>.
/// </summary>
internal sealed class TarWriter
{
    private const int Block = 512;
    private readonly Stream _out;
    private readonly long _mtime;

    internal TarWriter(Stream output, long mtimeSeconds)
    {
        _out = output;
        _mtime = Math.Max(0, mtimeSeconds);
    }

    /// <summary>A regular file whose content is <paramref name="content"/> (exactly <paramref name="size"/> bytes).</summary>
    internal void AddFile(string name, Stream content, long size, int mode)
    {
        WriteHeader(name, '0', size, string.Empty, mode);
        byte[] buf = ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            long left = size;
            while (left > 0)
            {
                int n = content.Read(buf, 0, (int)Math.Min(buf.Length, left));
                if (n == 0)
                {
                    throw new IOException($"'{name}' changed while it was being archived (shorter than {size} bytes).");
                }

                _out.Write(buf, 0, n);
                left -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }

        Pad(size);
    }

    /// <summary>A regular file from bytes.</summary>
    internal void AddFile(string name, ReadOnlySpan<byte> content, int mode)
    {
        WriteHeader(name, '0', content.Length, string.Empty, mode);
        _out.Write(content);
        Pad(content.Length);
    }

    internal void AddDirectory(string name, int mode) => WriteHeader(name.TrimEnd('/') + "/", '5', 0, string.Empty, mode);

    internal void AddSymlink(string name, string target) => WriteHeader(name, '2', 0, target, 0x1FF);

    /// <summary>The two zero blocks that end an archive.</summary>
    internal void Finish() => _out.Write(new byte[Block * 2]);

    private void WriteHeader(string name, char type, long size, string link, int mode)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] linkBytes = Encoding.UTF8.GetBytes(link);
        bool paxName = nameBytes.Length > 99 || !IsAscii(nameBytes);
        bool paxLink = linkBytes.Length > 99 || !IsAscii(linkBytes);
        if (paxName || paxLink)
        {
            var pax = new StringBuilder();
            if (paxName) pax.Append(PaxRecord("path", name));
            if (paxLink) pax.Append(PaxRecord("linkpath", link));
            byte[] data = Encoding.UTF8.GetBytes(pax.ToString());
            _out.Write(Header("././@PaxHeader", 'x', data.Length, string.Empty, 0x1A4));
            _out.Write(data);
            Pad(data.Length);
        }

        _out.Write(Header(paxName ? Ascii(name, 99) : name, type, size, paxLink ? Ascii(link, 99) : link, mode));
    }

    private byte[] Header(string name, char type, long size, string link, int mode)
    {
        var h = new byte[Block];
        Put(h, 0, 100, name);
        PutOctal(h, 100, 8, mode & 0xFFF);
        PutOctal(h, 108, 8, 0);
        PutOctal(h, 116, 8, 0);
        PutOctal(h, 124, 12, size);
        PutOctal(h, 136, 12, _mtime);
        h[156] = (byte)type;
        Put(h, 157, 100, link);
        Put(h, 257, 6, "ustar");
        h[263] = (byte)'0';
        h[264] = (byte)'0';
        for (int i = 148; i < 156; i++) h[i] = (byte)' ';
        int sum = 0;
        foreach (byte b in h) sum += b;
        PutOctal(h, 148, 7, sum);
        return h;
    }

    /// <summary>A pax record: "<c>len key=value\n</c>", where len counts the whole record including itself.</summary>
    private static string PaxRecord(string key, string value)
    {
        int body = Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value) + 3; // ' ', '=', '\n'
        int len = body + 1;
        while (len != body + len.ToString(CultureInfo.InvariantCulture).Length)
        {
            len = body + len.ToString(CultureInfo.InvariantCulture).Length;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{len} {key}={value}\n");
    }

    private static bool IsAscii(byte[] b) => Array.TrueForAll(b, x => x < 0x80);

    /// <summary>A short ASCII stand-in for the ustar field (the pax header carries the real value).</summary>
    private static string Ascii(string s, int max)
    {
        var sb = new StringBuilder(max);
        foreach (char c in s)
        {
            if (sb.Length == max) break;
            sb.Append(c < 0x80 ? c : '_');
        }

        return sb.ToString();
    }

    private static void Put(byte[] h, int off, int len, string value)
    {
        int n = Encoding.UTF8.GetBytes(value, 0, value.Length, h, off);
        if (n > len) throw new InvalidOperationException($"'{value}' does not fit a tar header field of {len} bytes");
    }

    private static void PutOctal(byte[] h, int off, int len, long value)
    {
        string s = Convert.ToString(value, 8).PadLeft(len - 1, '0');
        if (s.Length > len - 1) throw new InvalidOperationException($"{value} does not fit a tar header field of {len} bytes");
        Encoding.ASCII.GetBytes(s, 0, s.Length, h, off);
        h[off + len - 1] = 0;
    }

    private void Pad(long size)
    {
        int pad = (int)((Block - (size % Block)) % Block);
        if (pad > 0) _out.Write(new byte[pad]);
    }
}
