using System.Management.Automation;
using EnvTools.Activation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Removes variables from an environment's activation variables (conda env config vars unset).</para>
/// <para type="description">Remove-EnvVariable deletes the named variables from the environment's conda-meta/state, keeping
/// the others. A name that is not there is a non-terminating EnvVariableNotFound error. Without -Name or -Prefix the active
/// environment is changed.</para>
/// </summary>
/// <example><code>Remove-EnvVariable OMP_NUM_THREADS -Name ml</code></example>
[Cmdlet(VerbsCommon.Remove, "EnvVariable", DefaultParameterSetName = EnvVariableArguments.NameSet, SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class RemoveEnvVariableCommand : EnvCmdlet
{
    #region Parameters

    /// <summary>The variables to remove.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("VariableName")]
    public string[] Variable { get; set; } = Array.Empty<string>();

    /// <summary>The environment's name; the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(ParameterSetName = EnvVariableArguments.NameSet)]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EnvVariableArguments.PrefixSet)]
    [Alias("p")]
    public string? Prefix { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            string prefix = EnvVariableArguments.Prefix(this, Name, Prefix);
            if (!ShouldProcess(EnvironmentConfigVariables.StatePath(prefix), $"Remove {string.Join(", ", Variable)}"))
            {
                return;
            }

            IReadOnlyList<string> removed = EnvironmentConfigVariables.Remove(prefix, Variable);
            foreach (string missing in Variable.Except(removed, StringComparer.Ordinal))
            {
                WriteError(ErrorRecords.From(new EnvironmentVariableNotFoundException(prefix, missing)));
            }

            if (removed.Count > 0)
            {
                EnvVariableArguments.WarnIfActive(this, prefix);
            }
        }, Prefix ?? Name);
    }
}
