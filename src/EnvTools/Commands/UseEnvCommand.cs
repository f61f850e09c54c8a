using System.Management.Automation;
using EnvTools.Activation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Runs a script block with an environment activated, then restores the session (conda run).</para>
/// <para type="description">Use-Env activates the environment on top of whatever is active (stacked, without touching the
/// prompt), runs the script block and writes its output, and deactivates in a finally block: the session's variables and
/// PATH are restored also when the block throws or the pipeline is stopped (Ctrl+C). Levels the block itself activated and
/// left active are undone as well.</para>
/// </summary>
/// <example><code>Use-Env ml { python -c 'import numpy; print(numpy.__version__)' }</code></example>
/// <example><code>Use-Env -Prefix ./envs/build -ScriptBlock { cmake --build . }</code></example>
[Cmdlet(VerbsOther.Use, "Env", DefaultParameterSetName = NameSet)]
[OutputType(typeof(object))]
public sealed class UseEnvCommand : EnvCmdlet
{
    private const string NameSet = "Name";
    private const string PrefixSet = "Prefix";

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
            foreach (PSObject o in ScriptBlock.Invoke())
            {
                WriteObject(o);
            }
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
