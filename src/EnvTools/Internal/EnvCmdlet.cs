using System.Management.Automation;

namespace EnvTools.Commands.Internal;

/// <summary>
/// Base of the EnvTools cmdlets: a cancellation token made in BeginProcessing and cancelled in
/// StopProcessing (Ctrl+C), engine errors turned into error records, and progress reported from any
/// thread but written only on the pipeline thread.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "EndProcessing disposes the token source; PowerShell owns the cmdlet's lifetime")]
public abstract partial class EnvCmdlet : PSCmdlet
{
    private CancellationTokenSource? _cts;

    /// <summary>Cancelled when the user stops the pipeline.</summary>
    protected CancellationToken CancellationToken => _cts?.Token ?? CancellationToken.None;

    /// <summary>The same token, for the module's helpers.</summary>
    internal CancellationToken StopToken => CancellationToken;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        _cts = new CancellationTokenSource();
    }

    /// <inheritdoc />
    protected override void StopProcessing()
    {
        _cts?.Cancel();
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        DrainProgress();
        _cts?.Dispose();
        _cts = null;
    }

    /// <summary>
    /// Runs engine work on the pipeline thread: engine exceptions become non-terminating error records
    /// (with their stable ErrorId), cancellation becomes an OperationStopped error.
    /// </summary>
    protected bool TryRun(Action action, object? target = null)
    {
        try
        {
            action();
            return true;
        }
        catch (EnvToolsException ex)
        {
            WriteError(ErrorRecords.From(ex, target));
        }
        catch (Exception ex) when (FileSystemErrorException.From(ex) is { } typed)
        {
            // an I/O or permission failure the engine did not name more precisely still gets an ErrorId
            WriteError(ErrorRecords.From(typed, target));
        }
        catch (OperationCanceledException ex) when (CancellationToken.IsCancellationRequested)
        {
            WriteError(new ErrorRecord(ex, "OperationCancelled", ErrorCategory.OperationStopped, target));
        }
        finally
        {
            DrainProgress();
        }

        return false;
    }
}
