namespace EnvTools.Install;

/// <summary>
/// A cross-process exclusive lock on a prefix: the file <c>conda-meta/.envtools.lock</c> opened without sharing (an
/// advisory <c>flock</c> on Unix, a share-mode lock on Windows), released when disposed or when the process dies.
/// </summary>
public sealed class PrefixLock : IDisposable
{
    /// <summary>The lock file's name inside <c>conda-meta</c>.</summary>
    public const string FileName = ".envtools.lock";

    private FileStream? _stream;

    private PrefixLock(string prefix, FileStream stream)
    {
        Prefix = prefix;
        _stream = stream;
    }

    /// <summary>The locked prefix (full path).</summary>
    public string Prefix { get; }

    /// <summary>
    /// Takes the lock, creating <c>conda-meta</c> when needed, retrying until <paramref name="timeout"/> has passed.
    /// </summary>
    /// <exception cref="PrefixLockedException">Another process still holds the lock after the time-out.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled while waiting.</exception>
    public static PrefixLock Acquire(string prefix, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        string full = Path.GetFullPath(prefix);
        string meta = Path.Combine(full, "conda-meta");
        Directory.CreateDirectory(meta);
        string path = Path.Combine(meta, FileName);
        var deadline = DateTime.UtcNow + timeout;
        int delay = 10;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                try
                {
                    fs.SetLength(0);
                    var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    fs.Write(pid);
                    fs.Flush();
                }
                catch (IOException)
                {
                    // the pid is informative only
                }

                return new PrefixLock(full, fs);
            }
            catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new PrefixLockedException(full, timeout, ex);
                }

                if (ct.WaitHandle.WaitOne(delay))
                {
                    ct.ThrowIfCancellationRequested();
                }

                delay = Math.Min(delay * 2, 250);
            }
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }
}
