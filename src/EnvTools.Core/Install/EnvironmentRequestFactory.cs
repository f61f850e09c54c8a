using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Solve;
using EnvTools.Platforms;

namespace EnvTools.Install;

/// <summary>The options of one change to an environment as a host takes them (New-Env, Install-, Update-,
/// Uninstall-EnvPackage): names and text, resolved by <see cref="EnvironmentRequestFactory"/>.</summary>
public sealed record EnvironmentChangeArguments
{
    /// <summary>The folder relative channel paths are read from.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>Channels in priority order (names, URLs or local folders), before the configured ones (conda's <c>-c</c>).</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>Only <see cref="Channels"/>, not the configured ones (conda's <c>--override-channels</c>).</summary>
    public bool OverrideChannels { get; init; }

    /// <summary>The target platform (subdir); the configured <c>subdir</c>, else the host's, when null.</summary>
    public string? Platform { get; init; }

    /// <summary>Virtual packages (<c>__cuda=12.4</c>) over the detected ones.</summary>
    public IReadOnlyList<string>? VirtualPackages { get; init; }

    /// <summary>The channel priority; the configured one when null.</summary>
    public ChannelPriority? ChannelPriority { get; init; }

    /// <summary>Stops the solve after this many seconds; 0 for no limit.</summary>
    public int TimeoutSeconds { get; init; }

    /// <summary>Runs the packages' link scripts.</summary>
    public bool AllowLinkScripts { get; init; }

    /// <summary>The command line the history records.</summary>
    public string? HistoryCommand { get; init; }
}

/// <summary>
/// Builds the <see cref="EnvironmentRequest"/> of a change: the platform (<see cref="RequestPlatform"/>), the channels
/// (<see cref="RequestChannels"/>; none for a removal) and the virtual packages (<see cref="VirtualPackages"/>, hence
/// this layer) of the request.
/// </summary>
public static class EnvironmentRequestFactory
{
    /// <summary>The request to apply <paramref name="action"/> with <paramref name="specs"/> to <paramref name="prefix"/>.</summary>
    /// <exception cref="UnknownPlatformException">An unknown platform.</exception>
    /// <exception cref="InvalidSpecException">A malformed channel or virtual package.</exception>
    /// <exception cref="EnvToolsException">OverrideChannelsWithoutChannel.</exception>
    public static EnvironmentRequest Create(Settings settings, string prefix, EnvironmentAction action, IReadOnlyList<MatchSpec> specs,
        EnvironmentChangeArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(arguments);
        Platform platform = RequestPlatform.Resolve(arguments.Platform, settings); // the environment's subdir when it has one
        IReadOnlyList<Channel> channels = action == EnvironmentAction.Remove
            ? Array.Empty<Channel>()
            : RequestChannels.Resolve(settings, arguments.Channels, arguments.OverrideChannels, arguments.WorkingDirectory);
        IReadOnlyList<VirtualPackage> virtuals = VirtualPackages.Resolve(platform, settings, arguments.VirtualPackages);
        return new EnvironmentRequest
        {
            Prefix = prefix,
            Action = action,
            Specs = specs,
            Channels = channels,
            Platform = platform,
            VirtualPackages = virtuals.Select(v => v.ToRecord()).ToArray(),
            ChannelPriority = arguments.ChannelPriority,
            SolveTimeout = arguments.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(arguments.TimeoutSeconds) : null,
            AllowLinkScripts = arguments.AllowLinkScripts,
            HistoryCommand = arguments.HistoryCommand,
        };
    }
}
