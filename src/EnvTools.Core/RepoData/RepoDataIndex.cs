using System.Runtime.CompilerServices;
using System.Text;
using EnvTools.Conda;

namespace EnvTools.RepoData;

/// <summary>
/// A lazily decoded repodata file: one structural scan maps every package name to the byte ranges
/// of its records, without decoding them; <see cref="GetRecords"/> decodes the records of one name
/// the first time it is asked for (a solver asks only for the names its request reaches). The raw
/// JSON is kept in memory for the lifetime of the index. Thread-safe.
/// </summary>
public sealed class RepoDataIndex
{
    private readonly byte[] _json;
    private readonly RepoDataDecoder _decoder;
    private readonly Dictionary<string, int> _byName;   // name -> its index into _first
    private readonly int[] _first;                       // name index -> first unit in _units (one past the end: _first[i + 1])
    private readonly RepoDataUnit[] _units;              // grouped by name; in each group .tar.bz2 first, each in file order
    private readonly Dictionary<string, IReadOnlyList<RepoDataRecord>> _decoded = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    private RepoDataIndex(byte[] json, RepoDataDecoder decoder, Dictionary<string, int> byName, int[] first, RepoDataUnit[] units)
    {
        _json = json;
        _decoder = decoder;
        _byName = byName;
        _first = first;
        _units = units;
        Count = units.Length;
    }

    /// <summary>Reads (decompressing when needed) and indexes a repodata file.</summary>
    /// <param name="path">The file (plain, .zst, .bz2 or .gz).</param>
    /// <param name="subdirUrl">The channel subdir URL, as for <see cref="RepoDataParser.ParseFile"/>; default: the file's folder.</param>
    /// <exception cref="MalformedDataException">The structure is malformed (records themselves are checked when decoded).</exception>
    public static RepoDataIndex Load(string path, string? subdirUrl = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        subdirUrl ??= new Uri(Path.GetDirectoryName(Path.GetFullPath(path))!).AbsoluteUri;
        byte[] json;
        try
        {
            json = RepoDataStreams.ReadAll(path);
        }
        catch (Exception ex) when (ex is InvalidDataException or ZstdSharp.ZstdException || (ex is IOException && ex is not FileNotFoundException and not DirectoryNotFoundException))
        {
            throw new MalformedDataException("MalformedRepoData", path, $"cannot decompress: {ex.Message}", ex);
        }

        return Create(json, path, subdirUrl);
    }

    /// <summary>Indexes repodata JSON held in memory; the index keeps <paramref name="json"/> (do not modify it).</summary>
    /// <exception cref="MalformedDataException">The structure is malformed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RepoDataIndex Create(byte[] json, string sourceName, string? subdirUrl = null)
    {
        ArgumentNullException.ThrowIfNull(json);
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
                    ? NameOf(json.AsSpan(u.NameStart, u.NameLength), names)
                    : names.IndexOf(NameFromFileName(RepoDataScanner.DecodeString(json.AsSpan(u.KeyStart, u.KeyLength), u.KeyEscaped)));
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

        return new RepoDataIndex(json, decoder, byName, first, grouped);
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

            int start = _first[n];
            var records = new RepoDataRecord[_first[n + 1] - start];
            for (int i = 0; i < records.Length; i++)
            {
                records[i] = _decoder.DecodeRecord(_json, _units[start + i], 0, 0, finished: true);
            }

            _decoded[name] = records;
            return records;
        }
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
