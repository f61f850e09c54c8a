using EnvTools.Conda;

namespace EnvTools.RepoData;

/// <summary>
/// The parsed content of one channel subdir's <c>repodata.json</c> (or of a flat
/// <c>{filename: record}</c> index such as conda's test <c>index.json</c>), from <see cref="RepoDataParser"/>.
/// </summary>
public sealed class RepoDataFile
{
    internal RepoDataFile(string? subdir, string? baseUrl, int? version, RepoDataRecord[] packages, RepoDataRecord[] packagesConda, string[] removed)
    {
        Subdir = subdir;
        BaseUrl = baseUrl;
        RepoDataVersion = version;
        Packages = packages;
        PackagesConda = packagesConda;
        Removed = removed;
    }

    /// <summary><c>info.subdir</c> (conda-subchannel's <c>metadata.subdir</c> when there is no info); null when absent.</summary>
    public string? Subdir { get; }

    /// <summary><c>info.base_url</c> (repodata v2, CEP-15), as written; null when absent.</summary>
    public string? BaseUrl { get; }

    /// <summary><c>repodata_version</c>; null when absent (version 1).</summary>
    public int? RepoDataVersion { get; }

    /// <summary>The <c>.tar.bz2</c> records (<c>packages</c>), in file order.</summary>
    public IReadOnlyList<RepoDataRecord> Packages { get; }

    /// <summary>The <c>.conda</c> records (<c>packages.conda</c>), in file order.</summary>
    public IReadOnlyList<RepoDataRecord> PackagesConda { get; }

    /// <summary>File names listed in <c>removed</c>.</summary>
    public IReadOnlyList<string> Removed { get; }

    /// <summary>Number of records in both maps.</summary>
    public int Count => Packages.Count + PackagesConda.Count;

    /// <summary>Every record: <see cref="Packages"/> then <see cref="PackagesConda"/>.</summary>
    public IEnumerable<RepoDataRecord> Records => Packages.Concat(PackagesConda);
}
