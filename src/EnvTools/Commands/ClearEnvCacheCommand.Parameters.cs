using System.Management.Automation;

namespace EnvTools.Commands;

/// <content>The parameters of Clear-EnvCache.</content>
public sealed partial class ClearEnvCacheCommand
{
    #region Parameters

    /// <summary>Remove the repodata cache and the on-disk repodata indexes.</summary>
    [Parameter]
    public SwitchParameter Index { get; set; }

    /// <summary>Remove extracted packages (with -Unused: only those no environment links to).</summary>
    [Parameter]
    public SwitchParameter Packages { get; set; }

    /// <summary>Remove package archives and interrupted downloads.</summary>
    [Parameter]
    public SwitchParameter Tarballs { get; set; }

    /// <summary>-Index, -Packages and -Tarballs together.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Keep extracted packages that an environment hard-links to; alone, it means -Packages -Unused.</summary>
    [Parameter]
    public SwitchParameter Unused { get; set; }

    #endregion
}
