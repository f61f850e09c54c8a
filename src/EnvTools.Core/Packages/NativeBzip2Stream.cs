using System.Runtime.InteropServices;

namespace EnvTools.Packages;

/// <summary>
/// Decodes a bzip2 file (one stream or several concatenated, as pbzip2 writes) with the native libbz2, one block after
/// another. Decoder errors surface as <see cref="InvalidDataException"/>; bytes after the last stream that are not a
/// stream header are ignored, as <c>bzip2 -d</c> does.
/// </summary>
internal sealed unsafe class NativeBzip2Stream : ReadOnlyStream
{
    private const int InputSize = 1 << 16;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private byte* _input;
    private NativeBzip2.BzStream* _state;
    private bool _inputDone;
    private bool _finished;
    private bool _streamStart = true;
    private bool _firstStream = true;

    internal NativeBzip2Stream(Stream inner, bool leaveOpen)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
        _input = (byte*)NativeMemory.Alloc(InputSize);
        _state = NativeBzip2.Init();
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_input is null, this);
        if (buffer.Length == 0 || _finished)
        {
            return 0;
        }

        fixed (byte* outp = buffer)
        {
            while (true)
            {
                if (_state->AvailIn == 0 && !_inputDone)
                {
                    Refill();
                }

                if (_streamStart)
                {
                    // A new stream (the first or a concatenated one): none at all, or not a header, ends the data.
                    if (_state->AvailIn == 0 && _inputDone)
                    {
                        if (_firstStream) throw new InvalidDataException("empty bzip2 data");
                        _finished = true;
                        return 0;
                    }
                }

                _state->NextOut = outp;
                _state->AvailOut = (uint)buffer.Length;
                int rc = NativeBzip2.Decompress(_state);
                int produced = buffer.Length - (int)_state->AvailOut;
                if (rc == NativeBzip2.BzDataErrorMagic && _streamStart && !_firstStream)
                {
                    _finished = true; // trailing garbage after the last stream
                    return 0;
                }

                if (rc < 0)
                {
                    throw new InvalidDataException(NativeBzip2.Describe(rc));
                }

                _streamStart = false;
                if (rc == NativeBzip2.BzStreamEnd)
                {
                    NextStream();
                    if (produced > 0) return produced;
                    continue;
                }

                if (produced > 0)
                {
                    return produced;
                }

                if (_state->AvailIn == 0 && _inputDone)
                {
                    throw new InvalidDataException("truncated bzip2 data");
                }
            }
        }
    }

    private void NextStream()
    {
        // Keep the unread input for the next stream.
        byte* rest = _state->NextIn;
        uint left = _state->AvailIn;
        NativeBzip2.End(_state);
        _state = null;
        _state = NativeBzip2.Init();
        _state->NextIn = rest;
        _state->AvailIn = left;
        _streamStart = true;
        _firstStream = false;
    }

    private void Refill()
    {
        int n = _inner.Read(new Span<byte>(_input, InputSize));
        if (n == 0)
        {
            _inputDone = true;
        }

        _state->NextIn = _input;
        _state->AvailIn = (uint)n;
    }

    protected override void Dispose(bool disposing)
    {
        if (_state is not null)
        {
            NativeBzip2.End(_state);
            _state = null;
        }

        if (_input is not null)
        {
            NativeMemory.Free(_input);
            _input = null;
        }

        _finished = true;
        if (disposing && !_leaveOpen)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
