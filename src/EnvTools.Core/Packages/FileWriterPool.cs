using System.Buffers;
using System.Collections.Concurrent;

namespace EnvTools.Packages;

/// <summary>
/// Creates small files on a few background threads. Creating a file costs far more than writing a few kB into it (the
/// file system's metadata, its journal), and that time is mostly waiting, so several creations at once finish sooner
/// than one after another, even on two cores. The threads are shared by the process and started as they are needed;
/// each extraction has its own <see cref="Batch"/> to wait for its files and to learn of their errors.
/// </summary>
internal static class FileWriterPool
{
    private static readonly BlockingCollection<Item> Queue = new();
    private static readonly object StartLock = new();
    private static int _threads;

    /// <summary>Whether extractions hand small files to the pool (off: every file is written on the reading thread; for comparisons).</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>How many threads at most write files (they mostly wait on the file system, not on a core).</summary>
    internal static int MaxThreads { get; } = Math.Clamp(Environment.ProcessorCount * 2, 4, 8);

    /// <summary>The umask of the process (Unix; 0 on Windows), as probed once.</summary>
    internal static int Umask => ProcessUmask.Value;

    /// <summary>
    /// Creates <paramref name="path"/> (which must not exist) with <paramref name="data"/> and the Unix mode
    /// <paramref name="mode"/> (exactly: bits the umask takes away are put back).
    /// </summary>
    internal static void WriteFile(string path, ReadOnlySpan<byte> data, int mode)
    {
        using FileStream fs = Create(path, mode, out bool modeSet);
        if (data.Length > 0)
        {
            fs.Write(data);
        }

        if (!modeSet)
        {
            SetMode(fs, mode);
        }
    }

    /// <summary>Creates a new file for writing, with <paramref name="mode"/> given at creation; <paramref name="modeSet"/>
    /// is false when the umask took bits away (then <see cref="SetMode"/> must follow).</summary>
    internal static FileStream Create(string path, int mode, out bool modeSet)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        modeSet = true;
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = (UnixFileMode)(mode & 0x1FF);
            modeSet = ((mode & 0x1FF) & ~Umask) == (mode & 0x1FF); // the umask takes nothing away
        }

        return new FileStream(path, options);
    }

    /// <summary>Sets the mode through the open handle (one <c>fchmod</c>, no path lookup).</summary>
    internal static void SetMode(FileStream fs, int mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(fs.SafeFileHandle, (UnixFileMode)(mode & 0x1FF));
        }
    }

    private static void Post(Item item)
    {
        if (Volatile.Read(ref _threads) < MaxThreads)
        {
            lock (StartLock)
            {
                if (_threads < MaxThreads && Queue.Count >= _threads)
                {
                    _threads++;
                    new Thread(Work) { IsBackground = true, Name = "EnvTools file writer" }.Start();
                }
            }
        }

        Queue.Add(item);
    }

    private static void Work()
    {
        foreach (Item item in Queue.GetConsumingEnumerable())
        {
            Exception? error = null;
            try
            {
                if (!item.Batch.Failed)
                {
                    WriteFile(item.Path, item.Data.AsSpan(0, item.Length), item.Mode);
                }
            }
            catch (Exception ex)
            {
                error = ex;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(item.Data);
                item.Batch.Done(item.Length, error);
            }
        }
    }

    private readonly record struct Item(Batch Batch, string Path, byte[] Data, int Length, int Mode);

    /// <summary>The files one extraction has handed to the pool.</summary>
    internal sealed class Batch
    {
        private const long MaxPendingBytes = 32L << 20;
        private const int MaxPendingFiles = 512;

        private readonly object _lock = new();
        private int _files;
        private long _bytes;
        private Exception? _error;

        internal bool Failed => Volatile.Read(ref _error) is not null;

        /// <summary>Hands over a file; <paramref name="data"/> (rented from <see cref="ArrayPool{T}.Shared"/>) is returned
        /// to the pool once written. Waits while too much is pending; throws a pending error.</summary>
        internal void Write(string path, byte[] data, int length, int mode)
        {
            lock (_lock)
            {
                while (_error is null && (_files >= MaxPendingFiles || _bytes >= MaxPendingBytes))
                {
                    Monitor.Wait(_lock);
                }

                if (_error is not null)
                {
                    ArrayPool<byte>.Shared.Return(data);
                    throw Rethrow();
                }

                _files++;
                _bytes += length;
            }

            Post(new Item(this, path, data, length, mode));
        }

        /// <summary>Waits until every file handed over is written; throws the first error.</summary>
        internal void WaitAll()
        {
            lock (_lock)
            {
                while (_files > 0)
                {
                    Monitor.Wait(_lock);
                }

                if (_error is not null)
                {
                    throw Rethrow();
                }
            }
        }

        /// <summary>Waits until every file handed over is done, ignoring errors (cleaning up after a failure).</summary>
        internal void WaitQuietly()
        {
            lock (_lock)
            {
                while (_files > 0)
                {
                    Monitor.Wait(_lock);
                }
            }
        }

        internal void Done(int length, Exception? error)
        {
            lock (_lock)
            {
                _files--;
                _bytes -= length;
                if (error is not null && _error is null)
                {
                    _error = error;
                }

                Monitor.PulseAll(_lock);
            }
        }

        private Exception Rethrow() => _error is IOException or UnauthorizedAccessException
            ? _error // the same kinds of errors as writing on the reading thread
            : new IOException(_error!.Message, _error);
    }

    /// <summary>The process's umask, found once by creating a file with mode 0777 (Unix only).</summary>
    private static class ProcessUmask
    {
        internal static readonly int Value = Probe();

        private static int Probe()
        {
            if (OperatingSystem.IsWindows())
            {
                return 0;
            }

            string probe = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $".envtools-umask-{Environment.ProcessId}-{Guid.NewGuid():N}");
            try
            {
                using (new FileStream(probe, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = (UnixFileMode)0x1FF }))
                {
                }

                return ~(int)File.GetUnixFileMode(probe) & 0x1FF;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return 0x1FF; // unknown: always set the mode explicitly
            }
            finally
            {
                try
                {
                    File.Delete(probe);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
