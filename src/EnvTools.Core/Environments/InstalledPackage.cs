using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>Where an installed package came from.</summary>
public enum PackageSource
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

    /// <summary>The conda-meta record; null for pip packages.</summary>
    public PrefixRecord? Record { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}-{Version}-{Build}";
}
