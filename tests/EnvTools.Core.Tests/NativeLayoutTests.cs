using System.Runtime.InteropServices;
using EnvTools.Environments;
using EnvTools.Packages;
using Xunit;
using EnvTools.IO;

namespace EnvTools.Tests;

/// <summary>
/// The layouts of the structs EnvTools passes to native code, against the C headers (offsets in bytes, 64-bit). A wrong
/// layout is silent: on Windows, BY_HANDLE_FILE_INFORMATION read with 8-aligned FILETIMEs gave Get-Env a SizeOnDisk of
/// 222,359,046,848,547 bytes for 51,772 (the size shifted by 32 bits, ORed with the link count).
/// </summary>
public class NativeLayoutTests
{
    [Fact]
    public void ByHandleFileInformation_matches_fileapi_h()
    {
        // typedef struct _BY_HANDLE_FILE_INFORMATION { DWORD dwFileAttributes; FILETIME ftCreationTime, ftLastAccessTime,
        // ftLastWriteTime; DWORD dwVolumeSerialNumber, nFileSizeHigh, nFileSizeLow, nNumberOfLinks, nFileIndexHigh,
        // nFileIndexLow; } (FILETIME: two DWORDs)
        Assert.Equal(52, Marshal.SizeOf<FileStatusReader.Windows.ByHandleFileInformation>());
        var expected = new (string Field, int Offset)[]
        {
            ("FileAttributes", 0), ("CreationTime", 4), ("LastAccessTime", 12), ("LastWriteTime", 20), ("VolumeSerialNumber", 28),
            ("FileSizeHigh", 32), ("FileSizeLow", 36), ("NumberOfLinks", 40), ("FileIndexHigh", 44), ("FileIndexLow", 48),
        };
        foreach (var (field, offset) in expected)
        {
            Assert.Equal((field, offset), (field, (int)Marshal.OffsetOf<FileStatusReader.Windows.ByHandleFileInformation>(field)));
        }
    }

    [Fact]
    public void BzStream_matches_bzlib_h_on_64_bit()
    {
        Assert.Equal(8, IntPtr.Size);
        Assert.Equal(80, Marshal.SizeOf<NativeBzip2.BzStream>());
        var expected = new (string Field, int Offset)[]
        {
            ("NextIn", 0), ("AvailIn", 8), ("TotalInLo32", 12), ("TotalInHi32", 16), ("NextOut", 24), ("AvailOut", 32),
            ("TotalOutLo32", 36), ("TotalOutHi32", 40), ("State", 48), ("BzAlloc", 56), ("BzFree", 64), ("Opaque", 72),
        };
        foreach (var (field, offset) in expected)
        {
            Assert.Equal((field, offset), (field, (int)Marshal.OffsetOf<NativeBzip2.BzStream>(field)));
        }
    }

    [Fact]
    public void ZstdBuffer_matches_zstd_h()
    {
        // typedef struct ZSTD_inBuffer_s { const void* src; size_t size; size_t pos; } (ZSTD_outBuffer: the same)
        Assert.Equal(24, Marshal.SizeOf<NativeZstd.Buffer>());
        Assert.Equal(8, (int)Marshal.OffsetOf<NativeZstd.Buffer>("Size"));
        Assert.Equal(16, (int)Marshal.OffsetOf<NativeZstd.Buffer>("Pos"));
    }
}
