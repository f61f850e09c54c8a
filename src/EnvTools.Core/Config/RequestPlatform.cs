using EnvTools.Conda;

namespace EnvTools.Config;

/// <summary>The target platform (subdir) of one request: the given one, else the configured <c>subdir</c>, else the host's.</summary>
public static class RequestPlatform
{
    /// <summary>Resolves <paramref name="platform"/> (a subdir such as <c>linux-64</c>); when it is empty, the
    /// configured <c>subdir</c> of <paramref name="settings"/> (an environment's own subdir), else the host's.</summary>
    /// <exception cref="UnknownPlatformException">A platform that is no known subdir.</exception>
    public static Platform Resolve(string? platform, Settings? settings = null) =>
        string.IsNullOrEmpty(platform) ? (settings?.Subdir is { } subdir ? Resolve(subdir) : Platform.Current) :
        Platform.TryParse(platform, out Platform p) ? p :
        throw new UnknownPlatformException(platform);
}
