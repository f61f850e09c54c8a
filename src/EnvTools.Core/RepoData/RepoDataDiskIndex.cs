using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace EnvTools.RepoData;

/// <summary>
/// The on-disk form of a <see cref="RepoDataIndex"/> (<c>.etidx</c>, little-endian, format <see cref="FormatVersion"/>):
/// <code>
/// "ETIDX\r\n\0" int32 format
/// string sourcePath; int64 sourceLength; int64 sourceLastWriteUtcTicks; byte[32] sourceSample
/// byte hasCopy; [string copyFileName; int64 copyLength; byte[32] copySample]   (compressed sources: the decoded JSON)
/// string? subdir; string? base_url; byte hasVersion; int32 repodata_version; int32 n; string[n] removed
/// int32 nameCount; int32 unitCount; int64 jsonLength
/// string[nameCount] names                                     (name i's records: units first[i] .. first[i+1]-1)
/// padding to 4; int32[nameCount+1] first; int32[4*unitCount] units (keyStart, keyLength | escaped&lt;&lt;31, valueStart, valueLength)
/// byte[32] SHA-256 of everything before it
/// </code>
/// Strings are int32 byte length (-1: null) + UTF-8. A file is used only when its format, checksum, the raw file's
/// path, length, last-write time and sampled content hash (<see cref="SampleHash(ReadOnlySpan{byte})"/>) all match.
/// </summary>
internal static class RepoDataDiskIndex
{
    public const int FormatVersion = 1;
    private const int HashLength = 32;
    private const int SmallWhole = 1 << 20;     // files up to 1 MiB are hashed whole
    private const int EdgeBlock = 64 * 1024;    // else: the first and last 64 KiB ...
    private const int MiddleBlock = 4096;       // ... and 62 blocks of 4 KiB spread evenly between them
    private const int MiddleBlocks = 62;
    private static ReadOnlySpan<byte> Magic => "ETIDX\r\n\0"u8;

    /// <summary>The identity of a raw file as it is now: the sampled hash is computed on first use.</summary>
    internal sealed class SourceStamp(string fullPath, SafeFileHandle handle, long length, long lastWriteTicks)
    {
        private byte[]? _sample;

        public string FullPath { get; } = fullPath;
        public long Length { get; } = length;
        public long LastWriteTicks { get; } = lastWriteTicks;
        public byte[] Sample => _sample ??= SampleHash(handle, Length);
    }

    /// <summary>An index file that matched its raw file; its <see cref="Map"/> belongs to the caller.</summary>
    internal sealed class Data
    {
        public required MappedFile Map { get; init; }
        public string? CopyPath { get; init; }
        public long CopyLength { get; init; }
        public byte[]? CopySample { get; init; }
        public string? Subdir { get; init; }
        public string? BaseUrl { get; init; }
        public int? RepoDataVersion { get; init; }
        public required string[] Removed { get; init; }
        public required string[] Names { get; init; }
        public required int[] First { get; init; }
        public int UnitsOffset { get; init; }
        public int UnitCount { get; init; }
        public long JsonLength { get; init; }
    }

    /// <summary>What a fresh scan found, to be written.</summary>
    internal readonly record struct Content(string? Subdir, string? BaseUrl, int? RepoDataVersion, IReadOnlyList<string> Removed,
        string[] Names, int[] First, RepoDataUnit[] Units, long JsonLength);

    /// <summary>The sampled content hash of data held in memory (the same value as for the same bytes in a file).</summary>
    public static byte[] SampleHash(ReadOnlySpan<byte> data)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(len, data.Length);
        h.AppendData(len);
        foreach ((long offset, int count) in Blocks(data.Length))
        {
            h.AppendData(data.Slice((int)offset, count));
        }

        return h.GetHashAndReset();
    }

    /// <summary>The sampled content hash of the first <paramref name="length"/> bytes of an open file.</summary>
    public static byte[] SampleHash(SafeFileHandle file, long length)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buf = new byte[Math.Min(length, SmallWhole)];
        BinaryPrimitives.WriteInt64LittleEndian(buf, length);
        h.AppendData(buf, 0, 8);
        foreach ((long offset, int count) in Blocks(length))
        {
            int done = 0;
            while (done < count)
            {
                int n = RandomAccess.Read(file, buf.AsSpan(done, count - done), offset + done);
                if (n == 0)
                {
                    throw new EndOfStreamException("the file shrank while it was read");
                }

                done += n;
            }

            h.AppendData(buf, 0, count);
        }

        return h.GetHashAndReset();
    }

    private static IEnumerable<(long Offset, int Count)> Blocks(long length)
    {
        if (length <= SmallWhole)
        {
            if (length > 0)
            {
                yield return (0, (int)length);
            }

            yield break;
        }

        yield return (0, EdgeBlock);
        long span = length - 2 * EdgeBlock - MiddleBlock;
        for (int i = 0; i < MiddleBlocks; i++)
        {
            yield return (EdgeBlock + (span * i / (MiddleBlocks - 1)), MiddleBlock);
        }

        yield return (length - EdgeBlock, EdgeBlock);
    }

    /// <summary>Opens the index at <paramref name="path"/> when it exists, is intact and describes <paramref name="source"/>
    /// as it is now; null otherwise (missing, stale or corrupt: the caller rebuilds it).</summary>
    public static Data? TryOpen(string path, SourceStamp source)
    {
        MappedFile? map = null;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            map = MappedFile.Open(path);
            Data? data = map is null ? null : Parse(map, source, Path.GetDirectoryName(path)!);
            if (data is null)
            {
                map?.Dispose();
            }

            return data;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentException or OverflowException or IndexOutOfRangeException)
        {
            map?.Dispose();
            return null;
        }
    }

    private static Data? Parse(MappedFile map, SourceStamp source, string dir)
    {
        ReadOnlySpan<byte> all = map.GetSpan();
        var r = new Reader(all);
        if (!r.Bytes(Magic.Length).SequenceEqual(Magic) || r.Int32() != FormatVersion)
        {
            return null;
        }

        // The cheap checks first: a stale index is not hashed.
        if (r.String() != source.FullPath || r.Int64() != source.Length || r.Int64() != source.LastWriteTicks)
        {
            return null;
        }

        ReadOnlySpan<byte> sample = r.Bytes(HashLength);
        if (all.Length < HashLength || !SHA256.HashData(all[..^HashLength]).AsSpan().SequenceEqual(all[^HashLength..]))
        {
            return null;
        }

        if (!sample.SequenceEqual(source.Sample))
        {
            return null;
        }

        string? copyPath = null;
        long copyLength = 0;
        byte[]? copySample = null;
        if (r.Byte() != 0)
        {
            string name = r.String() ?? throw new FormatException("no copy name");
            copyPath = Path.Combine(dir, Path.GetFileName(name));
            copyLength = r.Int64();
            copySample = r.Bytes(HashLength).ToArray();
        }

        string? subdir = r.String();
        string? baseUrl = r.String();
        bool hasVersion = r.Byte() != 0;
        int version = r.Int32();
        var removed = new string[r.Count()];
        for (int i = 0; i < removed.Length; i++)
        {
            removed[i] = r.String() ?? throw new FormatException("null in removed");
        }

        int nameCount = r.Count();
        int unitCount = r.Count();
        long jsonLength = r.Int64();
        var names = new string[nameCount];
        for (int i = 0; i < nameCount; i++)
        {
            names[i] = r.String() ?? throw new FormatException("null name");
        }

        r.Align(4);
        var first = MemoryMarshal.Cast<byte, int>(r.Bytes(checked((nameCount + 1) * 4))).ToArray();
        int unitsOffset = r.Position;
        r.Bytes(checked(unitCount * 16));
        if (r.Position != all.Length - HashLength || first[0] != 0 || first[nameCount] != unitCount)
        {
            return null;
        }

        for (int i = 0; i < nameCount; i++)
        {
            if (first[i + 1] < first[i])
            {
                return null;
            }
        }

        return new Data
        {
            Map = map,
            CopyPath = copyPath,
            CopyLength = copyLength,
            CopySample = copySample,
            Subdir = subdir,
            BaseUrl = baseUrl,
            RepoDataVersion = hasVersion ? version : null,
            Removed = removed,
            Names = names,
            First = first,
            UnitsOffset = unitsOffset,
            UnitCount = unitCount,
            JsonLength = jsonLength,
        };
    }

    /// <summary>Unit <paramref name="i"/> of an index file's unit table.</summary>
    public static RepoDataUnit ReadUnit(ReadOnlySpan<byte> index, int unitsOffset, int i)
    {
        ReadOnlySpan<int> u = MemoryMarshal.Cast<byte, int>(index.Slice(unitsOffset + (i * 16), 16));
        return new RepoDataUnit
        {
            KeyStart = u[0],
            KeyLength = u[1] & int.MaxValue,
            KeyEscaped = u[1] < 0,
            ValueStart = u[2],
            ValueLength = u[3],
            NameStart = -1,
            IsRecord = true,
        };
    }

    /// <summary>Writes the index (and, for a compressed source, the decoded JSON <paramref name="copy"/>) to the first of
    /// <paramref name="paths"/> that takes it, each file atomically (a temporary file renamed over the target). Never
    /// throws for an unwritable place; returns the index path written, or null.</summary>
    public static string? TryWrite(IReadOnlyList<string> paths, SourceStamp source, in Content content, ReadOnlySpan<byte> copy, bool hasCopy)
    {
        byte[]? body = null;
        foreach (string path in paths)
        {
            string? dir = Path.GetDirectoryName(path);
            if (dir is null)
            {
                continue;
            }

            string? tempIndex = null, tempCopy = null;
            try
            {
                Directory.CreateDirectory(dir);
                if (IsReadOnlyFolder(dir))
                {
                    continue;
                }

                string copyPath = Path.ChangeExtension(path, ".etjson");
                if (hasCopy)
                {
                    tempCopy = TempName(copyPath);
                    using (var fs = new FileStream(tempCopy, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                    {
                        fs.Write(copy);
                    }

                    EnvTools.IO.AtomicFiles.MoveOver(tempCopy, copyPath);
                    tempCopy = null;
                }

                body ??= Serialize(source, content, hasCopy ? Path.GetFileName(copyPath) : null, copy, hasCopy);
                tempIndex = TempName(path);
                File.WriteAllBytes(tempIndex, body);
                EnvTools.IO.AtomicFiles.MoveOver(tempIndex, path);
                tempIndex = null;
                return path;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                TryDelete(tempCopy);
                TryDelete(tempIndex);
            }
        }

        return null;
    }

    /// <summary>A folder that has no write permission at all is treated as read-only, even for a user (root) who could
    /// write to it anyway: EnvTools does not write into folders made read-only.</summary>
    private static bool IsReadOnlyFolder(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        const UnixFileMode anyWrite = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        return (File.GetUnixFileMode(dir) & anyWrite) == 0;
    }

    private static string TempName(string path) => $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";

    private static void TryDelete(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // left behind: harmless (a unique name)
        }
    }

    private static byte[] Serialize(SourceStamp source, in Content c, string? copyName, ReadOnlySpan<byte> copy, bool hasCopy)
    {
        var w = new Writer(checked(1024 + (c.Names.Length * 24) + (c.First.Length * 4) + (c.Units.Length * 16)));
        w.Bytes(Magic);
        w.Int32(FormatVersion);
        w.String(source.FullPath);
        w.Int64(source.Length);
        w.Int64(source.LastWriteTicks);
        w.Bytes(source.Sample);
        w.Byte(hasCopy ? (byte)1 : (byte)0);
        if (hasCopy)
        {
            w.String(copyName);
            w.Int64(copy.Length);
            w.Bytes(SampleHash(copy));
        }

        w.String(c.Subdir);
        w.String(c.BaseUrl);
        w.Byte(c.RepoDataVersion.HasValue ? (byte)1 : (byte)0);
        w.Int32(c.RepoDataVersion ?? 0);
        w.Int32(c.Removed.Count);
        foreach (string s in c.Removed)
        {
            w.String(s);
        }

        w.Int32(c.Names.Length);
        w.Int32(c.Units.Length);
        w.Int64(c.JsonLength);
        foreach (string s in c.Names)
        {
            w.String(s);
        }

        w.Align(4);
        w.Bytes(MemoryMarshal.AsBytes(c.First.AsSpan()));
        Span<int> u = stackalloc int[4];
        foreach (RepoDataUnit unit in c.Units)
        {
            u[0] = unit.KeyStart;
            u[1] = unit.KeyLength | (unit.KeyEscaped ? int.MinValue : 0);
            u[2] = unit.ValueStart;
            u[3] = unit.ValueLength;
            w.Bytes(MemoryMarshal.AsBytes(u));
        }

        w.Bytes(SHA256.HashData(w.Written));
        return w.Written.ToArray();
    }

    private sealed class Writer(int capacity)
    {
        private byte[] _buf = new byte[capacity];
        private int _pos;

        public ReadOnlySpan<byte> Written => _buf.AsSpan(0, _pos);

        public void Bytes(ReadOnlySpan<byte> b)
        {
            if (_pos + b.Length > _buf.Length)
            {
                Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _pos + b.Length));
            }

            b.CopyTo(_buf.AsSpan(_pos));
            _pos += b.Length;
        }

        public void Byte(byte b) => Bytes([b]);

        public void Int32(int v)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, v);
            Bytes(b);
        }

        public void Int64(long v)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, v);
            Bytes(b);
        }

        public void String(string? s)
        {
            if (s is null)
            {
                Int32(-1);
                return;
            }

            byte[] b = Encoding.UTF8.GetBytes(s);
            Int32(b.Length);
            Bytes(b);
        }

        public void Align(int n)
        {
            while (_pos % n != 0)
            {
                Byte(0);
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public ReadOnlySpan<byte> Bytes(int n)
        {
            ReadOnlySpan<byte> b = _data.Slice(Position, n);   // throws ArgumentOutOfRangeException when truncated
            Position += n;
            return b;
        }

        public byte Byte() => Bytes(1)[0];

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));

        public int Count()
        {
            int n = Int32();
            return n >= 0 ? n : throw new FormatException("negative count");
        }

        public string? String()
        {
            int n = Int32();
            return n == -1 ? null : n < 0 ? throw new FormatException("bad string length") : Encoding.UTF8.GetString(Bytes(n));
        }

        public void Align(int n) => Position += (n - (Position % n)) % n;
    }
}
