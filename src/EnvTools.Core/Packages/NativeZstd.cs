using System.Runtime.InteropServices;

namespace EnvTools.Packages;

/// <summary>
/// The system's libzstd (<c>libzstd.so.1</c> on Linux, <c>libzstd.1.dylib</c> on macOS), bound at run time for the
/// <c>.tar.zst</c> members of <c>.conda</c> archives (on Windows only from the module's folder or System32: see
/// <see cref="NativeLoader"/>): where it cannot be loaded (Windows, a minimal container)
/// <see cref="IsAvailable"/> is false and callers use ZstdSharp's managed decoder. <c>ENVTOOLS_ZSTD=managed</c> forces
/// the managed decoder as well.
/// </summary>
internal static unsafe class NativeZstd
{
    private static readonly string[] Symbols = ["ZSTD_createDStream", "ZSTD_decompressStream", "ZSTD_freeDStream", "ZSTD_isError", "ZSTD_getErrorName"];

    private static readonly Lazy<Api?> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Test and benchmark hook: when true the native library is treated as absent.</summary>
    internal static bool ForceManaged { get; set; }

    /// <summary>Whether the native decoder can be used (library loaded, not switched off).</summary>
    internal static bool IsAvailable =>
        !ForceManaged && !string.Equals(Environment.GetEnvironmentVariable("ENVTOOLS_ZSTD"), "managed", StringComparison.OrdinalIgnoreCase) && Loaded.Value is not null;

    private static Api Functions => Loaded.Value ?? throw new InvalidOperationException("libzstd is not available");

    /// <summary><c>ZSTD_inBuffer</c> and <c>ZSTD_outBuffer</c> (the same layout: pointer, size, position).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Buffer
    {
        public byte* Data;
        public nuint Size;
        public nuint Pos;
    }

    /// <summary>A new decompression context (free it with <see cref="Free"/>).</summary>
    internal static IntPtr Create()
    {
        IntPtr d = Functions.CreateDStream();
        if (d == IntPtr.Zero)
        {
            throw new InsufficientMemoryException("libzstd could not allocate a decompression context");
        }

        return d;
    }

    /// <summary>Runs <c>ZSTD_decompressStream</c>: the hint (0 when a frame is complete and flushed), or throws on an error.</summary>
    internal static nuint Decompress(IntPtr d, Buffer* output, Buffer* input)
    {
        nuint rc = Functions.DecompressStream(d, output, input);
        if (Functions.IsError(rc) != 0)
        {
            throw new InvalidDataException("zstd: " + Marshal.PtrToStringAnsi(Functions.GetErrorName(rc)));
        }

        return rc;
    }

    /// <summary>Frees a context made by <see cref="Create"/>.</summary>
    internal static void Free(IntPtr d)
    {
        if (d != IntPtr.Zero) Functions.FreeDStream(d);
    }

    private static Api? Load()
    {
        string[] names = OperatingSystem.IsWindows() ? new[] { "libzstd.dll", "zstd.dll" }
            : OperatingSystem.IsMacOS() ? new[] { "libzstd.1.dylib", "libzstd.dylib" }
            : new[] { "libzstd.so.1", "libzstd.so" };
        if (NativeLoader.TryLoad(names, Symbols, out IntPtr[] f) == IntPtr.Zero)
        {
            return null;
        }

        return new Api(
            (delegate* unmanaged<IntPtr>)f[0],
            (delegate* unmanaged<IntPtr, Buffer*, Buffer*, nuint>)f[1],
            (delegate* unmanaged<IntPtr, nuint>)f[2],
            (delegate* unmanaged<nuint, uint>)f[3],
            (delegate* unmanaged<nuint, IntPtr>)f[4]);
    }

    private sealed class Api
    {
        internal readonly delegate* unmanaged<IntPtr> CreateDStream;
        internal readonly delegate* unmanaged<IntPtr, Buffer*, Buffer*, nuint> DecompressStream;
        internal readonly delegate* unmanaged<IntPtr, nuint> FreeDStream;
        internal readonly delegate* unmanaged<nuint, uint> IsError;
        internal readonly delegate* unmanaged<nuint, IntPtr> GetErrorName;

        internal Api(
            delegate* unmanaged<IntPtr> create,
            delegate* unmanaged<IntPtr, Buffer*, Buffer*, nuint> dec,
            delegate* unmanaged<IntPtr, nuint> free,
            delegate* unmanaged<nuint, uint> isError,
            delegate* unmanaged<nuint, IntPtr> errorName)
        {
            CreateDStream = create;
            DecompressStream = dec;
            FreeDStream = free;
            IsError = isError;
            GetErrorName = errorName;
        }
    }
}

/// <summary>
/// Decodes zstd frames (one or several, concatenated) from a stream with the native libzstd. Errors surface as
/// <see cref="InvalidDataException"/>; data ending inside a frame is an error too.
/// </summary>
internal sealed unsafe class NativeZstdStream : ReadOnlyStream
{
    private const int InputSize = 1 << 17;

    private readonly Stream _inner;
    private IntPtr _ctx;
    private byte* _input;
    private NativeZstd.Buffer _in;
    private bool _inputDone;
    private bool _frameOpen; // input taken since the last frame ended
    private bool _flushing; // the last call filled the output: the decoder may hold more

    internal NativeZstdStream(Stream inner)
    {
        _inner = inner;
        _input = (byte*)NativeMemory.Alloc(InputSize);
        _ctx = NativeZstd.Create();
        _in = new NativeZstd.Buffer { Data = _input };
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_input is null, this);
        if (buffer.Length == 0)
        {
            return 0;
        }

        fixed (byte* o = buffer)
        {
            var output = new NativeZstd.Buffer { Data = o, Size = (nuint)buffer.Length };
            while (true)
            {
                if (_in.Pos == _in.Size && !_inputDone && !_flushing)
                {
                    int n = _inner.Read(new Span<byte>(_input, InputSize));
                    _in.Size = (nuint)n;
                    _in.Pos = 0;
                    _inputDone = n == 0;
                }

                if (_in.Pos == _in.Size && _inputDone && !_flushing)
                {
                    if (_frameOpen) throw new InvalidDataException("truncated zstd data");
                    return 0;
                }

                nuint before = _in.Pos;
                nuint hint;
                fixed (NativeZstd.Buffer* ip = &_in)
                {
                    hint = NativeZstd.Decompress(_ctx, &output, ip);
                }

                if (_in.Pos != before) _frameOpen = true;
                if (hint == 0) _frameOpen = false; // a frame is complete and flushed
                _flushing = output.Pos == output.Size;
                if (output.Pos > 0)
                {
                    return (int)output.Pos;
                }
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (_ctx != IntPtr.Zero)
        {
            NativeZstd.Free(_ctx);
            _ctx = IntPtr.Zero;
        }

        if (_input is not null)
        {
            NativeMemory.Free(_input);
            _input = null;
        }

        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
