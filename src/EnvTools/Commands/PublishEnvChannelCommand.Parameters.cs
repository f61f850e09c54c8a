using System.Management.Automation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <content>The parameters of Publish-EnvChannel.</content>
public sealed partial class PublishEnvChannelCommand
{
    #region Parameters

    /// <summary>The channel to copy from: a folder, a file://, http(s):// or oci:// URL, or a channel name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ChannelNameCompleter))]
    public string Source { get; set; } = string.Empty;

    /// <summary>Where to publish: a folder (a path or file:// URL), oci://HOST[:PORT]/NAMESPACE/CHANNEL or s3://BUCKET/PREFIX.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = string.Empty;

    /// <summary>The subdirs to publish (noarch is always added); default: every subdir of a folder source, the host's platform for a remote one.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string[]? Platform { get; set; }

    /// <summary>MatchSpecs of the packages to publish (every version and build they allow); default: the whole channel.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Spec { get; set; }

    /// <summary>With -Spec: also every package the selected ones may depend on (in the same platform or noarch), transitively.</summary>
    [Parameter]
    public SwitchParameter WithDependencies { get; set; }

    /// <summary>Return one EnvTools.PublishSummary (the totals) instead of one object per package.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    #endregion
}
