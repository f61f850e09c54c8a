using System.Text.Json;

namespace EnvTools.Conda;

/// <summary>
/// An installed package: a <c>conda-meta/&lt;name&gt;-&lt;version&gt;-&lt;build&gt;.json</c> file. It is the
/// <see cref="RepoDataRecord"/> the package was installed from plus what the install did (files,
/// <c>paths_data</c>, <c>link</c>) and why (<c>requested_spec</c>). <see cref="Read(string)"/> and
/// <see cref="Write(Stream)"/> round-trip real conda, mamba and rattler files: unknown keys are kept
/// verbatim and the key order of the file is kept.
/// </summary>
public class PrefixRecord : RepoDataRecord
{
    private string[] _files = [];
    private PrefixRecordPathsData? _pathsData;
    private PrefixRecordLink? _link;
    private string? _requestedSpec;
    private string[]? _requestedSpecs;
    private string? _extractedPackageDir;
    private string? _packageTarballFullPath;
    private string? _packageType;

    /// <summary>Creates an empty record.</summary>
    public PrefixRecord()
    {
    }

    /// <summary>Copies a repodata record (the install-specific fields start empty).</summary>
    public PrefixRecord(PackageRecord other)
        : base(other)
    {
    }

    /// <summary>Paths of the files the package installed, relative to the prefix (<c>files</c>).</summary>
    public IReadOnlyList<string> Files { get => _files; init { _files = value?.ToArray() ?? []; Set(RecordField.Files); } }

    /// <summary>Per-file details (<c>paths_data</c>); null when absent.</summary>
    public PrefixRecordPathsData? PathsData { get => _pathsData; init { _pathsData = value; Set(RecordField.PathsData, value is null); } }

    /// <summary>Where the files were linked from and how (<c>link</c>); null when absent.</summary>
    public PrefixRecordLink? Link { get => _link; init { _link = value; Set(RecordField.Link, value is null); } }

    /// <summary>The spec the user asked for that installed this package (<c>requested_spec</c>), if any.</summary>
    public string? RequestedSpec { get => _requestedSpec; init { _requestedSpec = value; Set(RecordField.RequestedSpec, value is null); } }

    /// <summary>All the specs that asked for this package (<c>requested_specs</c>, newer conda), if any.</summary>
    public IReadOnlyList<string>? RequestedSpecs { get => _requestedSpecs; init { _requestedSpecs = value?.ToArray(); Set(RecordField.RequestedSpecs, value is null); } }

    /// <summary>The package cache folder the package was extracted to (<c>extracted_package_dir</c>).</summary>
    public string? ExtractedPackageDir { get => _extractedPackageDir; init { _extractedPackageDir = value; Set(RecordField.ExtractedPackageDir, value is null); } }

    /// <summary>The archive in the package cache (<c>package_tarball_full_path</c>).</summary>
    public string? PackageTarballFullPath { get => _packageTarballFullPath; init { _packageTarballFullPath = value; Set(RecordField.PackageTarballFullPath, value is null); } }

    /// <summary>The package type (<c>package_type</c>, e.g. <c>noarch_python</c>), if recorded.</summary>
    public string? PackageType { get => _packageType; init { _packageType = value; Set(RecordField.PackageType, value is null); } }

    /// <summary>Reads a conda-meta file. It is opened sharing write and delete (a change moves records into its trash
    /// while readers list the environment: on Windows a reader without that share would make the change fail), and on
    /// Windows the moment a change holds it (a rename in progress) is waited out.</summary>
    /// <exception cref="MalformedDataException">The file is not valid JSON or not a record.</exception>
    public static PrefixRecord Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = Array.Empty<byte>();
        IO.FileOps.RetryWhileShared(() =>
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            byte[] read = new byte[fs.Length];
            fs.ReadExactly(read);
            bytes = read;
        });
        return Parse(bytes, path);
    }

    /// <summary>Reads a conda-meta record from a stream; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="MalformedDataException">The content is not valid JSON or not a record.</exception>
    public static PrefixRecord Read(Stream stream, string sourceName = "<stream>")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return Parse(ms.ToArray(), sourceName);
    }

    /// <summary>Writes the record as conda does (indented JSON, 2 spaces), keys in the order they were read.</summary>
    public void Write(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);

        // One writer per thread, reset onto each stream: a writer's buffer grows to the size of what it holds
        // between flushes, and an install writes hundreds of records.
        var w = t_writer;
        t_writer = null; // not reentrant: a nested call makes its own
        if (w is null)
        {
            w = new Utf8JsonWriter(stream, new JsonWriterOptions
            {
                Indented = true,
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            });
        }
        else
        {
            w.Reset(stream);
        }

        try
        {
            WriteTo(w);
            w.Flush();
        }
        finally
        {
            w.Reset(Stream.Null);
            t_writer = w;
        }
    }

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>A copy with other <c>files</c> and <c>paths_data</c> (the rest, key order included, unchanged).</summary>
    /// <summary>
    /// The <c>paths_data</c> entries, each <c>_path</c> naming the file where it is in the prefix, with forward slashes
    /// (empty when the record has no <c>paths_data</c>). conda records a noarch: python package's entries as the package
    /// ships them (<c>site-packages/…</c>, <c>python-scripts/…</c>) while its <c>files</c> list has the paths they were
    /// linked to (<c>lib/python3.12/site-packages/…</c>, <c>bin/…</c> or <c>Scripts/…</c>); such an entry is read as the
    /// <c>files</c> path it was linked to, as conda does when it unlinks the package.
    /// </summary>
    public IReadOnlyList<PrefixRecordPath> GetPrefixPaths()
    {
        if (PathsData is not { Paths.Count: > 0 } pd)
        {
            return [];
        }

        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (string f in Files)
        {
            files.Add(f.Replace('\\', '/'));
        }

        Dictionary<string, string>? relocated = null;
        var result = new List<PrefixRecordPath>(pd.Paths.Count);
        foreach (PrefixRecordPath e in pd.Paths)
        {
            string path = e.Path.Replace('\\', '/');
            if (!files.Contains(path) && (path.StartsWith("site-packages/", StringComparison.Ordinal) || path.StartsWith("python-scripts/", StringComparison.Ordinal)))
            {
                relocated ??= NoarchPythonTargets(files);
                if (relocated.TryGetValue(path, out string? target))
                {
                    path = target;
                }
            }

            result.Add(path == e.Path ? e : e.WithPath(path));
        }

        return result;
    }

    /// <summary>Maps <c>site-packages/X</c> and <c>python-scripts/X</c> to the <c>files</c> entry they were linked to.</summary>
    private static Dictionary<string, string> NoarchPythonTargets(HashSet<string> files)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string f in files)
        {
            int sp = f.IndexOf("site-packages/", StringComparison.Ordinal);
            if (sp > 0 && f[sp - 1] == '/')
            {
                map.TryAdd(f[sp..], f);
                continue;
            }

            int slash = f.IndexOf('/');
            if (slash > 0 && f.IndexOf('/', slash + 1) < 0 && f[..slash] is "bin" or "Scripts")
            {
                map.TryAdd("python-scripts/" + f[(slash + 1)..], f);
            }
        }

        return map;
    }

    internal PrefixRecord WithPaths(IReadOnlyList<string> files, PrefixRecordPathsData? pathsData)
    {
        var copy = (PrefixRecord)MemberwiseClone();
        copy._files = files.ToArray();
        copy._pathsData = pathsData;
        copy.Set(RecordField.Files);
        copy.Set(RecordField.PathsData, pathsData is null);
        return copy;
    }

    /// <summary>
    /// A copy as conda writes it into a prefix: <c>requested_spec</c> where one was requested; <c>package_type</c>
    /// <c>noarch_python</c> or <c>noarch_generic</c> for noarch packages; <c>constrains</c> present when empty; and
    /// the legacy <c>noarch: true</c> written as <c>"generic"</c>.
    /// </summary>
    internal PrefixRecord ForPrefix(string? requestedSpec, bool noarchPython)
    {
        var copy = (PrefixRecord)MemberwiseClone();
        if (requestedSpec is not null)
        {
            copy._requestedSpec = requestedSpec;
            copy.Set(RecordField.RequestedSpec);
        }

        string? packageType = noarchPython || NoArch == NoArchKind.Python ? "noarch_python" : NoArch == NoArchKind.Generic ? "noarch_generic" : null;
        if (packageType is not null)
        {
            copy._packageType = packageType;
            copy.Set(RecordField.PackageType);
        }

        copy.Set(RecordField.Constrains);
        if (NoArch != NoArchKind.None)
        {
            copy._forms &= unchecked((byte)~(FormNoArchTrue | FormNoArchFalse | FormNoArchEmpty));
            copy.Set(RecordField.NoArch);
        }

        return copy;
    }

    internal static PrefixRecord Parse(byte[] bytes, string sourceName)
    {
        var ctx = new RecordReadContext(new RecordStringPool(), keepKeyOrder: true);
        var rec = new PrefixRecord();
        try
        {
            var r = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            r.Read();
            RecordWriter.Read(rec, ref r, bytes, ctx);
            if (r.Read())
            {
                throw new RecordFormatException("unexpected data after the record", r.TokenStartIndex);
            }
        }
        catch (Exception ex) when (ex is JsonException or RecordFormatException or InvalidOperationException) // InvalidOperation: a string that is not valid UTF-8
        {
            throw RecordErrors.Malformed("MalformedPrefixRecord", sourceName, bytes, 0, ex);
        }

        return rec;
    }

    private protected override bool ReadValue(RecordField f, ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx)
    {
        bool isNull = r.TokenType == JsonTokenType.Null;
        switch (f)
        {
            case RecordField.Files: _files = RecordJson.ReadStringArray(ref r, ctx, "files", intern: false) ?? []; break;
            case RecordField.PathsData: _pathsData = isNull ? null : PrefixRecordPathsData.Read(ref r, source, ctx); break;
            case RecordField.Link: _link = isNull ? null : PrefixRecordLink.Read(ref r, source, ctx); break;
            case RecordField.RequestedSpec: _requestedSpec = RecordJson.ReadString(ref r, ctx.Pool, "requested_spec"); break;
            case RecordField.RequestedSpecs: _requestedSpecs = RecordJson.ReadStringArray(ref r, ctx, "requested_specs"); break;
            case RecordField.ExtractedPackageDir: _extractedPackageDir = RecordJson.ReadString(ref r, ctx.Pool, "extracted_package_dir", intern: false); break;
            case RecordField.PackageTarballFullPath: _packageTarballFullPath = RecordJson.ReadString(ref r, ctx.Pool, "package_tarball_full_path", intern: false); break;
            case RecordField.PackageType: _packageType = RecordJson.ReadString(ref r, ctx.Pool, "package_type"); break;
            default: return base.ReadValue(f, ref r, source, ctx);
        }

        return true;
    }

    private protected override void WriteValue(RecordField f, Utf8JsonWriter w)
    {
        switch (f)
        {
            case RecordField.Files: RecordJson.WriteArray(w, _files); break;
            case RecordField.PathsData: if (_pathsData is null) w.WriteNullValue(); else _pathsData.Write(w); break;
            case RecordField.Link: if (_link is null) w.WriteNullValue(); else _link.Write(w); break;
            case RecordField.RequestedSpec: WriteNullable(w, _requestedSpec); break;
            case RecordField.RequestedSpecs: if (_requestedSpecs is null) w.WriteNullValue(); else RecordJson.WriteArray(w, _requestedSpecs); break;
            case RecordField.ExtractedPackageDir: WriteNullable(w, _extractedPackageDir); break;
            case RecordField.PackageTarballFullPath: WriteNullable(w, _packageTarballFullPath); break;
            case RecordField.PackageType: WriteNullable(w, _packageType); break;
            default: base.WriteValue(f, w); break;
        }
    }
}
