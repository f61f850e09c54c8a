using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace EnvTools.Packages;

/// <summary>
/// Reads a (decompressing) stream ahead on a worker thread, a few chunks at most, so that decompression overlaps with
/// whatever the reader does with the bytes (writing files). An error of the inner stream surfaces on the next read.
/// </summary>
internal sealed class ReadAheadStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly BlockingCollection<(byte[] Buffer, int Count)> _chunks;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private readonly int _chunkSize;
    private ExceptionDispatchInfo? _error;
    private byte[]? _current;
    private int _offset;
    private int _count;
    private bool _done;

    internal ReadAheadStream(Stream inner, int chunkSize = 1 << 20, int depth = 4)
    {
        _inner = inner;
        _chunkSize = chunkSize;
        _chunks = new BlockingCollection<(byte[], int)>(depth);
        _producer = Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Produce()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                byte[] buf = ArrayPool<byte>.Shared.Rent(_chunkSize);
                int n = 0;
                while (n < _chunkSize)
                {
                    int got = _inner.Read(buf, n, _chunkSize - n);
                    if (got == 0) break;
                    n += got;
                }

                if (n == 0)
                {
                    ArrayPool<byte>.Shared.Return(buf);
                    break;
                }

                _chunks.Add((buf, n), _stop.Token);
                if (n < _chunkSize) break;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // disposed early
        }
        catch (Exception ex)
        {
            _error = ExceptionDispatchInfo.Capture(ex);
        }
        finally
        {
            _chunks.CompleteAdding();
        }
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0) return 0;
        while (_count == 0)
        {
            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }

            if (_done || !_chunks.TryTake(out (byte[] Buffer, int Count) next, Timeout.Infinite))
            {
                _done = true;
                _error?.Throw();
                return 0;
            }

            (_current, _offset, _count) = (next.Buffer, 0, next.Count);
        }

        int n = Math.Min(buffer.Length, _count);
        _current.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        _count -= n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Cancel();
            while (_chunks.TryTake(out (byte[] Buffer, int Count) left))
            {
                ArrayPool<byte>.Shared.Return(left.Buffer);
            }

            try
            {
                _producer.Wait();
            }
            catch (AggregateException)
            {
                // its error was captured
            }

            while (_chunks.TryTake(out (byte[] Buffer, int Count) left))
            {
                ArrayPool<byte>.Shared.Return(left.Buffer);
            }

            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }

            _chunks.Dispose();
            _stop.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
