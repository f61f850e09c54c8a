namespace EnvTools.IO;

/// <summary>
/// Deletes a file, link or folder tree without following links (a link is removed, not what it points to), coping with
/// read-only files and folders; shared by environment removal and the package cache.
/// </summary>
internal static class TreeDeletion
{
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
