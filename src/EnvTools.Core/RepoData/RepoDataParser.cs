using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using EnvTools.Conda;

namespace EnvTools.RepoData;

/// <summary>
/// Parses repodata (v1 and v2, <c>packages</c> and <c>packages.conda</c>, <c>info.base_url</c>, <c>removed</c>,
/// flat <c>{filename: record}</c> maps) from JSON, <c>.json.zst</c>, <c>.json.bz2</c> or <c>.json.gz</c>
/// (detected by content). The input is streamed through a small buffer, one record at a time, so a full
/// parse never holds the whole file and the record graph together. For solving, prefer
/// <see cref="RepoDataIndex"/>, which decodes only the names asked for.
/// </summary>
public static class RepoDataParser
{
    private const int InitialBuffer = 1 << 17;

    /// <summary>Parses a repodata file.</summary>
    /// <param name="path">The file (plain or compressed).</param>
    /// <param name="subdirUrl">The URL of the channel subdir the file describes (e.g.
    /// <c>https://conda.anaconda.org/conda-forge/linux-64</c>): records get their <c>url</c> from it (or from a
    /// relative <c>base_url</c>) and it is their <c>channel</c> when they name none. Default: the file's folder as a <c>file://</c> URL.</param>
    /// <exception cref="MalformedDataException">The content is malformed; the message names the file, byte offset and line.</exception>
    public static RepoDataFile ParseFile(string path, string? subdirUrl = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        subdirUrl ??= new Uri(Path.GetDirectoryName(Path.GetFullPath(path))!).AbsoluteUri;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Parse(fs, path, subdirUrl);
    }

    /// <summary>Parses repodata from a stream (plain or compressed); <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="MalformedDataException">The content is malformed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RepoDataFile Parse(Stream stream, string sourceName, string? subdirUrl = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using Stream json = RepoDataStreams.Decompress(stream);
        var decoder = new RepoDataDecoder(sourceName, subdirUrl);
        var batches = new List<Batch>();

        byte[] buf = new byte[InitialBuffer];
        int len = 0;
        long absBase = 0, lines = 0;
        bool final = false;
        var scanner = new RepoDataScanner();
        DecodePipeline? pipeline = null;
        Batch? batch = null;
        try
        {
            final = Fill(json, buf, ref len);

            // A large document is decoded on several threads: past the first few MiB, this one reads and finds
            // the records, the workers decode them batch by batch (a batch is the records of one buffer).
            int workers = Workers ?? Math.Min(Environment.ProcessorCount, MaxWorkers);
            while (true)
            {
                RepoDataScanner.Result res = scanner.Next(buf.AsSpan(0, len), final, out RepoDataUnit u);
                if (res == RepoDataScanner.Result.Unit)
                {
                    if (u.IsRecord)
                    {
                        (batch ??= new Batch(buf, absBase, lines)).Units.Add(u);
                    }
                    else
                    {
                        try
                        {
                            decoder.DecodeTop(buf, u, absBase, lines);
                        }
                        catch (MalformedDataException)
                        {
                            ThrowEarlierError(pipeline, batches, decoder, batch);
                            throw;
                        }
                    }

                    continue;
                }

                // The records found in this buffer are complete: decode them (here, or hand them over and
                // carry on in another buffer, so that the workers can read this one).
                int keep = scanner.Position;
                bool moved = false;
                if (batch is not null)
                {
                    batches.Add(batch);
                    if (pipeline is null)
                    {
                        DecodeBatch(decoder, batch);
                    }
                    else
                    {
                        pipeline.Submit(batch);
                        bool grow = res == RepoDataScanner.Result.NeedMore && keep == 0 && len == buf.Length;
                        byte[] next = pipeline.Rent(grow ? buf.Length * 2 : buf.Length);
                        MoveTail(buf, next, ref len, keep, ref absBase, ref lines);
                        buf = next;
                        moved = true;
                    }

                    batch = null;
                }

                if (res == RepoDataScanner.Result.End)
                {
                    // Only whitespace may follow.
                    scanner.Position = moved ? 0 : keep;
                    while (!final)
                    {
                        keep = scanner.Position;
                        Compact(ref buf, ref len, ref keep, ref absBase, ref lines, grow: false);
                        scanner.Position = keep;
                        final = Fill(json, buf, ref len);
                        scanner.Next(buf.AsSpan(0, len), final, out _);
                    }

                    break;
                }

                // NeedMore: keep the incomplete member, grow when it fills the buffer, read on.
                if (pipeline is null && workers > 1 && absBase + keep >= (Workers is null ? ParallelFrom : 0))
                {
                    pipeline = new DecodePipeline(decoder, workers);
                }

                if (!moved)
                {
                    Compact(ref buf, ref len, ref keep, ref absBase, ref lines, grow: keep == 0 && len == buf.Length);
                }

                scanner.Position = 0;
                final = Fill(json, buf, ref len);
            }
        }
        catch (RepoDataScanner.ScanException ex)
        {
            ThrowEarlierError(pipeline, batches, decoder, batch);
            throw RecordErrors.Malformed("MalformedRepoData", sourceName, buf.AsSpan(0, len), absBase, new RecordFormatException(ex.Message, ex.Offset), lines);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new MalformedDataException("MalformedRepoData", sourceName, $"cannot decompress: {ex.Message} (at byte {absBase + len})", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new MalformedDataException("MalformedRepoData", sourceName, $"cannot decompress: {ex.Message}", ex);
        }
        catch (ZstdSharp.ZstdException ex)
        {
            throw new MalformedDataException("MalformedRepoData", sourceName, $"cannot decompress: {ex.Message}", ex);
        }
        finally
        {
            pipeline?.Finish();
        }

        ThrowFirstBatchError(batches);
        decoder.Finish();
        int nPackages = 0, nConda = 0;
        foreach (Batch b in batches)
        {
            foreach (RepoDataSection section in b.Sections)
            {
                if (section == RepoDataSection.PackagesConda)
                {
                    nConda++;
                }
                else
                {
                    nPackages++;
                }
            }
        }

        var packages = new RepoDataRecord[nPackages];
        var conda = new RepoDataRecord[nConda];
        nPackages = nConda = 0;
        foreach (Batch b in batches)
        {
            for (int i = 0; i < b.Records.Length; i++)
            {
                RepoDataRecord r = b.Records[i];
                decoder.Complete(r);
                if (b.Sections[i] == RepoDataSection.PackagesConda)
                {
                    conda[nConda++] = r;
                }
                else
                {
                    packages[nPackages++] = r;
                }
            }
        }

        return new RepoDataFile(decoder.Subdir, decoder.BaseUrl, decoder.RepoDataVersion, packages, conda, decoder.Removed.ToArray());
    }

    private const int MaxWorkers = 4;

    /// <summary>Documents are decoded on one thread up to here: below it, starting threads costs more than it saves.</summary>
    private const long ParallelFrom = 4 << 20;

    /// <summary>Decoding threads for documents larger than the first buffer (default: the processor count, at most
    /// 4); 1 decodes on the reading thread. For tests and measurements.</summary>
    internal static int? Workers { get; set; } = int.TryParse(Environment.GetEnvironmentVariable("ENVTOOLS_PARSE_WORKERS"), out int w) && w > 0 ? w : null;

    /// <summary>The records found in one buffer, decoded together.</summary>
    private sealed class Batch(byte[] buffer, long absBase, long lines)
    {
        public byte[] Buffer { get; } = buffer;
        public long AbsBase { get; } = absBase;
        public long Lines { get; } = lines;
        public List<RepoDataUnit> Units { get; private set; } = new(256);
        public RepoDataRecord[] Records { get; private set; } = [];
        public RepoDataSection[] Sections { get; private set; } = [];

        /// <summary>Keeps the records and their sections; lets the units go.</summary>
        public void Done(RepoDataRecord[] records)
        {
            var sections = new RepoDataSection[records.Length];
            for (int i = 0; i < sections.Length; i++)
            {
                sections[i] = Units[i].Section;
            }

            Records = records;
            Sections = sections;
            Units = [];
        }
        public ExceptionDispatchInfo? Error { get; set; }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DecodeBatch(RepoDataDecoder decoder, Batch b)
    {
        var records = new RepoDataRecord[b.Units.Count];
        for (int i = 0; i < records.Length; i++)
        {
            records[i] = decoder.DecodeRecord(b.Buffer, b.Units[i], b.AbsBase, b.Lines, finished: false);
        }

        b.Done(records);
    }

    /// <summary>Before reporting an error found by this thread, the records before it: their first error (in file order) wins.</summary>
    private static void ThrowEarlierError(DecodePipeline? pipeline, List<Batch> batches, RepoDataDecoder decoder, Batch? pending)
    {
        pipeline?.Finish();
        ThrowFirstBatchError(batches);
        if (pending is not null)
        {
            DecodeBatch(decoder, pending);
        }
    }

    /// <summary>The first error in file order wins, as when decoding on one thread.</summary>
    private static void ThrowFirstBatchError(List<Batch> batches)
    {
        foreach (Batch b in batches)
        {
            b.Error?.Throw();
        }
    }

    /// <summary>Worker threads decoding batches in parallel; bounded, so that only a few buffers are in flight.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Finish() disposes the queue after joining the workers")]
    private sealed class DecodePipeline
    {
        private readonly BlockingCollection<Batch> _queue;
        private readonly ConcurrentBag<byte[]> _free = [];
        private readonly Thread[] _threads;
        private bool _finished;

        public DecodePipeline(RepoDataDecoder decoder, int workers)
        {
            _queue = new BlockingCollection<Batch>(workers * 2);
            _threads = new Thread[workers];
            for (int w = 0; w < workers; w++)
            {
                RepoDataDecoder d = decoder.ForWorker();
                _threads[w] = new Thread(() => Run(d)) { IsBackground = true, Name = "EnvTools repodata decode" };
                _threads[w].Start();
            }
        }

        public void Submit(Batch b) => _queue.Add(b);

        /// <summary>A free buffer of at least <paramref name="size"/> bytes (one the workers are done with, when there is one).</summary>
        public byte[] Rent(int size)
        {
            while (_free.TryTake(out byte[]? b))
            {
                if (b.Length >= size)
                {
                    return b;
                }
            }

            return new byte[size];
        }

        /// <summary>Waits until every submitted batch is decoded.</summary>
        public void Finish()
        {
            if (_finished)
            {
                return;
            }

            _finished = true;
            _queue.CompleteAdding();
            foreach (Thread t in _threads)
            {
                t.Join();
            }

            _queue.Dispose();
        }

        private void Run(RepoDataDecoder decoder)
        {
            foreach (Batch b in _queue.GetConsumingEnumerable())
            {
                try
                {
                    DecodeBatch(decoder, b);
                }
                catch (Exception ex)
                {
                    b.Error = ExceptionDispatchInfo.Capture(ex);
                }

                _free.Add(b.Buffer);
            }
        }
    }

    /// <summary>Continues in <paramref name="next"/>: copies the bytes from <paramref name="keepFrom"/> on.</summary>
    private static void MoveTail(byte[] buf, byte[] next, ref int len, int keepFrom, ref long absBase, ref long lines)
    {
        lines += buf.AsSpan(0, keepFrom).Count((byte)'\n');
        absBase += keepFrom;
        int rest = len - keepFrom;
        Buffer.BlockCopy(buf, keepFrom, next, 0, rest);
        len = rest;
    }

    /// <summary>Parses repodata held in memory (plain JSON).</summary>
    /// <exception cref="MalformedDataException">The content is malformed.</exception>
    public static RepoDataFile Parse(byte[] json, string sourceName, string? subdirUrl = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(new MemoryStream(json, writable: false), sourceName, subdirUrl);
    }

    private static void Compact(ref byte[] buf, ref int len, ref int keepFrom, ref long absBase, ref long lines, bool grow)
    {
        lines += buf.AsSpan(0, keepFrom).Count((byte)'\n');
        absBase += keepFrom;
        int rest = len - keepFrom;
        byte[] target = grow ? new byte[buf.Length * 2] : buf;
        Buffer.BlockCopy(buf, keepFrom, target, 0, rest);
        buf = target;
        len = rest;
        keepFrom = 0;
    }

    /// <summary>Reads until the buffer is full or the stream ends; true at the end.</summary>
    private static bool Fill(Stream s, byte[] buf, ref int len)
    {
        while (len < buf.Length)
        {
            int n = s.Read(buf, len, buf.Length - len);
            if (n == 0)
            {
                return true;
            }

            len += n;
        }

        return false;
    }
}
