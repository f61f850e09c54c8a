namespace EnvTools.Fetch;

/// <summary>
/// A downloaded (or copied) package archive does not match its record's sha256, md5 or size, also after it was
/// fetched a second time. Nothing of it is left in the package cache.
/// </summary>
public sealed class ChecksumMismatchException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    /// <param name="fileName">The archive's file name.</param>
    /// <param name="url">Where it came from (without token or credentials).</param>
    /// <param name="algorithm"><c>sha256</c>, <c>md5</c> or <c>size</c>.</param>
    /// <param name="expected">The value the record holds.</param>
    /// <param name="actual">The value of the bytes received.</param>
    public ChecksumMismatchException(string fileName, string url, string algorithm, string expected, string actual)
        : base("ChecksumMismatch", ErrorKind.SecurityError,
            $"The {algorithm} of '{fileName}' from {url} is {actual}, but the channel says {expected} (fetched twice; nothing was kept).", fileName)
    {
        FileName = fileName;
        Url = url;
        Algorithm = algorithm;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The archive's file name.</summary>
    public string FileName { get; }

    /// <summary>Where it came from (without token or credentials).</summary>
    public string Url { get; }

    /// <summary><c>sha256</c>, <c>md5</c> or <c>size</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The value the record holds.</summary>
    public string Expected { get; }

    /// <summary>The value of the bytes received.</summary>
    public string Actual { get; }
}

/// <summary>Offline mode is on and packages are neither extracted nor downloaded in any package cache.</summary>
public sealed class PackageNotCachedException : EnvToolsException
{
    /// <summary>Creates the error for the packages (file names) that are missing.</summary>
    public PackageNotCachedException(IReadOnlyList<string> packages, IReadOnlyList<string> pkgsDirs)
        : base("PackageNotCached", ErrorKind.ResourceUnavailable,
            $"Offline mode is on and {(packages.Count == 1 ? "this package is" : "these packages are")} not in the package cache " +
            $"({string.Join(", ", pkgsDirs)}): {string.Join(", ", packages)}.", packages)
    {
        Packages = packages;
    }

    /// <summary>The missing packages' file names.</summary>
    public IReadOnlyList<string> Packages { get; }
}

/// <summary>A package could not be downloaded: the server refused it, it does not exist, or the connection kept failing.</summary>
public sealed class PackageDownloadException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public PackageDownloadException(string fileName, string url, string message, int? statusCode = null, Exception? inner = null, string? serverCode = null)
        : base("PackageDownloadFailed", statusCode == 404 ? ErrorKind.ObjectNotFound : ErrorKind.ResourceUnavailable, message, fileName, inner)
    {
        FileName = fileName;
        Url = url;
        StatusCode = statusCode;
        ServerCode = serverCode;
    }

    /// <summary>The server's own error code, where it gave one (S3's <c>NoSuchKey</c>, <c>AccessDenied</c> …); else null.</summary>
    public string? ServerCode { get; }

    /// <summary>The archive's file name.</summary>
    public string FileName { get; }

    /// <summary>The URL (without token or credentials).</summary>
    public string Url { get; }

    /// <summary>The HTTP status of the last answer, or null when there was none.</summary>
    public int? StatusCode { get; }
}

/// <summary>Another process held a package cache entry's lock for longer than the lock time-out.</summary>
public sealed class PackageCacheLockedException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public PackageCacheLockedException(string entry, string lockFile, TimeSpan waited)
        : base("PackageCacheLocked", ErrorKind.ResourceBusy,
            $"The package cache entry '{entry}' is locked by another process ({lockFile}); gave up after {waited.TotalSeconds:0.#} s.", entry)
    {
        Entry = entry;
        LockFile = lockFile;
    }

    /// <summary>The entry (<c>name-version-build</c>).</summary>
    public string Entry { get; }

    /// <summary>The lock file.</summary>
    public string LockFile { get; }
}

/// <summary>None of the <c>pkgs_dirs</c> can be written to, so nothing can be downloaded or extracted.</summary>
public sealed class PackageCacheNotWritableException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public PackageCacheNotWritableException(IReadOnlyList<string> pkgsDirs)
        : base("PackageCacheNotWritable", ErrorKind.ResourceUnavailable,
            $"None of the package cache folders (pkgs_dirs) is writable: {string.Join(", ", pkgsDirs)}.", pkgsDirs)
    {
        PkgsDirs = pkgsDirs;
    }

    /// <summary>The folders tried.</summary>
    public IReadOnlyList<string> PkgsDirs { get; }
}
