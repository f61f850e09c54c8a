using System.Management.Automation;
using EnvTools.Activation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Activates a conda environment in the current PowerShell session (conda activate).</para>
/// <para type="description">Enable-Env puts the environment's folders in front of PATH (Unix: bin; Windows: the prefix,
/// Library\mingw-w64\bin, Library\usr\bin, Library\bin, Scripts, bin), sets CONDA_PREFIX, CONDA_DEFAULT_ENV, CONDA_SHLVL,
/// CONDA_PREFIX_n and CONDA_PROMPT_MODIFIER, the environment's variables (conda-meta/state and etc/conda/env_vars.d/*.json),
/// and CUDA_HOME (Unix) or CUDA_PATH (Windows) when the environment carries a CUDA toolkit. Then it dot-sources
/// etc/conda/activate.d/*.ps1 in the caller's scope, under the session's execution policy and language mode (a script the
/// policy refuses, or one that breaks ConstrainedLanguage, is an ActivationScriptFailed error and the activation is undone;
/// the prompt wrapper itself works in ConstrainedLanguage); a script that exists only as .sh (Unix) or .bat (Windows) is run in
/// bash or cmd and the variables it changes are applied to the session (shown with -Verbose). Without -Stack the active
/// environment's PATH entries and variables give way, as with conda. The prompt shows "(name) " unless changeps1 is false.
/// Disable-Env undoes all of it exactly. A missing environment is an EnvironmentNotFound error that suggests close names.</para>
/// </summary>
/// <example><code>Enable-Env ml</code>
/// <para>Activates the environment ml in this session, like conda activate ml: its programs come first on PATH,
/// CONDA_PREFIX points at it and the prompt starts with (ml). Prints nothing; $env:CONDA_PREFIX shows the prefix.</para></example>
/// <example><code>Enable-Env -Prefix ./envs/tools -Stack -PassThru</code>
/// <para>Activates the environment at ./envs/tools on top of the active one, keeping the active environment's programs
/// on PATH below it (conda activate --stack), and returns the activation: its level, whether it is stacked and how many
/// variables it set.</para>
/// <output>
/// Name             Level Stacked Variables Prefix
/// ----             ----- ------- --------- ------
/// tools                2 True            7 …/envs/tools
/// </output></example>
/// <returns type="EnvTools.Activation.ActivationFrame">With -PassThru: the activation (EnvTools.Activation: Name,
/// Prefix, Level, Stacked, the variables set, the PATH entries added, the scripts run); else nothing.</returns>
/// <seealso cref="DisableEnvCommand"/>
/// <seealso cref="UseEnvCommand"/>
/// <seealso cref="InvokeEnvCommandCommand"/>
/// <seealso cref="GetEnvVariableCommand"/>
[Cmdlet(VerbsLifecycle.Enable, "Env", DefaultParameterSetName = NameSet)]
[OutputType(typeof(ActivationFrame))]
public sealed class EnableEnvCommand : EnvCmdlet
{
    private const string NameSet = "Name";
    private const string PrefixSet = "Prefix";

    #region Parameters

    /// <summary>The environment's name (a folder in one of the envs dirs); base when neither -Name nor -Prefix is given.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PrefixSet, ValueFromPipelineByPropertyName = true)]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>Keeps the active environment's PATH entries below the new ones (conda activate --stack).</summary>
    [Parameter]
    public SwitchParameter Stack { get; set; }

    /// <summary>Writes the activation (EnvTools.Activation: Name, Prefix, Level, the variables changed, PATH entries, scripts run).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var settings = ChannelArguments.LoadSettings(this);
            (string prefix, string? name) = ActivationSession.ResolveEnvironment(this, settings, Name, Prefix, activeByDefault: false);
            ActivationFrame frame = ActivationSession.Activate(this, settings, prefix, name, Stack, installPrompt: true);
            if (PassThru)
            {
                WriteObject(ToOutput(frame));
            }
        }, Prefix ?? Name);
    }

    internal static PSObject ToOutput(ActivationFrame frame)
    {
        var o = PSObject.AsPSObject(frame);
        o.TypeNames.Insert(0, "EnvTools.Activation");
        return o;
    }
}
