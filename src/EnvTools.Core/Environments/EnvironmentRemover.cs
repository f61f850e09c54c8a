using EnvTools.IO;

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
    /// <exception cref="PrefixLockedException">Another process is changing the environment.</exception>
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
            PrefixJournal.RecoverIfNeeded(full);
            using (var held = PrefixLock.AcquireExisting(full, LockTimeout, CancellationToken.None))
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
            TreeDeletion.DeleteTree(Path.Combine(trash, "conda-meta"), CancellationToken.None);
            TreeDeletion.DeleteTree(trash, cancellationToken);
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
                TreeDeletion.DeleteTree(dir, cancellationToken);
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
}
