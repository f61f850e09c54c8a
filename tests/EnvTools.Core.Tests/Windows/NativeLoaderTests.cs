using System.Runtime.InteropServices;
using EnvTools.Packages;
using Xunit;

namespace EnvTools.Tests.Windows;

/// <summary>Issue 17 behaviour 5: the native decoders are never found along PATH on Windows (an activated environment's
/// <c>Library\bin\libzstd.dll</c>, or a planted DLL): only the module's folder and System32, for their dependencies too.</summary>
public class NativeLoaderTests
{
    [Fact]
    public void Windows_searches_only_the_modules_folder_and_System32()
    {
        DllImportSearchPath search = Assert.NotNull(NativeLoader.SearchPath(windows: true));
        Assert.Equal(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.System32, search);
        // none of the flags that reach PATH, the current folder or the host's (pwsh.exe's) folder
        foreach (var reach in new[] { DllImportSearchPath.LegacyBehavior, DllImportSearchPath.ApplicationDirectory, DllImportSearchPath.UserDirectories,
                     DllImportSearchPath.SafeDirectories, DllImportSearchPath.UseDllDirectoryForDependencies })
        {
            Assert.Equal((DllImportSearchPath)0, search & reach);
        }

        Assert.Null(NativeLoader.SearchPath(windows: false)); // the system loader finds the system's library
    }

    [NotOnWindowsFact("Windows has no libzstd/libbz2 in System32: the managed decoders are used there")]
    public void The_system_libraries_still_load_where_they_are_installed()
    {
        // Debian's libzstd1 and libbz2-1.0 are part of the base system the tests run on
        Assert.NotEqual(IntPtr.Zero, NativeLoader.TryLoad(new[] { "libzstd.so.1" }, new[] { "ZSTD_createDStream" }, out IntPtr[] z));
        Assert.NotEqual(IntPtr.Zero, z[0]);
        Assert.NotEqual(IntPtr.Zero, NativeLoader.TryLoad(new[] { "no-such-library.so.9", "libbz2.so.1.0" }, new[] { "BZ2_bzDecompressInit" }, out _));
        Assert.Equal(IntPtr.Zero, NativeLoader.TryLoad(new[] { "libzstd.so.1" }, new[] { "ZSTD_createDStream", "no_such_export" }, out _));
    }
}
