using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Solve;
using EnvTools.Platforms;

namespace EnvTools.Commands;

/// <content>The parameters of Resolve-EnvPackage.</content>
public sealed partial class ResolveEnvPackageCommand
{
    #region Parameters

    /// <summary>The MatchSpecs to solve (several may follow each other, as with conda: numpy "python=3.11").</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ValueFromRemainingArguments = true)]
    [ValidateNotNullOrEmpty]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>Channels in priority order: names, URLs or local folders.</summary>
    [Parameter]
    [Alias("c")]
    [ArgumentCompleter(typeof(ChannelNameCompleter))]
    public string[]? Channel { get; set; }

    /// <summary>Reads only the -Channel channels, not the configured ones (conda's --override-channels).</summary>
    [Parameter]
    public SwitchParameter OverrideChannels { get; set; }

    /// <summary>The target platform (subdir), e.g. linux-64; the host's by default.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string? Platform { get; set; }

    /// <summary>Virtual packages (__cuda=12.4, __glibc=2.28 …), over the host's (or the platform's defaults).</summary>
    [Parameter]
    public string[]? VirtualPackage { get; set; }

    /// <summary>Channel priority: Flexible, Strict or Disabled; the configured channel_priority (conda's default: Flexible) when omitted.</summary>
    [Parameter]
    public ChannelPriority? ChannelPriority { get; set; }

    /// <summary>Stops the solve after this many seconds.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; }

    #endregion
}
