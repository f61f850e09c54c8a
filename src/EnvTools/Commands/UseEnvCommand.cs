using System.Management.Automation;
using EnvTools.Activation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Runs a script block with an environment activated, then restores the session (conda run).</para>
/// <para type="description">Use-Env activates the environment on top of whatever is active (stacked, without touching the
/// prompt), runs the script block in the session (its variables and functions are the caller's), writes its output
/// as it is produced (objects and the lines of native programs go down the pipeline as they come, not when the block
/// ends), and deactivates in a finally block: the session's variables and
/// PATH are restored also when the block throws or the pipeline is stopped (Ctrl+C). Levels the block itself activated and
/// left active are undone as well.</para>
/// </summary>
/// <example><code>Use-Env ml { python -c 'import numpy; print(numpy.__version__)' }</code>
/// <para>Runs python from the environment ml in this session, then restores PATH and the conda variables, so nothing
/// stays activated (like conda run -n ml, but the block is PowerShell and sees the session's variables).</para>
/// <output>
/// 2.1.3
/// </output></example>
/// <example><code>Use-Env -Prefix ./envs/build -ScriptBlock { cmake --build . }</code>
/// <para>Builds the project in the current folder with the cmake of the environment at ./envs/build; cmake's lines
/// appear as it writes them, not when the block ends.</para>
/// <output>
/// docs built
/// Built target docs
/// </output></example>
/// <returns type="System.Object">Whatever the script block writes, as it writes it.</returns>
/// <seealso cref="EnableEnvCommand"/>
/// <seealso cref="InvokeEnvCommandCommand"/>
/// <seealso cref="DisableEnvCommand"/>
[Cmdlet(VerbsOther.Use, "Env", DefaultParameterSetName = NameSet)]
[OutputType(typeof(object))]
public sealed partial class UseEnvCommand : EnvCmdlet
{
    private const string NameSet = "Name";
    private const string PrefixSet = "Prefix";

    private ActivationFrame? _frame;

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        bool activated = TryRun(() =>
        {
            var settings = ChannelArguments.LoadSettings(this);
            (string prefix, string? name) = ActivationSession.ResolveEnvironment(this, settings, Name, Prefix, activeByDefault: false);
            _frame = ActivationSession.Activate(this, settings, prefix, name, stacked: true, installPrompt: false);
        }, Prefix ?? Name);
        if (!activated || _frame is null)
        {
            base.EndProcessing();
            return;
        }

        bool stopping = false;
        try
        {
            // A steppable pipeline begun with this cmdlet writes straight into its output and error pipes, so each object
            // (and each line a native program writes) goes down the pipeline as it is produced. ScriptBlock.Invoke()
            // collected everything and returned it when the block ended.
            using SteppablePipeline pipeline = ScriptBlock.Create("param($block) & $block").GetSteppablePipeline(CommandOrigin.Internal, new object[] { ScriptBlock });
            pipeline.Begin(this);
            pipeline.End();
        }
        catch (PipelineStoppedException)
        {
            stopping = true;
            throw;
        }
        catch (RuntimeException ex)
        {
            Undo(stopping: false);
            ThrowTerminatingError(new ErrorRecord(ex.ErrorRecord, ex));
        }
        finally
        {
            Undo(stopping);
        }

        base.EndProcessing();
    }

    private void Undo(bool stopping)
    {
        if (_frame is null)
        {
            return;
        }

        ActivationStack? stack = ActivationSession.GetStack(this, create: false);
        while (stack is not null && stack.Frames.Contains(_frame))
        {
            ActivationFrame popped = ActivationSession.Deactivate(this, stopping);
            if (ReferenceEquals(popped, _frame))
            {
                break;
            }
        }

        _frame = null;
    }
}
