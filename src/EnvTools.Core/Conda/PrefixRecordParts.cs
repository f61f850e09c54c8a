using System.Text.Json;

namespace EnvTools.Conda;

/// <summary>Base of the small objects inside a conda-meta record: typed keys plus the others verbatim, in file order.</summary>
public abstract class PrefixRecordPart
{
    private protected KeyValuePair<string, byte[]>[]? _extra;
    private protected string[]? _keyOrder;

    /// <summary>The keys of the object that this type does not model (or that held a value of another shape), in file order.</summary>
    public IReadOnlyList<string> ExtraKeys => RecordJson.ExtraKeys(_extra);

    /// <summary>The raw JSON of an extra key, or null.</summary>
    public string? GetExtraJson(string key) => RecordJson.ExtraJson(_extra, key);

    private protected abstract bool TryRead(string key, ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx);

    private protected abstract IEnumerable<string> TypedKeys();

    private protected abstract void WriteTyped(string key, Utf8JsonWriter w);

    private protected void ReadObject(ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new RecordFormatException($"expected a JSON object, found {r.TokenType}", r.TokenStartIndex);
        }

        List<KeyValuePair<string, byte[]>>? extras = null;
        var order = new List<string>(8);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            string key = RecordJson.KeyString(ref r, ctx.Pool);
            order.Add(key);
            r.Read();
            if (!TryRead(key, ref r, source, ctx))
            {
                (extras ??= []).Add(new(key, RecordJson.ReadRaw(ref r, source)));
            }
        }

        _extra = extras?.ToArray();
        _keyOrder = order.ToArray();
    }

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        if (_keyOrder is null && _extra is null)
        {
            // Made in code, not read: the typed keys alone, in their (sorted) order, without the bookkeeping below.
            foreach (string key in TypedKeys())
            {
                w.WritePropertyName(key);
                WriteTyped(key, w);
            }

            w.WriteEndObject();
            return;
        }

        var typed = new HashSet<string>(TypedKeys(), StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<string> keys = (_keyOrder ?? []).Concat(typed.Order(StringComparer.Ordinal)).Concat(_extra?.Select(e => e.Key) ?? []);
        foreach (string key in keys)
        {
            if (!done.Add(key))
            {
                continue;
            }

            if (typed.Contains(key))
            {
                w.WritePropertyName(key);
                WriteTyped(key, w);
            }
            else if (_extra is not null && Array.FindIndex(_extra, e => e.Key == key) is int i and >= 0)
            {
                w.WritePropertyName(key);
                w.WriteRawValue(_extra[i].Value, skipInputValidation: true);
            }
        }

        w.WriteEndObject();
    }

    private protected static bool TryString(ref Utf8JsonReader r, RecordReadContext ctx, out string? value, bool intern = false)
    {
        value = null;
        if (r.TokenType != JsonTokenType.String)
        {
            return false;
        }

        value = RecordJson.ReadString(ref r, ctx.Pool, string.Empty, intern);
        return true;
    }

    private protected static bool TryInt64(ref Utf8JsonReader r, out long? value)
    {
        value = null;
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt64(out long v))
        {
            value = v;
            return true;
        }

        return false;
    }
}

/// <summary>The <c>link</c> object of a conda-meta record: where the package was linked from and how.</summary>
public sealed class PrefixRecordLink : PrefixRecordPart
{
    private string? _source;
    private int? _type;

    /// <summary>The extracted package directory the files were linked from (<c>source</c>).</summary>
    public string? Source { get => _source; init => _source = value; }

    /// <summary>The link type (<c>type</c>) as conda writes it: 1 hardlink, 2 softlink, 3 copy, 4 directory.</summary>
    public int? Type { get => _type; init => _type = value; }

    private protected override bool TryRead(string key, ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx)
    {
        switch (key)
        {
            case "source" when TryString(ref r, ctx, out string? s): _source = s; return true;
            case "type" when TryInt64(ref r, out long? t) && t is >= int.MinValue and <= int.MaxValue: _type = (int?)t; return true;
            default: return false;
        }
    }

    private protected override IEnumerable<string> TypedKeys()
    {
        if (_source is not null)
        {
            yield return "source";
        }

        if (_type is not null)
        {
            yield return "type";
        }
    }

    private protected override void WriteTyped(string key, Utf8JsonWriter w)
    {
        if (key == "source")
        {
            w.WriteStringValue(_source);
        }
        else
        {
            w.WriteNumberValue(_type!.Value);
        }
    }

    internal static PrefixRecordLink Read(ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx)
    {
        var link = new PrefixRecordLink();
        link.ReadObject(ref r, source, ctx);
        return link;
    }
}

/// <summary>One entry of <c>paths_data.paths</c>: a file the package put in the prefix.</summary>
public sealed class PrefixRecordPath : PrefixRecordPart
{
    private string _path = string.Empty;
    private string? _pathType, _sha256, _sha256InPrefix, _prefixPlaceholder, _fileMode, _originalPath;
    private long? _sizeInBytes;
    private bool? _noLink;

    /// <summary>The path relative to the prefix, with forward slashes (<c>_path</c>).</summary>
    public string Path { get => _path; init => _path = value; }

    /// <summary>How it was linked (<c>path_type</c>): <c>hardlink</c>, <c>softlink</c>, <c>directory</c>, or one
    /// of conda's generated kinds (<c>pyc_file</c>, <c>unix_python_entry_point</c>, <c>windows_python_entry_point_script</c> …).</summary>
    public string? PathType { get => _pathType; init => _pathType = value; }

    /// <summary>The SHA-256 of the file in the package (<c>sha256</c>).</summary>
    public string? Sha256 { get => _sha256; init => _sha256 = value; }

    /// <summary>The SHA-256 of the file as installed, after prefix replacement (<c>sha256_in_prefix</c>).</summary>
    public string? Sha256InPrefix { get => _sha256InPrefix; init => _sha256InPrefix = value; }

    /// <summary>The file size in bytes (<c>size_in_bytes</c>).</summary>
    public long? SizeInBytes { get => _sizeInBytes; init => _sizeInBytes = value; }

    /// <summary>The build prefix embedded in the file, replaced at install (<c>prefix_placeholder</c>).</summary>
    public string? PrefixPlaceholder { get => _prefixPlaceholder; init => _prefixPlaceholder = value; }

    /// <summary><c>text</c> or <c>binary</c>: how the placeholder is replaced (<c>file_mode</c>).</summary>
    public string? FileMode { get => _fileMode; init => _fileMode = value; }

    /// <summary>True when the file must be copied, never linked (<c>no_link</c>).</summary>
    public bool? NoLink { get => _noLink; init => _noLink = value; }

    /// <summary>For a file another package's copy of which is in place (a clobbered path, rattler's
    /// <c>__clobbers__/&lt;package&gt;/…</c> layout): the path the package ships it at (<c>original_path</c>).</summary>
    public string? OriginalPath { get => _originalPath; init => _originalPath = value; }

    /// <summary>A copy naming another path, every other key (unknown ones included) kept.</summary>
    public PrefixRecordPath WithPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var copy = (PrefixRecordPath)MemberwiseClone();
        copy._path = path;
        return copy;
    }

    private protected override bool TryRead(string key, ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx)
    {
        switch (key)
        {
            case "_path" when TryString(ref r, ctx, out string? p): _path = p!; return true;
            case "path_type" when TryString(ref r, ctx, out string? t, intern: true): _pathType = t; return true;
            case "sha256" when TryString(ref r, ctx, out string? h): _sha256 = h; return true;
            case "sha256_in_prefix" when TryString(ref r, ctx, out string? h): _sha256InPrefix = h; return true;
            case "size_in_bytes" when TryInt64(ref r, out long? n): _sizeInBytes = n; return true;
            case "prefix_placeholder" when TryString(ref r, ctx, out string? p): _prefixPlaceholder = p; return true;
            case "file_mode" when TryString(ref r, ctx, out string? m, intern: true): _fileMode = m; return true;
            case "no_link" when r.TokenType is JsonTokenType.True or JsonTokenType.False: _noLink = r.GetBoolean(); return true;
            case "original_path" when TryString(ref r, ctx, out string? o): _originalPath = o; return true;
            default: return false;
        }
    }

    private protected override IEnumerable<string> TypedKeys()
    {
        yield return "_path";
        if (_fileMode is not null) yield return "file_mode";
        if (_noLink is not null) yield return "no_link";
        if (_originalPath is not null) yield return "original_path";
        if (_pathType is not null) yield return "path_type";
        if (_prefixPlaceholder is not null) yield return "prefix_placeholder";
        if (_sha256 is not null) yield return "sha256";
        if (_sha256InPrefix is not null) yield return "sha256_in_prefix";
        if (_sizeInBytes is not null) yield return "size_in_bytes";
    }

    private protected override void WriteTyped(string key, Utf8JsonWriter w)
    {
        switch (key)
        {
            case "_path": w.WriteStringValue(_path); break;
            case "file_mode": w.WriteStringValue(_fileMode); break;
            case "no_link": w.WriteBooleanValue(_noLink!.Value); break;
            case "original_path": w.WriteStringValue(_originalPath); break;
            case "path_type": w.WriteStringValue(_pathType); break;
            case "prefix_placeholder": w.WriteStringValue(_prefixPlaceholder); break;
            case "sha256": w.WriteStringValue(_sha256); break;
            case "sha256_in_prefix": w.WriteStringValue(_sha256InPrefix); break;
            case "size_in_bytes": w.WriteNumberValue(_sizeInBytes!.Value); break;
        }
    }

    internal static PrefixRecordPath Read(ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx)
    {
        var p = new PrefixRecordPath();
        p.ReadObject(ref r, source, ctx);
        return p;
    }
}

/// <summary>The <c>paths_data</c> object of a conda-meta record.</summary>
public sealed class PrefixRecordPathsData : PrefixRecordPart
{
    private long? _pathsVersion;
    private PrefixRecordPath[]? _paths;

    /// <summary>The format version (<c>paths_version</c>, 1 today).</summary>
    public long? PathsVersion { get => _pathsVersion; init => _pathsVersion = value; }

    /// <summary>The files (<c>paths</c>).</summary>
    public IReadOnlyList<PrefixRecordPath> Paths { get => _paths ?? []; init => _paths = value?.ToArray(); }

    private protected override bool TryRead(string key, ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx)
    {
        switch (key)
        {
            case "paths_version" when TryInt64(ref r, out long? v): _pathsVersion = v; return true;
            case "paths" when r.TokenType == JsonTokenType.StartArray:
                var list = new List<PrefixRecordPath>();
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(PrefixRecordPath.Read(ref r, source, ctx));
                }

                _paths = list.ToArray();
                return true;
            default: return false;
        }
    }

    private protected override IEnumerable<string> TypedKeys()
    {
        if (_paths is not null) yield return "paths";
        if (_pathsVersion is not null) yield return "paths_version";
    }

    private protected override void WriteTyped(string key, Utf8JsonWriter w)
    {
        if (key == "paths_version")
        {
            w.WriteNumberValue(_pathsVersion!.Value);
            return;
        }

        w.WriteStartArray();
        foreach (PrefixRecordPath p in _paths!)
        {
            p.Write(w);
            RecordJson.FlushIfLarge(w);
        }

        w.WriteEndArray();
    }

    internal static PrefixRecordPathsData Read(ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx)
    {
        var d = new PrefixRecordPathsData();
        d.ReadObject(ref r, source, ctx);
        return d;
    }
}
