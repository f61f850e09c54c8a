using System.Runtime.InteropServices;
using EnvTools.Conda;
using EnvTools.Config;

namespace EnvTools.Environments;

/// <summary>What <c>conda info</c> shows, for EnvTools: the active environment, where environments and packages go,
/// the channels and their URLs for the platform, the virtual packages, the configuration files read, versions.</summary>
public sealed record EnvToolsInfo
{
    /// <summary>The engine's version (<c>major.minor.build</c> of this assembly), as history's <c># envtools version:</c>
    /// line and <see cref="ModuleVersion"/> carry it.</summary>
    internal static string DefaultToolVersion =>
        typeof(EnvToolsInfo).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "unknown";

    /// <summary>The active environment's name (its folder name in an envs dir, else its path); null when none is active.</summary>
    public string? ActiveEnvironment { get; init; }

    /// <summary>The active environment's folder (CONDA_PREFIX); null when none is active.</summary>
    public string? ActivePrefix { get; init; }

    /// <summary>How many activations are stacked (CONDA_SHLVL); 0 when none.</summary>
    public int ShellLevel { get; init; }

    /// <summary>Where named environments are created and looked up, in order (envs_dirs).</summary>
    public required IReadOnlyList<string> EnvsDirs { get; init; }

    /// <summary>The package caches, in order (pkgs_dirs); the first writable one receives downloads.</summary>
    public required IReadOnlyList<string> PkgsDirs { get; init; }

    /// <summary>The configured channels, as written (channels).</summary>
    public required IReadOnlyList<string> Channels { get; init; }

    /// <summary>The URLs the configured channels are read from for <see cref="Platform"/>: each channel's platform subdir
    /// then its noarch, credentials and tokens redacted (conda info's "channel URLs").</summary>
    public required IReadOnlyList<string> ChannelUrls { get; init; }

    /// <summary>channel_priority.</summary>
    public required string ChannelPriority { get; init; }

    /// <summary>The platform (subdir) channels are read for: the configured <c>subdir</c> (CONDA_SUBDIR), else the host's.</summary>
    public required string Platform { get; init; }

    /// <summary>The virtual packages the solver uses by default, as name=version=build.</summary>
    public required IReadOnlyList<string> VirtualPackages { get; init; }

    /// <summary>The configuration files read, lowest precedence first (conda info's "populated config files").</summary>
    public required IReadOnlyList<string> ConfigFiles { get; init; }

    /// <summary>True when offline mode is on.</summary>
    public bool Offline { get; init; }

    /// <summary>EnvTools' version.</summary>
    public required string ModuleVersion { get; init; }

    /// <summary>The version EnvTools writes on history's <c># conda version:</c> line (conda refuses newer ones).</summary>
    public required string CondaCompatibleVersion { get; init; }

    /// <summary>The operating system.</summary>
    public required string OperatingSystem { get; init; }

    /// <summary>The .NET runtime EnvTools runs on.</summary>
    public required string Runtime { get; init; }

    /// <summary>Collects the information from the merged settings and the process environment.</summary>
    public static EnvToolsInfo Collect(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Conda.Platform platform = RequestPlatform.Resolve(null, settings); // the configured subdir (CONDA_SUBDIR), else the host's
        string? active = settings.Environment.GetEnvironmentVariable("CONDA_PREFIX");
        active = string.IsNullOrEmpty(active) ? null : active;
        var urls = new List<string>();
        foreach (Channel c in settings.CreateChannelResolver().ResolveAll(settings.Channels))
        {
            urls.Add(UrlRedaction.Redact(c.SubdirUrl(platform.Name)));
            urls.Add(UrlRedaction.Redact(c.SubdirUrl("noarch")));
        }

        return new EnvToolsInfo
        {
            ActiveEnvironment = active is null ? null : new EnvironmentLocator(settings).NameInEnvsDirs(active) ?? active,
            ActivePrefix = active,
            ShellLevel = int.TryParse(settings.Environment.GetEnvironmentVariable("CONDA_SHLVL"), out int level) && level > 0 ? level : 0,
            EnvsDirs = settings.EnvsDirs,
            PkgsDirs = settings.PkgsDirs,
            Channels = settings.Channels,
            ChannelUrls = urls.Distinct(StringComparer.Ordinal).ToArray(),
            ChannelPriority = settings.ChannelPriority.ToString().ToLowerInvariant(),
            Platform = platform.Name,
            VirtualPackages = EnvTools.Platforms.VirtualPackages.For(platform, settings).Select(v => v.ToString()).ToArray(),
            ConfigFiles = settings.Files,
            Offline = settings.Offline,
            ModuleVersion = DefaultToolVersion,
            CondaCompatibleVersion = PrefixHistory.CondaCompatibleVersion,
            OperatingSystem = RuntimeInformation.OSDescription,
            Runtime = RuntimeInformation.FrameworkDescription,
        };
    }
}
