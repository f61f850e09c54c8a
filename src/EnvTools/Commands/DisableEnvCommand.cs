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
/// <example><code>Disable-Env</code></example>
/// <example><code>while ($env:CONDA_SHLVL -gt 0) { Disable-Env }</code></example>
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
