namespace EnvTools.Environments;

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
    public static PrefixLock Acquire(string prefix, TimeSpan timeout, CancellationToken ct) => Acquire(prefix, timeout, ct, create: true);

    /// <summary>
    /// Takes the lock of an existing environment, never creating anything: an environment that is gone (removed while
    /// this process waited) is <see cref="Environments.EnvironmentNotFoundException"/>.
    /// </summary>
    /// <exception cref="Environments.EnvironmentNotFoundException">The prefix has no conda-meta folder (any more).</exception>
    /// <exception cref="PrefixLockedException">Another process still holds the lock after the time-out.</exception>
    public static PrefixLock AcquireExisting(string prefix, TimeSpan timeout, CancellationToken ct) => Acquire(prefix, timeout, ct, create: false);

    private static PrefixLock Acquire(string prefix, TimeSpan timeout, CancellationToken ct, bool create)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        string full = Path.GetFullPath(prefix);
        string meta = Path.Combine(full, "conda-meta");
        string path = Path.Combine(meta, FileName);
        var deadline = DateTime.UtcNow + timeout;
        int delay = 10;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (create)
            {
                Directory.CreateDirectory(meta);
            }

            FileStream fs;
            try
            {
                fs = new FileStream(path, create ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                if (create)
                {
                    if (DateTime.UtcNow >= deadline)
                    {
                        throw new PrefixLockedException(full, timeout, ex);
                    }

                    continue; // removed between the folder's creation and the open: make it again
                }

                if (!Directory.Exists(meta))
                {
                    throw new Environments.EnvironmentNotFoundException(full, Array.Empty<string>());
                }

                // an environment whose lock file was never made (created by another tool)
                FileStream? made = OpenCreating(path, deadline, timeout, full, ct, ref delay);
                if (made is null)
                {
                    continue;
                }

                fs = made;
            }
            catch (IOException ex)
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new PrefixLockedException(full, timeout, ex);
                }

                Wait(ct, ref delay);
                continue;
            }

            // The holder before this one may have deleted the file it locked (a removal, a failed create): a lock on
            // a file no longer in the folder locks nothing.
            if (!File.Exists(path))
            {
                fs.Dispose();
                if (!create && !Directory.Exists(meta))
                {
                    throw new Environments.EnvironmentNotFoundException(full, Array.Empty<string>());
                }

                if (DateTime.UtcNow >= deadline)
                {
                    throw new PrefixLockedException(full, timeout, null);
                }

                continue;
            }

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
    }

    private static FileStream? OpenCreating(string path, DateTime deadline, TimeSpan timeout, string full, CancellationToken ct, ref int delay)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new Environments.EnvironmentNotFoundException(full, Array.Empty<string>());
        }
        catch (IOException ex)
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new PrefixLockedException(full, timeout, ex);
            }

            Wait(ct, ref delay);
            return null;
        }
    }

    private static void Wait(CancellationToken ct, ref int delay)
    {
        if (ct.WaitHandle.WaitOne(delay))
        {
            ct.ThrowIfCancellationRequested();
        }

        delay = Math.Min(delay * 2, 250);
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }
}
