using System.Buffers;
using System.Security.Cryptography;

namespace EnvTools.IO;

/// <summary>The md5 and sha256 (lower-case hex) and size of some bytes.</summary>
internal readonly record struct FileDigest(string Md5, string Sha256, long Size);

/// <summary>md5 + sha256 computed together, in one pass, over a file or bytes as they stream by.</summary>
internal sealed class Checksums : IDisposable
{
#pragma warning disable CA5351 // md5 is what conda records; it is compared, never trusted alone
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Bytes appended so far.</summary>
    internal long Size { get; private set; }

    internal void Append(ReadOnlySpan<byte> data)
    {
        _md5.AppendData(data);
        _sha256.AppendData(data);
        Size += data.Length;
    }

    /// <summary>Appends the whole of <paramref name="stream"/> from its position.</summary>
    internal void Append(Stream stream, CancellationToken cancellationToken = default)
    {
        byte[] buf = ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            int n;
            while ((n = stream.Read(buf, 0, buf.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Append(buf.AsSpan(0, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    /// <summary>The digest of everything appended (the hashes reset afterwards).</summary>
    internal FileDigest Finish() =>
        new(Convert.ToHexString(_md5.GetHashAndReset()).ToLowerInvariant(), Convert.ToHexString(_sha256.GetHashAndReset()).ToLowerInvariant(), Size);

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
