using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Platforms;
using EnvTools.RepoData;
using EnvTools.Solve;

namespace EnvTools.Install;

/// <summary>What <see cref="PackageResolver.Solve"/> found, and the platform and channels it solved for.</summary>
/// <param name="Result">The solve: the records (in install order), or the reasons there is none.</param>
/// <param name="Platform">The platform solved for.</param>
/// <param name="Channels">The channels read, in priority order.</param>
public sealed record PackageResolution(SolveResult Result, Platform Platform, IReadOnlyList<Channel> Channels);

/// <summary>
/// Solves specs against channels without an environment (Resolve-EnvPackage; conda create --dry-run into a new
/// environment): the channels as conda's <c>-c</c> and <c>--override-channels</c> take them, the platform (the one
/// given, else the configured <c>subdir</c>, else the host's), the virtual packages, the configured pins, and the channel priority given or configured.
/// </summary>
public static class PackageResolver
{
    /// <summary>Loads the channels for the platform, solves <paramref name="specs"/>, and releases the channels' repodata.</summary>
    /// <param name="settings">The configuration (channels, aliases, pins, priority, caches).</param>
    /// <param name="specs">What to solve for.</param>
    /// <param name="arguments">The channels, platform, virtual packages, priority and time-out as given (only these are read).</param>
    /// <param name="progress">Channel loading, as it goes.</param>
    /// <param name="cancellationToken">Stops the load or the solve.</param>
    /// <exception cref="UnknownPlatformException">An unknown platform.</exception>
    /// <exception cref="InvalidSpecException">A malformed channel or virtual package.</exception>
    /// <exception cref="EnvToolsException">OverrideChannelsWithoutChannel, a channel that cannot be read, an unsatisfiable
    /// request or a solve past its time-out.</exception>
    public static PackageResolution Solve(Settings settings, IReadOnlyList<MatchSpec> specs, EnvironmentChangeArguments arguments,
        IProgress<RepoDataProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(arguments);
        Platform platform = RequestPlatform.Resolve(arguments.Platform, settings); // the configured subdir (CONDA_SUBDIR) when none is given
        IReadOnlyList<Channel> channels = RequestChannels.Resolve(settings, arguments.Channels, arguments.OverrideChannels, arguments.WorkingDirectory);
        IReadOnlyList<VirtualPackage> virtuals = VirtualPackages.Resolve(platform, settings, arguments.VirtualPackages);
        IReadOnlyList<SolverChannel> loaded = RepoDataGateway.Load(channels, platform, settings, progress, cancellationToken);
        try
        {
            SolveResult result = CondaSolver.Solve(new SolveRequest
            {
                Specs = specs,
                Channels = loaded,
                VirtualPackages = virtuals.Select(v => v.ToRecord()).ToArray(),
                ChannelPriority = arguments.ChannelPriority ?? settings.ChannelPriority,
                PinnedSpecs = settings.PinnedPackages.Select(MatchSpec.Parse).ToArray(),
                Timeout = arguments.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(arguments.TimeoutSeconds) : null,
            }, cancellationToken);
            return new PackageResolution(result, platform, channels);
        }
        finally
        {
            SolverChannel.DisposeAll(loaded); // release the repodata mappings now (a refresh may replace the files)
        }
    }
}
