namespace EnvTools.RepoData;

/// <summary>
/// Where <see cref="RepoDataIndex.Load(string, string?, RepoDataIndexOptions?)"/> keeps its on-disk index: a compact
/// binary file (<c>.etidx</c>) with the name table and each record's byte range in the raw JSON, so that a later
/// process maps the raw file and reads the index instead of scanning the file again (and, for a compressed
/// file, a decompressed copy, <c>.etjson</c>, so that it never decompresses it again).
/// </summary>
public sealed class RepoDataIndexOptions
{
    /// <summary>The environment variable naming the folder for index files (overrides the default places).</summary>
    public const string CacheEnvironmentVariable = "ENVTOOLS_INDEX_CACHE";

    /// <summary>The defaults: the index is used and written; its place comes from <see cref="CacheEnvironmentVariable"/>
    /// or is next to the raw file (falling back to the per-user cache when that folder is read-only).</summary>
    public static RepoDataIndexOptions Default { get; } = new();

    /// <summary>False: neither read nor write an on-disk index (scan the file, as <see cref="RepoDataIndex.Create"/> does).</summary>
    public bool UseDiskIndex { get; init; } = true;

    /// <summary>The folder for index files (named after a hash of the raw file's full path). Null: the folder
    /// <see cref="CacheEnvironmentVariable"/> names, else next to the raw file (<c>repodata.json.etidx</c>), else, when
    /// the raw file's folder is read-only, the per-user cache (<see cref="UserCacheDirectory"/>).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Raw files shorter than this (bytes, as stored: compressed files by their compressed length) get no
    /// index file: scanning them costs less than the file would. Default 256 KiB.</summary>
    public long MinimumSourceLength { get; init; } = 256 * 1024;

    /// <summary>Tests: the per-user cache folder to use instead of the real one.</summary>
    internal string? UserCacheOverride { get; init; }

    /// <summary>Tests: false ignores <see cref="CacheEnvironmentVariable"/>.</summary>
    internal bool ReadEnvironment { get; init; } = true;

    /// <summary>The per-user index cache: <c>$XDG_CACHE_HOME/envtools/index</c> (default <c>~/.cache/envtools/index</c>),
    /// or <c>%LOCALAPPDATA%\EnvTools\index</c> on Windows.</summary>
    public static string UserCacheDirectory
    {
        get
        {
            if (OperatingSystem.IsWindows())
            {
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "EnvTools", "index");
            }

            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrEmpty(xdg) && Path.IsPathFullyQualified(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify), ".cache");
            return Path.Combine(root, "envtools", "index");
        }
    }

    /// <summary>The index files to look for (in order) and to write (the first place that takes it) for the raw file
    /// <paramref name="fullPath"/>; a decompressed copy goes next to its index, with the extension <c>.etjson</c>.</summary>
    internal IReadOnlyList<string> IndexPaths(string fullPath)
    {
        string? dir = CacheDirectory;
        if (dir is null && ReadEnvironment)
        {
            string? env = Environment.GetEnvironmentVariable(CacheEnvironmentVariable);
            dir = string.IsNullOrWhiteSpace(env) ? null : env;
        }

        if (dir is not null)
        {
            return [InCache(Path.GetFullPath(dir), fullPath)];
        }

        return [fullPath + ".etidx", InCache(UserCacheOverride ?? UserCacheDirectory, fullPath)];
    }

    private static string InCache(string dir, string fullPath)
    {
        byte[] hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(fullPath));
        return Path.Combine(dir, $"{Path.GetFileName(fullPath)}-{Convert.ToHexString(hash, 0, 12).ToLowerInvariant()}.etidx");
    }

    /// <summary>The folders of on-disk repodata indexes outside the pkgs dirs: the per-user cache and <c>ENVTOOLS_INDEX_CACHE</c>.</summary>
    public static IReadOnlyList<string> CacheDirectories()
    {
        var dirs = new List<string> { UserCacheDirectory };
        string? env = Environment.GetEnvironmentVariable(CacheEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            dirs.Add(Path.GetFullPath(env));
        }

        return dirs;
    }
}
