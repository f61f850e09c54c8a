using System.Runtime.CompilerServices;
using System.Text.Json;

namespace EnvTools.Conda;

/// <summary>
/// A <see cref="PackageRecord"/> as it comes from a channel: with the file name (<c>fn</c>), the
/// download <see cref="Url"/> and the <see cref="Channel"/> (the subdir URL, as conda writes it).
/// </summary>
public class RepoDataRecord : PackageRecord, IPackageRecordView
{
    internal string? _fileName = string.Empty; // null: name-version-build + the extension in _forms (FormFn*)
    internal string? _url;      // explicit url; null = derived from _urlBase + file name
    internal string? _urlBase;  // shared by every record of one repodata file, ends with '/'
    internal string? _channel;

    /// <summary>Creates an empty record.</summary>
    public RepoDataRecord()
    {
    }

    /// <summary>Copies a package record (no url, channel or file name yet).</summary>
    public RepoDataRecord(PackageRecord other)
        : base(other)
    {
        _forms &= unchecked((byte)~FormFnMask);
        if (other is RepoDataRecord r)
        {
            _present |= r._present & (RecordFields.Bit(RecordField.Url) | RecordFields.Bit(RecordField.Channel) | RecordFields.Bit(RecordField.Fn));
            _nulls |= r._nulls & (RecordFields.Bit(RecordField.Url) | RecordFields.Bit(RecordField.Channel) | RecordFields.Bit(RecordField.Fn));
            _fileName = r._fileName;
            _forms = (byte)((_forms & ~FormFnMask) | (r._forms & FormFnMask));
            _url = r._url;
            _urlBase = r._urlBase;
            _channel = r._channel;
        }
    }

    /// <summary>The archive's file name (<c>fn</c>), e.g. <c>numpy-1.26.4-py39h474f0d3_0.conda</c>.</summary>
    public string FileName { get => _fileName ?? DerivedFileName(); init { _fileName = value ?? string.Empty; _forms &= unchecked((byte)~FormFnMask); Set(RecordField.Fn); } }

    private string DerivedFileName() =>
        string.Concat(_name, "-", _version, "-", _build, (_forms & FormFnConda) != 0 ? ".conda" : ".tar.bz2");

    private protected override void MaterializeFileName()
    {
        if (_fileName is null)
        {
            _fileName = DerivedFileName();
            _forms &= unchecked((byte)~FormFnMask);
        }
    }

    /// <summary>The download URL (<c>url</c>). For repodata it is the record's own <c>url</c> when it has
    /// one, else <c>info.base_url</c> (repodata v2) or the subdir URL, joined with <see cref="FileName"/>;
    /// just the file name when neither is known.</summary>
    public string Url
    {
        get => _url ?? (_urlBase is null ? FileName : _urlBase + FileName);
        init { _url = value; Set(RecordField.Url, value is null); }
    }

    /// <summary>The channel the record comes from (<c>channel</c>), as conda writes it: the subdir URL,
    /// e.g. <c>https://conda.anaconda.org/conda-forge/linux-64</c>; null when not known.</summary>
    public string? Channel { get => _channel; init { _channel = value; Set(RecordField.Channel, value is null); } }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override bool ReadValue(RecordField f, ref Utf8JsonReader r, ReadOnlySpan<byte> source, RecordReadContext ctx)
    {
        switch (f)
        {
            case RecordField.Fn:
                if (ctx.FileNameFromKey && r.TokenType is JsonTokenType.String or JsonTokenType.Null)
                {
                    break; // a repodata record's file name is its key
                }

                _fileName = RecordJson.ReadString(ref r, ctx.Pool, "fn", intern: false) ?? string.Empty;
                _forms &= unchecked((byte)~FormFnMask);
                break;
            case RecordField.Url: _url = RecordJson.ReadString(ref r, ctx.Pool, "url", intern: false); break;
            case RecordField.Channel: _channel = RecordJson.ReadString(ref r, ctx.Pool, "channel"); break;
            default: return base.ReadValue(f, ref r, source, ctx);
        }

        return true;
    }

    private protected override void WriteValue(RecordField f, Utf8JsonWriter w)
    {
        switch (f)
        {
            case RecordField.Fn: w.WriteStringValue(FileName); break;
            case RecordField.Url: w.WriteStringValue(Url); break;
            case RecordField.Channel: WriteNullable(w, _channel); break;
            default: base.WriteValue(f, w); break;
        }
    }
}
