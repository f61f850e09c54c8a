using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Text;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Packages;
using EnvTools.IO;

namespace EnvTools.Fetch;

/// <summary>
/// conda's package cache, shared by every environment: in each <c>pkgs_dirs</c> folder, archives as
/// <c>&lt;pkgs_dir&gt;/&lt;fn&gt;</c> and extracted packages as <c>&lt;pkgs_dir&gt;/&lt;name&gt;-&lt;version&gt;-&lt;build&gt;/</c>,
/// whose <c>info/repodata_record.json</c> (the record with the archive's md5, sha256 and size) is written last and marks
/// the folder complete. <see cref="EnsureAsync"/> downloads what is missing into the first writable folder (bounded
/// parallelism, verified while streaming, resumed with <c>Range</c>), extracts each archive once, concurrently with
/// the other downloads, and appends each URL to <c>urls.txt</c>. Each entry is guarded by a cross-process lock, so two
/// processes installing the same package never corrupt it; a damaged entry is fetched again.
/// </summary>
public sealed class PackageCache
{
    /// <summary>The completeness marker inside an extracted package folder.</summary>
    public const string MarkerPath = "info/repodata_record.json";

    private readonly IReadOnlyList<string> _pkgsDirs;
    private readonly PackageFetchOptions _options;
    private readonly Lazy<string?> _writable;
    private readonly PackageDownloader _downloader;

    /// <summary>A cache over <paramref name="pkgsDirs"/> (in order; the first writable one receives new packages).</summary>
    public PackageCache(IReadOnlyList<string> pkgsDirs, PackageFetchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pkgsDirs);
        if (pkgsDirs.Count == 0)
        {
            throw new ArgumentException("At least one pkgs dir is needed.", nameof(pkgsDirs));
        }

        _pkgsDirs = pkgsDirs.Select(Path.GetFullPath).ToArray();
        _options = options ?? new PackageFetchOptions();
        _writable = new Lazy<string?>(() => PkgsDirs.FirstWritable(_pkgsDirs));
        _downloader = new PackageDownloader(_options);
    }

    /// <summary>The cache of <paramref name="settings"/>: <c>pkgs_dirs</c>, <c>offline</c>, retries, time-outs, <c>ssl_verify</c>, <c>proxy_servers</c>.</summary>
    /// <exception cref="InvalidConfigurationException">Unusable <c>proxy_servers</c> or <c>ssl_verify</c> CA bundle.</exception>
    public static PackageCache FromSettings(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PackageCache(settings.PkgsDirs, PackageFetchOptions.From(settings));
    }

    /// <summary>The pkgs dirs, in order.</summary>
    public IReadOnlyList<string> PkgsDirectories => _pkgsDirs;

    /// <summary>The first pkgs dir that can be written to: where downloads and extractions go.</summary>
    /// <exception cref="PackageCacheNotWritableException">None is writable.</exception>
    public string WritableDirectory => _writable.Value ?? throw new PackageCacheNotWritableException(_pkgsDirs);

    /// <summary>The folder name of a package's extracted form: its file name without <c>.conda</c> / <c>.tar.bz2</c>.</summary>
    public static string EntryName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        foreach (string ext in new[] { ".conda", ".tar.bz2" })
        {
            if (fileName.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            {
                return fileName[..^ext.Length];
            }
        }

        return fileName;
    }

    /// <summary>
    /// A complete extracted entry of <paramref name="record"/> in any pkgs dir (first match in order): its marker exists
    /// and records the same archive (sha256, else md5, and size where both sides know them; the same file name and URL
    /// when the record has no hash). Null when there is none.
    /// </summary>
    public CachedPackage? TryGetValid(RepoDataRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        string entry = EntryName(record.FileName);
        foreach (string dir in _pkgsDirs)
        {
            string extracted = Path.Combine(dir, entry);
            if (ReadMarker(extracted) is { } marker && SameArchive(record, marker))
            {
                string archive = Path.Combine(dir, record.FileName);
                bool hasArchive = File.Exists(archive) && (marker.Size is not { } size || new FileInfo(archive).Length == size);
                return new CachedPackage(marker, extracted, hasArchive ? archive : null);
            }
        }

        return null;
    }

    /// <summary>
    /// Checks the files of <paramref name="record"/>'s extracted entry against its <c>info/paths.json</c> (size and sha256)
    /// and discards the entry when one was changed, so that the next <see cref="EnsureAsync"/> extracts it again from the
    /// verified archive. A file hard-linked into an environment and edited there changes the cache's copy too; a forced
    /// reinstall uses this to repair both. Returns true when the entry was discarded.
    /// </summary>
    public bool DiscardIfModified(RepoDataRecord record, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (TryGetValid(record) is not { } cached)
        {
            return false;
        }

        bool modified;
        try
        {
            modified = Packages.PackageArchive.ReadPathsJson(cached.ExtractedDirectory).Paths
                .Where(p => p.PathType == Packages.PathType.HardLink)
                .AsParallel().WithCancellation(ct)
                .Any(p => IsModified(Path.Combine(cached.ExtractedDirectory, p.Path), p));
        }
        catch (Exception ex) when (ex is MalformedDataException or UnsafeArchiveException)
        {
            modified = true; // a planted or damaged entry: extract it again from the verified archive
        }

        if (modified)
        {
            File.Delete(Path.Combine(cached.ExtractedDirectory, MarkerPath));
            Directory.Delete(cached.ExtractedDirectory, recursive: true);
        }

        return modified;
    }

    private static bool IsModified(string file, Packages.PackagePath p)
    {
        var info = new FileInfo(file);
        if (!info.Exists || (p.SizeInBytes is { } size && info.Length != size))
        {
            return true;
        }

        if (p.Sha256 is not { Length: > 0 } expected)
        {
            return false;
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        return !EnvTools.IO.Checksums.HexOf(System.Security.Cryptography.HashAlgorithmName.SHA256, stream).Equals(expected, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Makes every record's package present, extracted and validated in the cache, and returns them in the order of
    /// <paramref name="records"/>. Missing archives are downloaded (or copied from <c>file://</c> channels) into
    /// <see cref="WritableDirectory"/>, at most <see cref="PackageFetchOptions.MaxParallelDownloads"/> at once, and each
    /// is extracted as soon as it is verified. The first failure cancels the rest and is thrown.
    /// </summary>
    /// <exception cref="PackageNotCachedException">Offline, and some packages are in no cache.</exception>
    /// <exception cref="ChecksumMismatchException">An archive does not match its record, also when fetched again.</exception>
    /// <exception cref="PackageDownloadException">A download failed (after the retries).</exception>
    /// <exception cref="PackageCacheLockedException">Another process held an entry's lock past the lock time-out.</exception>
    /// <exception cref="CorruptArchiveException">A verified archive cannot be decoded.</exception>
    /// <exception cref="UnsafeArchiveException">An archive holds an entry that would leave its folder.</exception>
    public async Task<IReadOnlyList<CachedPackage>> EnsureAsync(IReadOnlyList<RepoDataRecord> records, IProgress<PackageFetchProgress>? progress,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(records);
        RepoDataRecord[] unique = records.DistinctBy(r => r.FileName, StringComparer.Ordinal).ToArray();
        var results = new ConcurrentDictionary<string, CachedPackage>(StringComparer.Ordinal);
        var todo = new List<RepoDataRecord>();
        foreach (RepoDataRecord r in unique)
        {
            if (TryGetValid(r) is { } hit)
            {
                results[r.FileName] = hit;
            }
            else
            {
                todo.Add(r);
            }
        }

        if (_options.Offline)
        {
            string[] missing = todo.Where(r => FindValidArchive(r, ct) is null).Select(r => r.FileName).ToArray();
            if (missing.Length > 0)
            {
                throw new PackageNotCachedException(missing, _pkgsDirs);
            }
        }

        await CleanLeftoversOfHitsAsync(unique.Where(r => results.ContainsKey(r.FileName)).ToArray(), ct).ConfigureAwait(false);
        var tracker = new ProgressTracker(progress, unique.Length, todo.Sum(r => r.Size ?? 0));
        foreach (CachedPackage hit in results.Values)
        {
            tracker.Done(hit.Record);
        }

        if (todo.Count > 0)
        {
            string target = WritableDirectory;
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var downloads = new SemaphoreSlim(Math.Max(1, _options.MaxParallelDownloads));
            using var extractions = new SemaphoreSlim(Math.Max(1, _options.MaxParallelExtractions));
            Task[] tasks = todo.Select(r => Task.Run(async () =>
            {
                try
                {
                    results[r.FileName] = await EnsureOneAsync(r, target, downloads, extractions, tracker, failed.Token).ConfigureAwait(false);
                }
                catch
                {
                    failed.Cancel(); // one failure fails the whole: stop the others
                    throw;
                }
            }, failed.Token)).ToArray();
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (Exception)
            {
                ct.ThrowIfCancellationRequested();
                Exception first = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions)
                    .FirstOrDefault(e => e is not OperationCanceledException) ?? new OperationCanceledException(ct);
                ExceptionDispatchInfo.Capture(first).Throw();
            }
        }

        return records.Select(r => results[r.FileName]).ToArray();
    }

    private async Task<CachedPackage> EnsureOneAsync(RepoDataRecord record, string target, SemaphoreSlim downloads, SemaphoreSlim extractions,
        ProgressTracker tracker, CancellationToken ct)
    {
        string entry = EntryName(record.FileName);
        using EntryLock held = await EntryLock.AcquireAsync(target, entry, _options.LockTimeout, ct).ConfigureAwait(false);
        DeleteLeftovers(target, record.FileName, keepDownload: true);
        if (TryGetValid(record) is { } done)
        {
            DeleteLeftovers(target, record.FileName, keepDownload: false);
            tracker.Done(done.Record); // another process finished it while this one waited for the lock
            return done;
        }

        (string Path, FileDigest Digest)? archive = FindValidArchive(record, ct);
        if (archive is not null)
        {
            DeleteLeftovers(target, record.FileName, keepDownload: false);
        }

        if (archive is null)
        {
            if (_options.Offline)
            {
                throw new PackageNotCachedException(new[] { record.FileName }, _pkgsDirs);
            }

            string destination = Path.Combine(target, record.FileName);
            await downloads.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                tracker.Report(record, PackageFetchPhase.Download, 0);
                FileDigest digest = await _downloader.FetchAsync(record, destination, bytes => tracker.Report(record, PackageFetchPhase.Download, bytes), ct,
                    source => tracker.Served(record, source)).ConfigureAwait(false);
                archive = (destination, digest);
            }
            finally
            {
                downloads.Release();
            }

            AppendUrl(target, record.Url);
        }

        string extracted = Path.Combine(target, entry);
        await extractions.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            tracker.Report(record, PackageFetchPhase.Extract, archive.Value.Digest.Size);
            await Task.Run(() => PackageArchive.Extract(archive.Value.Path, extracted, ct), ct).ConfigureAwait(false);
        }
        catch (EnvToolsException ex) when (IsHostile(ex))
        {
            // A package refused for what it is, not for a damaged download: keep nothing of it in the cache. (Extract
            // leaves no folder; the archive this call downloaded into the writable folder goes too.)
            if (string.Equals(Path.GetDirectoryName(Path.GetFullPath(archive.Value.Path)), Path.GetFullPath(target), StringComparison.Ordinal))
            {
                TryDeleteFile(archive.Value.Path);
            }

            throw;
        }
        finally
        {
            extractions.Release();
        }

        RepoDataRecord written = WriteMarker(extracted, record, archive.Value.Digest);
        tracker.Done(written);
        return new CachedPackage(written, extracted, archive.Value.Path);
    }

    private static bool IsHostile(EnvToolsException ex) =>
        ex is UnsafeArchiveException or ArchiveTooLargeException || ex.ErrorId == "MalformedPackageMetadata";

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// What interrupted work on complete entries left in the writable pkgs dir (a killed re-download's <c>.partial</c>
    /// file, a killed re-extraction's <c>.entry.partial-*</c> folder) is deleted under the entry's lock; an entry
    /// another process holds keeps them for a later run. One listing of the folder finds them all.
    /// </summary>
    private async Task CleanLeftoversOfHitsAsync(IReadOnlyList<RepoDataRecord> hits, CancellationToken ct)
    {
        string? target = _writable.Value;
        if (hits.Count == 0 || target is null || !Directory.Exists(target))
        {
            return;
        }

        var partial = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFileSystemEntries(target, "*partial*"))
        {
            string name = Path.GetFileName(path);
            int at = name.IndexOf(".partial-", StringComparison.Ordinal);
            if (name.StartsWith('.') && at > 1)
            {
                partial.Add(name[1..at]);
            }
            else if (name.EndsWith(".partial", StringComparison.Ordinal))
            {
                partial.Add(EntryName(name[..^".partial".Length]));
            }
        }

        foreach (RepoDataRecord r in hits.Where(r => partial.Contains(EntryName(r.FileName))))
        {
            try
            {
                using EntryLock held = await EntryLock.AcquireAsync(target, EntryName(r.FileName), TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
                DeleteLeftovers(target, r.FileName, keepDownload: false);
            }
            catch (PackageCacheLockedException)
            {
                // another process is working on it: its leftovers, if any, are cleaned next time
            }
        }
    }

    /// <summary>Deletes the hidden extraction folders of an entry (the caller holds its lock) and, unless a download is
    /// about to resume it, the partial download of its archive.</summary>
    private static void DeleteLeftovers(string pkgsDir, string fileName, bool keepDownload)
    {
        string entry = EntryName(fileName);
        try
        {
            foreach (string dir in Directory.EnumerateDirectories(pkgsDir, "." + entry + ".partial-*"))
            {
                EnvTools.IO.TreeDeletion.DeleteTree(dir, CancellationToken.None);
            }

            string download = Path.Combine(pkgsDir, fileName + ".partial");
            if (!keepDownload && File.Exists(download))
            {
                File.Delete(download);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // in use or not ours to delete: Clear-EnvCache reports it
        }
    }

    /// <summary>An archive of the record in any pkgs dir whose size and hash match the record (hashed now), or null.
    /// A mismatching archive in the writable folder is deleted.</summary>
    private (string Path, FileDigest Digest)? FindValidArchive(RepoDataRecord record, CancellationToken ct)
    {
        foreach (string dir in _pkgsDirs)
        {
            string path = Path.Combine(dir, record.FileName);
            if (!File.Exists(path) || (record.Size is { } size && size > 0 && new FileInfo(path).Length != size))
            {
                continue;
            }

            FileDigest digest = Checksums.OfFile(path, ct);
            if (PackageDownloader.Mismatch(record, digest) is null && (record.Sha256 is not null || record.Md5 is not null || record.Size is not null))
            {
                return (path, digest);
            }
        }

        return null;
    }

    /// <summary>Writes <c>info/repodata_record.json</c> (atomically, last): the record with url, channel, fn and the archive's digest.</summary>
    private static RepoDataRecord WriteMarker(string extracted, RepoDataRecord record, FileDigest digest)
    {
        var full = new RepoDataRecord(record)
        {
            FileName = record.FileName,
            Url = record.Url,
            Channel = record.Channel,
            Md5 = record.Md5 ?? digest.Md5,
            Sha256 = record.Sha256 ?? digest.Sha256,
            Size = record.Size ?? digest.Size,
        };
        string marker = Path.Combine(extracted, "info", "repodata_record.json");
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        EnvTools.IO.AtomicFiles.WriteAtomically(marker, Encoding.UTF8.GetBytes(full.ToJson(indented: true)));
        return full;
    }

    /// <summary>The marker of an extracted folder, or null when absent or unreadable.</summary>
    internal static RepoDataRecord? ReadMarker(string extracted)
    {
        string marker = Path.Combine(extracted, "info", "repodata_record.json");
        if (!File.Exists(marker))
        {
            return null;
        }

        try
        {
            return PrefixRecord.Read(marker);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or MalformedDataException)
        {
            return null;
        }
    }

    private static bool SameArchive(RepoDataRecord wanted, RepoDataRecord marker)
    {
        if (wanted.Size is { } a && marker.Size is { } b && a > 0 && a != b)
        {
            return false;
        }

        if (wanted.Sha256 is { Length: > 0 } sw && marker.Sha256 is { Length: > 0 } sm)
        {
            return string.Equals(sw, sm, StringComparison.OrdinalIgnoreCase);
        }

        if (wanted.Md5 is { Length: > 0 } mw && marker.Md5 is { Length: > 0 } mm)
        {
            return string.Equals(mw, mm, StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(wanted.FileName, marker.FileName, StringComparison.Ordinal) && string.Equals(wanted.Url, marker.Url, StringComparison.Ordinal);
    }

    /// <summary>Appends a URL to <c>&lt;pkgs_dir&gt;/urls.txt</c>, as conda does (best effort: the file is informational).</summary>
    private static void AppendUrl(string pkgsDir, string url)
    {
        string path = Path.Combine(pkgsDir, "urls.txt");
        byte[] line = Encoding.UTF8.GetBytes(Conda.UrlRedaction.Redact(url) + "\n");
        for (int attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                using var fs = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None);
                fs.Write(line);
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(10); // another process is appending
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Everything in the pkgs dirs that belongs to the package cache: extracted folders (complete or not), archives, and
    /// the leftovers of interrupted work (<c>.partial</c> downloads, hidden <c>.*.partial-*</c> extraction folders).
    /// The repodata cache (<c>cache/</c>), <c>urls.txt</c> and lock files are not listed.
    /// </summary>
    public IReadOnlyList<PackageCacheEntry> List()
    {
        var result = new List<PackageCacheEntry>();
        foreach (string dir in _pkgsDirs)
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (string path in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileName(path);
                if (Directory.Exists(path) && new FileInfo(path).LinkTarget is null)
                {
                    if (name is "cache" or EntryLock.FolderName)
                    {
                        continue;
                    }

                    if (name.StartsWith('.') && name.Contains(".partial-", StringComparison.Ordinal))
                    {
                        result.Add(new PackageCacheEntry(dir, name[1..name.IndexOf(".partial-", StringComparison.Ordinal)], path, PackageCacheEntryKind.Partial, FolderSize(path), false, null));
                        continue;
                    }

                    RepoDataRecord? marker = ReadMarker(path);
                    if (marker is null && !Directory.Exists(Path.Combine(path, "info")))
                    {
                        continue; // not a package folder
                    }

                    result.Add(new PackageCacheEntry(dir, name, path, PackageCacheEntryKind.Extracted, FolderSize(path), marker is not null, marker));
                }
                else if (name.EndsWith(".conda", StringComparison.Ordinal) || name.EndsWith(".tar.bz2", StringComparison.Ordinal))
                {
                    result.Add(new PackageCacheEntry(dir, EntryName(name), path, PackageCacheEntryKind.Tarball, new FileInfo(path).Length, true, null));
                }
                else if (name.EndsWith(".partial", StringComparison.Ordinal))
                {
                    result.Add(new PackageCacheEntry(dir, EntryName(name[..^".partial".Length]), path, PackageCacheEntryKind.Partial, new FileInfo(path).Length, false, null));
                }
            }
        }

        return result;
    }

    /// <summary>The bytes of the regular files below <paramref name="dir"/> (symlinks not followed).</summary>
    internal static long FolderSize(string dir)
    {
        long total = 0;
        foreach (FileInfo f in new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            if (f.LinkTarget is null)
            {
                total += f.Length;
            }
        }

        return total;
    }

    /// <summary>Thread-safe progress of one <see cref="EnsureAsync"/> call.</summary>
    private sealed class ProgressTracker(IProgress<PackageFetchProgress>? sink, int total, long overallTotal)
    {
        private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
        private long _overall;
        private int _done;

        public void Report(RepoDataRecord r, PackageFetchPhase phase, long bytes)
        {
            if (sink is null)
            {
                return;
            }

            long previous = 0;
            _bytes.AddOrUpdate(r.FileName, bytes, (_, old) =>
            {
                previous = old;
                return bytes;
            });
            long overall = Interlocked.Add(ref _overall, bytes - previous);
            sink.Report(new PackageFetchProgress(r.Name, r.FileName, phase, bytes, r.Size, Volatile.Read(ref _done), total, overall, overallTotal));
        }

        /// <summary>Reports which mirror served <paramref name="r"/>'s archive.</summary>
        public void Served(RepoDataRecord r, string source)
        {
            _bytes.TryGetValue(r.FileName, out long bytes);
            sink?.Report(new PackageFetchProgress(r.Name, r.FileName, PackageFetchPhase.Download, bytes, r.Size, Volatile.Read(ref _done), total,
                Interlocked.Read(ref _overall), overallTotal, source));
        }

        public void Done(RepoDataRecord r)
        {
            int done = Interlocked.Increment(ref _done);
            _bytes.TryGetValue(r.FileName, out long bytes);
            sink?.Report(new PackageFetchProgress(r.Name, r.FileName, PackageFetchPhase.Done, bytes, r.Size, done, total, Interlocked.Read(ref _overall), overallTotal));
        }
    }
}
