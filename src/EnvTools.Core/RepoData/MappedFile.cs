using System.IO.MemoryMappedFiles;

namespace EnvTools.RepoData;

/// <summary>
/// A read-only memory mapping of a whole file. The mapping lives until <see cref="Dispose()"/> or, when its owner
/// forgets it, the finalizer: whoever holds a span of it must hold this object too.
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly int _length;
    private byte* _pointer;

    private MappedFile(MemoryMappedFile map, MemoryMappedViewAccessor view, int length)
    {
        _map = map;
        _view = view;
        _length = length;
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _pointer = p + view.PointerOffset;
    }

    ~MappedFile() => Dispose(false);

    /// <summary>Maps the first <paramref name="length"/> bytes of an open file (1 byte to 2 GiB); the stream stays the caller's.</summary>
    public static MappedFile Open(FileStream file, long length)
    {
        if (length <= 0 || length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "cannot map an empty file or one over 2 GiB");
        }

        MemoryMappedFile map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        try
        {
            MemoryMappedViewAccessor view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            return new MappedFile(map, view, (int)length);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    /// <summary>Maps a whole file by path; null when it is empty.</summary>
    public static MappedFile? Open(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1);
        return fs.Length == 0 ? null : Open(fs, fs.Length);
    }

    public int Length => _length;

    public ReadOnlySpan<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        return new ReadOnlySpan<byte>(_pointer, _length);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    private void Dispose(bool disposing)
    {
        if (_pointer != null)
        {
            _pointer = null;
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
        }

        if (disposing)
        {
            _view.Dispose();
            _map.Dispose();
        }
    }
}
