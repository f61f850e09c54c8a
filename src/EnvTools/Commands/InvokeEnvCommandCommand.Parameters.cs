using System.Management.Automation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <content>The parameters of Invoke-EnvCommand.</content>
public sealed partial class InvokeEnvCommandCommand
{
    #region Parameters

    /// <summary>The environment's name (or path); the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(Position = 0, ParameterSetName = "Name")]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder; bound from the Prefix property of piped objects (Get-Env output).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>The program: a name looked up on the activated PATH, or a path.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string FilePath { get; set; } = string.Empty;

    /// <summary>The program's arguments, passed as they are (no shell in between).</summary>
    [Parameter(Position = 2, ValueFromRemainingArguments = true)]
    public string[] ArgumentList { get; set; } = Array.Empty<string>();

    /// <summary>The program's working folder; the current location when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    #endregion
}
