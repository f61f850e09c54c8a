using System.Buffers;
using System.Security.Cryptography;

namespace EnvTools.IO;

/// <summary>The md5 and sha256 (lower-case hex) and size of some bytes.</summary>
internal readonly record struct FileDigest(string Md5, string Sha256, long Size);

/// <summary>
/// md5 + sha256 computed together, in one pass, over a file or bytes as they stream by; and the one lower-case hex
/// hash of bytes, a stream or a file for a given algorithm (<see cref="HexOf(HashAlgorithmName, ReadOnlySpan{byte})"/>).
/// </summary>
internal sealed class Checksums : IDisposable
{
    private readonly IncrementalHash _md5 = Create(HashAlgorithmName.MD5);
    private readonly IncrementalHash _sha256 = Create(HashAlgorithmName.SHA256);

    private delegate void ChunkSink(ReadOnlySpan<byte> chunk);

    /// <summary>Bytes appended so far.</summary>
    internal long Size { get; private set; }

    internal void Append(ReadOnlySpan<byte> data)
    {
        _md5.AppendData(data);
        _sha256.AppendData(data);
        Size += data.Length;
    }

    /// <summary>Appends the whole of <paramref name="stream"/> from its position.</summary>
    internal void Append(Stream stream, CancellationToken cancellationToken = default) => ReadChunks(stream, Append, cancellationToken);

    /// <summary>The digest of everything appended (the hashes reset afterwards).</summary>
    internal FileDigest Finish() => new(Hex(_md5.GetHashAndReset()), Hex(_sha256.GetHashAndReset()), Size);

    /// <summary>The lower-case hex <paramref name="algorithm"/> hash of <paramref name="data"/>.</summary>
    /// <param name="algorithm">The hash (MD5 or a SHA).</param>
    /// <param name="data">The bytes.</param>
    internal static string HexOf(HashAlgorithmName algorithm, ReadOnlySpan<byte> data)
    {
        using IncrementalHash h = Create(algorithm);
        h.AppendData(data);
        return Hex(h.GetHashAndReset());
    }

    /// <summary>The lower-case hex <paramref name="algorithm"/> hash of <paramref name="stream"/> from its position to its end.</summary>
    /// <param name="algorithm">The hash (MD5 or a SHA).</param>
    /// <param name="stream">The stream.</param>
    /// <param name="cancellationToken">Checked between chunks.</param>
    internal static string HexOf(HashAlgorithmName algorithm, Stream stream, CancellationToken cancellationToken = default)
    {
        using IncrementalHash h = Create(algorithm);
        ReadChunks(stream, h.AppendData, cancellationToken);
        return Hex(h.GetHashAndReset());
    }

    private static IncrementalHash Create(HashAlgorithmName algorithm) =>
        IncrementalHash.CreateHash(algorithm); // md5 is what conda records and names caches by; it is compared, never trusted alone

    private static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();

    private static void ReadChunks(Stream stream, ChunkSink sink, CancellationToken cancellationToken)
    {
        byte[] buf = ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            int n;
            while ((n = stream.Read(buf, 0, buf.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                sink(buf.AsSpan(0, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    /// <summary>The digest of a file.</summary>
    internal static FileDigest OfFile(string path, CancellationToken cancellationToken = default)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var c = new Checksums();
        c.Append(fs, cancellationToken);
        return c.Finish();
    }

    public void Dispose()
    {
        _md5.Dispose();
        _sha256.Dispose();
    }
}
