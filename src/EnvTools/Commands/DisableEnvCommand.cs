using System.Management.Automation;
using EnvTools.Activation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Deactivates the environment Enable-Env activated last (conda deactivate).</para>
/// <para type="description">Disable-Env dot-sources the environment's etc/conda/deactivate.d/*.ps1 (and runs .sh/.bat-only
/// scripts in bash/cmd), then undoes every change its activation made: variables that existed before get their old values
/// back, new ones are removed, and PATH is restored entry by entry (other entries the user changed meanwhile stay). One level
/// of a stack is popped per call. After the last level the user's prompt function is put back unchanged. With nothing
/// activated by EnvTools in the session it is a NoActiveEnvironment error.</para>
/// </summary>
/// <example><code>Disable-Env</code>
/// <para>Deactivates the environment activated last (conda deactivate): PATH, the CONDA_* variables, the environment's
/// own variables and the prompt go back to what they were. Prints nothing; -PassThru returns the activation undone.</para></example>
/// <example><code>Disable-Env -PassThru</code>
/// <para>Deactivates and returns what was undone: here the environment ml, which was activated at level 1.</para>
/// <output>
/// Name             Level Stacked Variables Prefix
/// ----             ----- ------- --------- ------
/// ml                   1 False           6 …/envs/ml
/// </output></example>
/// <example><code>while ($env:CONDA_SHLVL -gt 0) { Disable-Env -ErrorAction Stop }</code>
/// <para>Deactivates every level, back to the session as it was before the first Enable-Env. Prints nothing;
/// -ErrorAction Stop ends the loop should a level not be one EnvTools activated.</para></example>
/// <returns type="EnvTools.Activation.ActivationFrame">With -PassThru: the activation that was undone
/// (EnvTools.Activation); else nothing.</returns>
/// <seealso cref="EnableEnvCommand"/>
/// <seealso cref="UseEnvCommand"/>
[Cmdlet(VerbsLifecycle.Disable, "Env")]
[OutputType(typeof(ActivationFrame))]
public sealed class DisableEnvCommand : EnvCmdlet
{
    /// <summary>Writes the activation that was undone.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            ActivationFrame frame = ActivationSession.Deactivate(this);
            WriteVerbose($"Deactivated {frame.Prefix} (level {frame.Level})");
            if (PassThru)
            {
                WriteObject(EnableEnvCommand.ToOutput(frame));
            }
        });
    }
}
