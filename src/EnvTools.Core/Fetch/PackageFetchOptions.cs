using EnvTools.Conda;
using EnvTools.Config;

namespace EnvTools.Fetch;

/// <summary>How <see cref="PackageCache"/> fetches: parallelism, offline mode, lock time-out, HTTP connection settings.</summary>
public sealed record PackageFetchOptions
{
    /// <summary>The most downloads in flight at once (default 4).</summary>
    public int MaxParallelDownloads { get; init; } = 4;

    /// <summary>The most extractions running at once (default: the processor count).</summary>
    public int MaxParallelExtractions { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Use only what the package caches hold (<c>offline</c>); a missing package is a <see cref="PackageNotCachedException"/>.</summary>
    public bool Offline { get; init; }

    /// <summary>How long to wait for another process that holds a cache entry's lock (default 10 minutes).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Channels whose token or credentials are sent with package downloads: a record whose URL is below one of
    /// them is requested through <see cref="Channel.GetRequestUrl"/> (records themselves never hold secrets).
    /// </summary>
    public IReadOnlyList<Channel> Channels { get; init; } = Array.Empty<Channel>();

    /// <summary>Retries, back-off, time-outs, <c>ssl_verify</c>, <c>proxy_servers</c>.</summary>
    internal HttpFetchOptions Http { get; init; } = new();

    /// <summary><c>mirrored_channels</c>: where the packages of mirrored channels are fetched from.</summary>
    internal ChannelMirrors Mirrors { get; init; } = ChannelMirrors.None;

    /// <summary>
    /// The options of <paramref name="settings"/>: <c>offline</c>, <c>remote_max_retries</c>, <c>remote_backoff_factor</c>,
    /// <c>remote_connect_timeout_secs</c>, <c>remote_read_timeout_secs</c>, <c>ssl_verify</c>, <c>proxy_servers</c>, <c>mirrored_channels</c>.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">Unusable <c>proxy_servers</c>, <c>ssl_verify</c> CA bundle or <c>mirrored_channels</c>.</exception>
    public static PackageFetchOptions From(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PackageFetchOptions { Offline = settings.Offline, Http = HttpFetchOptions.FromValidated(settings), Mirrors = ChannelMirrors.From(settings) };
    }
}

/// <summary>What <see cref="PackageCache.EnsureAsync"/> is doing with a package.</summary>
public enum PackageFetchPhase
{
    /// <summary>Downloading (or copying from a local channel) the archive.</summary>
    Download,
    /// <summary>Extracting the archive into the cache.</summary>
    Extract,
    /// <summary>The package is in the cache, extracted and validated.</summary>
    Done,
}

/// <summary>Progress of <see cref="PackageCache.EnsureAsync"/> for one package, with the overall counts.</summary>
/// <param name="Name">The package name.</param>
/// <param name="FileName">The archive's file name.</param>
/// <param name="Phase">What is being done.</param>
/// <param name="BytesDone">Bytes of this archive fetched so far.</param>
/// <param name="BytesTotal">The archive's size, when known.</param>
/// <param name="PackagesDone">Packages finished (cached, fetched and extracted) so far.</param>
/// <param name="PackagesTotal">Packages asked for.</param>
/// <param name="OverallBytesDone">Bytes fetched so far, all packages together.</param>
/// <param name="OverallBytesTotal">Bytes to fetch (the known sizes of the packages that were not cached).</param>
/// <param name="Source">Set once, when a mirror served the archive: which one (<c>from mirror https://…</c>, no credentials).</param>
public sealed record PackageFetchProgress(
    string Name,
    string FileName,
    PackageFetchPhase Phase,
    long BytesDone,
    long? BytesTotal,
    int PackagesDone,
    int PackagesTotal,
    long OverallBytesDone,
    long OverallBytesTotal,
    string? Source = null);

/// <summary>A package in the cache, extracted and validated.</summary>
/// <param name="Record">The record as written to <c>info/repodata_record.json</c> (md5, sha256 and size filled in).</param>
/// <param name="ExtractedDirectory">The extracted package folder (<c>&lt;pkgs_dir&gt;/&lt;name&gt;-&lt;version&gt;-&lt;build&gt;</c>).</param>
/// <param name="ArchivePath">The archive next to it, or null when only the extracted folder is there.</param>
public sealed record CachedPackage(RepoDataRecord Record, string ExtractedDirectory, string? ArchivePath);

/// <summary>What a <see cref="PackageCacheEntry"/> is.</summary>
public enum PackageCacheEntryKind
{
    /// <summary>An extracted package folder.</summary>
    Extracted,
    /// <summary>A package archive (<c>.conda</c>, <c>.tar.bz2</c>).</summary>
    Tarball,
    /// <summary>An unfinished download (<c>.partial</c>) or extraction left by an interrupted process.</summary>
    Partial,
}

/// <summary>One thing in a package cache folder (see <see cref="PackageCache.List"/>).</summary>
/// <param name="PkgsDirectory">The pkgs dir holding it.</param>
/// <param name="Name">The entry's <c>name-version-build</c>.</param>
/// <param name="Path">The folder or file.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Size">Bytes it takes (for a folder: the sum of its files' sizes).</param>
/// <param name="IsComplete">For an extracted folder: it holds <c>info/repodata_record.json</c>. True for archives.</param>
/// <param name="Record">For a complete extracted folder: its <c>info/repodata_record.json</c>; else null.</param>
public sealed record PackageCacheEntry(string PkgsDirectory, string Name, string Path, PackageCacheEntryKind Kind, long Size, bool IsComplete,
    RepoDataRecord? Record);
