using EnvTools.IO;

namespace EnvTools.Fetch;

/// <summary>What <see cref="PackageCacheCleaner"/> removes.</summary>
[Flags]
public enum CacheClearKinds
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>The repodata cache (<c>&lt;pkgs_dir&gt;/cache</c>) and the on-disk repodata indexes (<c>.etidx</c>, <c>.etjson</c>).</summary>
    Index = 1,
    /// <summary>Extracted packages (and interrupted extractions).</summary>
    Packages = 2,
    /// <summary>Package archives (and interrupted downloads).</summary>
    Tarballs = 4,
    /// <summary>All of the above.</summary>
    All = Index | Packages | Tarballs,
}

/// <summary>Something <see cref="PackageCacheCleaner"/> removes (or, with -WhatIf, would remove).</summary>
/// <param name="Path">The file or folder.</param>
/// <param name="Kind"><c>Index</c>, <c>Package</c>, <c>Tarball</c> or <c>Partial</c>.</param>
/// <param name="Size">Bytes it takes.</param>
/// <param name="Name">The package (<c>name-version-build</c>), or null for index files.</param>
public sealed record CacheItem(string Path, string Kind, long Size, string? Name);

/// <summary>
/// Plans and removes what <c>Clear-EnvCache</c> clears, in the writable pkgs dirs only (as <c>conda clean</c>): repodata
/// cache and indexes, extracted packages (all, or only the unused ones: no file hard-linked from an environment), archives,
/// and leftovers of interrupted downloads and extractions.
/// </summary>
public static class PackageCacheCleaner
{
    /// <summary>
    /// The kinds the switches of conda clean select: <paramref name="all"/> is every kind, and <paramref name="unused"/>
    /// alone means the extracted packages; <see cref="CacheClearKinds.None"/> when nothing is selected.
    /// </summary>
    public static CacheClearKinds Select(bool index, bool packages, bool tarballs, bool all, bool unused)
    {
        CacheClearKinds kinds = (index ? CacheClearKinds.Index : 0) | (packages ? CacheClearKinds.Packages : 0) |
            (tarballs ? CacheClearKinds.Tarballs : 0) | (all ? CacheClearKinds.All : 0);
        return kinds == CacheClearKinds.None && unused ? CacheClearKinds.Packages : kinds;
    }

    /// <summary>
    /// What to remove for <paramref name="kinds"/>. With <paramref name="unusedOnly"/>, an extracted package is kept when
    /// any of its files has more than one hard link (it is linked into an environment). <paramref name="indexCacheDirectories"/>:
    /// further folders of repodata index files (<c>.etidx</c>, <c>.etjson</c>) removed with <see cref="CacheClearKinds.Index"/>.
    /// </summary>
    public static IReadOnlyList<CacheItem> Plan(PackageCache cache, CacheClearKinds kinds, bool unusedOnly, IEnumerable<string>? indexCacheDirectories = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var writable = cache.PkgsDirectories.Where(d => Directory.Exists(d) && PkgsDirs.IsWritable(d)).ToHashSet(StringComparer.Ordinal);
        var items = new List<CacheItem>();
        if ((kinds & CacheClearKinds.Index) != 0)
        {
            foreach (string dir in writable)
            {
                string repodata = Path.Combine(dir, "cache");
                if (Directory.Exists(repodata))
                {
                    items.AddRange(Directory.EnumerateFileSystemEntries(repodata).Order(StringComparer.Ordinal)
                        .Select(p => new CacheItem(p, "Index", SizeOf(p), null)));
                }
            }

            foreach (string dir in indexCacheDirectories ?? Array.Empty<string>())
            {
                if (Directory.Exists(dir))
                {
                    items.AddRange(Directory.EnumerateFiles(dir).Where(f => f.EndsWith(".etidx", StringComparison.Ordinal) || f.EndsWith(".etjson", StringComparison.Ordinal))
                        .Order(StringComparer.Ordinal).Select(p => new CacheItem(p, "Index", SizeOf(p), null)));
                }
            }
        }

        foreach (PackageCacheEntry e in cache.List().Where(e => writable.Contains(e.PkgsDirectory)))
        {
            switch (e.Kind)
            {
                case PackageCacheEntryKind.Extracted when (kinds & CacheClearKinds.Packages) != 0 && (!unusedOnly || !IsInUse(e.Path)):
                    items.Add(new CacheItem(e.Path, "Package", e.Size, e.Name));
                    break;
                case PackageCacheEntryKind.Tarball when (kinds & CacheClearKinds.Tarballs) != 0:
                    items.Add(new CacheItem(e.Path, "Tarball", e.Size, e.Name));
                    break;
                case PackageCacheEntryKind.Partial when (kinds & (Directory.Exists(e.Path) ? CacheClearKinds.Packages : CacheClearKinds.Tarballs)) != 0:
                    items.Add(new CacheItem(e.Path, "Partial", e.Size, e.Name));
                    break;
            }
        }

        return items;
    }

    /// <summary>Whether an extracted package is linked into an environment: one of its regular files has more than one hard link.</summary>
    public static bool IsInUse(string extractedDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(extractedDirectory);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (FileInfo f in new DirectoryInfo(extractedDirectory).EnumerateFiles("*", options))
        {
            if (f.LinkTarget is null && HardLinks.Count(f.FullName) is > 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Removes one planned item (a folder recursively, without following symlinks out of it).</summary>
    public static void Remove(CacheItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (Directory.Exists(item.Path) && new FileInfo(item.Path).LinkTarget is null)
        {
            Directory.Delete(item.Path, recursive: true);
        }
        else if (File.Exists(item.Path) || new FileInfo(item.Path).LinkTarget is not null)
        {
            File.Delete(item.Path);
        }
    }

    private static long SizeOf(string path) => File.Exists(path) ? new FileInfo(path).Length : PackageCache.FolderSize(path);
}
