namespace EnvTools.Environments;

/// <summary>
/// Removes whole environments. <see cref="Remove"/> is the single entry point: it refuses the active
/// environment and one that holds other environments, renames the prefix to a hidden trash name next to
/// it (atomic: from then on no tool lists it), drops it from <c>environments.txt</c>, deletes the trash's
/// <c>conda-meta</c> first and then the rest. Deletion never follows symbolic links (a link is removed,
/// not what it points to) and copes with read-only files and folders. A removal interrupted half-way
/// leaves only a trash folder, which the next removal in the same folder (or <see cref="PurgeTrash"/>)
/// finishes.
/// </summary>
public sealed class EnvironmentRemover
{
    private const string TrashMarker = ".envtools-trash-";
    private readonly EnvironmentLocator _locator;

    /// <summary>Creates a remover over the environments <paramref name="locator"/> knows.</summary>
    public EnvironmentRemover(EnvironmentLocator locator)
    {
        ArgumentNullException.ThrowIfNull(locator);
        _locator = locator;
    }

    /// <summary>Whether a folder name is one a removal gave its prefix (such folders are never environments).</summary>
    public static bool IsTrashName(string folderName) =>
        folderName.StartsWith('.') && folderName.Contains(TrashMarker, StringComparison.Ordinal);

    /// <summary>How long to wait for another process's lock on the prefix (default 30 s).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Removes the environment at <paramref name="prefix"/> and unregisters it.
    /// </summary>
    /// <exception cref="Install.PrefixLockedException">Another process is changing the environment.</exception>
    /// <exception cref="EnvironmentNotFoundException">The prefix is not an environment.</exception>
    /// <exception cref="EnvironmentActiveException">It is the active environment (or holds it).</exception>
    /// <exception cref="EnvironmentContainsEnvironmentsException">Other known environments lie inside it.</exception>
    /// <exception cref="EnvironmentRemovalException">The prefix could not be moved aside (nothing changed) or its remains could not all be deleted (it is unlisted already).</exception>
    /// <exception cref="OperationCanceledException">Cancelled while deleting; the remains are a trash folder.</exception>
    public void Remove(string prefix, CancellationToken cancellationToken = default)
    {
        string full = CheckRemovable(prefix);
        RemoveChecked(full, cancellationToken);
    }

    /// <summary>
    /// Checks that the environment at <paramref name="prefix"/> can be removed (before asking the user to confirm):
    /// it is an environment, not the active one, and holds no other known environment. Returns its full path.
    /// </summary>
    /// <exception cref="EnvironmentNotFoundException">The prefix is not an environment.</exception>
    /// <exception cref="EnvironmentActiveException">It is the active environment (or holds it).</exception>
    /// <exception cref="EnvironmentContainsEnvironmentsException">Other known environments lie inside it.</exception>
    public string CheckRemovable(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        string full = EnvironmentLocator.NormalizePrefix(prefix);
        if (!EnvironmentLocator.IsEnvironment(full))
        {
            throw new EnvironmentNotFoundException(prefix, Array.Empty<string>());
        }

        if (_locator.ActivePrefix is { } active && (EnvironmentLocator.SamePrefix(active, full) || IsInside(active, full)))
        {
            throw new EnvironmentActiveException(full);
        }

        string[] nested = _locator.List().Select(e => e.Prefix).Where(p => IsInside(p, full)).ToArray();
        if (nested.Length > 0)
        {
            throw new EnvironmentContainsEnvironmentsException(full, nested);
        }

        return full;
    }

    /// <summary>
    /// Moves a checked environment (<see cref="CheckRemovable"/>) aside, under its lock, to a trash folder beside it, so
    /// that something else can take its place; <see cref="PurgeTrash"/> deletes it later, or <see cref="MoveBack"/>
    /// puts it back. Returns the trash folder. It stays listed in environments.txt (its prefix is about to be one again).
    /// </summary>
    /// <exception cref="EnvironmentRemovalException">It could not be moved (nothing changed).</exception>
    public string MoveAside(string full)
    {
        string parent = Path.GetDirectoryName(full) ?? throw new EnvironmentRemovalException(full, $"'{full}' has no parent folder.");
        PurgeTrash(parent, CancellationToken.None);
        string trash = TrashPathFor(full, parent);
        MoveUnderLock(full, trash);
        return trash;
    }

    /// <summary>Puts an environment moved aside by <see cref="MoveAside"/> back at its prefix (which must not exist).</summary>
    public static void MoveBack(string trash, string full) => Directory.Move(trash, full);

    private static string TrashPathFor(string full, string parent)
    {
        string stem = Path.GetFileName(full);
        return Path.Combine(parent, $".{(stem.Length > 64 ? stem[..64] : stem)}{TrashMarker}{Guid.NewGuid():N}");
    }

    private void MoveUnderLock(string full, string trash)
    {
        try
        {
            // Under the prefix lock (an install in progress makes this fail with PrefixLocked), with an interrupted
            // transaction finished first. Windows cannot move a folder with the lock file open: it is released first.
            Install.PrefixJournal.RecoverIfNeeded(full);
            using (var held = Install.PrefixLock.AcquireExisting(full, LockTimeout, CancellationToken.None))
            {
                if (OperatingSystem.IsWindows())
                {
                    held.Dispose();
                }

                Directory.Move(full, trash);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EnvironmentRemovalException(full, $"The environment '{full}' could not be moved aside for removal (a file in use?): {ex.Message}", ex);
        }
    }

    private void RemoveChecked(string full, CancellationToken cancellationToken)
    {
        string parent = Path.GetDirectoryName(full) ?? throw new EnvironmentRemovalException(full, $"'{full}' has no parent folder.");
        PurgeTrash(parent, cancellationToken);
        string trash = TrashPathFor(full, parent);
        MoveUnderLock(full, trash);
        _locator.EnvironmentsFile.Remove(full);
        try
        {
            // conda-meta goes first and is not interrupted: without it no tool takes the remains for an environment.
            DeleteTree(Path.Combine(trash, "conda-meta"), CancellationToken.None);
            DeleteTree(trash, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EnvironmentRemovalException(full, $"The environment '{full}' is unlisted, but some of its files could not be deleted; they remain in '{trash}': {ex.Message}", ex);
        }
    }

    /// <summary>Deletes the trash folders earlier removals left in <paramref name="directory"/>; returns how many were deleted.</summary>
    public static int PurgeTrash(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        int n = 0;
        foreach (string dir in Directory.EnumerateDirectories(directory, "." + "*" + TrashMarker + "*"))
        {
            if (!IsTrashName(Path.GetFileName(dir)))
            {
                continue;
            }

            try
            {
                DeleteTree(dir, cancellationToken);
                n++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Still in use; a later removal tries again.
            }
        }

        return n;
    }

    private static bool IsInside(string path, string folder)
    {
        string p = EnvironmentLocator.NormalizePrefix(path);
        string f = EnvironmentLocator.NormalizePrefix(folder) + Path.DirectorySeparatorChar;
        return p.StartsWith(f, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>Deletes a file, link or folder tree without following links; missing entries are fine.</summary>
    internal static void DeleteTree(string path, CancellationToken cancellationToken)
    {
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null || (info.Exists && (info.Attributes & FileAttributes.ReparsePoint) != 0))
        {
            DeleteLink(path, isDirectory: true);
            return;
        }

        if (!info.Exists)
        {
            if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            {
                DeleteFile(path);
            }

            return;
        }

        // Walk the tree once (listing only), then delete the files folder by folder on a few threads (unlinks in
        // different folders do not contend), then the folders bottom-up: reverse pre-order puts every folder after
        // everything below it.
        var folders = new List<string>();
        var batches = new List<List<(string Path, EntryKind Kind)>>();
        var stack = new Stack<string>();
        stack.Push(path);
        while (stack.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string dir = stack.Pop();
            List<(string Path, EntryKind Kind)> children;
            try
            {
                children = Children(dir);
            }
            catch (UnauthorizedAccessException)
            {
                MakeTraversable(dir); // a folder without read or search permission: grant it (to the owner), then list it
                children = Children(dir);
            }

            folders.Add(dir);
            var batch = new List<(string Path, EntryKind Kind)>(children.Count);
            foreach (var child in children)
            {
                if (child.Kind == EntryKind.Directory)
                {
                    stack.Push(child.Path);
                }
                else
                {
                    batch.Add(child);
                }
            }

            if (batch.Count > 0)
            {
                batches.Add(batch);
            }
        }

        try
        {
            Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(Environment.ProcessorCount, 1, 4), CancellationToken = cancellationToken },
                batch =>
                {
                    foreach (var (child, kind) in batch)
                    {
                        switch (kind)
                        {
                            case EntryKind.Link:
                                DeleteLink(child, isDirectory: false);
                                break;
                            case EntryKind.DirectoryLink:
                                DeleteLink(child, isDirectory: true);
                                break;
                            default:
                                DeleteFile(child);
                                break;
                        }
                    }
                });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }

        for (int i = folders.Count - 1; i >= 0; i--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            DeleteEmptyDirectory(folders[i]);
        }
    }

    private enum EntryKind
    {
        File,
        Directory,
        Link,
        DirectoryLink,
    }

    private static readonly EnumerationOptions ListOptions = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        MatchType = MatchType.Simple,
    };

    /// <summary>
    /// The entries of one folder and their kinds, from the directory listing alone (d_type): no stat or readlink per
    /// entry, which made deleting a large environment several times slower than <c>rm -rf</c>.
    /// </summary>
    private static List<(string Path, EntryKind Kind)> Children(string dir) =>
        new System.IO.Enumeration.FileSystemEnumerable<(string, EntryKind)>(
            dir,
            static (ref System.IO.Enumeration.FileSystemEntry e) => (e.ToFullPath(), KindOf(ref e)),
            ListOptions).ToList();

    private static EntryKind KindOf(ref System.IO.Enumeration.FileSystemEntry e)
    {
        // IsDirectory comes from the listing (d_type) for files and folders; only links and folders are looked at
        // further (Attributes costs an lstat on Unix). A link that is not a folder, dangling or not, is unlinked
        // like a file; a link to a folder (or a junction) is removed, never entered.
        if (!e.IsDirectory)
        {
            return OperatingSystem.IsWindows() && (e.Attributes & FileAttributes.ReparsePoint) != 0 ? EntryKind.Link : EntryKind.File;
        }

        return (e.Attributes & FileAttributes.ReparsePoint) != 0 ? EntryKind.DirectoryLink : EntryKind.Directory;
    }

    private static void DeleteLink(string path, bool isDirectory)
    {
        try
        {
            DeleteLinkOnce(path, isDirectory);
        }
        catch (UnauthorizedAccessException) when (Path.GetDirectoryName(path) is { } parent)
        {
            MakeWritable(parent); // a read-only parent folder; the link itself has no permissions to change
            DeleteLinkOnce(path, isDirectory);
        }
    }

    private static void DeleteLinkOnce(string path, bool isDirectory)
    {
        if (OperatingSystem.IsWindows() && isDirectory)
        {
            Directory.Delete(path, recursive: false); // removes a junction or directory link, not its target
        }
        else
        {
            File.Delete(path); // unlink(2): the link itself
        }
    }

    private static void DeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (UnauthorizedAccessException)
        {
            // A read-only file (Windows) or a read-only parent folder (Unix): make both writable, then retry. On
            // Unix a file's own mode never prevents unlinking it, and chmod would follow a symbolic link.
            if (OperatingSystem.IsWindows())
            {
                File.SetAttributes(path, FileAttributes.Normal);
            }

            if (Path.GetDirectoryName(path) is { } parent)
            {
                MakeWritable(parent);
            }

            File.Delete(path);
        }
    }

    private static void DeleteEmptyDirectory(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: false);
        }
        catch (UnauthorizedAccessException) when (Path.GetDirectoryName(dir) is { } parent)
        {
            new DirectoryInfo(dir).Attributes &= ~FileAttributes.ReadOnly;
            MakeWritable(parent);
            Directory.Delete(dir, recursive: false);
        }
    }

    private static void MakeTraversable(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode needed = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        UnixFileMode mode = File.GetUnixFileMode(dir);
        if ((mode & needed) != needed)
        {
            File.SetUnixFileMode(dir, mode | needed);
        }
    }

    private static void MakeWritable(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            var d = new DirectoryInfo(dir);
            d.Attributes &= ~FileAttributes.ReadOnly;
        }
        else
        {
            MakeTraversable(dir);
        }
    }
}
