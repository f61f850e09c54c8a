using System.Runtime.CompilerServices;
using System.Text.Json;
using static EnvTools.Conda.RecordFields;

namespace EnvTools.Conda;

/// <summary>
/// The metadata of one conda package build, as found in a channel's <c>repodata.json</c>, in a
/// package's <c>info/index.json</c> and in <c>conda-meta/*.json</c>. Versions are kept as the
/// strings the file holds. Keys this type does not know are kept verbatim (see <see cref="ExtraKeys"/>),
/// so that writing a record read from a file loses nothing. Records are immutable; list properties are
/// arrays of (interned) strings to keep the thousands of records of a channel compact.
/// </summary>
public class PackageRecord
{
    private const ulong DefaultPresent = (1UL << (int)RecordField.Name) | (1UL << (int)RecordField.Version)
        | (1UL << (int)RecordField.Build) | (1UL << (int)RecordField.BuildNumber) | (1UL << (int)RecordField.Depends);

    // Bit per RecordField: the key is present in the JSON (written on output) / present as JSON null.
    internal ulong _present = DefaultPresent;
    internal ulong _nulls;

    // Non-canonical source forms, kept only so that writing reproduces the file.
    internal const byte FormTimestampSeconds = 1, FormNoArchTrue = 2, FormNoArchFalse = 4, FormNoArchEmpty = 8;

    // Compact storage: an md5/sha256 in canonical form (lower-case hex of the right length) is kept as its
    // bytes and rendered on demand; a repodata file name that is name-version-build + extension is derived.
    internal const byte FormMd5Packed = 16, FormSha256Packed = 32, FormFnTarBz2 = 64, FormFnConda = 128;
    internal const byte FormFnMask = FormFnTarBz2 | FormFnConda;
    internal byte _forms;
    internal HashBytes _hashes;

    internal string _name = string.Empty;
    internal string _version = string.Empty;
    internal string _build = string.Empty;
    internal long _buildNumber;
    internal string[] _depends = [];
    internal string[] _constrains = [];
    internal byte _noArch; // a NoArchKind, kept in one byte (the enum is long-based for PowerShell's JSON)
    internal long? _timestamp;
    internal long? _size;
    internal string? _license;
    internal string? _licenseFamily;
    internal string? _subdir;
    internal string? _platform;
    internal string? _arch;


    // Fields most records leave empty live in a side object, created on the first non-default value: it keeps
    // the tens of thousands of records of a channel small. The accessors read like the fields they replace.
    private sealed class RareFields
    {
        public string? TrackFeaturesRaw, FeaturesRaw, Md5, Sha256, LegacyBz2Md5, PythonSitePackagesPath;
        public string[] TrackFeatures = [], Features = [];
        public long? LegacyBz2Size;
        public KeyValuePair<string, byte[]>[]? Extra;
        public string[]? KeyOrder;

        public RareFields Clone() => (RareFields)MemberwiseClone();
    }

    private RareFields? _rare;

    private RareFields Rare => _rare ??= new RareFields();

    internal string? _trackFeaturesRaw { get => _rare?.TrackFeaturesRaw; set { if (value is not null || _rare is not null) { Rare.TrackFeaturesRaw = value; } } }

    internal string? _featuresRaw { get => _rare?.FeaturesRaw; set { if (value is not null || _rare is not null) { Rare.FeaturesRaw = value; } } }

    internal string[] _trackFeatures { get => _rare?.TrackFeatures ?? []; set { if (value.Length != 0 || _rare is not null) { Rare.TrackFeatures = value; } } }

    internal string[] _features { get => _rare?.Features ?? []; set { if (value.Length != 0 || _rare is not null) { Rare.Features = value; } } }

    internal string? _md5 { get => _rare?.Md5; set { if (value is not null || _rare is not null) { Rare.Md5 = value; } } }

    internal string? _sha256 { get => _rare?.Sha256; set { if (value is not null || _rare is not null) { Rare.Sha256 = value; } } }

    internal string? _legacyBz2Md5 { get => _rare?.LegacyBz2Md5; set { if (value is not null || _rare is not null) { Rare.LegacyBz2Md5 = value; } } }

    internal long? _legacyBz2Size { get => _rare?.LegacyBz2Size; set { if (value is not null || _rare is not null) { Rare.LegacyBz2Size = value; } } }

    internal string? _pythonSitePackagesPath { get => _rare?.PythonSitePackagesPath; set { if (value is not null || _rare is not null) { Rare.PythonSitePackagesPath = value; } } }

    internal KeyValuePair<string, byte[]>[]? _extra { get => _rare?.Extra; set { if (value is not null || _rare is not null) { Rare.Extra = value; } } }

    internal string[]? _keyOrder { get => _rare?.KeyOrder; set { if (value is not null || _rare is not null) { Rare.KeyOrder = value; } } }

    /// <summary>Creates an empty record (name, version, build, build_number and depends are always written).</summary>
    public PackageRecord()
    {
    }

    /// <summary>Copies every field of <paramref name="other"/>, extra keys included.</summary>
    public PackageRecord(PackageRecord other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _present = other._present & ((1UL << (int)RecordField.Url) - 1);
        _nulls = other._nulls & ((1UL << (int)RecordField.Url) - 1);
        _forms = other._forms;
        _name = other._name;
        _version = other._version;
        _build = other._build;
        _buildNumber = other._buildNumber;
        _depends = other._depends;
        _constrains = other._constrains;
        _noArch = other._noArch;
        _timestamp = other._timestamp;
        _hashes = other._hashes;
        _rare = other._rare?.Clone();
        _size = other._size;
        _license = other._license;
        _licenseFamily = other._licenseFamily;
        _subdir = other._subdir;
        _platform = other._platform;
        _arch = other._arch;
    }

    internal void Set(RecordField f, bool isNull = false)
    {
        _present |= Bit(f);
        if (isNull)
        {
            _nulls |= Bit(f);
        }
        else
        {
            _nulls &= ~Bit(f);
        }
    }

    /// <summary>The package name (<c>name</c>).</summary>
    public string Name { get => _name; init { MaterializeFileName(); _name = value ?? string.Empty; Set(RecordField.Name); } }

    /// <summary>The version string (<c>version</c>), as written in the file.</summary>
    public string Version { get => _version; init { MaterializeFileName(); _version = value ?? string.Empty; Set(RecordField.Version); } }

    /// <summary>The build string (<c>build</c>).</summary>
    public string Build { get => _build; init { MaterializeFileName(); _build = value ?? string.Empty; Set(RecordField.Build); } }

    /// <summary>The build number (<c>build_number</c>).</summary>
    public long BuildNumber { get => _buildNumber; init { _buildNumber = value; Set(RecordField.BuildNumber); } }

    /// <summary>Run dependencies as MatchSpec strings (<c>depends</c>).</summary>
    public IReadOnlyList<string> Depends { get => _depends; init { _depends = value?.ToArray() ?? []; Set(RecordField.Depends); } }

    /// <summary>Constraints on other packages, if they are installed (<c>constrains</c>).</summary>
    public IReadOnlyList<string> Constrains { get => _constrains; init { _constrains = value?.ToArray() ?? []; Set(RecordField.Constrains); } }

    /// <summary>Track features (<c>track_features</c>; repodata often has a comma/space-separated string, split here).</summary>
    public IReadOnlyList<string> TrackFeatures { get => _trackFeatures; init { _trackFeatures = value?.ToArray() ?? []; _trackFeaturesRaw = null; Set(RecordField.TrackFeatures); } }

    /// <summary>Legacy features (<c>features</c>; a string separated by commas/spaces in the files, split here).</summary>
    public IReadOnlyList<string> Features { get => _features; init { _features = value?.ToArray() ?? []; _featuresRaw = null; Set(RecordField.Features); } }

    /// <summary>The noarch kind (<c>noarch</c>; legacy <c>true</c> is <see cref="NoArchKind.Generic"/>).</summary>
    public NoArchKind NoArch { get => (NoArchKind)_noArch; init { _noArch = (byte)value; _forms &= unchecked((byte)~(FormNoArchTrue | FormNoArchFalse | FormNoArchEmpty)); Set(RecordField.NoArch); } }

    /// <summary>Build time in milliseconds since the Unix epoch (<c>timestamp</c>; values in seconds are
    /// normalised to milliseconds as conda does); null when absent.</summary>
    public long? Timestamp { get => _timestamp; init { _timestamp = value; _forms &= unchecked((byte)~FormTimestampSeconds); Set(RecordField.Timestamp, value is null); } }

    /// <summary>The MD5 of the archive, lower-case hex (<c>md5</c>).</summary>
    public string? Md5 { get => _md5 ?? ((_forms & FormMd5Packed) != 0 ? HashBytes.ToHex(_hashes.Md5Span) : null); init { _md5 = value; _forms &= unchecked((byte)~FormMd5Packed); Set(RecordField.Md5, value is null); } }

    /// <summary>The SHA-256 of the archive, lower-case hex (<c>sha256</c>).</summary>
    public string? Sha256 { get => _sha256 ?? ((_forms & FormSha256Packed) != 0 ? HashBytes.ToHex(_hashes.Sha256Span) : null); init { _sha256 = value; _forms &= unchecked((byte)~FormSha256Packed); Set(RecordField.Sha256, value is null); } }

    /// <summary>The archive size in bytes (<c>size</c>).</summary>
    public long? Size { get => _size; init { _size = value; Set(RecordField.Size, value is null); } }

    /// <summary>The license (<c>license</c>).</summary>
    public string? License { get => _license; init { _license = value; Set(RecordField.License, value is null); } }

    /// <summary>The license family (<c>license_family</c>).</summary>
    public string? LicenseFamily { get => _licenseFamily; init { _licenseFamily = value; Set(RecordField.LicenseFamily, value is null); } }

    /// <summary>The channel subdir the package belongs to (<c>subdir</c>), e.g. <c>linux-64</c>.</summary>
    public string? Subdir { get => _subdir; init { _subdir = value; Set(RecordField.Subdir, value is null); } }

    /// <summary>The operating system field (<c>platform</c>: <c>linux</c>, <c>osx</c>, <c>win</c> …; null for noarch).</summary>
    public string? Platform { get => _platform; init { _platform = value; Set(RecordField.Platform, value is null); } }

    /// <summary>The architecture field (<c>arch</c>: <c>x86_64</c>, <c>arm64</c> …; null for noarch).</summary>
    public string? Arch { get => _arch; init { _arch = value; Set(RecordField.Arch, value is null); } }

    /// <summary>The MD5 of the <c>.tar.bz2</c> twin of a <c>.conda</c> package (<c>legacy_bz2_md5</c>).</summary>
    public string? LegacyBz2Md5 { get => _legacyBz2Md5; init { _legacyBz2Md5 = value; Set(RecordField.LegacyBz2Md5, value is null); } }

    /// <summary>The size of the <c>.tar.bz2</c> twin of a <c>.conda</c> package (<c>legacy_bz2_size</c>).</summary>
    public long? LegacyBz2Size { get => _legacyBz2Size; init { _legacyBz2Size = value; Set(RecordField.LegacyBz2Size, value is null); } }

    /// <summary>Where a python package puts site-packages (<c>python_site_packages_path</c>), when not the default.</summary>
    public string? PythonSitePackagesPath { get => _pythonSitePackagesPath; init { _pythonSitePackagesPath = value; Set(RecordField.PythonSitePackagesPath, value is null); } }

    /// <summary>The keys of the file that this type does not model, in file order.</summary>
    public IReadOnlyList<string> ExtraKeys => RecordJson.ExtraKeys(_extra);

    /// <summary>The raw JSON of an extra key (see <see cref="ExtraKeys"/>), or null when there is none.</summary>
    public string? GetExtraJson(string key) => RecordJson.ExtraJson(_extra, key);

    /// <summary>The value of an extra key as a <see cref="JsonElement"/>; false when there is none.</summary>
    public bool TryGetExtra(string key, out JsonElement value)
    {
        string? json = GetExtraJson(key);
        if (json is null)
        {
            value = default;
            return false;
        }

        using var doc = JsonDocument.Parse(json);
        value = doc.RootElement.Clone();
        return true;
    }

    /// <summary><c>name-version-build</c>, the way conda names a record.</summary>
    public override string ToString() => $"{_name}-{_version}-{_build}";

    /// <summary>Writes the record as a JSON object. Keys keep the order of the file the record was read
    /// from where it was kept (conda-meta records), else sorted as conda writes them.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        RecordWriter.Write(this, writer);
    }

    /// <summary>The record as JSON (compact, or indented with 2 spaces).</summary>
    public string ToJson(bool indented = false)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteTo(w);
        }

        return System.Text.Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }

    /// <summary>
    /// Reads a known field's value and records whether it was null (the one place for every record type); false when
    /// the field is not one of this type's (nothing consumed).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool ReadField(RecordField f, ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx)
    {
        bool isNull = r.TokenType == JsonTokenType.Null;
        if (!ReadValue(f, ref r, source, ctx))
        {
            return false;
        }

        Set(f, isNull);
        return true;
    }

    /// <summary>Reads a known field's value (a subtype handles its own fields, then defers to its base); false when not this type's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected virtual bool ReadValue(RecordField f, ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx)
    {
        RecordStringPool pool = ctx.Pool;
        switch (f)
        {
            case RecordField.Name: _name = RecordJson.ReadString(ref r, pool, "name") ?? string.Empty; break;
            case RecordField.Version: _version = RecordJson.ReadString(ref r, pool, "version") ?? string.Empty; break;
            case RecordField.Build: _build = RecordJson.ReadString(ref r, pool, "build") ?? string.Empty; break;
            case RecordField.BuildNumber: _buildNumber = RecordJson.ReadInt64(ref r, "build_number") ?? 0; break;
            case RecordField.Depends: _depends = RecordJson.ReadStringArray(ref r, ctx, "depends") ?? []; break;
            case RecordField.Constrains: _constrains = RecordJson.ReadStringArray(ref r, ctx, "constrains") ?? []; break;
            case RecordField.TrackFeatures:
            {
                _trackFeatures = ReadFeatures(ref r, ctx, "track_features", out string? raw);
                _trackFeaturesRaw = raw;
                break;
            }

            case RecordField.Features:
            {
                _features = ReadFeatures(ref r, ctx, "features", out string? raw);
                _featuresRaw = raw;
                break;
            }

            case RecordField.NoArch: ReadNoArch(ref r); break;
            case RecordField.Timestamp: ReadTimestamp(ref r); break;
            case RecordField.Md5: _md5 = ReadHash(ref r, pool, FormMd5Packed, _hashes.Md5Span, "md5"); break;
            case RecordField.Sha256: _sha256 = ReadHash(ref r, pool, FormSha256Packed, _hashes.Sha256Span, "sha256"); break;
            case RecordField.Size: _size = RecordJson.ReadInt64(ref r, "size"); break;
            case RecordField.License: _license = RecordJson.ReadString(ref r, pool, "license"); break;
            case RecordField.LicenseFamily: _licenseFamily = RecordJson.ReadString(ref r, pool, "license_family"); break;
            case RecordField.Subdir: _subdir = RecordJson.ReadString(ref r, pool, "subdir"); break;
            case RecordField.Platform: _platform = RecordJson.ReadString(ref r, pool, "platform"); break;
            case RecordField.Arch: _arch = RecordJson.ReadString(ref r, pool, "arch"); break;
            case RecordField.LegacyBz2Md5: _legacyBz2Md5 = RecordJson.ReadString(ref r, pool, "legacy_bz2_md5", intern: false); break;
            case RecordField.LegacyBz2Size: _legacyBz2Size = RecordJson.ReadInt64(ref r, "legacy_bz2_size"); break;
            case RecordField.PythonSitePackagesPath: _pythonSitePackagesPath = RecordJson.ReadString(ref r, pool, "python_site_packages_path"); break;
            default: return false;
        }

        return true;
    }

    /// <summary>
    /// Reads an md5 or sha256: packed into <paramref name="packed"/> (and null returned) when it is plain hex of the right
    /// length, else the text as written.
    /// </summary>
    private string? ReadHash(ref Utf8JsonReader r, RecordStringPool pool, byte form, Span<byte> packed, string field)
    {
        _forms &= unchecked((byte)~form);
        if (r.TokenType == JsonTokenType.String && !r.ValueIsEscaped && HashBytes.TryParse(r.ValueSpan, packed))
        {
            _forms |= form;
            return null;
        }

        return RecordJson.ReadString(ref r, pool, field, intern: false);
    }

    private static string[] ReadFeatures(ref Utf8JsonReader r, RecordReadContext ctx, string field, out string? raw)
    {
        raw = null;
        if (r.TokenType == JsonTokenType.String)
        {
            raw = RecordJson.ReadString(ref r, ctx.Pool, field)!;
            return RecordJson.SplitFeatures(raw, ctx.Pool);
        }

        return RecordJson.ReadStringArray(ref r, ctx, field) ?? [];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadNoArch(ref Utf8JsonReader r)
    {
        _forms &= unchecked((byte)~(FormNoArchTrue | FormNoArchFalse | FormNoArchEmpty));
        switch (r.TokenType)
        {
            case JsonTokenType.True: _noArch = (byte)NoArchKind.Generic; _forms |= FormNoArchTrue; return;
            case JsonTokenType.False: _noArch = (byte)NoArchKind.None; _forms |= FormNoArchFalse; return;
            case JsonTokenType.Null: _noArch = (byte)NoArchKind.None; return;
            case JsonTokenType.String:
                if (r.ValueTextEquals("python"u8))
                {
                    _noArch = (byte)NoArchKind.Python;
                }
                else if (r.ValueTextEquals("generic"u8))
                {
                    _noArch = (byte)NoArchKind.Generic;
                }
                else if (r.ValueTextEquals(""u8))
                {
                    _noArch = (byte)NoArchKind.None;
                    _forms |= FormNoArchEmpty;
                }
                else
                {
                    throw new RecordFormatException($"'noarch' must be \"python\", \"generic\", true or false, found \"{r.GetString()}\"", r.TokenStartIndex);
                }

                return;
            default:
                throw RecordJson.Error(ref r, "noarch", "a string or a boolean");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadTimestamp(ref Utf8JsonReader r)
    {
        _forms &= unchecked((byte)~FormTimestampSeconds);
        if (r.TokenType == JsonTokenType.Null)
        {
            _timestamp = null;
            return;
        }

        if (r.TokenType != JsonTokenType.Number)
        {
            throw RecordJson.Error(ref r, "timestamp", "a number");
        }

        // conda: a timestamp below 253402300799 (year 9999 in seconds) is in seconds; keep milliseconds.
        bool seconds;
        long ms;
        if (r.TryGetInt64(out long v))
        {
            seconds = v < 253402300799;
            ms = seconds ? v * 1000 : v;
        }
        else
        {
            double d = r.GetDouble();
            seconds = d < 253402300799;
            ms = (long)Math.Round(seconds ? d * 1000 : d);
        }

        if (seconds)
        {
            _forms |= FormTimestampSeconds;
        }

        _timestamp = ms;
    }

    /// <summary>True when the field has something to write.</summary>
    internal virtual bool Has(RecordField f) => (_present & Bit(f)) != 0;

    /// <summary>Writes the value of a field this type knows, null when it was read or set as null (the property name is already written).</summary>
    internal void WriteField(RecordField f, Utf8JsonWriter w)
    {
        if ((_nulls & Bit(f)) != 0)
        {
            w.WriteNullValue();
            return;
        }

        WriteValue(f, w);
    }

    /// <summary>Writes the non-null value of a field (a subtype writes its own fields, then defers to its base).</summary>
    private protected virtual void WriteValue(RecordField f, Utf8JsonWriter w)
    {
        switch (f)
        {
            case RecordField.Name: w.WriteStringValue(_name); break;
            case RecordField.Version: w.WriteStringValue(_version); break;
            case RecordField.Build: w.WriteStringValue(_build); break;
            case RecordField.BuildNumber: w.WriteNumberValue(_buildNumber); break;
            case RecordField.Depends: RecordJson.WriteArray(w, _depends); break;
            case RecordField.Constrains: RecordJson.WriteArray(w, _constrains); break;
            case RecordField.TrackFeatures: WriteFeatures(w, _trackFeatures, _trackFeaturesRaw); break;
            case RecordField.Features: WriteFeatures(w, _features, _featuresRaw); break;
            case RecordField.NoArch: WriteNoArch(w); break;
            case RecordField.Timestamp:
                if (_timestamp is long t && (_forms & FormTimestampSeconds) != 0 && t % 1000 == 0)
                {
                    w.WriteNumberValue(t / 1000);
                }
                else if (_timestamp is long ms)
                {
                    w.WriteNumberValue(ms);
                }
                else
                {
                    w.WriteNullValue();
                }

                break;
            case RecordField.Md5: WriteHash(w, _md5, FormMd5Packed, _hashes.Md5Span); break;
            case RecordField.Sha256: WriteHash(w, _sha256, FormSha256Packed, _hashes.Sha256Span); break;
            case RecordField.Size: WriteNullable(w, _size); break;
            case RecordField.License: WriteNullable(w, _license); break;
            case RecordField.LicenseFamily: WriteNullable(w, _licenseFamily); break;
            case RecordField.Subdir: WriteNullable(w, _subdir); break;
            case RecordField.Platform: WriteNullable(w, _platform); break;
            case RecordField.Arch: WriteNullable(w, _arch); break;
            case RecordField.LegacyBz2Md5: WriteNullable(w, _legacyBz2Md5); break;
            case RecordField.LegacyBz2Size: WriteNullable(w, _legacyBz2Size); break;
            case RecordField.PythonSitePackagesPath: WriteNullable(w, _pythonSitePackagesPath); break;
            default: throw new InvalidOperationException($"{f} is not a field of {GetType().Name}");
        }
    }

    private void WriteHash(Utf8JsonWriter w, string? s, byte form, ReadOnlySpan<byte> packed)
    {
        if ((_forms & form) != 0)
        {
            Span<byte> hex = stackalloc byte[packed.Length * 2];
            HashBytes.WriteHex(packed, hex);
            w.WriteStringValue(hex);
        }
        else
        {
            WriteNullable(w, s);
        }
    }

    /// <summary>Turns a derived file name into a stored one (before name, version or build change).</summary>
    private protected virtual void MaterializeFileName()
    {
    }

    internal static void WriteNullable(Utf8JsonWriter w, string? s)
    {
        if (s is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteStringValue(s);
        }
    }

    internal static void WriteNullable(Utf8JsonWriter w, long? v)
    {
        if (v is long x)
        {
            w.WriteNumberValue(x);
        }
        else
        {
            w.WriteNullValue();
        }
    }

    private static void WriteFeatures(Utf8JsonWriter w, string[] items, string? raw)
    {
        if (raw is not null && RecordJson.SplitFeatures(raw, null).AsSpan().SequenceEqual(items))
        {
            w.WriteStringValue(raw);
        }
        else if (raw is not null)
        {
            w.WriteStringValue(string.Join(',', items));
        }
        else
        {
            RecordJson.WriteArray(w, items);
        }
    }

    private void WriteNoArch(Utf8JsonWriter w)
    {
        switch ((NoArchKind)_noArch)
        {
            case NoArchKind.Python: w.WriteStringValue("python"); break;
            case NoArchKind.Generic when (_forms & FormNoArchTrue) != 0: w.WriteBooleanValue(true); break;
            case NoArchKind.Generic: w.WriteStringValue("generic"); break;
            case NoArchKind.None when (_forms & FormNoArchFalse) != 0: w.WriteBooleanValue(false); break;
            case NoArchKind.None when (_forms & FormNoArchEmpty) != 0: w.WriteStringValue(string.Empty); break;
            default: w.WriteNullValue(); break;
        }
    }
}
