using System.Management.Automation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <content>The parameters of Get-Env.</content>
public sealed partial class GetEnvCommand
{
    #region Parameters

    /// <summary>Environment names (wildcards allowed) or prefixes; all environments when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    public string[]? Name { get; set; }

    #endregion
}
