using System.Runtime.InteropServices;

namespace EnvTools.Packages;

/// <summary>
/// The system's libbz2 (<c>libbz2.so.1.0</c>/<c>libbz2.so.1</c> on Linux, <c>libbz2.1.0.dylib</c> on macOS), bound at
/// run time: where it cannot be loaded (Windows, a minimal container) <see cref="IsAvailable"/> is false and callers use
/// SharpCompress's managed decoder. <c>ENVTOOLS_BZIP2=managed</c> forces the managed decoder as well,
/// <c>ENVTOOLS_BZIP2=sequential</c> the native one on a single thread.
/// </summary>
internal static unsafe class NativeBzip2
{
    private static readonly string[] Symbols = ["BZ2_bzDecompressInit", "BZ2_bzDecompress", "BZ2_bzDecompressEnd"];

    internal const int BzOk = 0;
    internal const int BzStreamEnd = 4;
    internal const int BzDataError = -4;
    internal const int BzDataErrorMagic = -5;
    internal const int BzMemError = -3;

    private static readonly Lazy<Api?> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Test hook: when true the native library is treated as absent.</summary>
    internal static bool ForceManaged { get; set; }

    /// <summary>Whether the native decoder can be used (library loaded, not switched off).</summary>
    internal static bool IsAvailable =>
        !ForceManaged && !string.Equals(Environment.GetEnvironmentVariable("ENVTOOLS_BZIP2"), "managed", StringComparison.OrdinalIgnoreCase) && Loaded.Value is not null;

    /// <summary><c>ENVTOOLS_BZIP2=sequential</c>: the native decoder on one thread (for comparisons).</summary>
    internal static bool SequentialOnly
    {
        get => _sequentialOnly ?? string.Equals(Environment.GetEnvironmentVariable("ENVTOOLS_BZIP2"), "sequential", StringComparison.OrdinalIgnoreCase);
        set => _sequentialOnly = value;
    }

    private static bool? _sequentialOnly;

    private static Api Functions => Loaded.Value ?? throw new InvalidOperationException("libbz2 is not available");

    /// <summary>bzlib.h's <c>bz_stream</c>: on LP64 and LLP64 alike, the same natural layout as the C struct.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct BzStream
    {
        public byte* NextIn;
        public uint AvailIn;
        public uint TotalInLo32;
        public uint TotalInHi32;
        public byte* NextOut;
        public uint AvailOut;
        public uint TotalOutLo32;
        public uint TotalOutHi32;
        public void* State;
        public void* BzAlloc;
        public void* BzFree;
        public void* Opaque;
    }

    /// <summary>Allocates and initialises a decoder state (unmanaged memory; free it with <see cref="End"/>).</summary>
    internal static BzStream* Init()
    {
        var s = (BzStream*)NativeMemory.AllocZeroed((nuint)sizeof(BzStream));
        int rc = Functions.DecompressInit(s, 0, 0);
        if (rc != BzOk)
        {
            NativeMemory.Free(s);
            throw rc == BzMemError ? new InsufficientMemoryException("libbz2 could not allocate its decoder") : new InvalidOperationException($"BZ2_bzDecompressInit failed ({rc})");
        }

        return s;
    }

    /// <summary>Runs <c>BZ2_bzDecompress</c> over the stream's current buffers.</summary>
    internal static int Decompress(BzStream* s) => Functions.Decompress(s);

    /// <summary>Frees a state made by <see cref="Init"/>.</summary>
    internal static void End(BzStream* s)
    {
        if (s is null) return;
        Functions.DecompressEnd(s);
        NativeMemory.Free(s);
    }

    /// <summary>The message of a libbz2 error code.</summary>
    internal static string Describe(int rc) => rc switch
    {
        BzDataError => "bzip2 data error (bad block or CRC)",
        BzDataErrorMagic => "not bzip2 data (bad magic)",
        BzMemError => "bzip2 decoder out of memory",
        -7 => "truncated bzip2 data",
        _ => $"bzip2 error {rc}",
    };

    private static Api? Load()
    {
        string[] names = OperatingSystem.IsWindows() ? new[] { "bz2.dll", "libbz2.dll" }
            : OperatingSystem.IsMacOS() ? new[] { "libbz2.1.0.dylib", "libbz2.dylib" }
            : new[] { "libbz2.so.1.0", "libbz2.so.1", "libbz2.so" };
        if (NativeLoader.TryLoad(names, Symbols, out IntPtr[] f) == IntPtr.Zero)
        {
            return null;
        }

        return new Api(
            (delegate* unmanaged<BzStream*, int, int, int>)f[0],
            (delegate* unmanaged<BzStream*, int>)f[1],
            (delegate* unmanaged<BzStream*, int>)f[2]);
    }

    private sealed class Api
    {
        internal readonly delegate* unmanaged<BzStream*, int, int, int> DecompressInit;
        internal readonly delegate* unmanaged<BzStream*, int> Decompress;
        internal readonly delegate* unmanaged<BzStream*, int> DecompressEnd;

        internal Api(delegate* unmanaged<BzStream*, int, int, int> init, delegate* unmanaged<BzStream*, int> dec, delegate* unmanaged<BzStream*, int> end)
        {
            DecompressInit = init;
            Decompress = dec;
            DecompressEnd = end;
        }
    }
}
