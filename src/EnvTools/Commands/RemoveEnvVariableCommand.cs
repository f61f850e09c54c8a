using System.Management.Automation;
using EnvTools.Activation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Removes variables from an environment's activation variables (conda env config vars unset).</para>
/// <para type="description">Remove-EnvVariable deletes the named variables from the environment's conda-meta/state, keeping
/// the others. A name that is not there is a non-terminating EnvVariableNotFound error. Without -Name or -Prefix the active
/// environment is changed.</para>
/// </summary>
/// <example><code>Remove-EnvVariable OMP_NUM_THREADS -Name ml</code>
/// <para>Stops the environment ml from setting OMP_NUM_THREADS on activation (conda env config vars unset
/// OMP_NUM_THREADS -n ml). Prints nothing.</para></example>
/// <example><code>Get-EnvVariable OMP_* -Name ml | Remove-EnvVariable</code>
/// <para>Removes every OMP_ variable of ml, each from the environment it was read from. Prints nothing.</para></example>
/// <seealso cref="GetEnvVariableCommand"/>
/// <seealso cref="SetEnvVariableCommand"/>
[Cmdlet(VerbsCommon.Remove, "EnvVariable", DefaultParameterSetName = EnvVariableArguments.NameSet, SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class RemoveEnvVariableCommand : EnvCmdlet
{
    private const string InputSet = "InputObject";

    #region Parameters

    /// <summary>The variables to remove.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = EnvVariableArguments.NameSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = EnvVariableArguments.PrefixSet, ValueFromPipelineByPropertyName = true)]
    [Alias("VariableName")]
    public string[] Variable { get; set; } = Array.Empty<string>();

    /// <summary>Variables from Get-EnvVariable: each is removed from the environment it was read from.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputSet, ValueFromPipeline = true)]
    public EnvironmentVariableEntry[] InputObject { get; set; } = Array.Empty<EnvironmentVariableEntry>();

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
        if (ParameterSetName == InputSet)
        {
            foreach (IGrouping<string?, EnvironmentVariableEntry> g in InputObject.GroupBy(e => e.Prefix))
            {
                Remove(g.Key, g.Select(e => e.Name).ToArray());
            }

            return;
        }

        Remove(null, Variable);
    }

    private void Remove(string? entryPrefix, string[] variables)
    {
        TryRun(() =>
        {
            string prefix = entryPrefix ?? EnvVariableArguments.Prefix(this, Name, Prefix);
            if (!ShouldProcess(EnvironmentConfigVariables.StatePath(prefix), $"Remove {string.Join(", ", variables)}"))
            {
                return;
            }

            IReadOnlyList<string> removed = EnvironmentConfigVariables.Remove(prefix, variables);
            foreach (string missing in variables.Except(removed, StringComparer.Ordinal))
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
