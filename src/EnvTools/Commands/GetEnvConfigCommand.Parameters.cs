using System.Management.Automation;

namespace EnvTools.Commands;

/// <content>The parameters of Get-EnvConfig.</content>
public sealed partial class GetEnvConfigCommand
{
    #region Parameters

    /// <summary>The keys to show (conda names, wildcards allowed); all when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ConfigKeyCompleter))]
    public string[]? Key { get; set; }

    /// <summary>The environment whose .condarc is read (instead of the active one's, $CONDA_PREFIX).</summary>
    [Parameter]
    [Alias("p")]
    public string? Prefix { get; set; }

    #endregion
}
