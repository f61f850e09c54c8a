using System.Runtime.InteropServices;

namespace EnvTools.CudaProbe;

/// <summary>
/// The CUDA driver probe that EnvTools runs in a short-lived child process (so that a driver that hangs or
/// crashes cannot take the PowerShell session with it). Usage:
/// <c>EnvTools.CudaProbe libcuda &lt;library&gt;...</c> or <c>EnvTools.CudaProbe nvml &lt;library&gt;...</c>.
/// Tries each library in order and prints one line per attempt: <c>found &lt;version&gt; &lt;library&gt;</c>
/// (the driver's CUDA version as the integer the API returns, e.g. 12040) and stops, or
/// <c>skip &lt;library&gt; &lt;reason&gt;</c>. Exit code 0 when a version was found, 1 when not, 2 on bad usage.
/// </summary>
public static unsafe class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        if (args.Length < 2 || args[0] is not ("libcuda" or "nvml"))
        {
            Console.Error.WriteLine("usage: EnvTools.CudaProbe libcuda|nvml <library>...");
            return 2;
        }

        foreach (string library in args.Skip(1))
        {
            if (!NativeLibrary.TryLoad(library, out IntPtr handle))
            {
                Console.WriteLine($"skip {library} not loadable");
                continue;
            }

            string? error = args[0] == "libcuda" ? ProbeLibCuda(handle, out int version) : ProbeNvml(handle, out version);
            if (error is null)
            {
                Console.WriteLine($"found {version} {library}");
                return 0;
            }

            Console.WriteLine($"skip {library} {error}");
        }

        return 1;
    }

    private static string? ProbeLibCuda(IntPtr handle, out int version)
    {
        version = 0;
        if (!NativeLibrary.TryGetExport(handle, "cuInit", out IntPtr init) ||
            !NativeLibrary.TryGetExport(handle, "cuDriverGetVersion", out IntPtr getVersion))
        {
            return "exports no cuInit/cuDriverGetVersion";
        }

        int rc = ((delegate* unmanaged<uint, int>)init)(0);
        if (rc != 0)
        {
            return $"cuInit returned {rc}";
        }

        int v = 0;
        rc = ((delegate* unmanaged<int*, int>)getVersion)(&v);
        if (rc != 0 || v <= 0)
        {
            return $"cuDriverGetVersion returned {rc}";
        }

        version = v;
        return null;
    }

    private static string? ProbeNvml(IntPtr handle, out int version)
    {
        version = 0;
        if (!NativeLibrary.TryGetExport(handle, "nvmlInit_v2", out IntPtr init) &&
            !NativeLibrary.TryGetExport(handle, "nvmlInit", out init))
        {
            return "exports no nvmlInit";
        }

        if (!NativeLibrary.TryGetExport(handle, "nvmlSystemGetCudaDriverVersion_v2", out IntPtr getVersion) &&
            !NativeLibrary.TryGetExport(handle, "nvmlSystemGetCudaDriverVersion", out getVersion))
        {
            return "exports no nvmlSystemGetCudaDriverVersion";
        }

        int rc = ((delegate* unmanaged<int>)init)();
        if (rc != 0)
        {
            return $"nvmlInit returned {rc}";
        }

        int v = 0;
        rc = ((delegate* unmanaged<int*, int>)getVersion)(&v);
        if (NativeLibrary.TryGetExport(handle, "nvmlShutdown", out IntPtr shutdown))
        {
            ((delegate* unmanaged<int>)shutdown)();
        }

        if (rc != 0 || v <= 0)
        {
            return $"nvmlSystemGetCudaDriverVersion returned {rc}";
        }

        version = v;
        return null;
    }
}
