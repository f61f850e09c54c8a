using EnvTools.Conda;

namespace EnvTools.Config;

/// <summary>
/// conda's rule for the channels of one request: the given channels (<c>-c</c>) first, then the configured ones; with
/// <c>--override-channels</c>, or an environment file's <c>nodefaults</c>, only the given ones.
/// </summary>
public static class RequestChannels
{
    /// <summary>The environment-file channel that means "not the configured channels".</summary>
    public const string NoDefaults = "nodefaults";

    /// <summary>Resolves the channels of a request (names through the configured channel_alias, custom and multi
    /// channels; relative paths from <paramref name="workingDirectory"/>), each once, in order.</summary>
    /// <exception cref="EnvToolsException">OverrideChannelsWithoutChannel: only the given channels were asked for and none was given.</exception>
    /// <exception cref="InvalidSpecException">A malformed channel.</exception>
    public static IReadOnlyList<Channel> Resolve(Settings settings, IEnumerable<string>? given, bool overrideChannels, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string[] all = given?.ToArray() ?? Array.Empty<string>();
        string[] named = all.Where(c => !string.Equals(c, NoDefaults, StringComparison.Ordinal)).ToArray();
        bool only = overrideChannels || all.Contains(NoDefaults, StringComparer.Ordinal);
        if (only && named.Length == 0)
        {
            throw new EnvToolsException("OverrideChannelsWithoutChannel", ErrorKind.InvalidArgument,
                "-OverrideChannels (or an environment file's nodefaults) leaves no channel: give at least one with -Channel.");
        }

        IEnumerable<string> names = only ? named : named.Concat(settings.Channels);
        return settings.CreateChannelResolver().ResolveAll(names.Distinct(StringComparer.Ordinal), workingDirectory);
    }
}
