namespace EnvTools.IO;

/// <summary>
/// The number of hard links of a file, which .NET does not expose (read by <see cref="FileStatusReader"/>: statx on
/// Linux, lstat on macOS, GetFileInformationByHandle on Windows). A file of an extracted package with more than one link
/// is linked into an environment.
/// </summary>
internal static class HardLinks
{
    /// <summary>The link count of <paramref name="path"/> (not following a symlink), or null when it cannot be read here.</summary>
    internal static int? Count(string path)
    {
        try
        {
            return FileStatusReader.TryLStat(path, out FileStatus status) && status.LinkCount >= 0 ? (int)status.LinkCount : null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
