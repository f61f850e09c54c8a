using System.IO.Compression;
using SharpCompress.Compressors.BZip2;
using ZstdSharp;

namespace EnvTools.Packages;

/// <summary>
/// Extracts conda package archives (<c>.tar.bz2</c>, <c>.conda</c>; plain <c>.tar</c> too) safely and
/// reads their metadata.
/// </summary>
public static partial class PackageArchive
{
    /// <summary>
    /// Extracts <paramref name="archivePath"/> into <paramref name="targetDirectory"/> (conda's cache layout:
    /// <c>info/…</c> next to the package files). The archive is written into a temporary sibling folder and
    /// renamed into place only when every entry was accepted; an existing target is replaced. Unix file modes
    /// and symlinks are kept. A symlink entry with an empty target (which no file system can hold) becomes an
    /// empty regular file, as in the <c>.tar.bz2</c> twin of conda's test zlib <c>.conda</c>.
    /// </summary>
    /// <exception cref="UnsafeArchiveException">An entry would leave the target or is a device/fifo.</exception>
    /// <exception cref="CorruptArchiveException">The archive is truncated or cannot be decoded.</exception>
    public static void Extract(string archivePath, string targetDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        string target = Path.GetFullPath(targetDirectory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        string parent = Path.GetDirectoryName(target) ?? throw new ArgumentException("The target has no parent folder.", nameof(targetDirectory));
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, "." + Path.GetFileName(target) + ".partial-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(temp);
        try
        {
            ExtractInto(archivePath, temp, cancellationToken);
            ValidateExtracted(archivePath, temp);
            if (Directory.Exists(target) || File.Exists(target))
            {
                DeletePath(target);
            }

            Directory.Move(temp, target);
        }
        catch
        {
            try
            {
                DeletePath(temp);
            }
            catch (IOException)
            {
                // best effort: the partial folder is hidden and named as such
            }
            catch (UnauthorizedAccessException)
            {
            }

            throw;
        }
    }

    /// <summary>
    /// Reads one file of an archive without extracting it: <paramref name="member"/> is its path in the package
    /// (e.g. <c>info/index.json</c>); in a <c>.conda</c> the <c>info/</c> files are looked for in <c>info-*.tar.zst</c>
    /// and the others in <c>pkg-*.tar.zst</c>. Returns null when the archive holds no such regular file.
    /// </summary>
    /// <exception cref="CorruptArchiveException">The archive is truncated or cannot be decoded.</exception>
    public static byte[]? ReadMember(string archivePath, string member, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        ArgumentException.ThrowIfNullOrEmpty(member);
        var reader = new TarExtractor(archivePath, string.Empty, cancellationToken);
        string lower = archivePath.ToLowerInvariant();
        using var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (!lower.EndsWith(".conda", StringComparison.Ordinal))
        {
            using Stream tar = lower.EndsWith(".tar", StringComparison.Ordinal) ? file : OpenBz2(archivePath, file);
            return reader.ReadMember(tar, member);
        }

        using (ZipArchive zip = OpenZip(archivePath, file))
        {
            string prefix = member.StartsWith("info/", StringComparison.Ordinal) ? "info-" : "pkg-";
            foreach (var entry in zip.Entries)
            {
                if (!entry.Name.StartsWith(prefix, StringComparison.Ordinal) || !entry.Name.EndsWith(".tar.zst", StringComparison.Ordinal))
                {
                    continue;
                }

                try
                {
                    using Stream zst = OpenZstd(entry.Open());
                    return reader.ReadMember(zst, member);
                }
                catch (InvalidDataException ex)
                {
                    throw new CorruptArchiveException(archivePath, $"{entry.Name}: {ex.Message}", ex);
                }
            }
        }

        return null;
    }

    /// <summary>The decompressed length of an archive's tar streams (all members of a <c>.conda</c>): decoding alone, for profiling.</summary>
    internal static long DecompressedLength(string archivePath)
    {
        using var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long total = 0;
        if (!archivePath.EndsWith(".conda", StringComparison.OrdinalIgnoreCase))
        {
            using Stream s = archivePath.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) ? file : OpenBz2(archivePath, file);
            return Drain(s);
        }

        using ZipArchive zip = OpenZip(archivePath, file);
        foreach (var entry in zip.Entries.Where(e => e.Name.EndsWith(".tar.zst", StringComparison.Ordinal)))
        {
            using Stream zst = OpenZstd(entry.Open());
            total += Drain(zst);
        }

        return total;

        static long Drain(Stream s)
        {
            byte[] buf = new byte[1 << 17];
            long n = 0;
            int got;
            while ((got = s.Read(buf, 0, buf.Length)) > 0) n += got;
            return n;
        }
    }

    /// <summary>The zstd decoder of a <c>.conda</c> member (disposing it disposes <paramref name="raw"/>): the native
    /// libzstd where it loads, ZstdSharp otherwise (see <see cref="NativeZstd"/>).</summary>
    internal static Stream OpenZstd(Stream raw) =>
        NativeZstd.IsAvailable ? new NativeZstdStream(raw) : new DecompressionStream(raw, leaveOpen: false);

    private static ZipArchive OpenZip(string archivePath, Stream file)
    {
        try
        {
            return new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            throw new CorruptArchiveException(archivePath, ex.Message, ex);
        }
    }

    /// <summary>Large members are decompressed on a worker thread, ahead of the files being written.</summary>
    private static Stream ReadAhead(Stream decompressing, long compressedLength) =>
        compressedLength >= ReadAheadThreshold ? new ReadAheadStream(decompressing) : decompressing;

    private const long ReadAheadThreshold = 1 << 20;

    /// <summary>From this compressed size on, a <c>.tar.bz2</c> is decoded a block per thread (one bzip2 block is up to 900 kB of tar).</summary>
    private const long ParallelBzip2Threshold = 128 << 10;

    /// <summary>The bzip2 decoder for a file: native and block-parallel, native, or managed (see <see cref="NativeBzip2"/>).</summary>
    internal static Stream OpenBz2(string archivePath, Stream file)
    {
        try
        {
            if (NativeBzip2.IsAvailable)
            {
                return file is FileStream fs && fs.Length >= ParallelBzip2Threshold && Environment.ProcessorCount > 1 && !NativeBzip2.SequentialOnly
                    ? new ParallelBzip2Stream(fs)
                    : new NativeBzip2Stream(file, leaveOpen: true);
            }

            return BZip2Stream.Create(file, SharpCompress.Compressors.CompressionMode.Decompress, true, true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new CorruptArchiveException(archivePath, ex.Message, ex);
        }
    }

    /// <summary>The metadata checks of <see cref="PackageArchive.ValidateExtracted(string, string, bool)"/>, with errors naming the archive (not the temporary folder).</summary>
    private static void ValidateExtracted(string archivePath, string root)
    {
        try
        {
            ValidateExtracted(root, archivePath, windowsTarget: false);
        }
        catch (UnsafeArchiveException ex) when (ex.Archive != archivePath)
        {
            throw new UnsafeArchiveException(archivePath, ex.Entry, ex.Reason);
        }
        catch (MalformedDataException ex) when (ex.Source.StartsWith(root, StringComparison.Ordinal))
        {
            string file = Path.GetRelativePath(root, ex.Source).Replace('\\', '/');
            throw new MalformedDataException(ex.ErrorId, $"{archivePath} ({file})", ex.Message[(ex.Source.Length + 2)..], ex);
        }
    }

    private static void ExtractInto(string archivePath, string root, CancellationToken ct)
    {
        string lower = archivePath.ToLowerInvariant();
        using var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var budget = new ExpansionBudget(archivePath, file.Length);
        if (lower.EndsWith(".conda", StringComparison.Ordinal))
        {
            ExtractConda(archivePath, file, root, budget, ct);
        }
        else if (lower.EndsWith(".tar", StringComparison.Ordinal))
        {
            new TarExtractor(archivePath, root, ct, budget).Extract(file);
        }
        else
        {
            Stream decoder = OpenBz2(archivePath, file);
            using (Stream bz = decoder is ParallelBzip2Stream ? decoder : ReadAhead(decoder, file.Length))
            {
                new TarExtractor(archivePath, root, ct, budget).Extract(bz);
            }
        }
    }

    private static void ExtractConda(string archivePath, FileStream file, string root, ExpansionBudget budget, CancellationToken ct)
    {
        using (ZipArchive zip = OpenZip(archivePath, file))
        {
            var extractor = new TarExtractor(archivePath, root, ct, budget);
            bool sawPkg = false, sawInfo = false;
            // The info member first, whatever the zip's order: its paths.json bounds the payload before any of it is written.
            foreach (var entry in zip.Entries.OrderBy(e => e.Name.StartsWith("info-", StringComparison.Ordinal) ? 0 : 1))
            {
                // By file name, as rattler does: some real archives nest the members in folders. The name is
                // only used to choose the member; nothing is written by it.
                string n = entry.Name;
                bool pkg = n.StartsWith("pkg-", StringComparison.Ordinal) && n.EndsWith(".tar.zst", StringComparison.Ordinal);
                bool info = n.StartsWith("info-", StringComparison.Ordinal) && n.EndsWith(".tar.zst", StringComparison.Ordinal);
                if (!pkg && !info)
                {
                    continue; // metadata.json and anything else stays out of the package folder
                }

                sawPkg |= pkg;
                sawInfo |= info;
                Stream raw;
                try
                {
                    raw = entry.Open();
                }
                catch (InvalidDataException ex)
                {
                    throw new CorruptArchiveException(archivePath, $"{n}: {ex.Message}", ex);
                }

                using (raw)
                using (Stream zst = ReadAhead(OpenZstd(raw), entry.Length))
                {
                    extractor.Extract(zst);
                }
            }

            if (!sawInfo)
            {
                // A package without files (no pkg-*.tar.zst) is accepted, as rattler does; one without info is not.
                throw new CorruptArchiveException(archivePath, sawPkg ? "the .conda archive holds no info-*.tar.zst" : "the .conda archive holds neither info-*.tar.zst nor pkg-*.tar.zst");
            }
        }
    }

    private static void DeletePath(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || File.Exists(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
