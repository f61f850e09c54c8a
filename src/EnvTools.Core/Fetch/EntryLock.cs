using System.Diagnostics;

namespace EnvTools.Fetch;

/// <summary>
/// An exclusive lock on a package cache entry, held by keeping a lock file open with <see cref="FileShare.None"/>
/// (a share-mode lock on Windows, <c>flock</c> on Unix: it is released by the operating system when the process dies,
/// so a crash never leaves a stale lock). Lock files are never deleted: deleting one while another process waits on
/// it would let a third lock a new file of the same name.
/// </summary>
internal sealed class EntryLock : IDisposable
{
    private readonly FileStream _file;

    private EntryLock(FileStream file) => _file = file;

    /// <summary>The folder of the lock files below a pkgs dir.</summary>
    internal const string FolderName = ".envtools-locks";

    /// <summary>Waits (polling, up to <paramref name="timeout"/>) for the lock of <paramref name="entry"/> in <paramref name="pkgsDir"/>.</summary>
    /// <exception cref="PackageCacheLockedException">Still held by another process after the time-out.</exception>
    internal static async Task<EntryLock> AcquireAsync(string pkgsDir, string entry, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string dir = Path.Combine(pkgsDir, FolderName);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, entry + ".lock");
        var waited = Stopwatch.StartNew();
        int delayMs = 5;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new EntryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
            }
            catch (IOException) when (waited.Elapsed < timeout)
            {
                await Task.Delay(delayMs, cancellationToken).ConfigureAwait(false);
                delayMs = Math.Min(delayMs * 2, 200);
            }
            catch (IOException)
            {
                throw new PackageCacheLockedException(entry, path, waited.Elapsed);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
