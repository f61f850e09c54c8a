using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using EnvTools.Conda;
using SharpCompress.Compressors.BZip2;
using ZstdSharp;
using EnvTools.IO;

namespace EnvTools.Packages;

/// <summary>
/// Builds real conda packages from a folder of files and a <see cref="PackageDefinition"/>, as conda-build lays
/// them out: <c>info/index.json</c>, <c>info/paths.json</c> (sha256, size, <c>path_type</c>, <c>prefix_placeholder</c>
/// and <c>file_mode</c> where the placeholder occurs), <c>info/files</c>, <c>info/has_prefix</c>, optional
/// <c>info/link.json</c>, packed as <c>.conda</c> and/or <c>.tar.bz2</c>. Symlinks in the folder become
/// <c>softlink</c> entries (their target kept as written; it must be relative), empty folders <c>directory</c>
/// entries. Used by tests, benchmarks and the demo to make packages without conda-build.
/// </summary>
/// <example>
/// <code>
/// $def = [EnvTools.Packages.PackageDefinition]@{ Name = 'hello'; Version = '1.0'; Subdir = 'linux-64' }
/// [EnvTools.Packages.PackageBuilder]::Build('./files', $def, './channel/linux-64', 'Both')
/// [EnvTools.Packages.ChannelIndexer]::Index('./channel')
/// </code>
/// </example>
public static class PackageBuilder
{
    private static readonly SearchValues<char> SlashOrSpace = SearchValues.Create("/\\ ");

    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Builds the package of <paramref name="definition"/> from the files below <paramref name="sourceDirectory"/>
    /// (which must not hold an <c>info</c> folder; use <see cref="PackageDefinition.InfoFiles"/>) into
    /// <paramref name="outputDirectory"/>, in the given formats (<c>.conda</c> first). An existing archive of the same
    /// name is replaced; each is written to a temporary name and renamed when complete.
    /// </summary>
    /// <exception cref="ArgumentException">The definition lacks a name, version or subdir, or the folder holds an
    /// <c>info</c> folder or a symlink with an absolute target.</exception>
    public static IReadOnlyList<BuiltPackage> Build(string sourceDirectory, PackageDefinition definition, string outputDirectory,
        PackageFormats formats = PackageFormats.Conda)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceDirectory);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        Validate(definition);
        if (!Directory.Exists(sourceDirectory))
        {
            throw new ArgumentException($"The folder '{sourceDirectory}' does not exist.", nameof(sourceDirectory));
        }

        if ((formats & PackageFormats.Both) == 0)
        {
            throw new ArgumentException("No archive format was asked for.", nameof(formats));
        }

        long timestamp = definition.Timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        List<SourceEntry> entries = Scan(Path.GetFullPath(sourceDirectory), definition);
        List<(string Name, byte[] Content)> info = InfoFiles(definition, entries, timestamp);
        Directory.CreateDirectory(outputDirectory);

        var built = new List<BuiltPackage>(2);
        foreach (PackageFormats f in new[] { PackageFormats.Conda, PackageFormats.TarBz2 })
        {
            if ((formats & f) == 0) continue;
            string fn = definition.Stem + (f == PackageFormats.Conda ? ".conda" : ".tar.bz2");
            string path = Path.GetFullPath(Path.Combine(outputDirectory, fn));
            string temp = path + $".{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
            try
            {
                using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    if (f == PackageFormats.Conda)
                    {
                        WriteConda(fs, definition, entries, info, timestamp / 1000);
                    }
                    else
                    {
                        WriteTarBz2(fs, entries, info, timestamp / 1000);
                    }
                }

                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }

            FileDigest d = Checksums.OfFile(path);
            built.Add(new BuiltPackage(path, fn, d.Size, d.Md5, d.Sha256));
        }

        return built;
    }

    private static void Validate(PackageDefinition d)
    {
        if (string.IsNullOrWhiteSpace(d.Name) || string.IsNullOrWhiteSpace(d.Version))
        {
            throw new ArgumentException("A package needs a Name and a Version.", nameof(d));
        }

        if (d.EffectiveSubdir.Length == 0)
        {
            throw new ArgumentException($"Package '{d.Name}' needs a Subdir (or Noarch).", nameof(d));
        }

        if (d.Noarch is not null and not "python" and not "generic")
        {
            throw new ArgumentException($"Noarch must be 'python' or 'generic', not '{d.Noarch}'.", nameof(d));
        }

        foreach (string s in new[] { d.Name, d.Version, d.EffectiveBuild })
        {
            if (s.AsSpan().IndexOfAny(SlashOrSpace) >= 0)
            {
                throw new ArgumentException($"'{s}' cannot be part of a package file name.", nameof(d));
            }
        }
    }

    /// <summary>One path of the package folder, described as paths.json will describe it.</summary>
    private sealed record SourceEntry(string Path, string FullPath, PathType Type, string? LinkTarget, long Size, string? Sha256,
        int Mode, PrefixFileMode? FileMode);

    private static List<SourceEntry> Scan(string root, PackageDefinition d)
    {
        byte[]? placeholder = string.IsNullOrEmpty(d.PrefixPlaceholder) ? null : Encoding.UTF8.GetBytes(d.PrefixPlaceholder);
        var result = new List<SourceEntry>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            bool any = false;
            foreach (string full in Directory.EnumerateFileSystemEntries(dir))
            {
                any = true;
                string rel = Path.GetRelativePath(root, full).Replace('\\', '/');
                if (rel == "info" || rel.StartsWith("info/", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"The package folder '{root}' holds an 'info' folder; give info files through PackageDefinition.InfoFiles.");
                }

                var fi = new FileInfo(full);
                if (fi.LinkTarget is { } target)
                {
                    string t = target.Replace('\\', '/');
                    if (t.StartsWith('/') || Path.IsPathRooted(target))
                    {
                        throw new ArgumentException($"The symlink '{rel}' points to the absolute path '{target}'; package symlinks must be relative.");
                    }

                    // conda-build records the target file's hash and size for a link to a file of the package
                    string resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, target));
                    string? sha = null;
                    long size = 0;
                    if (File.Exists(resolved) && IsBelow(resolved, root))
                    {
                        FileDigest digest = Checksums.OfFile(resolved);
                        (sha, size) = (digest.Sha256, digest.Size);
                    }

                    result.Add(new SourceEntry(rel, full, PathType.SoftLink, t, size, sha, 0x1FF, null));
                }
                else if (Directory.Exists(full))
                {
                    pending.Push(full);
                }
                else
                {
                    (string sha, long size, bool hasPlaceholder, bool binary) = HashAndScan(full, placeholder);
                    int mode = OperatingSystem.IsWindows() ? 0x1A4 : (int)File.GetUnixFileMode(full);
                    result.Add(new SourceEntry(rel, full, PathType.HardLink, null, size, sha, mode,
                        hasPlaceholder ? (binary ? PrefixFileMode.Binary : PrefixFileMode.Text) : null));
                }
            }

            if (!any && dir != root)
            {
                result.Add(new SourceEntry(Path.GetRelativePath(root, dir).Replace('\\', '/'), dir, PathType.Directory, null, 0, null,
                    OperatingSystem.IsWindows() ? 0x1ED : (int)File.GetUnixFileMode(dir), null));
            }
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return result;
    }

    private static bool IsBelow(string path, string root) =>
        path.StartsWith(root.TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>sha256 and size of a file, whether it holds <paramref name="placeholder"/>, and whether it holds a NUL byte.</summary>
    private static (string Sha256, long Size, bool HasPlaceholder, bool Binary) HashAndScan(string path, byte[]? placeholder)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        int keep = placeholder is null ? 0 : placeholder.Length - 1;
        byte[] buf = ArrayPool<byte>.Shared.Rent((1 << 17) + keep);
        try
        {
            bool found = false, binary = false;
            long size = 0;
            int carry = 0; // bytes of the previous chunk kept at the start of buf so that a match across chunks is seen
            int n;
            while ((n = fs.Read(buf, carry, buf.Length - carry)) > 0)
            {
                sha.AppendData(buf, carry, n);
                size += n;
                var chunk = buf.AsSpan(0, carry + n);
                binary |= buf.AsSpan(carry, n).IndexOf((byte)0) >= 0;
                if (placeholder is not null && !found)
                {
                    found = chunk.IndexOf(placeholder) >= 0;
                    carry = Math.Min(keep, chunk.Length);
                    chunk[^carry..].CopyTo(buf);
                }
            }

            return (Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant(), size, found, binary);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    private static List<(string Name, byte[] Content)> InfoFiles(PackageDefinition d, List<SourceEntry> entries, long timestamp)
    {
        var files = new List<(string, byte[])>
        {
            ("info/index.json", IndexJson(d, timestamp)),
            ("info/paths.json", PathsJson(d, entries)),
            ("info/files", Encoding.UTF8.GetBytes(string.Concat(entries.Where(e => e.Type != PathType.Directory).Select(e => e.Path + "\n")))),
        };
        string placeholder = d.PrefixPlaceholder ?? string.Empty;
        var withPrefix = entries.Where(e => e.FileMode is not null).ToList();
        if (withPrefix.Count > 0)
        {
            files.Add(("info/has_prefix", Encoding.UTF8.GetBytes(string.Concat(withPrefix.Select(e =>
                $"{placeholder} {(e.FileMode == PrefixFileMode.Binary ? "binary" : "text")} {e.Path}\n")))));
        }

        if (d.LinkJson is { } link)
        {
            files.Add(("info/link.json", Encoding.UTF8.GetBytes(link)));
        }
        else if (d.EntryPoints.Count > 0 || d.Noarch == "python")
        {
            files.Add(("info/link.json", Json(w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("noarch");
                w.WritePropertyName("entry_points");
                WriteArray(w, d.EntryPoints);
                w.WriteString("type", d.Noarch ?? "python");
                w.WriteEndObject();
                w.WriteNumber("package_metadata_version", 1);
                w.WriteEndObject();
            })));
        }

        foreach (KeyValuePair<string, string> extra in d.InfoFiles.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            string rel = extra.Key.Replace('\\', '/').TrimStart('/');
            if (rel.Split('/').Any(c => c is "" or "." or ".."))
            {
                throw new ArgumentException($"'{extra.Key}' is not a relative path below info/.", nameof(d));
            }

            string name = "info/" + rel;
            files.RemoveAll(f => f.Item1 == name);
            files.Add((name, Encoding.UTF8.GetBytes(extra.Value)));
        }

        return files;
    }

    private static byte[] IndexJson(PackageDefinition d, long timestamp)
    {
        _ = Platform.TryParse(d.EffectiveSubdir, out Platform platform); // an unknown subdir writes no arch or platform
        return Json(w =>
        {
            // conda-build writes the keys sorted
            w.WriteStartObject();
            if (d.Noarch is null && platform.Arch is { } arch) w.WriteString("arch", arch);
            w.WriteString("build", d.EffectiveBuild);
            w.WriteNumber("build_number", d.BuildNumber);
            if (d.Constrains.Count > 0)
            {
                w.WritePropertyName("constrains");
                WriteArray(w, d.Constrains);
            }

            w.WritePropertyName("depends");
            WriteArray(w, d.Depends);
            if (d.License is { } license) w.WriteString("license", license);
            w.WriteString("name", d.Name);
            if (d.Noarch is { } noarch) w.WriteString("noarch", noarch);
            if (d.Noarch is null && platform.Os is { } os) w.WriteString("platform", os);
            w.WriteString("subdir", d.EffectiveSubdir);
            w.WriteNumber("timestamp", timestamp);
            if (d.TrackFeatures.Count > 0) w.WriteString("track_features", string.Join(' ', d.TrackFeatures));
            w.WriteString("version", d.Version);
            w.WriteEndObject();
        });
    }

    private static byte[] PathsJson(PackageDefinition d, List<SourceEntry> entries)
    {
        var noLink = new HashSet<string>(d.NoLink.Select(p => p.Replace('\\', '/')), StringComparer.Ordinal);
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("paths");
            foreach (SourceEntry e in entries)
            {
                w.WriteStartObject();
                w.WriteString("_path", e.Path);
                if (e.FileMode is { } mode) w.WriteString("file_mode", mode == PrefixFileMode.Binary ? "binary" : "text");
                if (noLink.Contains(e.Path)) w.WriteBoolean("no_link", true);
                w.WriteString("path_type", e.Type switch { PathType.SoftLink => "softlink", PathType.Directory => "directory", _ => "hardlink" });
                if (e.FileMode is not null) w.WriteString("prefix_placeholder", d.PrefixPlaceholder);
                if (e.Sha256 is { } sha) w.WriteString("sha256", sha);
                if (e.Type != PathType.Directory) w.WriteNumber("size_in_bytes", e.Size);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("paths_version", 1);
            w.WriteEndObject();
        });
    }

    private static void WriteArray(Utf8JsonWriter w, IEnumerable<string> items)
    {
        w.WriteStartArray();
        foreach (string s in items) w.WriteStringValue(s);
        w.WriteEndArray();
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Indented))
        {
            write(w);
        }

        return ms.ToArray();
    }

    private static void WriteTarBz2(Stream output, List<SourceEntry> entries, List<(string Name, byte[] Content)> info, long mtime)
    {
        using var bz = BZip2Stream.Create(output, SharpCompress.Compressors.CompressionMode.Compress, false, true);
        using var buffered = new BufferedStream(bz, 1 << 16);
        var tar = new TarWriter(buffered, mtime);
        WriteInfo(tar, info);
        WritePayload(tar, entries);
        tar.Finish();
    }

    private static void WriteConda(Stream output, PackageDefinition d, List<SourceEntry> entries, List<(string Name, byte[] Content)> info, long mtime)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        using (Stream meta = Entry(zip, "metadata.json", mtime).Open())
        {
            meta.Write("{\"conda_pkg_format_version\": 2}"u8);
        }

        // pkg first and info last, as conda-package-handling writes them
        WriteZstMember(zip, $"pkg-{d.Stem}.tar.zst", d.ZstdLevel, tar => WritePayload(tar, entries), mtime);
        WriteZstMember(zip, $"info-{d.Stem}.tar.zst", d.ZstdLevel, tar => WriteInfo(tar, info), mtime);
    }

    /// <summary>
    /// A stored zip member dated by the build timestamp (not the clock), so that the same definition and files give the
    /// same bytes; zip's DOS dates cover 1980 to 2107, outside that the entry keeps the default date.
    /// </summary>
    private static ZipArchiveEntry Entry(ZipArchive zip, string name, long mtime)
    {
        ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        DateTimeOffset when = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(mtime, 0, 253402300799));
        if (when.Year is >= 1980 and <= 2107)
        {
            entry.LastWriteTime = when;
        }

        return entry;
    }

    private static void WriteZstMember(ZipArchive zip, string name, int level, Action<TarWriter> write, long mtime)
    {
        using Stream entry = Entry(zip, name, mtime).Open();
        using var zst = new CompressionStream(entry, Math.Clamp(level, 1, 22), 1 << 17, leaveOpen: true);
        var tar = new TarWriter(zst, mtime);
        write(tar);
        tar.Finish();
    }

    private static void WriteInfo(TarWriter tar, List<(string Name, byte[] Content)> info)
    {
        foreach ((string name, byte[] content) in info)
        {
            tar.AddFile(name, content, 0x1A4);
        }
    }

    private static void WritePayload(TarWriter tar, List<SourceEntry> entries)
    {
        foreach (SourceEntry e in entries)
        {
            switch (e.Type)
            {
                case PathType.SoftLink:
                    tar.AddSymlink(e.Path, e.LinkTarget!);
                    break;
                case PathType.Directory:
                    tar.AddDirectory(e.Path, e.Mode);
                    break;
                default:
                    using (var fs = new FileStream(e.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
                    {
                        tar.AddFile(e.Path, fs, e.Size, e.Mode);
                    }

                    break;
            }
        }
    }
}
