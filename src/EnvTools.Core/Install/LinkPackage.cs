using EnvTools.Conda;

namespace EnvTools.Install;

/// <summary>A package to link into a prefix: its channel record and the folder it was extracted to in the package cache.</summary>
/// <param name="Record">The repodata record (name, version, build, channel, url, hashes) written into conda-meta.</param>
/// <param name="ExtractedDirectory">The extracted package folder (<c>info/</c> next to the package files).</param>
/// <param name="RequestedSpec">The spec the user asked for that brought this package in, if any (<c>requested_spec</c>).</param>
public sealed record LinkPackage(RepoDataRecord Record, string ExtractedDirectory, string? RequestedSpec = null)
{
    /// <summary>The archive in the package cache (<c>package_tarball_full_path</c>); by default the record's file name next to <see cref="ExtractedDirectory"/>.</summary>
    public string? TarballPath { get; init; }

    internal string TarballFullPath =>
        TarballPath ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(ExtractedDirectory)) ?? string.Empty, Record.FileName);
}
