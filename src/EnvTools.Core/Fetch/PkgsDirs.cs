namespace EnvTools.Fetch;

/// <summary>Helpers for the <c>pkgs_dirs</c> folders.</summary>
internal static class PkgsDirs
{
    /// <summary>The first of <paramref name="directories"/> that can be created and written to (probed with a file), or null.</summary>
    internal static string? FirstWritable(IEnumerable<string> directories)
    {
        foreach (string dir in directories)
        {
            if (IsWritable(dir))
            {
                return dir;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="dir"/> can be created and a file written in it.</summary>
    internal static bool IsWritable(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, $".envtools-write-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // not writable
        }
    }
}
