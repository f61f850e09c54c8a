using System.Management.Automation;
using EnvTools.Install;
using EnvTools.Solve;

namespace EnvTools.Commands.Internal;

/// <summary>
/// Base of the cmdlets that solve against channels (Resolve-EnvPackage, and through <see cref="EnvChangeCmdlet"/>
/// New-Env, Update-Env, Install-, Update-, Uninstall-EnvPackage and Restore-Env): the channel, platform, virtual-package,
/// priority and time-out parameters, declared once so that they read and bind the same everywhere.
/// </summary>
public abstract class SolveCmdlet : EnvCmdlet
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

    /// <summary>The target platform (subdir), e.g. linux-64; the configured subdir (CONDA_SUBDIR), else the host's, by default.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string? Platform { get; set; }

    /// <summary>Virtual packages (__cuda=12.4, __glibc=2.28 …), over the host's (or the platform's defaults).</summary>
    [Parameter]
    public string[]? VirtualPackage { get; set; }

    /// <summary>Channel priority: Flexible, Strict or Disabled; the configured channel_priority (conda's default:
    /// Flexible) when omitted.</summary>
    [Parameter]
    public ChannelPriority? ChannelPriority { get; set; }

    /// <summary>Stops the solve after this many seconds.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; }

    #endregion

    /// <summary>The session's current file-system folder (relative channel folders are read from it).</summary>
    private protected string WorkingDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

    /// <summary>The bound channel and solve parameters, as the engine takes them.</summary>
    private protected EnvironmentChangeArguments SolveArguments => new()
    {
        WorkingDirectory = WorkingDirectory,
        Channels = Channel,
        OverrideChannels = OverrideChannels,
        Platform = Platform,
        VirtualPackages = VirtualPackage,
        ChannelPriority = ChannelPriority,
        TimeoutSeconds = TimeoutSec,
    };
}
