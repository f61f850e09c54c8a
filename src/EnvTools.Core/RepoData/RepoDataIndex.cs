using System.Runtime.CompilerServices;
using EnvTools.Conda;

namespace EnvTools.RepoData;

/// <summary>
/// A lazily decoded repodata file: one structural scan maps every package name to the byte ranges
/// of its records, without decoding them; <see cref="GetRecords"/> decodes the records of one name
/// the first time it is asked for (a solver asks only for the names its request reaches). Thread-safe.
/// </summary>
/// <remarks>
/// <see cref="Load(string, string?, RepoDataIndexOptions)"/> keeps the scan's result on disk (see
/// <see cref="RepoDataIndexOptions"/>): a later load of the unchanged file memory-maps the raw JSON (or the
/// decompressed copy of a compressed file) and reads that index instead of reading and scanning the file. The
/// raw JSON (in memory or mapped) is kept until the index is disposed: dispose it when done, so that the mapping is
/// released at once (Windows refuses to replace a mapped file, so a repodata refresh waits for it), not by a finalizer.
/// Records already decoded stay valid; names not decoded before <see cref="Dispose"/> throw <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class RepoDataIndex : IDisposable
{
    private readonly byte[]? _json;                      // the raw JSON in memory, or
    private readonly MappedFile? _jsonMap;               // mapped (kept alive with the index)
    private readonly RepoDataDecoder _decoder;
    private readonly Dictionary<string, int> _byName;   // name -> its index into _first
    private readonly int[] _first;                       // name index -> first unit (one past the end: _first[i + 1])
    private readonly RepoDataUnit[]? _units;             // grouped by name; in each group .tar.bz2 first, each in file order
    private readonly MappedFile? _indexMap;              // or: the unit table of an on-disk index
    private readonly int _unitsOffset;
    private readonly Dictionary<string, IReadOnlyList<RepoDataRecord>> _decoded = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private bool _disposed;

    private RepoDataIndex(byte[]? json, MappedFile? jsonMap, RepoDataDecoder decoder, Dictionary<string, int> byName, int[] first,
        RepoDataUnit[]? units, MappedFile? indexMap, int unitsOffset, int count)
    {
        _json = json;
        _jsonMap = jsonMap;
        _decoder = decoder;
        _byName = byName;
        _first = first;
        _units = units;
        _indexMap = indexMap;
        _unitsOffset = unitsOffset;
        Count = count;
    }

    /// <summary>Reads (decompressing when needed) and indexes a repodata file, with the on-disk index of
    /// <see cref="RepoDataIndexOptions.Default"/>.</summary>
    /// <param name="path">The file (plain, .zst, .bz2 or .gz).</param>
    /// <param name="subdirUrl">The channel subdir URL, as for <see cref="RepoDataParser.ParseFile"/>; default: the file's folder.</param>
    /// <exception cref="MalformedDataException">The structure is malformed (records themselves are checked when decoded).</exception>
    public static RepoDataIndex Load(string path, string? subdirUrl = null) => Load(path, subdirUrl, RepoDataIndexOptions.Default);

    /// <summary>Indexes a repodata file, reusing its on-disk index when that is present and current, else scanning
    /// the file and writing the index (never failing for want of a writable place).</summary>
    /// <param name="path">The file (plain, .zst, .bz2 or .gz).</param>
    /// <param name="subdirUrl">The channel subdir URL, as for <see cref="RepoDataParser.ParseFile"/>; default: the file's folder.</param>
    /// <param name="options">Whether and where the on-disk index is kept.</param>
    /// <exception cref="MalformedDataException">The structure is malformed (records themselves are checked when decoded).</exception>
    public static RepoDataIndex Load(string path, string? subdirUrl, RepoDataIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        string fullPath = Path.GetFullPath(path);
        subdirUrl ??= new Uri(Path.GetDirectoryName(fullPath)!).AbsoluteUri;
        using var fs = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.None);
        long length = fs.Length;
        if (!options.UseDiskIndex || length < Math.Max(1, options.MinimumSourceLength) || length > Array.MaxLength || !BitConverter.IsLittleEndian)
        {
            return Create(ReadAll(fs, path), path, subdirUrl);
        }

        var source = new RepoDataDiskIndex.SourceStamp(fullPath, fs.SafeFileHandle, length, File.GetLastWriteTimeUtc(fs.SafeFileHandle).Ticks);
        IReadOnlyList<string> indexPaths = options.IndexPaths(fullPath);
        foreach (string indexPath in indexPaths)
        {
            RepoDataIndex? cached = FromDisk(indexPath, source, fs, path, subdirUrl);
            if (cached is not null)
            {
                return cached;
            }
        }

        Span<byte> head = stackalloc byte[4];
        int n = RandomAccess.Read(fs.SafeFileHandle, head, 0);
        bool compressed = RepoDataStreams.Detect(head[..n]) != RepoDataStreams.Kind.Json;
        MappedFile? map = null;
        byte[]? bytes = null;
        if (compressed)
        {
            _ = source.Sample;   // now: decompressing closes the file
            bytes = ReadAll(fs, path);
        }
        else
        {
            map = MappedFile.Open(fs, length);
        }

        try
        {
            ReadOnlySpan<byte> json = bytes ?? map!.GetSpan();
            RepoDataIndex index = Scan(json, bytes, map, path, subdirUrl);
            var content = new RepoDataDiskIndex.Content(index.Subdir, index.BaseUrl, index.RepoDataVersion, index.Removed,
                index.NamesInOrder(), index._first, index._units!, json.Length);
            index.IndexPath = RepoDataDiskIndex.TryWrite(indexPaths, source, content, compressed ? json : default, compressed);
            return index;
        }
        catch
        {
            map?.Dispose();
            throw;
        }
    }

    private static RepoDataIndex? FromDisk(string indexPath, RepoDataDiskIndex.SourceStamp source, FileStream fs, string sourceName, string subdirUrl)
    {
        RepoDataDiskIndex.Data? d = RepoDataDiskIndex.TryOpen(indexPath, source);
        if (d is null)
        {
            return null;
        }

        MappedFile? json = null;
        try
        {
            if (d.CopyPath is null)
            {
                json = d.JsonLength == source.Length ? MappedFile.Open(fs, source.Length) : null;
            }
            else
            {
                using var copy = new FileStream(d.CopyPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1);
                if (copy.Length == d.CopyLength && copy.Length == d.JsonLength && copy.Length > 0
                    && RepoDataDiskIndex.SampleHash(copy.SafeFileHandle, copy.Length).AsSpan().SequenceEqual(d.CopySample))
                {
                    json = MappedFile.Open(copy, copy.Length);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            json = null;
        }

        if (json is null)
        {
            d.Map.Dispose();
            return null;
        }

        var decoder = new RepoDataDecoder(sourceName, subdirUrl);
        decoder.Restore(d.Subdir, d.BaseUrl, d.RepoDataVersion, d.Removed);
        decoder.Finish();
        var byName = new Dictionary<string, int>(d.Names.Length, StringComparer.Ordinal);
        for (int i = 0; i < d.Names.Length; i++)
        {
            byName[d.Names[i]] = i;
        }

        return new RepoDataIndex(null, json, decoder, byName, d.First, null, d.Map, d.UnitsOffset, d.UnitCount)
        {
            FromDiskIndex = true,
            IndexPath = indexPath,
        };
    }

    private static byte[] ReadAll(FileStream fs, string path)
    {
        try
        {
            return RepoDataStreams.ReadAll(fs);
        }
        catch (Exception ex) when (ex is InvalidDataException or ZstdSharp.ZstdException || (ex is IOException && ex is not FileNotFoundException and not DirectoryNotFoundException))
        {
            throw new MalformedDataException("MalformedRepoData", path, $"cannot decompress: {ex.Message}", ex);
        }
    }

    /// <summary>True when this index was read from an on-disk index file (the raw file was not scanned).</summary>
    internal bool FromDiskIndex { get; private init; }

    /// <summary>The on-disk index file read or written; null when none was.</summary>
    internal string? IndexPath { get; private set; }

    /// <summary>Indexes repodata JSON held in memory (no on-disk index); the index keeps <paramref name="json"/> (do not modify it).</summary>
    /// <exception cref="MalformedDataException">The structure is malformed.</exception>
    public static RepoDataIndex Create(byte[] json, string sourceName, string? subdirUrl = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Scan(json, json, null, sourceName, subdirUrl);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RepoDataIndex Scan(ReadOnlySpan<byte> json, byte[]? array, MappedFile? map, string sourceName, string? subdirUrl)
    {
        var decoder = new RepoDataDecoder(sourceName, subdirUrl);
        var names = new RecordStringPool();
        var scanner = new RepoDataScanner();
        // Every record with the index of its name (names interned by their bytes: no string per record).
        RepoDataUnit[] units = new RepoDataUnit[Math.Max(16, json.Length / 400)];
        int[] nameOf = new int[units.Length];
        int count = 0;
        bool conda = false, condaFirst = false;
        try
        {
            while (scanner.Next(json, final: true, out RepoDataUnit u) == RepoDataScanner.Result.Unit)
            {
                if (!u.IsRecord)
                {
                    decoder.DecodeTop(json, u, 0, 0);
                    continue;
                }

                int name = u.NameStart >= 0
                    ? NameOf(json.Slice(u.NameStart, u.NameLength), names)
                    : names.IndexOf(NameFromFileName(RepoDataScanner.DecodeString(json.Slice(u.KeyStart, u.KeyLength), u.KeyEscaped)));
                if (count == units.Length)
                {
                    Array.Resize(ref units, units.Length * 2);
                    Array.Resize(ref nameOf, units.Length);
                }

                conda |= u.Section == RepoDataSection.PackagesConda;
                condaFirst |= conda && u.Section == RepoDataSection.Packages;
                units[count] = u;
                nameOf[count++] = name;
            }
        }
        catch (RepoDataScanner.ScanException ex)
        {
            throw RecordErrors.Malformed("MalformedRepoData", sourceName, json, 0, new RecordFormatException(ex.Message, ex.Offset));
        }

        decoder.Finish();

        // Group by name (a counting sort, stable): packages before packages.conda, each in file order, as
        // RepoDataParser lists them.
        int nameCount = names.Count;
        int[] first = new int[nameCount + 1];
        for (int i = 0; i < count; i++)
        {
            first[nameOf[i] + 1]++;
        }

        for (int i = 0; i < nameCount; i++)
        {
            first[i + 1] += first[i];
        }

        int[] next = first[..^1];
        var grouped = new RepoDataUnit[count];
        for (int pass = 0; pass < (condaFirst ? 2 : 1); pass++)
        {
            for (int i = 0; i < count; i++)
            {
                if (!condaFirst || (units[i].Section == RepoDataSection.Packages) == (pass == 0))
                {
                    grouped[next[nameOf[i]]++] = units[i];
                }
            }
        }

        var byName = new Dictionary<string, int>(nameCount, StringComparer.Ordinal);
        for (int i = 0; i < nameCount; i++)
        {
            byName[names[i]] = i;
        }

        return new RepoDataIndex(array, map, decoder, byName, first, grouped, null, 0, count);
    }

    /// <summary>Every package name in the file.</summary>
    public IReadOnlyCollection<string> Names => _byName.Keys;

    /// <summary>Number of records in the file.</summary>
    public int Count { get; }

    /// <summary><c>info.subdir</c>; null when absent.</summary>
    public string? Subdir => _decoder.Subdir;

    /// <summary><c>info.base_url</c>; null when absent.</summary>
    public string? BaseUrl => _decoder.BaseUrl;

    /// <summary><c>repodata_version</c>; null when absent.</summary>
    public int? RepoDataVersion => _decoder.RepoDataVersion;

    /// <summary>File names listed in <c>removed</c>.</summary>
    public IReadOnlyList<string> Removed => _decoder.Removed;

    /// <summary>True when the file has records of <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The records of one package name (the <c>.tar.bz2</c> ones first, each group in file order),
    /// decoded on the first call and cached; empty when the name is absent.</summary>
    /// <exception cref="MalformedDataException">One of those records is malformed.</exception>
    public IReadOnlyList<RepoDataRecord> GetRecords(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_lock)
        {
            if (_decoded.TryGetValue(name, out IReadOnlyList<RepoDataRecord>? done))
            {
                return done;
            }

            if (!_byName.TryGetValue(name, out int n))
            {
                return [];
            }

            ObjectDisposedException.ThrowIf(_disposed, this);
            int start = _first[n];
            var records = new RepoDataRecord[_first[n + 1] - start];
            ReadOnlySpan<byte> json = _json ?? _jsonMap!.GetSpan();
            ReadOnlySpan<byte> table = _indexMap is null ? default : _indexMap.GetSpan();
            for (int i = 0; i < records.Length; i++)
            {
                RepoDataUnit u = _units is not null ? _units[start + i] : RepoDataDiskIndex.ReadUnit(table, _unitsOffset, start + i);
                records[i] = _decoder.DecodeRecord(json, u, 0, 0, finished: true);
            }

            _decoded[name] = records;
            GC.KeepAlive(_jsonMap);
            GC.KeepAlive(_indexMap);
            return records;
        }
    }

    /// <summary>Unmaps the raw JSON and the on-disk index now (see the remarks); safe to call twice, and while another
    /// thread decodes (it waits for it).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _jsonMap?.Dispose();
            _indexMap?.Dispose();
        }
    }

    /// <summary>True once <see cref="Dispose"/> ran.</summary>
    internal bool IsDisposed => _disposed;

    /// <summary>The names by their index (the order of <c>_first</c>).</summary>
    private string[] NamesInOrder()
    {
        var names = new string[_byName.Count];
        foreach (KeyValuePair<string, int> kv in _byName)
        {
            names[kv.Value] = kv.Key;
        }

        return names;
    }

    private static int NameOf(ReadOnlySpan<byte> text, RecordStringPool pool) =>
        text.IndexOf((byte)'\\') >= 0 ? pool.IndexOf(RepoDataScanner.DecodeString(text, escaped: true)) : pool.IndexOf(text);

    /// <summary><c>name-version-build.ext</c> → name (version and build hold no '-').</summary>
    internal static string NameFromFileName(string fn)
    {
        string stem = fn.EndsWith(".tar.bz2", StringComparison.Ordinal) ? fn[..^8] : fn.EndsWith(".conda", StringComparison.Ordinal) ? fn[..^6] : fn;
        int b = stem.LastIndexOf('-');
        int v = b > 0 ? stem.LastIndexOf('-', b - 1) : -1;
        return v > 0 ? stem[..v] : stem;
    }
}
