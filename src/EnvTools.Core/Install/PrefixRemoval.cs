using EnvTools.Environments;

namespace EnvTools.Install;

/// <summary>Deletes a whole environment.</summary>
public static class PrefixRemoval
{
    /// <summary>
    /// Removes the environment at <paramref name="prefix"/>: under its lock, finishes any interrupted transaction,
    /// runs the packages' pre-unlink scripts (only when <see cref="InstallOptions.AllowLinkScripts"/>), removes the
    /// conda-meta records (so a half-deleted folder is never taken for an environment with packages), deletes the
    /// folder, and removes it from <c>environments.txt</c>.
    /// </summary>
    /// <param name="prefix">The environment's folder.</param>
    /// <param name="ct">Cancels before the deletion starts.</param>
    /// <param name="options">Link script permission, lock time-out and the environments.txt to update; defaults when null.</param>
    /// <returns>Messages from the pre-unlink scripts.</returns>
    /// <exception cref="PrefixLockedException">Another process holds the prefix.</exception>
    public static IReadOnlyList<string> RemoveEnvironment(string prefix, CancellationToken ct, InstallOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        options ??= new InstallOptions();
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(prefix));
        var messages = new List<string>();
        if (!Directory.Exists(full))
        {
            if (options.RegisterEnvironment)
            {
                new EnvironmentsFile(options.EnvironmentsFilePath).Remove(full);
            }

            return messages;
        }

        using (var lk = PrefixLock.Acquire(full, options.LockTimeout, ct))
        {
            messages.AddRange(ClearLocked(full, options, ct));
        }

        Directory.Delete(full, recursive: true);
        if (options.RegisterEnvironment)
        {
            new EnvironmentsFile(options.EnvironmentsFilePath).Remove(full);
        }

        return messages;
    }

    /// <summary>
    /// Empties the environment at <paramref name="full"/> under the lock the caller holds: finishes any interrupted
    /// transaction, runs the pre-unlink scripts (when allowed), removes the records first, then everything but the
    /// lock file. Returns the scripts' messages.
    /// </summary>
    internal static IReadOnlyList<string> ClearLocked(string full, InstallOptions options, CancellationToken ct)
    {
        var messages = new List<string>();
        PrefixJournal.RecoverLocked(full);
        if (options.AllowLinkScripts)
        {
            // The records are read (and ordered) only for the scripts: parsing every file list of a large
            // environment costs more than deleting it.
            var installed = PrefixState.ReadInstalled(full);
            foreach (var r in Solve.Toposort.Sort(installed).AsEnumerable().Reverse())
            {
                ct.ThrowIfCancellationRequested();
                var res = LinkScripts.Run(full, full, r, "pre-unlink", options.TargetPlatform, messages, ct);
                if (res is { ExitCode: not 0 } failed)
                {
                    messages.Add($"The pre-unlink script of {r} failed with exit code {failed.ExitCode}: {failed.Output}");
                }
            }
        }

        ct.ThrowIfCancellationRequested();
        string meta = Path.Combine(full, "conda-meta");
        foreach (string f in Directory.EnumerateFiles(meta, "*.json").ToList())
        {
            File.Delete(f);
        }

        foreach (var entry in new DirectoryInfo(full).EnumerateFileSystemInfos())
        {
            if (entry.Name == "conda-meta")
            {
                continue;
            }

            DeleteEntry(entry);
        }

        foreach (var entry in new DirectoryInfo(meta).EnumerateFileSystemInfos())
        {
            if (entry.Name != PrefixLock.FileName)
            {
                DeleteEntry(entry);
            }
        }

        return messages;
    }

    // The remover's walk: links never followed, read-only entries handled, files deleted folder by folder in parallel.
    private static void DeleteEntry(FileSystemInfo entry) => EnvTools.IO.TreeDeletion.DeleteTree(entry.FullName, CancellationToken.None);
}
