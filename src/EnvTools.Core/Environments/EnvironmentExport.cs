using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.RepoData;
using EnvTools.Solve;
using EnvTools.Platforms;

namespace EnvTools.Environments;

/// <summary>What <see cref="EnvironmentExport.ToEnvironmentFile"/> writes.</summary>
public sealed record EnvironmentExportOptions
{
    /// <summary>The name written (<c>name:</c>); null leaves it out.</summary>
    public string? Name { get; init; }

    /// <summary><c>name=version</c> instead of <c>name=version=build</c>.</summary>
    public bool NoBuilds { get; init; }

    /// <summary>The specs the user asked for (history) instead of every installed package; unlike conda, their version
    /// constraints and channels are kept, and so is the pip section.</summary>
    public bool FromHistory { get; init; }
}

/// <summary>
/// Turns an environment into files that re-create it: an environment.yml (<see cref="ToEnvironmentFile"/>), an
/// <c>@EXPLICIT</c> file (<see cref="ToExplicit"/>) and a multi-platform conda-lock file (<see cref="ToLock"/>). Every
/// exported URL is stripped of tokens and passwords.
/// </summary>
public static class EnvironmentExport
{
    /// <summary>
    /// The environment as conda's environment.yml: channels in priority order (the channels the installed packages come
    /// from, configured channels first in their configured order), the packages as <c>name=version=build</c> sorted by
    /// name, a <c>pip:</c> list of the Python packages pip installed (<c>name==version</c>), the variables of
    /// <c>conda-meta/state</c>, and the prefix.
    /// </summary>
    public static EnvironmentFile ToEnvironmentFile(string prefix, EnvironmentExportOptions? options = null, IReadOnlyList<string>? configuredChannels = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        options ??= new EnvironmentExportOptions();
        PrefixData data = PrefixData.Load(prefix);
        IReadOnlyList<InstalledPackage> packages = data.GetPackages(includePip: true);
        IReadOnlyList<string> channels = ChannelsOf(data.Records, configuredChannels);
        IReadOnlyList<string> dependencies;
        if (options.FromHistory)
        {
            dependencies = PrefixHistory.Load(PrefixHistory.PathFor(data.Prefix))
                .GetRequestedSpecs(data.Records.Select(r => r.Name)).Values.ToArray();
        }
        else
        {
            dependencies = data.Records.OrderBy(r => r.Name, StringComparer.Ordinal)
                .Select(r => options.NoBuilds ? $"{r.Name}={r.Version}" : $"{r.Name}={r.Version}={r.Build}").ToArray();
        }

        string[] pip = packages.Where(p => p.Source == PackageSource.Pypi).Select(p => $"{p.Name}=={p.Version}").ToArray();
        return new EnvironmentFile
        {
            Name = options.Name,
            Channels = channels,
            Dependencies = dependencies,
            Pip = pip.Length > 0 ? pip : null,
            Variables = EnvironmentConfigVariables.Read(data.Prefix).Select(v => new KeyValuePair<string, string>(v.Name, v.Value)).ToArray(),
            Prefix = data.Prefix,
        };
    }

    /// <summary>The environment as an <c>@EXPLICIT</c> file (CEP-23): one URL per package, with <c>#sha256:</c>, in install order.</summary>
    public static string ToExplicit(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        PrefixData data = PrefixData.Load(prefix);
        return ExplicitFile.Write(Toposort.Sort(data.Records), PlatformOf(data.Records).Name);
    }

    /// <summary>
    /// A conda-lock (v1) file for <paramref name="platforms"/>: the environment's own platform locks the installed packages
    /// exactly; every other platform is solved from the specs the user asked for (history), against the channels the
    /// packages come from, with that platform's own default virtual packages (its <c>CONDA_OVERRIDE_*</c> apply).
    /// </summary>
    /// <param name="prefix">The environment.</param>
    /// <param name="platforms">The platforms; empty for the environment's own.</param>
    /// <param name="settings">The settings (channel access, overrides).</param>
    /// <param name="source">What the lock names as its source (the environment's name).</param>
    /// <param name="progress">Reports the platform being locked.</param>
    /// <param name="ct">Cancels the solves.</param>
    /// <exception cref="LockPlatformException">A platform could not be locked (its channels, or no solution): the
    /// message and <see cref="LockPlatformException.Platform"/> name it; the ErrorId is the cause's.</exception>
    public static string ToLock(string prefix, IReadOnlyList<Platform> platforms, Settings settings, string source,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(platforms);
        ArgumentNullException.ThrowIfNull(settings);
        PrefixData data = PrefixData.Load(prefix, ct);
        Platform own = PlatformOf(data.Records);
        IReadOnlyList<string> channelNames = ChannelsOf(data.Records, null);
        var channels = BaseUrls(data.Records).Select(u => EnvTools.Config.ChannelResolver.ParseChannel(u)).ToArray();
        MatchSpec[] specs = PrefixHistory.Load(PrefixHistory.PathFor(data.Prefix)).GetRequestedSpecs(data.Records.Select(r => r.Name)).Values
            .Select(s => MatchSpec.TryParse(s, out MatchSpec? m) ? m! : null).OfType<MatchSpec>().ToArray();
        var locked = new List<KeyValuePair<string, IReadOnlyList<RepoDataRecord>>>();
        foreach (Platform p in platforms.Count == 0 ? new[] { own } : platforms.Distinct())
        {
            ct.ThrowIfCancellationRequested();
            progress?.Report(p.Name);
            if (p == own)
            {
                locked.Add(new(p.Name, Toposort.Sort(data.Records)));
                continue;
            }

            IReadOnlyList<SolverChannel>? loaded = null;
            SolveResult result;
            try
            {
                loaded = RepoDataGateway.Load(channels, p, settings, null, ct);
                result = CondaSolver.Solve(new SolveRequest
                {
                    Specs = specs,
                    Channels = loaded,
                    VirtualPackages = VirtualPackages.For(p, settings).Select(v => v.ToRecord()).ToArray(),
                    ChannelPriority = settings.ChannelPriority,
                }, ct);
            }
            catch (EnvToolsException ex)
            {
                throw new LockPlatformException(p.Name, ex);
            }
            finally
            {
                if (loaded is not null)
                {
                    SolverChannel.DisposeAll(loaded);
                }
            }

            locked.Add(new(p.Name, Toposort.Sort(result.Records)));
        }

        return CondaLockFile.Write(channelNames, locked, new[] { source });
    }

    /// <summary>The environment's platform: the subdir of its non-noarch packages, else the host's.</summary>
    public static Platform PlatformOf(IReadOnlyList<RepoDataRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (RepoDataRecord r in records)
        {
            if (r.Subdir is { } s && s != "noarch" && Platform.TryParse(s, out Platform p))
            {
                return p;
            }
        }

        return Platform.Current;
    }

    /// <summary>
    /// The channels of the records as an environment.yml names them, in priority order: channel names for channels under
    /// the default alias (<c>conda-forge</c>), <c>defaults</c> for the default channels, the URL otherwise (without
    /// credentials); configured channels first, in their order, then the others in install order.
    /// </summary>
    internal static IReadOnlyList<string> ChannelsOf(IReadOnlyList<RepoDataRecord> records, IReadOnlyList<string>? configured)
    {
        var found = new List<string>();
        foreach (RepoDataRecord r in Toposort.Sort(records))
        {
            if (ExportName(r.Channel) is { } name && !found.Contains(name, StringComparer.Ordinal))
            {
                found.Add(name);
            }
        }

        if (configured is null || configured.Count == 0)
        {
            return found;
        }

        var ordered = configured.Select(c => ExportName(c) ?? c).Where(found.Contains).Distinct(StringComparer.Ordinal).ToList();
        ordered.AddRange(found.Where(f => !ordered.Contains(f, StringComparer.Ordinal)));
        return ordered;
    }

    private static IEnumerable<string> BaseUrls(IReadOnlyList<RepoDataRecord> records)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (RepoDataRecord r in Toposort.Sort(records))
        {
            if (BaseUrl(r.Channel) is { } u && seen.Add(u))
            {
                yield return u;
            }
        }
    }

    private static string? BaseUrl(string? channel)
    {
        if (string.IsNullOrWhiteSpace(channel))
        {
            return null;
        }

        string c = channel.Trim().TrimEnd('/');
        int slash = c.LastIndexOf('/');
        return slash > 0 && Platform.TryParse(c[(slash + 1)..], out _) ? c[..slash] : c;
    }

    private static string? ExportName(string? channel)
    {
        string? url = BaseUrl(channel);
        if (url is null)
        {
            return null;
        }

        if (!url.Contains("://", StringComparison.Ordinal))
        {
            return url; // a name already
        }

        string clean = ExplicitFile.StripCredentials(url);
        try
        {
            Channel parsed = EnvTools.Config.ChannelResolver.ParseChannel(clean);
            if (parsed.IsDefaultsMember)
            {
                return "defaults";
            }

            string alias = Channel.DefaultChannelAlias + "/";
            return clean.StartsWith(alias, StringComparison.Ordinal) ? clean[alias.Length..] : clean;
        }
        catch (InvalidSpecException)
        {
            return clean;
        }
    }
}

/// <summary>
/// One platform of a multi-platform lock failed: the cause's ErrorId and kind (Unsatisfiable, PackagesNotFound,
/// ChannelUnavailable …), with a message that starts with the platform.
/// </summary>
public sealed class LockPlatformException : EnvToolsException
{
    /// <summary>Wraps <paramref name="cause"/>, the failure of locking <paramref name="platform"/>.</summary>
    public LockPlatformException(string platform, EnvToolsException cause)
        : base(cause.ErrorId, cause.Kind, $"Cannot lock {platform}: {cause.Message}", platform, cause)
    {
        Platform = platform;
    }

    /// <summary>The platform (subdir) that could not be locked.</summary>
    public string Platform { get; }
}
