using System.Collections.Concurrent;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Solve;

namespace EnvTools.RepoData;

/// <summary>A channel that cannot be read: missing folder, no repodata, unreachable server.</summary>
public sealed class ChannelUnavailableException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public ChannelUnavailableException(string channel, string message, Exception? inner = null, string? serverCode = null)
        : base("ChannelUnavailable", ErrorKind.ResourceUnavailable, message, channel, inner)
    {
        Channel = channel;
        ServerCode = serverCode;
    }

    /// <summary>The channel as resolved.</summary>
    public string Channel { get; }

    /// <summary>The server's own error code, where it gave one (S3's <c>SignatureDoesNotMatch</c>, <c>AccessDenied</c>, <c>NoSuchBucket</c>); else null.</summary>
    public string? ServerCode { get; }
}

/// <summary>Progress of loading one channel subdir.</summary>
/// <param name="Channel">The channel's canonical name.</param>
/// <param name="Subdir">The subdir.</param>
/// <param name="Completed">Subdirs finished so far.</param>
/// <param name="Total">Subdirs to load.</param>
/// <param name="Origin">Where the finished subdir's records came from: a local folder, the cache within
/// local_repodata_ttl, a 304, a download, the cache offline, or no repodata (404).</param>
public readonly record struct RepoDataProgress(string Channel, string Subdir, int Completed, int Total, string? Origin = null);

/// <summary>
/// Returns the records of channels for a platform: for each channel its platform subdir and
/// <c>noarch</c>, loaded concurrently into lazy name indexes (only the records a solve reaches are
/// decoded). Local folders and <c>file://</c> URLs are read in place; <c>repodata.json</c> is preferred,
/// then <c>repodata.json.zst</c>, then <c>repodata.json.bz2</c>. HTTP(S) channels go through conda's
/// repodata cache (ETag/Last-Modified revalidation, TTL, offline mode), preferring <c>repodata.json.zst</c>.
/// </summary>
public static class RepoDataGateway
{
    private static readonly string[] Candidates = { "repodata.json", "repodata.json.zst", "repodata.json.bz2" };

    /// <summary>The most HTTP requests in flight at once during a load.</summary>
    private const int MaxConcurrentRequests = 8;

    /// <summary>The subdirs a platform reads: the platform's own and <c>noarch</c>.</summary>
    public static IReadOnlyList<string> SubdirsFor(Platform platform) =>
        platform.IsNoArch ? new[] { "noarch" } : new[] { platform.Name, "noarch" };

    /// <summary>Loads the channels, in priority order (first = highest), with the process's settings for HTTP channels.</summary>
    /// <exception cref="ChannelUnavailableException">A channel has no readable repodata for the platform.</exception>
    public static IReadOnlyList<SolverChannel> Load(IReadOnlyList<Channel> channels, Platform platform,
        IProgress<RepoDataProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Load(channels, platform, null, progress, cancellationToken);

    /// <summary>
    /// Loads the channels, in priority order (first = highest). HTTP(S) channels are fetched through the
    /// repodata cache of the first writable <c>pkgs_dirs</c> folder, honouring <paramref name="settings"/>'
    /// <c>offline</c>, <c>local_repodata_ttl</c>, <c>repodata_use_zst</c>, retries, time-outs, <c>ssl_verify</c> and
    /// <c>proxy_servers</c> (null: the settings of the running process). All subdirs load concurrently.
    /// </summary>
    /// <exception cref="ChannelUnavailableException">A channel has no readable repodata for the platform, or cannot be reached.</exception>
    /// <exception cref="InvalidConfigurationException">Unusable <c>proxy_servers</c> or <c>ssl_verify</c> CA bundle.</exception>
    public static IReadOnlyList<SolverChannel> Load(IReadOnlyList<Channel> channels, Platform platform, Settings? settings,
        IProgress<RepoDataProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channels);
        IReadOnlyList<string> subdirs = SubdirsFor(platform);
        var jobs = channels.SelectMany((c, ci) => subdirs.Select((s, si) => (Channel: c, ChannelIndex: ci, Subdir: s, SubdirIndex: si))).ToArray();
        var loaded = new ConcurrentDictionary<(int, int), IRecordSource?>();
        int completed = 0;
        RemoteRepoData? remote = jobs.Any(j => !j.Channel.IsLocal) ? new RemoteRepoData(settings ?? Settings.Load()) : null;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var cpu = new SemaphoreSlim(Environment.ProcessorCount);
        using var net = new SemaphoreSlim(MaxConcurrentRequests);
        Task[] tasks = jobs.Select(job => Task.Run(async () =>
        {
            SemaphoreSlim gate = job.Channel.IsLocal ? cpu : net;
            await gate.WaitAsync(failed.Token).ConfigureAwait(false);
            string? origin = job.Channel.IsLocal ? "local folder" : null;
            try
            {
                loaded[(job.ChannelIndex, job.SubdirIndex)] = job.Channel.IsLocal
                    ? LoadSubdir(job.Channel, job.Subdir)
                    : await remote!.LoadAsync(job.Channel, job.Subdir, failed.Token, o => origin = o).ConfigureAwait(false);
            }
            catch
            {
                failed.Cancel(); // one failure fails the load: stop the others
                throw;
            }
            finally
            {
                gate.Release();
            }

            progress?.Report(new RepoDataProgress(job.Channel.Name, job.Subdir, Interlocked.Increment(ref completed), jobs.Length, origin));
        }, failed.Token)).ToArray();
        try
        {
            Task.WaitAll(tasks, CancellationToken.None); // every task observes the token; wait for all of them to end
        }
        catch (AggregateException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // the first job (in channel order) that failed for a reason of its own, not because another failed
            Exception first = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions)
                .FirstOrDefault(e => e is not OperationCanceledException) ?? new OperationCanceledException(cancellationToken);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }

        var result = new List<SolverChannel>(channels.Count);
        for (int ci = 0; ci < channels.Count; ci++)
        {
            var sources = new List<IRecordSource>();
            for (int si = 0; si < subdirs.Count; si++)
            {
                if (loaded[(ci, si)] is { } source)
                {
                    sources.Add(source);
                }
            }

            if (sources.Count == 0)
            {
                throw new ChannelUnavailableException(channels[ci].Name,
                    $"Channel '{channels[ci].Name}' has no repodata for {string.Join(" or ", subdirs)} " +
                    $"(looked for {string.Join(", ", Candidates)} under {string.Join(", ", subdirs.Select(channels[ci].SubdirUrl))}).");
            }

            result.Add(new SolverChannel(channels[ci].Name, sources));
        }

        return result;
    }

    /// <summary>
    /// One subdir of one channel as <see cref="Load(IReadOnlyList{Channel}, Platform, Settings?, IProgress{RepoDataProgress}?, CancellationToken)"/>
    /// reads it (a folder in place, a remote channel through <paramref name="remote"/>'s cache), or null when it has no repodata.
    /// </summary>
    /// <exception cref="ChannelUnavailableException">The folder is missing, or the server cannot be reached or refused.</exception>
    internal static async Task<IRecordSource?> LoadSubdirAsync(Channel channel, string subdir, RemoteRepoData? remote, CancellationToken cancellationToken,
        Action<string>? origin = null)
    {
        if (channel.IsLocal)
        {
            origin?.Invoke("local folder");
            return LoadSubdir(channel, subdir);
        }

        ArgumentNullException.ThrowIfNull(remote);
        return await remote.LoadAsync(channel, subdir, cancellationToken, origin).ConfigureAwait(false);
    }

    /// <summary>The subdirs of a folder channel that hold repodata (any of the forms it reads), sorted.</summary>
    /// <exception cref="ChannelUnavailableException">The folder does not exist.</exception>
    internal static IReadOnlyList<string> LocalSubdirs(Channel channel)
    {
        string root = channel.LocalPath ?? throw new ArgumentException("not a folder channel", nameof(channel));
        if (!Directory.Exists(root))
        {
            throw new ChannelUnavailableException(channel.Name, $"Channel folder '{root}' does not exist.");
        }

        return Directory.EnumerateDirectories(root)
            .Where(d => Candidates.Any(c => File.Exists(Path.Combine(d, c))))
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
    }

    private static IRecordSource? LoadSubdir(Channel channel, string subdir)
    {
        string root = channel.LocalPath!;
        if (!Directory.Exists(root))
        {
            throw new ChannelUnavailableException(channel.Name, $"Channel folder '{root}' does not exist.");
        }

        foreach (string name in Candidates)
        {
            string path = Path.Combine(root, subdir, name);
            if (File.Exists(path))
            {
                try
                {
                    RepoDataIndex index = RepoDataIndex.Load(path, channel.SubdirUrl(subdir));
                    return new RepoDataIndexSource(index, channel.Name, subdir);
                }
                catch (IOException ex)
                {
                    throw new ChannelUnavailableException(channel.Name, $"Cannot read '{path}': {ex.Message}", ex);
                }
            }
        }

        return null; // a missing subdir is an empty one, as for conda
    }
}
