using System.Management.Automation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <content>The parameters of Use-Env.</content>
public sealed partial class UseEnvCommand
{
    #region Parameters

    /// <summary>The environment's name (a folder in one of the envs dirs).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PrefixSet)]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>What to run inside the environment.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = NameSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PrefixSet)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    #endregion
}
