using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EnvTools.IO;

/// <summary>
/// The number of hard links of a file, which .NET does not expose: <c>statx</c> on Linux (its layout is the same on every
/// architecture), <c>lstat</c> on macOS, <c>GetFileInformationByHandle</c> on Windows. A file of an extracted package with
/// more than one link is linked into an environment.
/// </summary>
internal static partial class HardLinks
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxNlink = 0x4;

    /// <summary>The link count of <paramref name="path"/> (not following a symlink), or null when it cannot be read here.</summary>
    internal static int? Count(string path)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                var buf = new byte[256]; // struct statx; stx_nlink is the u32 at offset 16
                return Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxNlink, buf) == 0 ? (int)BitConverter.ToUInt32(buf, 16) : null;
            }

            if (OperatingSystem.IsMacOS())
            {
                var buf = new byte[256]; // struct stat (64-bit inodes): dev_t (4), mode_t (2), nlink_t (u16 at offset 6)
                int rc;
                try
                {
                    rc = LstatInode64(path, buf);
                }
                catch (EntryPointNotFoundException)
                {
                    rc = Lstat(path, buf); // arm64: lstat is the 64-bit inode version
                }

                return rc == 0 ? BitConverter.ToUInt16(buf, 6) : null;
            }

            if (OperatingSystem.IsWindows())
            {
                using SafeFileHandle h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var info = new byte[52]; // BY_HANDLE_FILE_INFORMATION; nNumberOfLinks is the DWORD at offset 40
                return GetFileInformationByHandle(h, info) ? (int)BitConverter.ToUInt32(info, 40) : null;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "lstat$INODE64", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LstatInode64(string path, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Lstat(string path, [Out] byte[] buffer);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool GetFileInformationByHandle(SafeFileHandle handle, [Out] byte[] info);
}
