using System.Runtime.InteropServices;

namespace EnvTools.Packages;

/// <summary>
/// Loads the optional native decoders (libzstd, libbz2) without letting an environment choose them. On Windows a bare
/// name is searched along PATH too: after <c>Enable-Env</c> that finds the environment's <c>Library\bin\libzstd.dll</c>
/// (loaded into the session for good, and locked until it ends), and a DLL planted in any folder on PATH would run
/// in the shell. So on Windows only the module's own folder and System32 are searched, for the library and for the
/// libraries it needs; elsewhere the system's loader finds the system library as usual.
/// </summary>
internal static class NativeLoader
{
    /// <summary>Where a native decoder may come from: on Windows the module's folder and System32 only; elsewhere null
    /// (the platform's default search).</summary>
    internal static DllImportSearchPath? SearchPath(bool windows) =>
        windows ? DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.System32 : null;

    /// <summary>The first of <paramref name="names"/> that loads and has every one of <paramref name="exports"/>; zero when
    /// none does (callers then use a managed decoder).</summary>
    internal static IntPtr TryLoad(IEnumerable<string> names, IReadOnlyList<string> exports, out IntPtr[] addresses)
    {
        addresses = new IntPtr[exports.Count];
        DllImportSearchPath? search = SearchPath(OperatingSystem.IsWindows());
        foreach (string name in names)
        {
            IntPtr handle;
            bool loaded = search is { } s
                ? NativeLibrary.TryLoad(name, typeof(NativeLoader).Assembly, s, out handle)
                : NativeLibrary.TryLoad(name, out handle);
            if (!loaded)
            {
                continue;
            }

            int found = 0;
            while (found < exports.Count && NativeLibrary.TryGetExport(handle, exports[found], out addresses[found]))
            {
                found++;
            }

            if (found == exports.Count)
            {
                return handle;
            }

            NativeLibrary.Free(handle);
        }

        return IntPtr.Zero;
    }
}
