using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace EnvTools.Packages;

/// <summary>
/// Decodes a bzip2 file with the native libbz2 on several threads, as lbzip2 and pbzip2 do: the blocks of a bzip2 stream
/// are independent and each starts with the bit-aligned 48-bit magic <c>0x314159265359</c>. The file is scanned for
/// the block magics (and the end-of-stream magic <c>0x177245385090</c>); the bits between one magic and the next are
/// wrapped in a small stream of their own (<c>BZh</c> header, the block, an end-of-stream marker whose CRC is the
/// block's) and decoded on the thread pool, several blocks ahead of the reader.
/// </summary>
/// <remarks>
/// The blocks are taken in order by the reader, which walks the real structure of the file (stream headers, blocks,
/// end-of-stream markers): each block's own CRC is checked by libbz2 and each stream's combined CRC here. The magic can
/// also occur inside compressed data by chance; a false one splits a block, whose pieces then fail to decode. On that,
/// or on anything else unexpected (a corrupt or truncated file), the reader goes back to the start of the current
/// stream, decodes it and the rest of the file sequentially with <see cref="NativeBzip2Stream"/> and skips what it has
/// already returned: the result and the errors are those of the sequential decoder.
/// </remarks>
internal sealed unsafe class ParallelBzip2Stream : ReadOnlyStream
{
    private const ulong BlockMagic = 0x314159265359;
    private const ulong EndMagic = 0x177245385090;
    private const int ScanChunk = 1 << 20;

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _data;
    private readonly long _length;
    private readonly int _lookahead;

    // Magic candidates found so far, in bit order; the scan goes on a chunk at a time as they are needed.
    private readonly List<(long Bit, bool End)> _candidates = new();
    private long _scannedBytes;
    private readonly List<long> _injected = new();

    // Speculative jobs: one per block-magic candidate, decoding up to the next candidate.
    private readonly Queue<Job> _jobs = new();

    // Every decode started, discarded ones included: they all read the mapped file, which must outlive them.
    private readonly List<Task> _started = new();
    private int _nextJobCandidate;

    // The reader's walk.
    private int _walkCandidate; // index of the first candidate at or after _pos
    private long _pos; // bit position of the next expected magic
    private int _level;
    private uint _combinedCrc;
    private long _streamStartByte;
    private long _emittedInStream;
    private byte[]? _current;
    private int _currentOffset;
    private int _currentCount;
    private bool _finished;
    private Stream? _fallback;
    private bool _disposed;

    internal ParallelBzip2Stream(FileStream file, int? lookahead = null)
    {
        _length = file.Length;
        _map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        _view = _map.CreateViewAccessor(0, _length, MemoryMappedFileAccess.Read);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _data = p + _view.PointerOffset;
        _lookahead = lookahead ?? Math.Max(2, Environment.ProcessorCount + 1);
        if (!TryStartStream(0))
        {
            Fallback(); // not a bzip2 header: the sequential decoder says so
        }
    }

    /// <summary>Test hook: adds a block-magic candidate that is not one (as a chance occurrence in compressed data would be).</summary>
    internal void InjectFalseCandidate(long bit) => _injected.Add(bit);

    /// <summary>Test hook: how many times the reader fell back to the sequential decoder.</summary>
    internal int Fallbacks { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.Length == 0)
        {
            return 0;
        }

        while (true)
        {
            if (_currentCount > 0)
            {
                int n = Math.Min(_currentCount, buffer.Length);
                _current.AsSpan(_currentOffset, n).CopyTo(buffer);
                _currentOffset += n;
                _currentCount -= n;
                _emittedInStream += n;
                return n;
            }

            if (_fallback is not null)
            {
                return _fallback.Read(buffer);
            }

            if (_finished)
            {
                return 0;
            }

            Step();
        }
    }

    /// <summary>Takes the next element of the file's structure: a block (its bytes become current), an end of stream.</summary>
    private void Step()
    {
        ReturnCurrent();
        (long Bit, bool End)? at = CandidateAt(_pos);
        if (at is null)
        {
            Fallback();
            return;
        }

        if (at.Value.End)
        {
            if (_pos + 80 > _length * 8 || (uint)ReadBits(_pos + 48, 32) != _combinedCrc)
            {
                Fallback();
                return;
            }

            long next = (_pos + 80 + 7) / 8;
            if (!TryStartStream(next))
            {
                _finished = true; // the end of the data, or bytes after it that are not a stream (ignored, as bzip2 -d does)
            }

            return;
        }

        // A block: it ends where the next candidate starts.
        (long Bit, bool End)? end = CandidateAfter(_pos);
        if (end is null)
        {
            Fallback();
            return;
        }

        Job? job = TakeJob(_pos, end.Value.Bit, _level);
        job ??= Job.Run(this, _pos, end.Value.Bit, _level, runNow: true);
        Result r = job.Wait();
        if (!r.Ok)
        {
            Fallback();
            return;
        }

        uint crc = (uint)ReadBits(_pos + 48, 32);
        _combinedCrc = ((_combinedCrc << 1) | (_combinedCrc >> 31)) ^ crc;
        (_current, _currentOffset, _currentCount) = (r.Buffer, 0, r.Length);
        _pos = end.Value.Bit;
    }

    private bool TryStartStream(long byteOffset)
    {
        if (byteOffset + 4 > _length || _data[byteOffset] != 'B' || _data[byteOffset + 1] != 'Z' || _data[byteOffset + 2] != 'h'
            || _data[byteOffset + 3] < '1' || _data[byteOffset + 3] > '9')
        {
            return false;
        }

        _level = _data[byteOffset + 3] - '0';
        _streamStartByte = byteOffset;
        _emittedInStream = 0;
        _combinedCrc = 0;
        _pos = (byteOffset + 4) * 8;
        return true;
    }

    /// <summary>Decodes the current stream and everything after it sequentially, skipping what was already returned.</summary>
    private void Fallback()
    {
        ReturnCurrent();
        DrainJobs();
        Fallbacks++;
        var rest = new UnmanagedMemoryStream(_data + _streamStartByte, _length - _streamStartByte);
        _fallback = new NativeBzip2Stream(rest, leaveOpen: false);
        long skip = _emittedInStream;
        byte[] buf = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            while (skip > 0)
            {
                int n = _fallback.Read(buf, 0, (int)Math.Min(buf.Length, skip));
                if (n == 0) throw new InvalidDataException("truncated bzip2 data");
                skip -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    // ---- candidates -------------------------------------------------------------------------------------------

    private (long Bit, bool End)? CandidateAt(long bit)
    {
        while (true)
        {
            while (_walkCandidate < _candidates.Count && _candidates[_walkCandidate].Bit < bit)
            {
                _walkCandidate++;
            }

            if (_walkCandidate < _candidates.Count)
            {
                var c = _candidates[_walkCandidate];
                return c.Bit == bit ? c : null;
            }

            if (!ScanMore())
            {
                return null;
            }
        }
    }

    private (long Bit, bool End)? CandidateAfter(long bit)
    {
        int i = _walkCandidate;
        while (true)
        {
            while (i < _candidates.Count && _candidates[i].Bit <= bit)
            {
                i++;
            }

            if (i < _candidates.Count)
            {
                return _candidates[i];
            }

            if (!ScanMore())
            {
                return null;
            }
        }
    }

    /// <summary>Scans the next chunk of the file for magics (8 bit shifts of each); false when the file is all scanned.</summary>
    private bool ScanMore()
    {
        if (_scannedBytes >= _length)
        {
            return false;
        }

        long start = _scannedBytes;
        long end = Math.Min(_length, start + ScanChunk);
        // The 5 fully determined bytes of a magic at bit shift k start one byte after the magic's first byte.
        long windowEnd = Math.Min(_length, end + 6);
        var found = new List<(long, bool)>();
        Span<byte> needle = stackalloc byte[5];
        foreach (bool isEnd in new[] { false, true })
        {
            ulong magic = isEnd ? EndMagic : BlockMagic;
            for (int k = 0; k < 8; k++)
            {
                ulong v = magic << (16 - k);
                for (int j = 0; j < 5; j++)
                {
                    needle[j] = (byte)(v >> (48 - 8 * j));
                }

                long from = start + 1;
                while (from < windowEnd)
                {
                    var hay = new ReadOnlySpan<byte>(_data + from, (int)(windowEnd - from));
                    int i = hay.IndexOf(needle);
                    if (i < 0) break;
                    long first = from + i - 1; // the byte holding the magic's first bit
                    if (first < end && Matches(first * 8 + k, magic))
                    {
                        found.Add((first * 8 + k, isEnd));
                    }

                    from += i + 1;
                }
            }
        }

        found.AddRange(_injected.Where(b => b >= start * 8 && b < end * 8).Select(b => (b, false)));
        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        _candidates.AddRange(found);
        _scannedBytes = end;
        return true;
    }

    private bool Matches(long bit, ulong magic) => bit + 48 <= _length * 8 && ReadBits(bit, 48) == magic;

    /// <summary>Reads <paramref name="count"/> (≤ 57) bits big-endian from bit <paramref name="bit"/>; zeros past the end.</summary>
    private ulong ReadBits(long bit, int count)
    {
        long b = bit >> 3;
        ulong w = 0;
        for (int i = 0; i < 8; i++)
        {
            w = (w << 8) | (b + i < _length ? _data[b + i] : 0u);
        }

        return (w << (int)(bit & 7)) >> (64 - count);
    }

    // ---- jobs -------------------------------------------------------------------------------------------------

    /// <summary>Starts speculative jobs for the block candidates ahead, up to the lookahead; returns the one for (start, end) if any.</summary>
    private Job? TakeJob(long start, long end, int level)
    {
        while (_jobs.Count > 0 && _jobs.Peek().Start < start)
        {
            _jobs.Dequeue().Discard();
        }

        Pump();
        if (_jobs.Count > 0 && _jobs.Peek().Start == start)
        {
            Job j = _jobs.Dequeue();
            Pump();
            if (j.End == end && j.Level == level)
            {
                return j;
            }

            j.Discard();
        }

        return null;
    }

    private void Pump()
    {
        while (_jobs.Count < _lookahead)
        {
            if (_nextJobCandidate < _walkCandidate)
            {
                _nextJobCandidate = _walkCandidate;
            }

            while (_nextJobCandidate >= _candidates.Count)
            {
                if (!ScanMore()) return;
            }

            var c = _candidates[_nextJobCandidate];
            if (c.End)
            {
                _nextJobCandidate++;
                continue;
            }

            while (_nextJobCandidate + 1 >= _candidates.Count)
            {
                if (!ScanMore()) return;
            }

            _jobs.Enqueue(Job.Run(this, c.Bit, _candidates[_nextJobCandidate + 1].Bit, _level, runNow: false));
            _nextJobCandidate++;
        }
    }

    private void DrainJobs(bool wait = false)
    {
        while (_jobs.Count > 0)
        {
            Job j = _jobs.Dequeue();
            if (wait) j.Finish();
            else j.Discard();
        }
    }

    private void ReturnCurrent()
    {
        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = null;
            _currentCount = 0;
        }
    }

    /// <summary>Wraps the bits [start, end) in a stream of their own and decodes it; never throws.</summary>
    private Result Decode(long start, long end, int level)
    {
        long bits = end - start;
        if (bits < 80 || bits > 64L * 1024 * 1024 * 8)
        {
            return default;
        }

        int size = 4 + (int)((bits + 80 + 7) / 8);
        byte* mini = (byte*)NativeMemory.AllocZeroed((nuint)size + 8);
        NativeBzip2.BzStream* s = null;
        byte[]? output = null;
        try
        {
            mini[0] = (byte)'B';
            mini[1] = (byte)'Z';
            mini[2] = (byte)'h';
            mini[3] = (byte)('0' + level);
            CopyBits(start, bits, mini + 4);
            uint crc = (uint)ReadBits(start + 48, 32);
            WriteBits(mini + 4, bits, EndMagic, 48);
            WriteBits(mini + 4, bits + 48, crc, 32);

            s = NativeBzip2.Init();
            s->NextIn = mini;
            s->AvailIn = (uint)size;
            output = ArrayPool<byte>.Shared.Rent(level * 100_000 + 4096);
            int length = 0;
            while (true)
            {
                if (length == output.Length)
                {
                    byte[] bigger = ArrayPool<byte>.Shared.Rent(output.Length * 2);
                    output.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(output);
                    output = bigger;
                }

                int rc;
                int before = length;
                uint inBefore = s->AvailIn;
                fixed (byte* o = &output[length])
                {
                    s->NextOut = o;
                    s->AvailOut = (uint)(output.Length - length);
                    rc = NativeBzip2.Decompress(s);
                    length = output.Length - (int)s->AvailOut;
                }

                if (rc == NativeBzip2.BzStreamEnd)
                {
                    var r = new Result(true, output, length);
                    output = null;
                    return r;
                }

                if (rc != NativeBzip2.BzOk || (s->AvailIn == 0 && length < output.Length) || (length == before && s->AvailIn == inBefore))
                {
                    return default; // an error, or the input ran out before the end
                }
            }
        }
        catch (Exception ex) when (ex is OutOfMemoryException or InvalidOperationException)
        {
            return default;
        }
        finally
        {
            if (output is not null) ArrayPool<byte>.Shared.Return(output);
            NativeBzip2.End(s);
            NativeMemory.Free(mini);
        }
    }

    /// <summary>Copies <paramref name="bits"/> bits from bit <paramref name="start"/> of the file to byte-aligned <paramref name="to"/>.</summary>
    private void CopyBits(long start, long bits, byte* to)
    {
        long from = start >> 3;
        int shift = (int)(start & 7);
        long bytes = (bits + 7) / 8;
        if (shift == 0)
        {
            Buffer.MemoryCopy(_data + from, to, bytes, bytes);
        }
        else
        {
            for (long i = 0; i < bytes; i++)
            {
                int hi = _data[from + i] << shift;
                int lo = from + i + 1 < _length ? _data[from + i + 1] >> (8 - shift) : 0;
                to[i] = (byte)(hi | lo);
            }
        }

        // clear the bits after the copied ones (they belong to the next block)
        int used = (int)(bits & 7);
        if (used != 0)
        {
            to[bytes - 1] &= (byte)(0xFF << (8 - used));
        }
    }

    private static void WriteBits(byte* to, long bit, ulong value, int count)
    {
        for (int i = count - 1; i >= 0; i--, bit++)
        {
            byte mask = (byte)(0x80 >> (int)(bit & 7));
            if (((value >> i) & 1) != 0)
            {
                to[bit >> 3] |= mask;
            }
            else
            {
                to[bit >> 3] &= (byte)~mask;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (!_disposed)
        {
            _disposed = true;
            DrainJobs(wait: true); // the jobs read the mapped file: it stays until they are done
            foreach (Task t in _started)
            {
                ((IAsyncResult)t).AsyncWaitHandle.WaitOne(); // discarded jobs too (Decode never throws)
            }
            ReturnCurrent();
            _fallback?.Dispose();
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _map.Dispose();
        }

        base.Dispose(disposing);
    }

    private readonly record struct Result(bool Ok, byte[] Buffer, int Length);

    /// <summary>One block's decoding, on the thread pool (or inline).</summary>
    private sealed class Job
    {
        private readonly Task<Result> _task;

        private Job(long start, long end, int level, Task<Result> task)
        {
            (Start, End, Level, _task) = (start, end, level, task);
        }

        internal long Start { get; }

        internal long End { get; }

        internal int Level { get; }

        internal static Job Run(ParallelBzip2Stream owner, long start, long end, int level, bool runNow)
        {
            Task<Result> task = runNow ? Task.FromResult(owner.Decode(start, end, level)) : Task.Run(() => owner.Decode(start, end, level));
            owner._started.Add(task);
            return new Job(start, end, level, task);
        }

        internal Result Wait() => _task.GetAwaiter().GetResult();

        /// <summary>Waits for the job (it reads the mapped file) and returns its buffer to the pool.</summary>
        internal void Finish()
        {
            Result r = Wait();
            if (r.Ok) ArrayPool<byte>.Shared.Return(r.Buffer);
        }

        /// <summary>Drops the job: its buffer goes back to the pool once it is done.</summary>
        internal void Discard()
        {
            _task.ContinueWith(
                static t =>
                {
                    if (t.Result.Ok) ArrayPool<byte>.Shared.Return(t.Result.Buffer);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }
}
