using System.Management.Automation;
using EnvTools.Install;
using EnvTools.Solve;

namespace EnvTools.Commands.Internal;

/// <summary>
/// Base of the cmdlets that solve against channels (Resolve-EnvPackage, and through <see cref="EnvChangeCmdlet"/>
/// New-Env, Update-Env, Install-, Update-, Uninstall-EnvPackage and Restore-Env): the virtual-package, priority and
/// time-out parameters over <see cref="ChannelCmdlet"/>'s channel and platform ones, declared once so that they read and
/// bind the same everywhere.
/// </summary>
public abstract class SolveCmdlet : ChannelCmdlet
{
    #region Parameters

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
