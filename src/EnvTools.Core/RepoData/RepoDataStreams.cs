using System.IO.Compression;
using SharpCompress.Compressors.BZip2;
using ZstdSharp;

namespace EnvTools.RepoData;

/// <summary>Opens repodata files, decompressing <c>.zst</c>, <c>.bz2</c> and <c>.gz</c> by their magic bytes.</summary>
internal static class RepoDataStreams
{
    public enum Kind { Json, Zstd, Bzip2, Gzip }

    public static Kind Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 4 && head[0] == 0x28 && head[1] == 0xB5 && head[2] == 0x2F && head[3] == 0xFD)
        {
            return Kind.Zstd;
        }

        if (head.Length >= 3 && head[0] == (byte)'B' && head[1] == (byte)'Z' && head[2] == (byte)'h')
        {
            return Kind.Bzip2;
        }

        if (head.Length >= 2 && head[0] == 0x1F && head[1] == 0x8B)
        {
            return Kind.Gzip;
        }

        return Kind.Json;
    }

    /// <summary>A stream of the JSON text: <paramref name="raw"/> itself, or a decompressing wrapper (which owns it).</summary>
    public static Stream Decompress(Stream raw)
    {
        Span<byte> head = stackalloc byte[4];
        if (!raw.CanSeek)
        {
            raw = new BufferedStream(raw, 1 << 16);
        }

        long start = raw.CanSeek ? raw.Position : 0;
        int n = raw.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (raw.CanSeek)
        {
            raw.Position = start;
        }
        else
        {
            throw new InvalidOperationException("unreachable: buffered streams seek");
        }

        Kind kind = Detect(head[..n]);
        try
        {
            return kind switch
            {
                Kind.Zstd => new DamageGuard(new DecompressionStream(raw, leaveOpen: false)),
                // reads the first block header already
                Kind.Bzip2 => new DamageGuard(BZip2Stream.Create(raw, SharpCompress.Compressors.CompressionMode.Decompress, true, false)),
                Kind.Gzip => new DamageGuard(new GZipStream(raw, System.IO.Compression.CompressionMode.Decompress, leaveOpen: false)),
                _ => raw,
            };
        }
        catch (Exception ex) when (DamageGuard.IsDamage(ex))
        {
            raw.Dispose();
            throw new InvalidDataException($"the compressed data is damaged: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A decompressor over damaged input fails in its own ways (SharpCompress' bzip2 decoder throws
    /// InvalidFormatException, ArchiveOperationException, even IndexOutOfRangeException); this makes every
    /// such failure an <see cref="InvalidDataException"/>, which the readers report as malformed repodata.
    /// </summary>
    private sealed class DamageGuard(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (Exception ex) when (IsDamage(ex))
            {
                throw new InvalidDataException($"the compressed data is damaged: {ex.Message}", ex);
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                try
                {
                    inner.Dispose();
                }
                catch (Exception ex) when (IsDamage(ex))
                {
                }
            }

            base.Dispose(disposing);
        }

        // Not the caller's cancellation, not an I/O failure (the readers report those already).
        internal static bool IsDamage(Exception ex) =>
            ex is not (OperationCanceledException or OutOfMemoryException or IOException or UnauthorizedAccessException);
    }

    /// <summary>All the JSON bytes of a file (decompressed when needed).</summary>
    public static byte[] ReadAll(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return ReadAll(fs);
    }

    /// <summary>All the JSON bytes of an open file, from its start (decompressed when needed).</summary>
    public static byte[] ReadAll(FileStream fs)
    {
        fs.Position = 0;
        Span<byte> head = stackalloc byte[4];
        int n = fs.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (Detect(head[..n]) == Kind.Json)
        {
            var bytes = new byte[fs.Length];
            head[..n].CopyTo(bytes);
            fs.ReadExactly(bytes.AsSpan(n));
            return bytes;
        }

        fs.Position = 0;
        using Stream s = Decompress(fs);
        using var ms = new MemoryStream(checked((int)Math.Min(int.MaxValue / 2, fs.Length * 8)));
        s.CopyTo(ms);
        return ms.Length == ms.Capacity ? ms.GetBuffer() : ms.ToArray();
    }
}
