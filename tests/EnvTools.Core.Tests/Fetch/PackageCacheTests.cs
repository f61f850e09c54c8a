using System.Diagnostics;
using System.Security.Cryptography;
using EnvTools.Conda;
using EnvTools.Fetch;
using EnvTools.Packages;
using EnvTools.RepoData;
using EnvTools.Tests.Http;
using Xunit;

namespace EnvTools.Tests.Fetch;

/// <summary><see cref="PackageCache"/> against the loopback <see cref="ChannelServer"/> with injected faults, and file:// channels.</summary>
public sealed class PackageCacheTests : IAsyncLifetime
{
    private HttpChannelFixture _f = null!;

    public async Task InitializeAsync() => _f = await HttpChannelFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    /// <summary>Builds packages (each with ~<paramref name="kib"/> KiB of incompressible data) into served/chan/linux-64, indexes
    /// the channel and returns the records as a client reads them (URLs on the server, or file:// when <paramref name="local"/>).</summary>
    private RepoDataRecord[] Publish(int kib = 512, bool local = false, params string[] names)
    {
        string channel = Path.Combine(_f.Served, "chan");
        foreach (string name in names.Length == 0 ? new[] { "alpha" } : names)
        {
            string src = Path.Combine(_f.Root, "src-" + name);
            Directory.CreateDirectory(Path.Combine(src, "lib"));
            var data = new byte[kib * 1024];
            new Random(name.GetHashCode(StringComparison.Ordinal)).NextBytes(data);
            File.WriteAllBytes(Path.Combine(src, "lib", name + ".bin"), data);
            File.WriteAllText(Path.Combine(src, "lib", name + ".txt"), "hello " + name);
            PackageBuilder.Build(src, new PackageDefinition { Name = name, Version = "1.0", Build = "0", Subdir = "linux-64", Timestamp = 1700000000000 },
                Path.Combine(channel, "linux-64"), PackageFormats.Conda);
        }

        ChannelIndexer.Index(channel);
        string subdirUrl = local ? new Uri(Path.Combine(channel, "linux-64")).AbsoluteUri : $"{_f.Server.Url}/chan/linux-64";
        return RepoDataParser.ParseFile(Path.Combine(channel, "linux-64", "repodata.json"), subdirUrl).Records.ToArray();
    }

    private PackageCache Cache(params (string Key, object? Value)[] settings) => PackageCache.FromSettings(_f.Settings(settings));

    private static IReadOnlyList<CachedPackage> Ensure(PackageCache cache, IReadOnlyList<RepoDataRecord> records, IProgress<PackageFetchProgress>? progress = null) =>
        cache.EnsureAsync(records, progress, CancellationToken.None).GetAwaiter().GetResult();

    private static int[] Statuses(IEnumerable<RequestLogEntry> log) => log.Select(r => r.Status).ToArray();

    /// <summary>Files and folders below the pkgs dir, except the lock folder and the repodata cache.</summary>
    private string[] PkgsContent() => Directory.Exists(_f.Pkgs)
        ? Directory.EnumerateFileSystemEntries(_f.Pkgs, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(_f.Pkgs, p).Replace('\\', '/'))
            .Where(p => !p.StartsWith(".envtools-locks", StringComparison.Ordinal) && !p.StartsWith("cache", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray()
        : Array.Empty<string>();

    private static void AssertExtractedMatchesPathsJson(CachedPackage p)
    {
        Assert.True(File.Exists(Path.Combine(p.ExtractedDirectory, "info", "repodata_record.json")));
        foreach (PackagePath path in PackageArchive.ReadPathsJson(p.ExtractedDirectory).Paths.Where(x => x.PathType == PathType.HardLink && x.Sha256 is not null))
        {
            byte[] content = File.ReadAllBytes(Path.Combine(p.ExtractedDirectory, path.Path));
            Assert.Equal(path.Sha256, Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant());
        }
    }

    [Fact]
    public void DownloadsVerifiesExtractsAndReusesTheCache()
    {
        RepoDataRecord[] records = Publish(256, false, "alpha", "beta", "gamma");
        var reports = new List<PackageFetchProgress>();
        var progress = new SyncProgress(reports.Add);
        IReadOnlyList<CachedPackage> got = Ensure(Cache(), records, progress);

        Assert.Equal(records.Select(r => r.FileName), got.Select(g => g.Record.FileName));
        foreach (CachedPackage p in got)
        {
            Assert.Equal(Path.Combine(_f.Pkgs, PackageCache.EntryName(p.Record.FileName)), p.ExtractedDirectory);
            Assert.Equal(Path.Combine(_f.Pkgs, p.Record.FileName), p.ArchivePath);
            AssertExtractedMatchesPathsJson(p);
            RepoDataRecord marker = PrefixRecord.Read(Path.Combine(p.ExtractedDirectory, "info", "repodata_record.json"));
            RepoDataRecord source = records.Single(r => r.FileName == p.Record.FileName);
            Assert.Equal((source.Sha256, source.Md5, source.Size, source.Url, source.FileName), (marker.Sha256, marker.Md5, marker.Size, marker.Url, marker.FileName));
            Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p.ArchivePath!))).ToLowerInvariant(), marker.Sha256);
        }

        Assert.Equal(records.Select(r => r.Url).Order(StringComparer.Ordinal), File.ReadAllLines(Path.Combine(_f.Pkgs, "urls.txt")).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(PkgsContent(), p => p.Contains(".partial", StringComparison.Ordinal));

        // progress: bytes per package up to its size, every package done once, overall total = the sizes
        Assert.Equal(records.Length, reports.Count(r => r.Phase == PackageFetchPhase.Done));
        Assert.All(records, r => Assert.Contains(reports, p => p.FileName == r.FileName && p.Phase == PackageFetchPhase.Download && p.BytesDone == r.Size));
        Assert.All(reports, p => Assert.Equal(records.Sum(r => r.Size!.Value), p.OverallBytesTotal));
        Assert.Equal(records.Sum(r => r.Size!.Value), reports.Max(p => p.OverallBytesDone));
        Assert.Equal(records.Length, reports.Max(p => p.PackagesDone));

        // a second run (another instance, as another process would) asks the server for nothing
        _f.Server.ClearLog();
        IReadOnlyList<CachedPackage> again = Ensure(Cache(), records);
        Assert.Empty(_f.Server.Requests);
        Assert.Equal(got.Select(g => g.ExtractedDirectory), again.Select(g => g.ExtractedDirectory));
        Assert.NotNull(Cache().TryGetValid(records[0]));
    }

    [Fact]
    public void Retries503sThenSucceeds()
    {
        RepoDataRecord r = Publish().Single();
        _f.Server.AddFault("/" + r.FileName, Fault.Status(503, times: 2));
        Ensure(Cache(), new[] { r });
        Assert.Equal(new[] { 503, 503, 200 }, Statuses(_f.Server.RequestsFor("/" + r.FileName)));
    }

    [Fact]
    public void HonoursRetryAfterOn429()
    {
        RepoDataRecord r = Publish().Single();
        _f.Server.AddFault("/" + r.FileName, Fault.Status(429, times: 1, retryAfter: TimeSpan.FromSeconds(1)));
        Ensure(Cache(("remote_backoff_factor", 0.001)), new[] { r });
        IReadOnlyList<RequestLogEntry> log = _f.Server.RequestsFor("/" + r.FileName);
        Assert.Equal(new[] { 429, 200 }, Statuses(log));
        Assert.True(log[1].Time - log[0].Time >= TimeSpan.FromMilliseconds(900), $"waited only {(log[1].Time - log[0].Time).TotalMilliseconds} ms");
    }

    [Fact]
    public void GivesUpAfterTheRetriesWithAClearErrorAndLeavesNothing()
    {
        RepoDataRecord r = Publish().Single();
        _f.Server.AddFault("/" + r.FileName, Fault.Status(500, times: -1));
        var ex = Assert.Throws<PackageDownloadException>(() => Ensure(Cache(("remote_max_retries", 2)), new[] { r }));
        Assert.Equal("PackageDownloadFailed", ex.ErrorId);
        Assert.Equal(500, ex.StatusCode);
        Assert.Contains("HTTP 500", ex.Message);
        Assert.Contains("after 2 retries", ex.Message);
        Assert.Contains(r.FileName, ex.Message);
        Assert.Equal(3, _f.Server.RequestsFor("/" + r.FileName).Count);
        Assert.Empty(PkgsContent());
    }

    [Fact]
    public void MissingPackageIsNotFoundWithoutRetries()
    {
        RepoDataRecord r = Publish().Single();
        File.Delete(Path.Combine(_f.Served, "chan", "linux-64", r.FileName));
        var ex = Assert.Throws<PackageDownloadException>(() => Ensure(Cache(), new[] { r }));
        Assert.Equal(404, ex.StatusCode);
        Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
        Assert.Single(_f.Server.RequestsFor("/" + r.FileName));
        Assert.Empty(PkgsContent());
    }

    [Theory]
    [InlineData(FaultKind.ResetMidBody)]
    [InlineData(FaultKind.TruncatedBody)]
    public void ABrokenBodyIsResumedWithRange(FaultKind kind)
    {
        RepoDataRecord r = Publish(1024).Single();
        _f.Server.AddFault("/" + r.FileName, new Fault(kind));
        CachedPackage p = Ensure(Cache(), new[] { r }).Single();
        AssertExtractedMatchesPathsJson(p);
        IReadOnlyList<RequestLogEntry> log = _f.Server.RequestsFor("/" + r.FileName);
        Assert.Equal(2, log.Count);
        Assert.Equal(kind, log[0].Fault);
        Assert.Null(log[0].Range);
        Assert.Equal(206, log[1].Status);
        Assert.Matches(@"^bytes=[1-9][0-9]*-$", log[1].Range);
        Assert.DoesNotContain(PkgsContent(), x => x.Contains(".partial", StringComparison.Ordinal));
    }

    [Fact]
    public void APartialFileFromAnEarlierRunIsResumedAndTheWholeFileVerified()
    {
        RepoDataRecord r = Publish(1024).Single();
        byte[] archive = File.ReadAllBytes(Path.Combine(_f.Served, "chan", "linux-64", r.FileName));
        Directory.CreateDirectory(_f.Pkgs);
        File.WriteAllBytes(Path.Combine(_f.Pkgs, r.FileName + ".partial"), archive[..300_000]);
        CachedPackage p = Ensure(Cache(), new[] { r }).Single();
        AssertExtractedMatchesPathsJson(p);
        RequestLogEntry only = Assert.Single(_f.Server.RequestsFor("/" + r.FileName));
        Assert.Equal(("bytes=300000-", 206), (only.Range, only.Status));
        Assert.Equal(archive, File.ReadAllBytes(p.ArchivePath!));
    }

    [Fact]
    public void ABadPartialFileIsDiscardedAfterTheWholeFileFailsVerification()
    {
        RepoDataRecord r = Publish(256).Single();
        Directory.CreateDirectory(_f.Pkgs);
        File.WriteAllBytes(Path.Combine(_f.Pkgs, r.FileName + ".partial"), new byte[1000]); // not a prefix of the archive
        CachedPackage p = Ensure(Cache(), new[] { r }).Single();
        AssertExtractedMatchesPathsJson(p);
        Assert.Equal(new[] { 206, 200 }, Statuses(_f.Server.RequestsFor("/" + r.FileName)));
        Assert.Null(_f.Server.RequestsFor("/" + r.FileName)[1].Range);
    }

    [Fact]
    public void WithoutRangeSupportThePartialFileIsReplaced()
    {
        RepoDataRecord r = Publish(256).Single();
        _f.Server.SupportsRange = false;
        byte[] archive = File.ReadAllBytes(Path.Combine(_f.Served, "chan", "linux-64", r.FileName));
        Directory.CreateDirectory(_f.Pkgs);
        File.WriteAllBytes(Path.Combine(_f.Pkgs, r.FileName + ".partial"), archive[..1000]);
        CachedPackage p = Ensure(Cache(), new[] { r }).Single();
        Assert.Equal(new[] { 200 }, Statuses(_f.Server.RequestsFor("/" + r.FileName)));
        Assert.Equal(archive, File.ReadAllBytes(p.ArchivePath!));
    }

    [Fact]
    public void WrongBytesOnceAreFetchedAgain()
    {
        RepoDataRecord r = Publish().Single();
        _f.Server.AddFault("/" + r.FileName, Fault.WrongBytes(times: 1));
        AssertExtractedMatchesPathsJson(Ensure(Cache(), new[] { r }).Single());
        Assert.Equal(2, _f.Server.RequestsFor("/" + r.FileName).Count);
    }

    [Fact]
    public void WrongBytesTwiceAreAChecksumMismatchAndNothingIsKept()
    {
        RepoDataRecord r = Publish().Single();
        _f.Server.AddFault("/" + r.FileName, Fault.WrongBytes());
        var ex = Assert.Throws<ChecksumMismatchException>(() => Ensure(Cache(), new[] { r }));
        Assert.Equal(("ChecksumMismatch", ErrorKind.SecurityError, "sha256", r.Sha256), (ex.ErrorId, ex.Kind, ex.Algorithm, ex.Expected));
        Assert.Contains(r.FileName, ex.Message);
        Assert.Equal(2, _f.Server.RequestsFor("/" + r.FileName).Count);
        Assert.Empty(PkgsContent());
    }

    [Fact]
    public void OnlyAnMd5IsVerifiedToo()
    {
        RepoDataRecord r = Publish().Single();
        var md5Only = new RepoDataRecord(r) { Sha256 = null };
        _f.Server.AddFault("/" + r.FileName, Fault.WrongBytes());
        var ex = Assert.Throws<ChecksumMismatchException>(() => Ensure(Cache(), new[] { md5Only }));
        Assert.Equal("md5", ex.Algorithm);
        _f.Server.ClearFaults();
        CachedPackage p = Ensure(Cache(), new[] { md5Only }).Single();
        Assert.Equal(r.Sha256, p.Record.Sha256); // filled in from the archive
    }

    [Fact]
    public void AShortBodyIsASizeMismatch()
    {
        RepoDataRecord r = Publish().Single();
        _f.Server.AddFault("/" + r.FileName, Fault.Corrupt());
        var ex = Assert.Throws<ChecksumMismatchException>(() => Ensure(Cache(), new[] { r }));
        Assert.Equal(("size", r.Size!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), (ex.Algorithm, ex.Expected));
        Assert.Empty(PkgsContent());
    }

    [Fact]
    public void ASlowFirstByteWithinTheReadTimeoutIsWaitedFor_BeyondItIsRetried()
    {
        RepoDataRecord[] rs = Publish(64, false, "slow", "slower");
        _f.Server.AddFault("/" + rs[0].FileName, Fault.Slow(TimeSpan.FromMilliseconds(400)));
        _f.Server.AddFault("/" + rs[1].FileName, Fault.Slow(TimeSpan.FromSeconds(3)));
        Ensure(Cache(("remote_read_timeout_secs", 1.5)), rs);
        Assert.Equal(new[] { 200 }, Statuses(_f.Server.RequestsFor("/" + rs[0].FileName)));
        Assert.Equal(2, _f.Server.RequestsFor("/" + rs[1].FileName).Count);
    }

    [Fact]
    public void OfflineUsesOnlyTheCacheAndNamesWhatIsMissing()
    {
        RepoDataRecord[] rs = Publish(64, false, "here", "there");
        var ex = Assert.Throws<PackageNotCachedException>(() => Ensure(Cache(("offline", true)), rs));
        Assert.Equal("PackageNotCached", ex.ErrorId);
        Assert.Equal(rs.Select(r => r.FileName), ex.Packages);
        Assert.All(rs, r => Assert.Contains(r.FileName, ex.Message));

        // an archive (not extracted) is enough offline
        Directory.CreateDirectory(_f.Pkgs);
        foreach (RepoDataRecord r in rs)
        {
            File.Copy(Path.Combine(_f.Served, "chan", "linux-64", r.FileName), Path.Combine(_f.Pkgs, r.FileName));
        }

        _f.Server.ClearLog();
        Assert.All(Ensure(Cache(("offline", true)), rs), AssertExtractedMatchesPathsJson);
        Assert.Empty(_f.Server.Requests);
    }

    [Fact]
    public void ADamagedEntryIsRepaired()
    {
        RepoDataRecord r = Publish().Single();
        CachedPackage p = Ensure(Cache(), new[] { r }).Single();

        // marker missing: re-extracted from the verified archive, no download
        File.Delete(Path.Combine(p.ExtractedDirectory, "info", "repodata_record.json"));
        File.Delete(Path.Combine(p.ExtractedDirectory, "lib", "alpha.txt"));
        Assert.Null(Cache().TryGetValid(r));
        _f.Server.ClearLog();
        Ensure(Cache(), new[] { r });
        Assert.Empty(_f.Server.Requests);
        Assert.True(File.Exists(Path.Combine(p.ExtractedDirectory, "lib", "alpha.txt")));

        // marker missing and the archive damaged: downloaded again
        File.Delete(Path.Combine(p.ExtractedDirectory, "info", "repodata_record.json"));
        using (var fs = new FileStream(p.ArchivePath!, FileMode.Open))
        {
            fs.Position = 100;
            fs.WriteByte(0xFF);
        }

        Ensure(Cache(), new[] { r });
        Assert.Single(_f.Server.RequestsFor("/" + r.FileName));
        AssertExtractedMatchesPathsJson(Cache().TryGetValid(r)!);

        // a marker for another build of the same name is not this package
        var other = new RepoDataRecord(r) { Sha256 = new string('0', 64) };
        Assert.Null(Cache().TryGetValid(other));
    }

    [Fact]
    public async Task TwoCachesFetchingTheSamePackagesConcurrentlyMakeOneValidEntry()
    {
        RepoDataRecord[] rs = Publish(512, false, "one", "two");
        _f.Server.AddFault("/" + rs[0].FileName, Fault.Slow(TimeSpan.FromMilliseconds(300)));
        PackageCache a = Cache(), b = Cache();
        Task<IReadOnlyList<CachedPackage>> ta = Task.Run(() => a.EnsureAsync(rs, null, CancellationToken.None));
        Task<IReadOnlyList<CachedPackage>> tb = Task.Run(() => b.EnsureAsync(Enumerable.Reverse(rs).ToArray(), null, CancellationToken.None));
        IReadOnlyList<CachedPackage>[] both = await Task.WhenAll(ta, tb);
        Assert.Equal(both[0].Select(p => p.ExtractedDirectory).Order(), both[1].Select(p => p.ExtractedDirectory).Order());
        Assert.All(rs, r => Assert.Single(_f.Server.RequestsFor("/" + r.FileName)));
        Assert.All(both[0], AssertExtractedMatchesPathsJson);
        Assert.Equal(rs.Length, File.ReadAllLines(Path.Combine(_f.Pkgs, "urls.txt")).Length);
        Assert.Equal(rs.Length, Directory.GetDirectories(_f.Pkgs).Count(d => !Path.GetFileName(d).StartsWith('.') && Path.GetFileName(d) != "cache"));
    }

    [Fact]
    public void AnEntryLockedElsewhereIsWaitedFor()
    {
        // The lock is flock(2) on Unix (FileShare.None), per open file: a second open of the lock file here holds it
        // exactly as another process would, without depending on when a child process gets scheduled.
        RepoDataRecord r = Publish(64).Single();
        string lockFile = Path.Combine(_f.Pkgs, ".envtools-locks", PackageCache.EntryName(r.FileName) + ".lock");
        Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
        var holder = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var ex = Assert.Throws<PackageCacheLockedException>(() =>
                new PackageCache(new[] { _f.Pkgs }, PackageFetchOptions.From(_f.Settings()) with { LockTimeout = TimeSpan.FromMilliseconds(200) })
                    .EnsureAsync(new[] { r }, null, CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(("PackageCacheLocked", ErrorKind.ResourceBusy), (ex.ErrorId, ex.Kind));

            var sw = Stopwatch.StartNew();
            using var release = new Timer(_ => holder.Dispose(), null, 800, Timeout.Infinite);
            AssertExtractedMatchesPathsJson(Ensure(Cache(), new[] { r }).Single());
            Assert.True(sw.Elapsed > TimeSpan.FromMilliseconds(500), $"did not wait for the lock ({sw.ElapsedMilliseconds} ms)");
        }
        finally
        {
            holder.Dispose();
        }
    }

    [Fact]
    public void CancellationStopsADownloadAndReleasesTheLock()
    {
        RepoDataRecord r = Publish(64).Single();
        _f.Server.AddFault("/" + r.FileName, Fault.Slow(TimeSpan.FromSeconds(3)));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        PackageCache cache = Cache();
        Assert.ThrowsAny<OperationCanceledException>(() => cache.EnsureAsync(new[] { r }, null, cts.Token).GetAwaiter().GetResult());
        _f.Server.ClearFaults();
        AssertExtractedMatchesPathsJson(Ensure(cache, new[] { r }).Single());
    }

    [Fact]
    public void FileChannelsAreCopiedAndVerified()
    {
        RepoDataRecord r = Publish(128, local: true).Single();
        Assert.StartsWith("file://", r.Url);
        CachedPackage p = Ensure(Cache(), new[] { r }).Single();
        AssertExtractedMatchesPathsJson(p);
        Assert.Empty(_f.Server.Requests);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_f.Served, "chan", "linux-64", r.FileName)), File.ReadAllBytes(p.ArchivePath!));

        // a local file that does not match its record is refused like a download
        var wrong = new RepoDataRecord(r) { Sha256 = new string('a', 64), FileName = r.FileName, Url = r.Url };
        Directory.Delete(p.ExtractedDirectory, true);
        File.Delete(p.ArchivePath!);
        Assert.Throws<ChecksumMismatchException>(() => Ensure(Cache(), new[] { wrong }));
        Assert.DoesNotContain(PkgsContent(), x => x.Contains(PackageCache.EntryName(r.FileName), StringComparison.Ordinal));
    }

    [Fact]
    public void ListShowsEntriesArchivesAndLeftovers()
    {
        RepoDataRecord r = Publish(64).Single();
        Ensure(Cache(), new[] { r });
        File.WriteAllBytes(Path.Combine(_f.Pkgs, "zzz-1-0.conda.partial"), new byte[10]);
        Directory.CreateDirectory(Path.Combine(_f.Pkgs, "broken-1-0", "info"));
        IReadOnlyList<PackageCacheEntry> list = Cache().List();
        Assert.Equal(
            new[] { ("alpha-1.0-0", PackageCacheEntryKind.Extracted, true), ("alpha-1.0-0", PackageCacheEntryKind.Tarball, true), ("broken-1-0", PackageCacheEntryKind.Extracted, false), ("zzz-1-0", PackageCacheEntryKind.Partial, false) },
            list.Select(e => (e.Name, e.Kind, e.IsComplete)).OrderBy(x => x.Item1, StringComparer.Ordinal).ThenBy(x => x.Item2));
        Assert.Equal(r.Size, list.Single(e => e.Kind == PackageCacheEntryKind.Tarball).Size);
        Assert.Equal(r.Sha256, list.Single(e => e.Kind == PackageCacheEntryKind.Extracted && e.IsComplete).Record!.Sha256);
    }

    [ConformanceFact]
    public void RealPackagesOverHttpExtractToWhatTheirPathsJsonSays()
    {
        string sub = Path.Combine(_f.Served, "real", "linux-64");
        Directory.CreateDirectory(sub);
        foreach (string f in new[] { "packages/conda-tests/conda_format_repo/linux-64/zlib-1.2.11-h7b6447c_3.conda",
            "packages/conda-tests/conda_format_repo/linux-64/zlib-1.2.11-h7b6447c_3.tar.bz2", "packages/conda-package-handling/mock-2.0.0-py37_1000.conda" })
        {
            File.Copy(ConformanceData.PathOf(f)!, Path.Combine(sub, Path.GetFileName(f)));
        }

        ChannelIndexer.Index(Path.Combine(_f.Served, "real"));
        RepoDataRecord[] rs = RepoDataParser.ParseFile(Path.Combine(sub, "repodata.json"), $"{_f.Server.Url}/real/linux-64").Records.ToArray();
        Assert.Equal(3, rs.Length);
        // the zlib .conda and .tar.bz2 share one extracted folder: fetch them one after the other
        foreach (RepoDataRecord r in rs)
        {
            CachedPackage p = Ensure(Cache(), new[] { r }).Single();
            Assert.Equal(r.FileName, p.Record.FileName);
            AssertExtractedMatchesPathsJson(p);
        }
    }

    /// <summary>An IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<PackageFetchProgress> report) : IProgress<PackageFetchProgress>
    {
        private readonly object _lock = new();

        public void Report(PackageFetchProgress value)
        {
            lock (_lock)
            {
                report(value);
            }
        }
    }
}
