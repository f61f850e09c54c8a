using System.Collections;
using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Sets variables that an environment sets whenever it is activated (conda env config vars set).</para>
/// <para type="description">Set-EnvVariable writes the variables to the environment's conda-meta/state in conda's format
/// ({"env_vars": {...}}), keeping the variables and keys already there, so that conda, mamba and Enable-Env all apply them on
/// activation. Without -Name or -Prefix the active environment is changed; re-activate it to see the change.</para>
/// </summary>
/// <example><code>Set-EnvVariable @{ OMP_NUM_THREADS = '4'; MY_TOKEN_FILE = '~/.token' } -Name ml</code>
/// <para>Makes every activation of the environment ml (Enable-Env, conda activate, mamba activate) set OMP_NUM_THREADS
/// and MY_TOKEN_FILE, like conda env config vars set. Prints nothing.</para></example>
/// <example><code>Set-EnvVariable @{ PROJ_NETWORK = 'ON' } -Name geo -PassThru</code>
/// <para>Sets one variable of the environment geo and returns the environment's variables after the change.</para>
/// <output>
/// Name                     Value                                    Source
/// ----                     -----                                    ------
/// PROJ_NETWORK             ON                                       …/envs/geo/conda-meta/state
/// </output></example>
/// <returns type="EnvTools.Environments.EnvironmentVariableEntry">With -PassThru: every variable of the environment after
/// the change (EnvTools.EnvVariable); else nothing.</returns>
/// <seealso cref="GetEnvVariableCommand"/>
/// <seealso cref="RemoveEnvVariableCommand"/>
/// <seealso cref="EnableEnvCommand"/>
[Cmdlet(VerbsCommon.Set, "EnvVariable", DefaultParameterSetName = EnvVariableArguments.NameSet, SupportsShouldProcess = true)]
[OutputType(typeof(EnvironmentVariableEntry))]
public sealed class SetEnvVariableCommand : EnvCmdlet
{
    #region Parameters

    /// <summary>The variables: a hashtable of name = value.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public IDictionary Variable { get; set; } = null!;

    /// <summary>The environment's name; the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(ParameterSetName = EnvVariableArguments.NameSet)]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EnvVariableArguments.PrefixSet)]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>Writes the environment's variables after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            string prefix = EnvVariableArguments.Prefix(this, Name, Prefix);
            var pairs = Variable.Keys.Cast<object>()
                .Select(k => new KeyValuePair<string, string>(k.ToString() ?? string.Empty, LanguagePrimitives.ConvertTo<string>(Variable[k]) ?? string.Empty))
                .ToArray();
            if (!ShouldProcess(EnvironmentConfigVariables.StatePath(prefix), $"Set {string.Join(", ", pairs.Select(p => p.Key))}"))
            {
                return;
            }

            EnvironmentConfigVariables.Set(prefix, pairs);
            EnvVariableArguments.WarnIfActive(this, prefix);
            if (PassThru)
            {
                foreach (EnvironmentVariableEntry e in EnvironmentConfigVariables.Read(prefix))
                {
                    WriteObject(EnvVariableArguments.ToOutput(e));
                }
            }
        }, Prefix ?? Name);
    }
}
