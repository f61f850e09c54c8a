using System.Runtime.InteropServices;

namespace EnvTools.IO;

/// <summary>The few file-system operations the linker needs that .NET lacks (hard links) or that must not follow links.</summary>
internal static partial class FileOps
{
    private const int EEXIST = 17;
    private const int ErrorAlreadyExists = 183;
    private const int ErrorFileExists = 80;
    private const int ErrorSharingViolation = 32;
    private const int ErrorLockViolation = 33;

    /// <summary>Result of <see cref="TryHardLink"/>.</summary>
    internal enum LinkResult
    {
        Done,
        Exists,
        Unsupported, // other volume, too many links, file system without hard links: copy instead
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnixLink(string oldPath, string newPath);

    [LibraryImport("kernel32.dll", EntryPoint = "CreateHardLinkW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool WinCreateHardLink(string newPath, string existingPath, IntPtr security);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnixRename(string oldPath, string newPath);

    /// <summary>
    /// Renames a file, link (not followed) or folder to <paramref name="target"/> (replacing a file there).
    /// Returns false when <paramref name="source"/> does not exist.
    /// </summary>
    public static bool TryRename(string source, string target)
    {
        if (!OperatingSystem.IsWindows())
        {
            if (UnixRename(source, target) == 0)
            {
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == 2)
            {
                return false; // ENOENT: the source is missing (or the target's folder, which callers create first)
            }

            throw new IOException($"Cannot move '{source}' to '{target}' (errno {errno}).");
        }

        if (!Exists(source))
        {
            return false;
        }

        Move(source, target);
        return true;
    }

    /// <summary>Hard-links <paramref name="source"/> at <paramref name="target"/>.</summary>
    public static LinkResult TryHardLink(string source, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            if (WinCreateHardLink(Win32Path(target), Win32Path(source), IntPtr.Zero))
            {
                return LinkResult.Done;
            }

            int err = Marshal.GetLastPInvokeError();
            return err is ErrorAlreadyExists or ErrorFileExists ? LinkResult.Exists : LinkResult.Unsupported;
        }

        if (UnixLink(source, target) == 0)
        {
            return LinkResult.Done;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == EEXIST ? LinkResult.Exists : LinkResult.Unsupported;
    }

    /// <summary>
    /// A full Windows path as a Win32 call that does not go through .NET's own path handling (<c>CreateHardLinkW</c>) must
    /// get it: from 260 characters on (MAX_PATH, the terminator included), in the <c>\\?\</c> form that lifts the limit
    /// whatever the machine's LongPathsEnabled setting (<c>\\?\UNC\server\share\…</c> for a share; '/' turned to '\',
    /// which that form does not translate). Shorter paths, and paths already in a device form, are returned as they are.
    /// </summary>
    internal static string Win32Path(string fullPath)
    {
        const int MaxPath = 260;
        if (fullPath.Length < MaxPath || fullPath.StartsWith(@"\\?\", StringComparison.Ordinal) || fullPath.StartsWith(@"\\.\", StringComparison.Ordinal))
        {
            return fullPath;
        }

        string p = fullPath.Replace('/', '\\');
        return p.StartsWith(@"\\", StringComparison.Ordinal) ? @"\\?\UNC\" + p[2..] : @"\\?\" + p;
    }

    /// <summary>True when something (a file, a directory, a link, even a dangling one) is at <paramref name="path"/>.</summary>
    public static bool Exists(string path)
    {
        var fi = new FileInfo(path);
        return fi.Exists || fi.LinkTarget is not null || Directory.Exists(path);
    }

    /// <summary>The folder part of a prefix-relative path (<c>/</c> or <c>\</c> separated); empty at the top.</summary>
    public static string ParentOf(string rel)
    {
        int slash = rel.LastIndexOfAny(['/', '\\']);
        return slash < 0 ? string.Empty : rel[..slash];
    }

    /// <summary>
    /// True when the prefix-relative path <paramref name="rel"/> (<c>/</c> or <c>\</c> separated) stays inside
    /// <paramref name="root"/> when every link on the way is followed as it is on disk now (a missing component is taken
    /// as it is written; <c>..</c> goes up from where the links led). Absolute link targets count when they lead into
    /// the root. False as well after 40 links (a loop).
    /// </summary>
    public static bool StaysInside(string root, string rel)
    {
        const int MaxLinks = 40;
        string rootFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var stack = new List<string>();
        var queue = new LinkedList<string>(rel.Split('/', '\\'));
        int links = 0;
        while (queue.First is { } node)
        {
            queue.RemoveFirst();
            string c = node.Value;
            if (c.Length == 0 || c == ".")
            {
                continue;
            }

            if (c == "..")
            {
                if (stack.Count == 0)
                {
                    return false;
                }

                stack.RemoveAt(stack.Count - 1);
                continue;
            }

            stack.Add(c);
            string? target = new FileInfo(Path.Combine(rootFull, string.Join(Path.DirectorySeparatorChar, stack))).LinkTarget;
            if (target is null)
            {
                continue;
            }

            if (++links > MaxLinks)
            {
                return false;
            }

            stack.RemoveAt(stack.Count - 1);
            if (Path.IsPathRooted(target))
            {
                string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
                if (full != rootFull && !full.StartsWith(rootFull + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    return false;
                }

                stack.Clear();
                target = Path.GetRelativePath(rootFull, full);
            }

            string[] parts = target.Split('/', '\\');
            for (int i = parts.Length - 1; i >= 0; i--)
            {
                queue.AddFirst(parts[i]);
            }
        }

        return true;
    }

    /// <summary>The text a symbolic link to <paramref name="target"/> holds: Windows resolves only '\' in a link's target
    /// (a relative target with '/' — as packages ship them — leads nowhere there), so on Windows the separators are
    /// turned; elsewhere the target is kept as written.</summary>
    public static string LinkTargetText(string target, bool windows) => windows ? target.Replace('/', '\\') : target;

    /// <summary>True when <paramref name="path"/> is a directory and not a link to one.</summary>
    public static bool IsRealDirectory(string path)
    {
        var di = new DirectoryInfo(path);
        return di.Exists && di.LinkTarget is null;
    }

    /// <summary>Deletes a file or a link (never following it); an empty real directory too. Missing is fine.</summary>
    public static void DeleteEntry(string path)
    {
        var fi = new FileInfo(path);
        if (fi.LinkTarget is not null)
        {
            if (Directory.Exists(path) && OperatingSystem.IsWindows())
            {
                Directory.Delete(path);
            }
            else
            {
                fi.Delete();
            }
        }
        else if (fi.Exists)
        {
            if (OperatingSystem.IsWindows() && fi.IsReadOnly)
            {
                fi.IsReadOnly = false;
            }

            fi.Delete();
        }
        else if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any())
        {
            Directory.Delete(path);
        }
    }

    /// <summary>Moves a file or link (not followed) to <paramref name="target"/>, replacing what is there; retried briefly
    /// when another process holds the file (see <see cref="RetryWhileShared(Action)"/>).</summary>
    public static void Move(string source, string target)
    {
        if (Directory.Exists(source) && new DirectoryInfo(source).LinkTarget is null)
        {
            RetryWhileShared(() => Directory.Move(source, target));
        }
        else
        {
            RetryWhileShared(() => File.Move(source, target, overwrite: true));
        }
    }

    /// <summary>The pauses between the tries of <see cref="RetryWhileShared(Action)"/> (about one second in all).</summary>
    internal static readonly TimeSpan[] SharingRetryDelays =
        [TimeSpan.FromMilliseconds(15), TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(60), TimeSpan.FromMilliseconds(120),
         TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500)];

    /// <summary>
    /// Runs <paramref name="rename"/>, trying again after a short pause (<see cref="SharingRetryDelays"/>) while it fails
    /// because another process holds the file for a moment — on Windows an antivirus scanner or the search indexer opens
    /// new files without FILE_SHARE_DELETE (ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION, or access denied). Any other
    /// failure, and the last one, is thrown.
    /// </summary>
    internal static void RetryWhileShared(Action rename) => RetryWhileShared(rename, OperatingSystem.IsWindows(), null);

    /// <summary><see cref="RetryWhileShared(Action)"/> with Windows' rules or not, and the pause given (tests).</summary>
    internal static void RetryWhileShared(Action rename, bool windows, Action<TimeSpan>? sleep)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                rename();
                return;
            }
            catch (Exception ex) when (attempt < SharingRetryDelays.Length && IsSharingViolation(ex, windows))
            {
                (sleep ?? Thread.Sleep)(SharingRetryDelays[attempt]);
            }
        }
    }

    /// <summary>True for the failures another process's brief hold on a file causes on Windows: sharing and lock
    /// violations (HRESULT 0x80070020, 0x80070021) and, there, access denied (a scanner holding the file open).</summary>
    internal static bool IsSharingViolation(Exception ex, bool windows) =>
        windows && (ex is UnauthorizedAccessException || (ex is IOException && (ex.HResult & 0xFFFF) is ErrorSharingViolation or ErrorLockViolation));

    /// <summary>Removes the empty directories among <paramref name="dirs"/>, deepest first, never <paramref name="stop"/> or above.</summary>
    public static void PruneEmpty(IEnumerable<string> dirs, string stop)
    {
        string root = Path.TrimEndingDirectorySeparator(stop);
        foreach (string d in dirs.Distinct().OrderByDescending(d => d.Length))
        {
            string dir = d;
            while (dir.Length > root.Length && dir.StartsWith(root, StringComparison.Ordinal))
            {
                try
                {
                    if (!IsRealDirectory(dir) || Directory.EnumerateFileSystemEntries(dir).Any())
                    {
                        break;
                    }

                    Directory.Delete(dir);
                }
                catch (IOException)
                {
                    break;
                }
                catch (UnauthorizedAccessException)
                {
                    break;
                }

                dir = Path.GetDirectoryName(dir) ?? root;
            }
        }
    }

    /// <summary>Writes bytes to a new file through a temporary sibling and a rename, flushed to disk.</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> bytes, bool flushToDisk)
    {
        string tmp = TempSibling(path);
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 4096))
        {
            fs.Write(bytes);
            fs.Flush(flushToDisk);
        }

        RetryWhileShared(() => File.Move(tmp, path, overwrite: true));
    }

    /// <summary>
    /// Like <see cref="WriteAtomic(string, ReadOnlySpan{byte}, bool)"/>, with the content streamed by
    /// <paramref name="write"/> into the temporary file. The stream is unbuffered: <paramref name="write"/> writes in
    /// chunks (a Utf8JsonWriter flushing now and then does).
    /// </summary>
    public static void WriteAtomic(string path, Action<Stream> write, bool flushToDisk)
    {
        string tmp = TempSibling(path);
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            write(fs);
            fs.Flush(flushToDisk);
        }

        RetryWhileShared(() => File.Move(tmp, path, overwrite: true));
    }

    private static string TempSibling(string path) =>
        path + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
