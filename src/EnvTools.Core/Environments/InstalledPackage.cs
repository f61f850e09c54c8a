using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>Where an installed package came from.</summary>
// Int64-based on purpose: PowerShell's ConvertTo-Json writes Int64 enums by name (others as numbers).
public enum PackageSource : long
{
    /// <summary>A conda package with a conda-meta record.</summary>
    Conda,

    /// <summary>A Python distribution in site-packages that no conda package owns (pip and the like).</summary>
    Pypi,
}

/// <summary>A package installed in an environment, as <c>conda list</c> shows it.</summary>
public sealed class InstalledPackage
{
    /// <summary>The package name (for pip packages, normalised as conda does: lower case, <c>_</c> and <c>.</c> as <c>-</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The version.</summary>
    public required string Version { get; init; }

    /// <summary>The build string (<c>pypi_0</c> for pip packages).</summary>
    public required string Build { get; init; }

    /// <summary>The build number.</summary>
    public long BuildNumber { get; init; }

    /// <summary>The channel name (<c>conda-forge</c>, a URL for other channels; <c>pypi</c> for pip packages), or null.</summary>
    public string? Channel { get; init; }

    /// <summary>The subdir (<c>linux-64</c>, <c>noarch</c>; <c>pypi</c> for pip packages), or null.</summary>
    public string? Subdir { get; init; }

    /// <summary>
    /// Bytes installed: the sum of the <c>paths_data</c> sizes (the <c>RECORD</c> sizes for pip packages), else
    /// the archive size of the record; null when neither is known.
    /// </summary>
    public long? Size { get; init; }

    /// <summary>The spec the user asked for: the record's <c>requested_spec</c>, else the history's; null for dependencies.</summary>
    public string? RequestedSpec { get; init; }

    /// <summary>Whether conda or something else (pip) installed it.</summary>
    public PackageSource Source { get; init; }

    /// <summary>The environment's prefix.</summary>
    public required string Prefix { get; init; }

    /// <summary>Whether a pin constrains the package: a line of the environment's conda-meta/pinned, or the
    /// <c>pinned_packages</c> configuration when the caller passed it (see <see cref="PrefixData.GetPackages"/>).</summary>
    public bool IsPinned { get; init; }

    /// <summary>The dependencies (<c>depends</c>) of the record; empty for pip packages.</summary>
    public IReadOnlyList<string> Depends => _prefixRecord?.Depends ?? Array.Empty<string>();

    /// <summary>The constraints (<c>constrains</c>) of the record; empty for pip packages.</summary>
    public IReadOnlyList<string> Constrains => _prefixRecord?.Constrains ?? Array.Empty<string>();

    /// <summary>Where the archive came from (<c>url</c>), or null.</summary>
    public string? Url => _prefixRecord?.Url;

    /// <summary>The archive's sha256, or null.</summary>
    public string? Sha256 => _prefixRecord?.Sha256;

    /// <summary>The conda-meta record (set by the engine when it reads the environment).</summary>
    internal PrefixRecord? PrefixRecord { get => _prefixRecord; init => _prefixRecord = value; }

    private readonly PrefixRecord? _prefixRecord;

    // The records are methods rather than properties so that ConvertTo-Json of Get-EnvPackage's output stays within its
    // default depth (a record nests lists and objects).

    /// <summary>The package's record as a channel gives it (depends, constrains, url, checksums …); null for pip packages.</summary>
    public RepoDataRecord? GetRecord() => _prefixRecord is null ? null : new RepoDataRecord(_prefixRecord);

    /// <summary>The whole conda-meta record (<c>conda-meta/NAME-VERSION-BUILD.json</c>) with the files and how they were
    /// linked; null for pip packages.</summary>
    public PrefixRecord? GetPrefixRecord() => _prefixRecord;

    /// <inheritdoc />
    public override string ToString() => $"{Name}-{Version}-{Build}";
}
