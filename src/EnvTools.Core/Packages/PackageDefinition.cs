namespace EnvTools.Packages;

/// <summary>Which archive formats <see cref="PackageBuilder"/> writes.</summary>
[Flags]
public enum PackageFormats
{
    /// <summary>The <c>.conda</c> format (zip of <c>metadata.json</c>, <c>pkg-*.tar.zst</c>, <c>info-*.tar.zst</c>).</summary>
    Conda = 1,
    /// <summary>The legacy <c>.tar.bz2</c> format.</summary>
    TarBz2 = 2,
    /// <summary>Both formats.</summary>
    Both = Conda | TarBz2,
}

/// <summary>
/// The metadata of a package to build with <see cref="PackageBuilder"/>. Properties are plain settable ones so that
/// PowerShell can write <c>[EnvTools.Packages.PackageDefinition]@{ Name = 'demo'; Version = '1.0' }</c>.
/// </summary>
public sealed class PackageDefinition
{
    /// <summary>Package name (required).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Version (required).</summary>
    public string Version { get; set; } = string.Empty;

    /// <summary>Build string; <c>&lt;BuildNumber&gt;</c> (e.g. <c>0</c>) when empty.</summary>
    public string Build { get; set; } = string.Empty;

    /// <summary>Build number.</summary>
    public long BuildNumber { get; set; }

    /// <summary>Subdir (<c>linux-64</c>, <c>noarch</c>, …); <c>noarch</c> when <see cref="Noarch"/> is set, else required.</summary>
    public string Subdir { get; set; } = string.Empty;

    /// <summary><c>python</c> or <c>generic</c> for a noarch package; null for an architecture-specific one.</summary>
    public string? Noarch { get; set; }

    /// <summary>Run dependencies (MatchSpecs).</summary>
    public IReadOnlyList<string> Depends { get; set; } = Array.Empty<string>();

    /// <summary>Constraints (<c>run_constrained</c>, MatchSpecs).</summary>
    public IReadOnlyList<string> Constrains { get; set; } = Array.Empty<string>();

    /// <summary>Track features (written space-separated, as conda-build does), or empty.</summary>
    public IReadOnlyList<string> TrackFeatures { get; set; } = Array.Empty<string>();

    /// <summary>License, or null.</summary>
    public string? License { get; set; }

    /// <summary>Build timestamp in milliseconds since the epoch; null: now. Also the modification time of the archive entries.</summary>
    public long? Timestamp { get; set; }

    /// <summary>
    /// The prefix the files were "built" in (conda-build's long placeholder path, or conda's legacy
    /// <see cref="PackageArchive.LegacyPlaceholder"/>). Every regular file containing it gets <c>prefix_placeholder</c>
    /// in <c>info/paths.json</c> and a line in <c>info/has_prefix</c>, with <c>file_mode</c> <c>binary</c> when the file
    /// holds a NUL byte and <c>text</c> otherwise (conda-build's rule). Null: no file is scanned.
    /// </summary>
    public string? PrefixPlaceholder { get; set; }

    /// <summary>Files (package-relative, forward slashes) recorded with <c>no_link</c> (always copied).</summary>
    public IReadOnlyList<string> NoLink { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Entry points of a noarch python package (<c>name = module:function</c>); written to <c>info/link.json</c>
    /// as conda-build does. Ignored when <see cref="LinkJson"/> is set.
    /// </summary>
    public IReadOnlyList<string> EntryPoints { get; set; } = Array.Empty<string>();

    /// <summary>The verbatim content of <c>info/link.json</c>, or null.</summary>
    public string? LinkJson { get; set; }

    /// <summary>Other files below <c>info/</c> (relative path such as <c>about.json</c> or <c>recipe/meta.yaml</c> → text content).</summary>
    public IDictionary<string, string> InfoFiles { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>zstd level of the <c>.conda</c> members (1–22; conda-build uses 19, the default 3 builds fast).</summary>
    public int ZstdLevel { get; set; } = 3;

    /// <summary>The archive's file name without extension: <c>name-version-build</c>.</summary>
    public string Stem => $"{Name}-{Version}-{EffectiveBuild}";

    internal string EffectiveBuild => string.IsNullOrEmpty(Build) ? BuildNumber.ToString(System.Globalization.CultureInfo.InvariantCulture) : Build;

    internal string EffectiveSubdir => !string.IsNullOrEmpty(Subdir) ? Subdir : Noarch is not null ? "noarch" : string.Empty;
}

/// <summary>An archive written by <see cref="PackageBuilder"/>.</summary>
/// <param name="Path">Full path of the archive.</param>
/// <param name="FileName">Its file name (<c>fn</c>).</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Md5">Lower-case hex md5 of the archive.</param>
/// <param name="Sha256">Lower-case hex sha256 of the archive.</param>
public sealed record BuiltPackage(string Path, string FileName, long Size, string Md5, string Sha256);
