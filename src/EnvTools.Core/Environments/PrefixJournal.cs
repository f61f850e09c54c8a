using System.Text.Json;
using EnvTools.IO;

namespace EnvTools.Environments;

/// <summary>
/// The transaction journal, <c>conda-meta/.envtools-transaction.json</c>: written and flushed to disk before a
/// transaction changes anything, it lists every path the transaction may create and every path it moves into its
/// trash folder (<c>.envtools-trash/&lt;id&gt;/</c>, the same relative path inside). An interrupted transaction is
/// therefore undone without per-file bookkeeping: created paths are deleted, trashed paths moved back. Once the new
/// state is complete the journal is marked committed, the trash deleted and the journal removed.
/// </summary>
public static class PrefixJournal
{
    /// <summary>The journal's file name inside <c>conda-meta</c>.</summary>
    public const string FileName = ".envtools-transaction.json";

    /// <summary>The folder inside the prefix that holds the trash of running transactions.</summary>
    public const string TrashDirectoryName = ".envtools-trash";

    /// <summary>
    /// Finishes what an interrupted transaction left: rolls it back when it had not committed (restoring the old
    /// files and records), or completes its clean-up when it had. <see cref="Install.PrefixTransaction.Execute"/> calls it
    /// first; call it under the <see cref="PrefixLock"/> (it takes the lock itself when no other process holds it).
    /// </summary>
    /// <returns>True when a journal was found and processed.</returns>
    public static bool RecoverIfNeeded(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        string full = Path.GetFullPath(prefix);
        if (!File.Exists(PathOf(full)) && TornJournals(full).Length == 0)
        {
            return false;
        }

        using var lk = PrefixLock.AcquireExisting(full, TimeSpan.FromSeconds(30), CancellationToken.None);
        return RecoverLocked(full);
    }

    internal static bool RecoverLocked(string prefix, List<string>? warnings = null)
    {
        // A process killed inside the atomic write of a journal leaves its temporary file: under the lock, it is stale.
        string[] torn = TornJournals(prefix);
        foreach (string tmp in torn)
        {
            TryDelete(tmp);
        }

        string file = PathOf(prefix);
        if (!File.Exists(file))
        {
            CleanStaleTrash(prefix, warnings);
            return torn.Length > 0;
        }

        JournalData? data;
        try
        {
            data = JournalData.Parse(File.ReadAllBytes(file));
        }
        catch (JsonException)
        {
            data = null; // torn before it was flushed: nothing was changed yet
        }

        if (data is not null)
        {
            if (data.Committed)
            {
                Finish(prefix, data, warnings);
            }
            else
            {
                Rollback(prefix, data);
            }
        }

        File.Delete(file);
        CleanStaleTrash(prefix, warnings);
        return true;
    }

    internal static string PathOf(string prefix) => Path.Combine(prefix, "conda-meta", FileName);

    private static string[] TornJournals(string prefix)
    {
        string meta = Path.Combine(prefix, "conda-meta");
        return Directory.Exists(meta) ? Directory.GetFiles(meta, FileName + ".tmp-*") : Array.Empty<string>();
    }

    /// <summary>
    /// The conda-meta record files of the prefix's last committed state, ordinal order, read without the lock and
    /// changing nothing: dot files (the journal, the lock, temporary files) are never records; while an uncommitted
    /// transaction is pending (running, or interrupted and not yet rolled back) the records it created are left out
    /// and those it moved to its trash are taken from there. <paramref name="pending"/> says whether one is.
    /// </summary>
    internal static string[] CommittedRecordFiles(string prefix, out bool pending)
    {
        string meta = Path.Combine(prefix, "conda-meta");
        for (int attempt = 0; ; attempt++)
        {
            pending = false;
            if (!Directory.Exists(meta))
            {
                return Array.Empty<string>();
            }

            byte[]? before = TryReadJournal(prefix);
            var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (string f in Directory.EnumerateFiles(meta, "*.json"))
            {
                string name = Path.GetFileName(f);
                if (!name.StartsWith('.'))
                {
                    files[name] = f;
                }
            }

            JournalData? data = null;
            try
            {
                data = before is null ? null : JournalData.Parse(before);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
            {
                // torn before it was flushed: nothing was changed yet
            }

            if (data is { Committed: false })
            {
                pending = true;
                string trash = TrashRoot(prefix, data);
                var removed = new HashSet<string>(data.Removed, data.PathComparer);
                foreach (string rel in data.Created)
                {
                    if (IsRecordPath(rel, out string name) && !removed.Contains(rel))
                    {
                        files.Remove(name);
                    }
                }

                foreach (string rel in data.Removed)
                {
                    if (IsRecordPath(rel, out string name) && Abs(trash, rel) is var old && File.Exists(old))
                    {
                        files[name] = old;
                    }
                }
            }

            // The writer may have moved on while the folder was listed: the view holds only for an unchanged journal.
            byte[]? after = TryReadJournal(prefix);
            if (attempt >= 20 || (before is null ? after is null : after is not null && before.AsSpan().SequenceEqual(after)))
            {
                return files.Values.ToArray();
            }
        }
    }

    /// <summary>True when the prefix has an uncommitted transaction: another process is changing it, or a change was
    /// interrupted and the next one rolls it back. Readers show the last committed state meanwhile.</summary>
    public static bool IsPending(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        byte[]? bytes = TryReadJournal(Path.GetFullPath(prefix));
        try
        {
            return bytes is not null && !JournalData.Parse(bytes).Committed;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// True when the prefix holds only what a create that never committed leaves: a pending journal of a transaction
    /// that started with no committed state, or (killed before its journal, or rolled back) a <c>conda-meta</c> with
    /// nothing but dot files (the lock) in it. Such a prefix is no environment; the next create there replaces it.
    /// </summary>
    internal static bool IsUncommittedCreate(string prefix)
    {
        string meta = Path.Combine(prefix, "conda-meta");
        byte[]? bytes = TryReadJournal(prefix);
        if (bytes is not null)
        {
            try
            {
                JournalData data = JournalData.Parse(bytes);
                return data is { Committed: false, NewEnvironment: true };
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
            {
                // torn before it was flushed: nothing was changed yet; judge by what else is there
            }
        }

        try
        {
            bool any = false;
            foreach (string e in Directory.EnumerateFileSystemEntries(meta))
            {
                if (!Path.GetFileName(e).StartsWith('.'))
                {
                    return false;
                }

                any = true;
            }

            return any;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The warning readers give for a prefix with a pending transaction.</summary>
    public static string PendingMessage(string prefix) =>
        $"A change to '{prefix}' is in progress in another process or was interrupted; this shows the last committed state, which the next change to the environment restores if the change was interrupted.";

    private static bool IsRecordPath(string rel, out string name)
    {
        const string dir = "conda-meta/";
        name = rel.Length > dir.Length ? rel[dir.Length..] : string.Empty;
        return rel.StartsWith(dir, StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal)
            && !name.Contains('/', StringComparison.Ordinal) && !name.StartsWith('.');
    }

    /// <summary>The journal's bytes, or null without one. The file is opened sharing delete (a writer renames the next
    /// journal over it, or deletes it, while it is read: on Windows a reader without that share would make the writer
    /// fail), and on Windows a moment's hold by the writer (a rename or delete in progress) is waited out.</summary>
    private static byte[]? TryReadJournal(string prefix)
    {
        string path = PathOf(prefix);
        byte[]? bytes = null;
        try
        {
            FileOps.RetryWhileShared(() =>
            {
                using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
                byte[] read = new byte[fs.Length];
                fs.ReadExactly(read);
                bytes = read;
            });
            return bytes;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }


    internal static string TrashRoot(string prefix, JournalData data) => Path.Combine(prefix, TrashDirectoryName, data.Id);

    internal static void Begin(string prefix, JournalData data) => FileOps.WriteAtomic(PathOf(prefix), data.WriteTo, flushToDisk: true);

    internal static void MarkCommitted(string prefix, JournalData data)
    {
        data.Committed = true;
        FileOps.WriteAtomic(PathOf(prefix), data.WriteTo, flushToDisk: true);
    }

    /// <summary>
    /// After commit: delete the trash, prune folders the removed files leave empty, drop the journal. The change is
    /// done whatever happens here: a trash that cannot be deleted (on Windows a loaded DLL or a running program can be
    /// moved but not deleted) is left for the next transaction to retry, with a warning in <paramref name="warnings"/>.
    /// </summary>
    internal static void Finish(string prefix, JournalData data, List<string>? warnings = null)
    {
        TryDeleteTrash(TrashRoot(prefix, data), warnings);
        try
        {
            FileOps.PruneEmpty(
                data.Removed.Select(p => Abs(prefix, p)).Select(a => FileOps.IsRealDirectory(a) ? a : Path.GetDirectoryName(a)!),
                prefix);
            FileOps.PruneEmpty(new[] { Path.Combine(prefix, TrashDirectoryName) }, prefix);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // an empty folder left behind changes nothing
        }

        File.Delete(PathOf(prefix));
    }

    private static void TryDeleteTrash(string dir, List<string>? warnings)
    {
        try
        {
            DeleteTree(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            warnings?.Add($"The files a change replaced could not all be deleted from '{dir}' (still in use?): {ex.Message} The change is complete; the next change to the environment tries again.");
        }
    }

    /// <summary>Undoes a transaction: deletes what it created, moves back what it trashed, restores the history file.</summary>
    internal static void Rollback(string prefix, JournalData data)
    {
        string trash = TrashRoot(prefix, data);
        // removed path → its spelling in the journal (and so in the trash), matched ignoring case for a win-* target
        var removed = new Dictionary<string, string>(data.PathComparer);
        foreach (string rel in data.Removed)
        {
            removed.TryAdd(rel, rel);
        }

        for (int i = data.Created.Count - 1; i >= 0; i--)
        {
            // A path the transaction also trashes holds the old file until it has been moved to the trash: only
            // then can something new be there.
            if (removed.TryGetValue(data.Created[i], out string? trashed) && !FileOps.Exists(Abs(trash, trashed)))
            {
                continue;
            }

            string abs = Abs(prefix, data.Created[i]);
            if (!FileOps.StaysInside(prefix, FileOps.ParentOf(data.Created[i])))
            {
                continue; // behind a link that leads out of the prefix: not the environment's to delete
            }

            TryDelete(abs);
            if (abs.EndsWith(".py", StringComparison.Ordinal))
            {
                DeletePycOf(abs);
            }
        }

        foreach (string rel in data.Removed)
        {
            string from = Abs(trash, rel);
            if (!FileOps.Exists(from))
            {
                continue;
            }

            string to = Abs(prefix, rel);
            try
            {
                if (!FileOps.StaysInside(prefix, FileOps.ParentOf(rel)))
                {
                    continue; // never restore through a link that leads out of the prefix; the trash goes below
                }

                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                if (FileOps.Exists(to))
                {
                    TryDelete(to);
                }

                FileOps.Move(from, to);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // One path that cannot be restored must not keep the journal (and with it every later command, Remove-Env
                // included) failing: the rest is restored, the journal removed; Test-Env reports the missing file.
            }
        }

        string history = Path.Combine(prefix, "conda-meta", "history");
        if (data.HistoryLength < 0)
        {
            TryDelete(history);
        }
        else if (File.Exists(history) && new FileInfo(history).Length > data.HistoryLength)
        {
            using var fs = new FileStream(history, FileMode.Open, FileAccess.Write);
            fs.SetLength(data.HistoryLength);
        }

        foreach (string tmp in Directory.Exists(Path.Combine(prefix, "conda-meta"))
            ? Directory.GetFiles(Path.Combine(prefix, "conda-meta"), "*.json.tmp-*")
            : Array.Empty<string>())
        {
            TryDelete(tmp);
        }

        TryDeleteTrash(trash, null); // what could not be moved back stays for the next clean-up
        try
        {
            FileOps.PruneEmpty(data.NewDirs.Where(d => FileOps.StaysInside(prefix, d)).Select(d => Abs(prefix, d)), prefix);
            FileOps.PruneEmpty(new[] { Path.Combine(prefix, TrashDirectoryName) }, prefix);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // a folder that cannot be pruned now is left for the next recovery
        }
    }

    internal static string Abs(string root, string rel) => Path.Combine(root, rel.Replace('/', Path.DirectorySeparatorChar));

    private static void DeletePycOf(string py)
    {
        string dir = Path.Combine(Path.GetDirectoryName(py)!, "__pycache__");
        if (!Directory.Exists(dir))
        {
            return;
        }

        string stem = Path.GetFileNameWithoutExtension(py) + ".";
        foreach (string pyc in Directory.EnumerateFiles(dir, stem + "*.pyc"))
        {
            TryDelete(pyc);
        }

        FileOps.PruneEmpty(new[] { dir }, Path.GetDirectoryName(py)!);
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (FileOps.IsRealDirectory(path))
            {
                if (!Directory.EnumerateFileSystemEntries(path).Any())
                {
                    Directory.Delete(path);
                }
            }
            else
            {
                FileOps.DeleteEntry(path);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void DeleteTree(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }

        // Directory.Delete(recursive) does not follow links inside the tree.
        foreach (var f in new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (f.IsReadOnly)
            {
                f.IsReadOnly = false;
            }
        }

        Directory.Delete(dir, recursive: true);
    }

    /// <summary>Deletes trash folders no journal refers to (a crash between the trash clean-up and the journal removal).</summary>
    private static void CleanStaleTrash(string prefix, List<string>? warnings)
    {
        string root = Path.Combine(prefix, TrashDirectoryName);
        if (Directory.Exists(root))
        {
            TryDeleteTrash(root, warnings);
        }
    }
}
