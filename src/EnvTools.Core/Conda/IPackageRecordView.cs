namespace EnvTools.Conda;

/// <summary>
/// The fields of a package record that a <see cref="MatchSpec"/> can test. Repodata records, prefix
/// records and test doubles implement it; <see cref="MatchSpec.Matches(IPackageRecordView)"/> reads
/// only what the spec constrains. Absent optional fields are null (or empty lists).
/// </summary>
public interface IPackageRecordView
{
    /// <summary>Package name (lower case in well-formed repodata).</summary>
    string Name { get; }

    /// <summary>Version string, e.g. <c>1.21.0</c>.</summary>
    string Version { get; }

    /// <summary>Build string, e.g. <c>py39h1234567_0</c>.</summary>
    string Build { get; }

    /// <summary>Build number.</summary>
    long BuildNumber { get; }

    /// <summary>Subdir (platform folder), e.g. <c>linux-64</c> or <c>noarch</c>.</summary>
    string? Subdir { get; }

    /// <summary>
    /// The channel the record came from: a canonical name (<c>conda-forge</c>), a channel URL
    /// (<c>https://conda.anaconda.org/conda-forge</c>, optionally with the subdir appended), or null.
    /// </summary>
    string? Channel { get; }

    /// <summary>MD5 of the archive (lower-case hex), if known.</summary>
    string? Md5 { get; }

    /// <summary>SHA-256 of the archive (lower-case hex), if known.</summary>
    string? Sha256 { get; }

    /// <summary>Archive file name, e.g. <c>numpy-1.21.0-py39h1234567_0.conda</c>.</summary>
    string? FileName { get; }

    /// <summary>Full download URL of the archive, if known.</summary>
    string? Url { get; }

    /// <summary>The record's <c>track_features</c> (empty when none).</summary>
    IReadOnlyList<string> TrackFeatures { get; }

    /// <summary>The record's legacy <c>features</c> (empty when none).</summary>
    IReadOnlyList<string> Features { get; }

    /// <summary>License text, e.g. <c>BSD-3-Clause</c>.</summary>
    string? License { get; }

    /// <summary>License family, e.g. <c>BSD</c>.</summary>
    string? LicenseFamily { get; }
}
