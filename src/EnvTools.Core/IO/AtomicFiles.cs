namespace EnvTools.IO;

/// <summary>Files replaced whole: written beside their target and renamed over it, so a reader never sees half a file.</summary>
internal static class AtomicFiles
{
    /// <summary>Writes <paramref name="bytes"/> to a temporary file (flushed to disk when <paramref name="durable"/>) and renames it over <paramref name="path"/>.</summary>
    internal static void WriteAtomically(string path, ReadOnlySpan<byte> bytes, bool durable = true)
    {
        string temp = $"{path}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: durable);
            }

            MoveOver(temp, path);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// Renames <paramref name="source"/> over <paramref name="path"/>. Windows refuses to replace or delete a file that
    /// is memory-mapped (a repodata index of another session, or of this one, still reading it) but lets it be renamed:
    /// there the mapped file is moved aside to <c>PATH.*.old</c> first (its readers keep their mapping) and deleted when
    /// nothing maps it any more, here or by a later replacement.
    /// </summary>
    internal static void MoveOver(string source, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            DeleteAside(path);
        }

        try
        {
            File.Move(source, path, overwrite: true);
        }
        catch (Exception ex) when (OperatingSystem.IsWindows() && ex is IOException or UnauthorizedAccessException && File.Exists(path))
        {
            string aside = $"{path}.{Guid.NewGuid():N}.old";
            File.Move(path, aside);
            File.Move(source, path);
            DeleteAside(path);
        }
    }

    /// <summary>Deletes what <see cref="MoveOver"/> moved aside from <paramref name="path"/>, where nothing maps it any more.</summary>
    private static void DeleteAside(string path)
    {
        string? dir = Path.GetDirectoryName(path);
        if (dir is null || !System.IO.Directory.Exists(dir))
        {
            return;
        }

        foreach (string old in System.IO.Directory.EnumerateFiles(dir, Path.GetFileName(path) + ".*.old"))
        {
            try
            {
                File.Delete(old);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // still mapped by a reader: the next replacement tries again
            }
        }
    }
}
