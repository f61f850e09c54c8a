using System.Management.Automation;

namespace EnvTools.Commands.Internal;

/// <summary>
/// Base of the cmdlets that read channels (Find-EnvPackage, and through <see cref="SolveCmdlet"/> the ones that solve):
/// -Channel, -OverrideChannels and -Platform, declared once.
/// </summary>
public abstract class ChannelCmdlet : EnvCmdlet
{
    #region Parameters

    /// <summary>Channels in priority order (names, URLs or local folders), read before the configured channels as
    /// conda's -c; with -OverrideChannels, instead of them.</summary>
    [Parameter]
    [Alias("c")]
    [ArgumentCompleter(typeof(ChannelNameCompleter))]
    public string[]? Channel { get; set; }

    /// <summary>Reads only the -Channel channels, not the configured ones (conda's --override-channels).</summary>
    [Parameter]
    public SwitchParameter OverrideChannels { get; set; }

    /// <summary>The platform (subdir), e.g. linux-64; the configured subdir (CONDA_SUBDIR), else the host's, by default.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string? Platform { get; set; }

    #endregion

    /// <summary>The session's current file-system folder (relative channel folders are read from it).</summary>
    private protected string WorkingDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;
}
