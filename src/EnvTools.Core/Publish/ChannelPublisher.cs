using System.Collections.Concurrent;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.IO;
using EnvTools.RepoData;
using EnvTools.Solve;

namespace EnvTools.Publish;

/// <summary>
/// Copies a channel, or the packages a team needs from it, into a mirror (<see cref="IChannelDestination"/>): a folder, an
/// OCI registry. <see cref="PlanAsync"/> reads the source's repodata (through the repodata gateway and its cache, any channel
/// kind EnvTools reads), selects the records (<see cref="PublishSelection"/>), reads the destination's repodata and asks
/// which archives it has. <see cref="PublishAsync"/> then fetches each missing archive (the package downloader: resumable,
/// retried, verified against the record's size and sha256, else md5, fetched a second time on a mismatch), writes it, and
/// only when every archive is written puts each subdir's repodata (the destination's records with the published ones laid
/// over them; json and zst), so a reader never sees a record whose archive is not there yet. An archive that fails its
/// checksum or cannot be downloaded is not published (a <see cref="PublishFailure"/>; its record stays out of the repodata);
/// a destination that fails ends the publish. A re-run copies only what changed and leaves unchanged repodata untouched.
/// </summary>
public sealed class ChannelPublisher
{
    private readonly Settings _settings;
    private readonly IChannelDestination _destination;

    /// <summary>A publisher to <paramref name="destination"/> with <paramref name="settings"/>' network, cache and credentials.</summary>
    public ChannelPublisher(Settings settings, IChannelDestination destination)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(destination);
        _settings = settings;
        _destination = destination;
    }

    /// <summary>The most archives copied (or checked) at once (default 4, as package downloads).</summary>
    public int MaxParallel { get; init; } = 4;

    /// <summary>Where archives wait between download and write (default: the temp folder); each is removed once written.</summary>
    public string? StagingDirectory { get; init; }

    /// <summary>Reads both sides and decides what to copy; writes nothing.</summary>
    /// <exception cref="ChannelUnavailableException">The source has no repodata for any of the subdirs, or cannot be read.</exception>
    /// <exception cref="UnknownPlatformException">A subdir that is not a conda platform.</exception>
    /// <exception cref="PackagesNotFoundException">A spec matches no record of the source.</exception>
    /// <exception cref="EnvToolsException">The destination cannot be read (<see cref="PublishDestinationUnavailableException"/>, a registry's refusal).</exception>
    public async Task<PublishPlan> PlanAsync(PublishRequest request, IProgress<PublishProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        IReadOnlyList<string> subdirs = SubdirsOf(request);
        IReadOnlyDictionary<string, IRecordSource> sources = await LoadSourceAsync(request.Source, subdirs, progress, cancellationToken).ConfigureAwait(false);
        try
        {
            if (PublishSelection.Unmatched(sources, request.Specs) is { Count: > 0 } unmatched)
            {
                string[] names = sources.Values.SelectMany(s => s.Names).Distinct(StringComparer.Ordinal).ToArray();
                throw new PackagesNotFoundException(
                    unmatched.Select(s => new MissingPackage(s, Array.Empty<string>(), s.NameMatcher.ExactValue is { } n ? TextDistance.CloseNames(names, n) : Array.Empty<string>())).ToArray(),
                    new[] { request.Source.DisplayUrl });
            }

            IReadOnlyDictionary<string, IReadOnlyList<RepoDataRecord>> selected = PublishSelection.Select(sources, request.Specs, request.WithDependencies, cancellationToken);
            var existing = new Dictionary<string, DestinationRepodata?>(StringComparer.Ordinal);
            foreach (string subdir in subdirs)
            {
                existing[subdir] = await _destination.GetRepodataAsync(subdir, cancellationToken).ConfigureAwait(false);
            }

            IReadOnlyList<PublishItem> items = await CheckAsync(subdirs, selected, existing, progress, cancellationToken).ConfigureAwait(false);
            string[] changes = subdirs.Where(s => Repodata(s, existing[s], items.Where(i => i.Subdir == s).Select(i => (i.Record, (FileDigest?)null))).Changed).ToArray();
            return new PublishPlan(request.Source, _destination, subdirs, items, existing, changes, sources.Values.ToArray()) { Publisher = this };
        }
        catch
        {
            foreach (IRecordSource s in sources.Values)
            {
                (s as IDisposable)?.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Copies what <paramref name="plan"/> found missing, then writes the repodata that changed. <paramref name="packageDone"/>
    /// and <paramref name="packageFailed"/> are called as packages finish (from worker threads).
    /// </summary>
    /// <exception cref="EnvToolsException">The destination failed (unreachable, refused): nothing more is written, and no repodata.</exception>
    public async Task<PublishResult> PublishAsync(PublishPlan plan, IProgress<PublishProgress>? progress = null, Action<PublishedPackage>? packageDone = null,
        Action<PublishFailure>? packageFailed = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var done = new ConcurrentBag<(PublishedPackage Package, PublishItem Item, FileDigest? Digest)>();
        var failures = new ConcurrentBag<PublishFailure>();
        foreach (PublishItem item in plan.Items.Where(i => i.Present))
        {
            PublishedPackage skipped = Output(item, PublishAction.Skipped, 0, item.Record.Sha256);
            done.Add((skipped, item, null));
            packageDone?.Invoke(skipped);
        }

        await CopyAsync(plan, progress, (package, item, digest) =>
        {
            done.Add((package, item, digest));
            packageDone?.Invoke(package);
        }, failure =>
        {
            failures.Add(failure);
            packageFailed?.Invoke(failure);
        }, cancellationToken).ConfigureAwait(false);

        var written = new List<string>();
        var unchanged = new List<string>();
        for (int i = 0; i < plan.Subdirs.Count; i++)
        {
            string subdir = plan.Subdirs[i];
            progress?.Report(new PublishProgress(PublishPhase.Repodata, subdir, RemoteRepoData.Json, i, plan.Subdirs.Count));
            (byte[] json, bool changed) = Repodata(subdir, plan.Existing[subdir], done.Where(d => d.Item.Subdir == subdir).Select(d => (d.Item.Record, d.Digest)));
            if (!changed)
            {
                unchanged.Add(subdir);
            }
            else if (!plan.IsRepodataDeclined(subdir))
            {
                await _destination.PutRepodataAsync(subdir, json, PublishRepodata.Compress(json), cancellationToken).ConfigureAwait(false);
                written.Add(subdir);
            }
        }

        progress?.Report(new PublishProgress(PublishPhase.Repodata, null, null, plan.Subdirs.Count, plan.Subdirs.Count));
        PublishedPackage[] packages = done.Select(d => d.Package).OrderBy(p => p.Subdir, StringComparer.Ordinal).ThenBy(p => p.FileName, StringComparer.Ordinal).ToArray();
        return new PublishResult(packages, failures.ToArray(), new PublishSummary
        {
            Source = plan.Source,
            Destination = plan.Destination,
            Subdirs = plan.Subdirs.ToArray(),
            Copied = packages.Count(p => p.Action == PublishAction.Copied),
            Skipped = packages.Count(p => p.Action == PublishAction.Skipped),
            Failed = failures.Count,
            Bytes = packages.Sum(p => p.Bytes),
            RepodataWritten = written.ToArray(),
            RepodataUnchanged = unchanged.ToArray(),
        });
    }

    /// <summary>The subdirs asked for (checked), or the source's; <c>noarch</c> always, last.</summary>
    private static IReadOnlyList<string> SubdirsOf(PublishRequest request)
    {
        IEnumerable<string> subdirs = request.Subdirs is { Count: > 0 } given
            ? given.Select(s => Platform.TryParse(s, out Platform p) ? p.Name : throw new UnknownPlatformException(s))
            : request.Source.IsLocal ? RepoDataGateway.LocalSubdirs(request.Source).Where(s => Platform.TryParse(s, out _))
            : new[] { (request.HostPlatform ?? Platform.Current).Name };
        return subdirs.Where(s => s != "noarch").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Append("noarch").ToArray();
    }

    private async Task<IReadOnlyDictionary<string, IRecordSource>> LoadSourceAsync(Channel source, IReadOnlyList<string> subdirs,
        IProgress<PublishProgress>? progress, CancellationToken ct)
    {
        RemoteRepoData? remote = source.IsLocal ? null : new RemoteRepoData(_settings);
        int loadedCount = 0;
        var loaded = new ConcurrentDictionary<string, IRecordSource>(StringComparer.Ordinal);
        progress?.Report(new PublishProgress(PublishPhase.Loading, null, null, 0, subdirs.Count));
        await Parallel.ForEachAsync(subdirs, new ParallelOptions { MaxDegreeOfParallelism = MaxParallel, CancellationToken = ct }, async (subdir, token) =>
        {
            if (await RepoDataGateway.LoadSubdirAsync(source, subdir, remote, token).ConfigureAwait(false) is { } records)
            {
                loaded[subdir] = records;
            }

            progress?.Report(new PublishProgress(PublishPhase.Loading, subdir, null, Interlocked.Increment(ref loadedCount), subdirs.Count));
        }).ConfigureAwait(false);
        if (loaded.IsEmpty)
        {
            throw new ChannelUnavailableException(source.Name,
                $"Channel '{source.DisplayUrl}' has no repodata for {string.Join(" or ", subdirs)}.");
        }

        return subdirs.Where(loaded.ContainsKey).ToDictionary(s => s, s => loaded[s], StringComparer.Ordinal);
    }

    /// <summary>Asks the destination, for each selected archive, whether it has it.</summary>
    private async Task<IReadOnlyList<PublishItem>> CheckAsync(IReadOnlyList<string> subdirs, IReadOnlyDictionary<string, IReadOnlyList<RepoDataRecord>> selected,
        IReadOnlyDictionary<string, DestinationRepodata?> existing, IProgress<PublishProgress>? progress, CancellationToken ct)
    {
        (string Subdir, RepoDataRecord Record)[] wanted = subdirs.Where(selected.ContainsKey).SelectMany(s => selected[s].Select(r => (s, r))).ToArray();
        var listed = subdirs.ToDictionary(s => s, s => PublishRepodata.Of(s, existing[s], _destination.DisplayName), StringComparer.Ordinal);
        var present = new bool[wanted.Length];
        int checkedCount = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, wanted.Length), new ParallelOptions { MaxDegreeOfParallelism = MaxParallel, CancellationToken = ct }, async (i, token) =>
        {
            (string subdir, RepoDataRecord record) = wanted[i];
            // listed with the same sha256 by the destination's own repodata: its presence is enough; else its content must show it
            bool listedSame = record.Sha256 is { Length: > 0 } sha && string.Equals(listed[subdir].Sha256Of(record.FileName), sha, StringComparison.OrdinalIgnoreCase);
            present[i] = await _destination.HasPackageAsync(subdir, record, verifyContent: !listedSame, token).ConfigureAwait(false);
            progress?.Report(new PublishProgress(PublishPhase.Checking, subdir, record.FileName, Interlocked.Increment(ref checkedCount), wanted.Length));
        }).ConfigureAwait(false);
        return wanted.Select((w, i) => new PublishItem(w.Record, w.Subdir, present[i])).ToArray();
    }

    private async Task CopyAsync(PublishPlan plan, IProgress<PublishProgress>? progress, Action<PublishedPackage, PublishItem, FileDigest> copied,
        Action<PublishFailure> failed, CancellationToken ct)
    {
        IReadOnlyList<PublishItem> items = plan.ToCopy;
        if (items.Count == 0)
        {
            return;
        }

        var downloader = new PackageDownloader(PackageFetchOptions.From(_settings) with { Channels = new[] { plan.SourceChannel } });
        string staging = Path.Combine(StagingDirectory ?? Path.GetTempPath(), $"envtools-publish-{Environment.ProcessId}-{Guid.NewGuid():N}");
        long bytesTotal = items.Sum(i => i.Record.Size ?? 0), bytesDone = 0;
        int count = 0;
        try
        {
            await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = MaxParallel, CancellationToken = ct }, async (item, token) =>
            {
                string file = Path.Combine(staging, item.Subdir, item.FileName);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                long reported = 0;
                try
                {
                    FileDigest digest;
                    try
                    {
                        digest = await downloader.FetchAsync(item.Record, file, n =>
                        {
                            long total = Interlocked.Add(ref bytesDone, n - reported);
                            reported = n;
                            progress?.Report(new PublishProgress(PublishPhase.Copying, item.Subdir, item.FileName, count, items.Count, total, bytesTotal));
                        }, token).ConfigureAwait(false);
                    }
                    catch (EnvToolsException ex) when (ex is ChecksumMismatchException or PackageDownloadException)
                    {
                        failed(new PublishFailure(item, ex));
                        return;
                    }

                    long bytes = await _destination.PutPackageAsync(item.Subdir, file, digest.Sha256, token).ConfigureAwait(false);
                    copied(Output(item, PublishAction.Copied, bytes, digest.Sha256), item, digest);
                    progress?.Report(new PublishProgress(PublishPhase.Copying, item.Subdir, item.FileName, Interlocked.Increment(ref count), items.Count,
                        Interlocked.Read(ref bytesDone), bytesTotal));
                }
                finally
                {
                    PackageDownloader.TryDelete(file);
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            TryDeleteTree(staging);
        }
    }

    /// <summary>The subdir's repodata with <paramref name="published"/> over the destination's, and whether it differs from what is there.</summary>
    private (byte[] Json, bool Changed) Repodata(string subdir, DestinationRepodata? existing, IEnumerable<(RepoDataRecord Record, FileDigest? Digest)> published)
    {
        PublishRepodata repodata = PublishRepodata.Of(subdir, existing, _destination.DisplayName);
        foreach ((RepoDataRecord record, FileDigest? digest) in published)
        {
            repodata.Add(record, digest);
        }

        byte[] json = repodata.ToJson();
        return (json, existing is null || !existing.Complete || !json.AsSpan().SequenceEqual(existing.Json));
    }

    private PublishedPackage Output(PublishItem item, PublishAction action, long bytes, string? sha256) => new()
    {
        Name = item.Record.Name,
        Version = item.Record.Version,
        Build = item.Record.Build,
        Subdir = item.Subdir,
        FileName = item.FileName,
        Action = action,
        Bytes = bytes,
        Size = item.Record.Size,
        Sha256 = sha256,
        Destination = _destination.DisplayName,
    };

    private static void TryDeleteTree(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // best effort: a temp folder
        }
    }
}
