using System.Text;

namespace EnvTools.Packages;

/// <summary>
/// Reads a tar stream (ustar, GNU long names, pax) and writes it below a root folder (which must be new and empty), refusing every
/// entry that could leave the root. Symlinks met earlier in the same extraction are tracked so that a
/// path or a link target going through one (<c>cur -&gt; .</c>, <c>cur/par -&gt; ..</c>) is resolved as
/// the file system would, and parents are written through their resolved (real) paths.
/// </summary>
internal sealed class TarExtractor
{
    private const int Block = 512;
    private const int MaxLinkDepth = 40;

    private readonly string _archive;
    private readonly string _root;
    private readonly CancellationToken _ct;
    private readonly ExpansionBudget? _budget;
    // Resolved archive-relative location ("a/b") -> link target as stored.
    // Case-insensitive where the file system usually is, so that "A/x" cannot slip past a link named "a".
    private readonly Dictionary<string, string> _links = new(PathComparer);

    // The root is a fresh, empty folder: a path this extraction has not written does not exist, so neither a check nor a
    // removal is needed before writing it, and a folder it has created need not be created again (fewer syscalls per file).
    private readonly HashSet<string> _written = new(PathComparer);
    private readonly HashSet<string> _createdDirs = new(PathComparer);
    private byte[]? _copyBuffer;

    // Regular files up to this size are read into memory and created on the writer threads.
    private const int PooledFileLimit = 1 << 20;
    private readonly FileWriterPool.Batch _files = new();

    private static StringComparer PathComparer =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    public TarExtractor(string archive, string root, CancellationToken ct, ExpansionBudget? budget = null)
    {
        _archive = archive;
        _root = root;
        _ct = ct;
        _budget = budget;
    }

    /// <summary>Writes the entries of <paramref name="input"/>; small files are created on <see cref="FileWriterPool"/>'s
    /// threads, and all of them are written when this returns (or, when it throws, no longer being written).</summary>
    public void Extract(Stream input)
    {
        try
        {
            Walk(input, (type, name, link, size, mode) =>
            {
                HandleEntry(input, type, name, link, size, mode);
                return true;
            });
            VerifyLinks();
            _files.WaitAll();
        }
        catch
        {
            _files.WaitQuietly(); // nothing may still write into the folder that the caller removes
            throw;
        }
    }

    /// <summary>
    /// The content of the regular file <paramref name="member"/> (a path as stored, e.g. <c>info/index.json</c>;
    /// a leading <c>./</c> is ignored), or null when the archive has none. Stops reading at the member; writes nothing.
    /// </summary>
    public byte[]? ReadMember(Stream input, string member)
    {
        byte[]? found = null;
        Walk(input, (type, name, link, size, mode) =>
        {
            string normal = name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;
            if (type is '0' or '\0' or '7' && normal == member)
            {
                found = ReadData(input, size);
                return false;
            }

            Skip(input, size);
            return true;
        });
        return found;
    }

    /// <summary>Reads headers (long names, pax) and hands each entry to <paramref name="onEntry"/>, which must consume
    /// its data and returns false to stop.</summary>
    private void Walk(Stream input, Func<char, string, string, long, int, bool> onEntry)
    {
        var header = new byte[Block];
        string? longName = null, longLink = null;
        Dictionary<string, string>? pax = null;
        while (true)
        {
            _ct.ThrowIfCancellationRequested();
            int got = ReadFull(input, header, 0, Block);
            if (got == 0)
            {
                return; // EOF without end blocks: tolerated (many writers stop after the last entry)
            }

            if (got < Block)
            {
                throw Corrupt("truncated tar header");
            }

            if (IsZero(header))
            {
                return;
            }

            VerifyChecksum(header);
            char type = (char)header[156];
            long size = ParseNumber(header, 124, 12);
            if (size < 0)
            {
                throw Corrupt("negative entry size");
            }

            switch (type)
            {
                case 'L':
                    longName = TrimNul(Encoding.UTF8.GetString(ReadData(input, size)));
                    continue;
                case 'K':
                    longLink = TrimNul(Encoding.UTF8.GetString(ReadData(input, size)));
                    continue;
                case 'x':
                    pax = ParsePax(ReadData(input, size));
                    continue;
                case 'g':
                    Skip(input, size);
                    continue;
            }

            string name = longName ?? HeaderName(header);
            string link = longLink ?? CString(header, 157, 100);
            if (pax is not null)
            {
                if (pax.TryGetValue("path", out var p)) name = p;
                if (pax.TryGetValue("linkpath", out var lp)) link = lp;
                if (pax.TryGetValue("size", out var ps) && long.TryParse(ps, out var psz)) size = psz;
            }

            longName = longLink = null;
            pax = null;
            int mode = (int)ParseNumber(header, 100, 8);
            if (type is '\0' or '0' && name.EndsWith('/'))
            {
                type = '5'; // pre-POSIX tars mark directories by a trailing slash only
            }

            if (!onEntry(type, name, link, size, mode))
            {
                return;
            }
        }
    }

    private void HandleEntry(Stream input, char type, string name, string link, long size, int mode)
    {
        var parts = SplitSafe(name, name);
        if (parts.Count == 0)
        {
            if (type == '5')
            {
                Skip(input, size);
                return; // "./"
            }

            throw Unsafe(name, "has an empty path");
        }

        if (type is '3' or '4' or '6')
        {
            throw Unsafe(name, "is a device or fifo");
        }

        // Resolve the parent through links already extracted; the entry itself replaces what is there.
        var parent = Resolve(parts.Take(parts.Count - 1), name) ?? throw Unsafe(name, "is written through a link that leaves the extraction root");
        parent.Add(parts[^1]);
        string rel = string.Join('/', parent);
        string full = FullPath(rel);

        switch (type)
        {
            case '5':
                Skip(input, size);
                if (_written.Contains(rel))
                {
                    RemoveIfNotDirectory(full, rel);
                }

                CreateDirectory(full);
                _written.Add(rel);
                return;
            case '2':
            {
                Skip(input, size);
                if (link.Length == 0)
                {
                    // No file system can hold a link to "". conda's test zlib .conda carries two such entries,
                    // and its .tar.bz2 twin holds empty regular files at those paths: write the same.
                    EnsureParent(full);
                    RemoveExisting(full, rel);
                    _links.Remove(rel);
                    File.WriteAllBytes(full, Array.Empty<byte>());
                    SetMode(full, mode);
                    _written.Add(rel);
                    return;
                }

                if (IsAbsolute(link)) throw Unsafe(name, $"is a symlink to the absolute path '{link}'");
                var targetParts = new List<string>(parent.Take(parent.Count - 1));
                foreach (var c in link.Split('/'))
                {
                    targetParts.Add(c);
                }

                var resolvedTarget = Resolve(targetParts, name)
                    ?? throw Unsafe(name, $"is a symlink to '{link}', which leaves the extraction root");

                EnsureParent(full);
                RemoveExisting(full, rel);
                if (OperatingSystem.IsWindows() && Directory.Exists(FullPath(string.Join('/', resolvedTarget))))
                {
                    Directory.CreateSymbolicLink(full, link.Replace('/', '\\'));
                }
                else
                {
                    File.CreateSymbolicLink(full, EnvTools.IO.FileOps.LinkTargetText(link, OperatingSystem.IsWindows()));
                }

                _links[rel] = link;
                _written.Add(rel);
                return;
            }
            case '1':
            {
                Skip(input, size);
                _files.WaitAll(); // the source must be complete
                var tparts = SplitSafe(link, name);
                var resolved = Resolve(tparts, name) ?? throw Unsafe(name, $"is a hard link to '{link}', which leaves the extraction root");
                string src = FullPath(string.Join('/', resolved));
                if (resolved.Count == 0 || !File.Exists(src) || new FileInfo(src).LinkTarget is not null)
                {
                    throw Unsafe(name, $"is a hard link to '{link}', which is not a file extracted before it");
                }

                _budget?.Add(rel, new FileInfo(src).Length);
                EnsureParent(full);
                RemoveExisting(full, rel);
                File.Copy(src, full);
                _links.Remove(rel);
                _written.Add(rel);
                return;
            }
            case '0' or '\0' or '7':
            {
                _budget?.Add(rel, size); // before a byte of it is written
                EnsureParent(full);
                RemoveExisting(full, rel);
                _links.Remove(rel);
                if (_budget is not null && rel == "info/paths.json")
                {
                    WritePathsJson(input, full, rel, size, mode);
                }
                else if (size <= PooledFileLimit && FileWriterPool.Enabled)
                {
                    byte[] data = System.Buffers.ArrayPool<byte>.Shared.Rent((int)size);
                    try
                    {
                        if (ReadFull(input, data, 0, (int)size) < size) throw Corrupt("truncated entry data");
                        SkipPadding(input, size);
                    }
                    catch
                    {
                        System.Buffers.ArrayPool<byte>.Shared.Return(data);
                        throw;
                    }

                    _files.Write(full, data, (int)size, mode);
                }
                else
                {
                    using var fs = FileWriterPool.Create(full, mode, out bool modeSet);
                    CopyData(input, fs, size);
                    if (!modeSet)
                    {
                        FileWriterPool.SetMode(fs, mode);
                    }
                }

                _written.Add(rel);
                return;
            }
            default:
                throw Unsafe(name, $"has the unsupported tar entry type '{type}'");
        }
    }

    /// <summary>
    /// Each link was checked when it was written, against the links written before it; a link written later can change
    /// where an earlier one points (<c>l -&gt; a/b/../..</c>, then <c>a/b -&gt; .</c>). Checks every link again against
    /// the final set, so that no link in the extracted tree leaves the root.
    /// </summary>
    private void VerifyLinks()
    {
        foreach (var (rel, link) in _links)
        {
            var parts = new List<string>(rel.Split('/'));
            parts.RemoveAt(parts.Count - 1);
            parts.AddRange(link.Split('/'));
            if (IsAbsolute(link) || Resolve(parts, rel) is null)
            {
                throw Unsafe(rel, $"is a symlink to '{link}', which leaves the extraction root once the links written after it are followed");
            }
        }
    }

    /// <summary>Writes <c>info/paths.json</c> and hands its declared sizes to the budget, which from then on bounds the payload.</summary>
    private void WritePathsJson(Stream input, string full, string rel, long size, int mode)
    {
        if (size > int.MaxValue / 2)
        {
            throw new ArchiveTooLargeException(_archive, size, int.MaxValue / 2, "an info/paths.json this large is no package's");
        }

        byte[] data = new byte[size];
        if (ReadFull(input, data, 0, (int)size) < size) throw Corrupt("truncated entry data");
        SkipPadding(input, size);
        using (var fs = FileWriterPool.Create(full, mode, out bool modeSet))
        {
            fs.Write(data);
            if (!modeSet)
            {
                FileWriterPool.SetMode(fs, mode);
            }
        }

        _written.Add(rel);
        _budget!.Declare(PackageArchive.ParsePathsJsonBytes(data, _archive + " (info/paths.json)"));
    }

    private static void SetMode(string full, int mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(full, (UnixFileMode)(mode & 0x1FF));
        }
    }

    private List<string> SplitSafe(string name, string entry)
    {
        if (name.Contains('\0')) throw Unsafe(entry, "has a NUL in its path");
        if (IsAbsolute(name)) throw Unsafe(entry, "has an absolute path");
        var parts = new List<string>();
        foreach (var c in name.Split('/'))
        {
            if (c.Length == 0 || c == ".") continue;
            if (c == "..") throw Unsafe(entry, "has a '..' component");
            if (c.Contains('\\') && OperatingSystem.IsWindows()) throw Unsafe(entry, "has a backslash in its path");
            if (OperatingSystem.IsWindows() && PackagePathValidator.Problem(c, windowsTarget: true) is { } problem) throw Unsafe(entry, problem);
            parts.Add(c);
        }

        return parts;
    }

    private static bool IsAbsolute(string p) =>
        p.StartsWith('/') || p.StartsWith('\\') || (p.Length >= 2 && p[1] == ':' && char.IsAsciiLetter(p[0]));

    /// <summary>Resolves components relative to the root through tracked links; null when it leaves the root.</summary>
    private List<string>? Resolve(IEnumerable<string> components, string entry)
    {
        var stack = new List<string>();
        var queue = new LinkedList<string>(components);
        int depth = 0;
        while (queue.First is { } node)
        {
            queue.RemoveFirst();
            string c = node.Value;
            if (c.Length == 0 || c == ".") continue;
            if (c == "..")
            {
                if (stack.Count == 0) return null;
                stack.RemoveAt(stack.Count - 1);
                continue;
            }

            stack.Add(c);
            if (_links.TryGetValue(string.Join('/', stack), out var target))
            {
                if (++depth > MaxLinkDepth) throw Unsafe(entry, "goes through too many levels of symbolic links");
                if (IsAbsolute(target)) return null;
                stack.RemoveAt(stack.Count - 1);
                var parts = target.Split('/');
                for (int i = parts.Length - 1; i >= 0; i--)
                {
                    queue.AddFirst(parts[i]);
                }
            }
        }

        return stack;
    }

    private string FullPath(string rel) => rel.Length == 0 ? _root : Path.Combine(_root, rel.Replace('/', Path.DirectorySeparatorChar));

    private void EnsureParent(string full)
    {
        string? dir = Path.GetDirectoryName(full);
        if (dir is not null) CreateDirectory(dir);
    }

    private void CreateDirectory(string full)
    {
        if (_createdDirs.Add(full))
        {
            Directory.CreateDirectory(full);
        }
    }

    private void RemoveIfNotDirectory(string full, string rel)
    {
        _files.WaitAll(); // the path may be a file still being written
        var info = new FileInfo(full);
        if (info.LinkTarget is not null || File.Exists(full))
        {
            File.Delete(full);
            _links.Remove(rel);
        }
    }

    /// <summary>Removes what a path written earlier in this extraction holds (nothing else can be there).</summary>
    private void RemoveExisting(string full, string rel)
    {
        if (!_written.Remove(rel))
        {
            return;
        }

        _files.WaitAll(); // the path, or files below it, may still be being written

        var info = new FileInfo(full);
        if (info.LinkTarget is not null || File.Exists(full))
        {
            File.Delete(full);
        }
        else if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
            string prefix = full + Path.DirectorySeparatorChar;
            _createdDirs.RemoveWhere(d => d == full || d.StartsWith(prefix, StringComparison.Ordinal));
            _written.RemoveWhere(w => w.StartsWith(rel + "/", StringComparison.Ordinal));
            foreach (string gone in _links.Keys.Where(k => k.StartsWith(rel + "/", StringComparison.Ordinal)).ToList())
            {
                _links.Remove(gone); // the links inside the removed folder are gone with it
            }
        }
    }

    private void CopyData(Stream input, Stream output, long size)
    {
        byte[] buf = _copyBuffer ??= new byte[1 << 18];
        long left = size;
        while (left > 0)
        {
            _ct.ThrowIfCancellationRequested();
            int n = (int)Math.Min(buf.Length, left);
            if (ReadFull(input, buf, 0, n) < n) throw Corrupt("truncated entry data");
            output.Write(buf, 0, n);
            left -= n;
        }

        SkipPadding(input, size);
    }

    private byte[] ReadData(Stream input, long size)
    {
        if (size > 16 * 1024 * 1024) throw Corrupt("oversized tar metadata entry");
        var data = new byte[size];
        if (ReadFull(input, data, 0, (int)size) < size) throw Corrupt("truncated entry data");
        SkipPadding(input, size);
        return data;
    }

    private void Skip(Stream input, long size)
    {
        var buf = new byte[Block * 16];
        long total = size + Pad(size);
        while (total > 0)
        {
            int n = (int)Math.Min(buf.Length, total);
            if (ReadFull(input, buf, 0, n) < n) throw Corrupt("truncated entry data");
            total -= n;
        }
    }

    private void SkipPadding(Stream input, long size)
    {
        int pad = Pad(size);
        if (pad > 0)
        {
            var buf = new byte[pad];
            if (ReadFull(input, buf, 0, pad) < pad) throw Corrupt("truncated entry padding");
        }
    }

    private static int Pad(long size) => (int)((Block - (size % Block)) % Block);

    /// <summary>Reads up to count bytes; decoder failures become <see cref="CorruptArchiveException"/>.</summary>
    private int ReadFull(Stream s, byte[] buf, int offset, int count)
    {
        int total = 0;
        try
        {
            while (total < count)
            {
                int n = s.Read(buf, offset + total, count - total);
                if (n == 0) break;
                total += n;
            }
        }
        catch (Exception ex) when (ex is not EnvToolsException and not OperationCanceledException)
        {
            throw new CorruptArchiveException(_archive, ex.Message, ex);
        }

        return total;
    }

    private void VerifyChecksum(byte[] h)
    {
        long stored = ParseNumber(h, 148, 8);
        long sum = 0, signedSum = 0;
        for (int i = 0; i < Block; i++)
        {
            byte b = i is >= 148 and < 156 ? (byte)' ' : h[i];
            sum += b;
            signedSum += (sbyte)b; // some old writers summed signed chars
        }

        if (sum != stored && signedSum != stored) throw Corrupt("bad tar header checksum");
    }

    private long ParseNumber(byte[] h, int off, int len)
    {
        if ((h[off] & 0x80) != 0)
        {
            long v = h[off] & 0x7F;
            for (int i = 1; i < len; i++) v = (v << 8) | h[off + i];
            return v;
        }

        long r = 0;
        int end = off + len;
        int j = off;
        while (j < end && (h[j] == ' ' || h[j] == 0)) j++;
        for (; j < end && h[j] != 0 && h[j] != ' '; j++)
        {
            if (h[j] < '0' || h[j] > '7') throw Corrupt("bad octal number in tar header");
            r = (r << 3) + (h[j] - '0');
        }

        return r;
    }

    private static string HeaderName(byte[] h)
    {
        string name = CString(h, 0, 100);
        bool ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r';
        if (ustar)
        {
            string prefix = CString(h, 345, 155);
            if (prefix.Length > 0) name = prefix + "/" + name;
        }

        return name;
    }

    private static string CString(byte[] h, int off, int len)
    {
        int end = Array.IndexOf(h, (byte)0, off, len);
        return Encoding.UTF8.GetString(h, off, (end < 0 ? off + len : end) - off);
    }

    private static string TrimNul(string s) => s.TrimEnd('\0');

    private Dictionary<string, string> ParsePax(byte[] data)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        int pos = 0;
        while (pos < data.Length)
        {
            int sp = Array.IndexOf(data, (byte)' ', pos);
            if (sp < 0) break;
            if (!int.TryParse(Encoding.ASCII.GetString(data, pos, sp - pos), out int len) || len <= 0 || pos + len > data.Length)
            {
                throw Corrupt("bad pax header");
            }

            string rec = Encoding.UTF8.GetString(data, sp + 1, pos + len - sp - 2);
            int eq = rec.IndexOf('=');
            if (eq > 0) result[rec[..eq]] = rec[(eq + 1)..];
            pos += len;
        }

        return result;
    }

    private static bool IsZero(byte[] b)
    {
        foreach (var x in b)
        {
            if (x != 0) return false;
        }

        return true;
    }

    private UnsafeArchiveException Unsafe(string entry, string reason) => new(_archive, entry, reason);

    private CorruptArchiveException Corrupt(string message) => new(_archive, message);
}
