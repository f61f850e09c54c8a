using System.Runtime.InteropServices;

namespace EnvTools.IO;

/// <summary>What a directory entry is, seen without following symbolic links.</summary>
internal enum FileKind
{
    Other,
    Regular,
    Directory,
    SymbolicLink,
}

/// <summary>
/// The facts of one directory entry, read without following symbolic links: its kind, size, identity
/// (device and inode, or volume serial and file index on Windows) and hard-link count.
/// </summary>
internal readonly record struct FileStatus(FileKind Kind, long Size, ulong Device, ulong Inode, long LinkCount);

/// <summary>
/// Reads <see cref="FileStatus"/> through the operating system, because .NET does not expose the link
/// count: <c>statx(2)</c> on Linux (one struct layout for every architecture; libc's wrapper, else the raw
/// system call on x64 and arm64), <c>lstat(2)</c> on macOS (the 64-bit-inode layout) and
/// <c>GetFileInformationByHandle</c> on Windows.
/// </summary>
internal static unsafe partial class FileStatusReader
{
    /// <summary>True when link counts can be read on this platform (false on a kernel without statx, or an unknown OS).</summary>
    internal static bool IsSupported => s_supported.Value;

    private static readonly Lazy<bool> s_supported = new(() =>
    {
        try
        {
            return TryLStat(AppContext.BaseDirectory, out FileStatus s) && s.Kind == FileKind.Directory;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException)
        {
            return false;
        }
    });

    /// <summary>Reads an entry without following a final symbolic link; false when it does not exist or cannot be read.</summary>
    internal static bool TryLStat(string path, out FileStatus status)
    {
        if (OperatingSystem.IsLinux())
        {
            return Linux.TryStatx(path, out status);
        }

        if (OperatingSystem.IsMacOS())
        {
            return Darwin.TryLStat(path, out status);
        }

        if (OperatingSystem.IsWindows())
        {
            return Windows.TryGetInfo(path, out status);
        }

        status = default;
        return false;
    }

    private static FileKind KindOfMode(uint mode) => (mode & 0xF000) switch
    {
        0x8000 => FileKind.Regular,      // S_IFREG
        0x4000 => FileKind.Directory,    // S_IFDIR
        0xA000 => FileKind.SymbolicLink, // S_IFLNK
        _ => FileKind.Other,
    };

    /// <summary>
    /// statx(2). <c>struct statx</c> is made of fixed-width fields and has the same layout on every Linux
    /// architecture (256 bytes): stx_mask u32 @0, stx_nlink u32 @16, stx_mode u16 @28, stx_ino u64 @32,
    /// stx_size u64 @40, stx_dev_major u32 @136, stx_dev_minor u32 @140.
    /// </summary>
    private static partial class Linux
    {
        private const int AtFdCwd = -100;
        private const int AtSymlinkNoFollow = 0x100;
        private const uint StatxType = 0x1, StatxMode = 0x2, StatxNlink = 0x4, StatxIno = 0x100, StatxSize = 0x200;
        private const int BufferSize = 256;
        private static bool s_useSyscall;

        [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        private static partial int StatxLibc(int dirfd, string path, int flags, uint mask, byte* buffer);

        [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
        private static partial long Syscall(long number, long dirfd, byte* path, long flags, long mask, byte* buffer);

        internal static bool TryStatx(string path, out FileStatus status)
        {
            byte* buf = stackalloc byte[BufferSize];
            new Span<byte>(buf, BufferSize).Clear();
            const uint mask = StatxType | StatxMode | StatxNlink | StatxIno | StatxSize;
            int rc = s_useSyscall ? StatxRaw(path, mask, buf) : CallLibc(path, mask, buf);
            if (rc != 0)
            {
                status = default;
                return false;
            }

            uint got = *(uint*)buf;
            uint nlink = *(uint*)(buf + 16);
            ushort mode = *(ushort*)(buf + 28);
            ulong ino = *(ulong*)(buf + 32);
            ulong size = *(ulong*)(buf + 40);
            uint devMajor = *(uint*)(buf + 136);
            uint devMinor = *(uint*)(buf + 140);
            status = new FileStatus(
                (got & StatxType) != 0 ? KindOfMode(mode) : FileKind.Other,
                (long)size,
                ((ulong)devMajor << 32) | devMinor,
                ino,
                (got & StatxNlink) != 0 ? nlink : -1);
            return true;
        }

        private static int CallLibc(string path, uint mask, byte* buf)
        {
            try
            {
                return StatxLibc(AtFdCwd, path, AtSymlinkNoFollow, mask, buf);
            }
            catch (EntryPointNotFoundException)
            {
                // glibc before 2.28 / older musl: no wrapper, but the kernel (4.11+) has the call.
                s_useSyscall = true;
                return StatxRaw(path, mask, buf);
            }
        }

        private static int StatxRaw(string path, uint mask, byte* buf)
        {
            long number = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => 332,
                Architecture.Arm64 => 291,
                _ => throw new PlatformNotSupportedException("statx is not available on this architecture"),
            };
            int len = System.Text.Encoding.UTF8.GetMaxByteCount(path.Length) + 1;
            byte[] bytes = new byte[len];
            int n = System.Text.Encoding.UTF8.GetBytes(path, bytes);
            bytes[n] = 0;
            fixed (byte* p = bytes)
            {
                return (int)Syscall(number, AtFdCwd, p, AtSymlinkNoFollow, mask, buf);
            }
        }
    }

    /// <summary>
    /// lstat(2) with the 64-bit-inode <c>struct stat</c> (the only one on arm64, <c>lstat$INODE64</c> on x64):
    /// st_dev i32 @0, st_mode u16 @4, st_nlink u16 @6, st_ino u64 @8, st_size i64 @96; 144 bytes.
    /// </summary>
    private static partial class Darwin
    {
        private const int BufferSize = 144;

        [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        private static partial int LStatArm64(string path, byte* buffer);

        [LibraryImport("libc", EntryPoint = "lstat$INODE64", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        private static partial int LStatX64(string path, byte* buffer);

        internal static bool TryLStat(string path, out FileStatus status)
        {
            byte* buf = stackalloc byte[BufferSize];
            new Span<byte>(buf, BufferSize).Clear();
            int rc = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? LStatX64(path, buf) : LStatArm64(path, buf);
            if (rc != 0)
            {
                status = default;
                return false;
            }

            status = new FileStatus(
                KindOfMode(*(ushort*)(buf + 4)),
                *(long*)(buf + 96),
                *(uint*)buf,
                *(ulong*)(buf + 8),
                *(ushort*)(buf + 6));
            return true;
        }
    }

    /// <summary>GetFileInformationByHandle: the volume serial, the file index and nNumberOfLinks.</summary>
    internal static partial class Windows
    {
        /// <summary><c>BY_HANDLE_FILE_INFORMATION</c>: its FILETIMEs are two DWORDs each, 4-byte aligned (52 bytes in
        /// all), so the 64-bit fields must not be 8-aligned (the file size and link count would be read 4 bytes late).</summary>
        [StructLayout(LayoutKind.Sequential, Pack = 4)]
        internal struct ByHandleFileInformation
        {
            public uint FileAttributes;
            public long CreationTime;
            public long LastAccessTime;
            public long LastWriteTime;
            public uint VolumeSerialNumber;
            public uint FileSizeHigh;
            public uint FileSizeLow;
            public uint NumberOfLinks;
            public uint FileIndexHigh;
            public uint FileIndexLow;
        }

        [LibraryImport("kernel32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static partial bool GetFileInformationByHandle(Microsoft.Win32.SafeHandles.SafeFileHandle handle, out ByHandleFileInformation info);

        internal static bool TryGetInfo(string path, out FileStatus status)
        {
            status = default;
            FileSystemInfo fsi = new FileInfo(path);
            if (!fsi.Exists)
            {
                fsi = new DirectoryInfo(path);
                if (!fsi.Exists)
                {
                    return false;
                }
            }

            if ((fsi.Attributes & FileAttributes.ReparsePoint) != 0)
            {
                status = new FileStatus(FileKind.SymbolicLink, 0, 0, 0, 1);
                return true;
            }

            if (fsi is DirectoryInfo)
            {
                status = new FileStatus(FileKind.Directory, 0, 0, 0, 1);
                return true;
            }

            try
            {
                using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (!GetFileInformationByHandle(handle, out ByHandleFileInformation info))
                {
                    return false;
                }

                status = new FileStatus(FileKind.Regular, ((long)info.FileSizeHigh << 32) | info.FileSizeLow, info.VolumeSerialNumber,
                    ((ulong)info.FileIndexHigh << 32) | info.FileIndexLow, info.NumberOfLinks);
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
