using System.Management.Automation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <content>The parameters of Get-EnvPackage.</content>
public sealed partial class GetEnvPackageCommand
{
    #region Parameters

    /// <summary>Package names (wildcards allowed); all packages when omitted.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(InstalledPackageNameCompleter))]
    public string[]? Package { get; set; }

    /// <summary>The environment: a name from the envs dirs, or a path.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EnvSet)]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [ValidateNotNullOrEmpty]
    [Alias("Env", "n")]
    public string? Name { get; set; }

    /// <summary>The environment's prefix; bound from the Prefix property of piped objects (Get-Env output).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PrefixSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string? Prefix { get; set; }

    #endregion
}
