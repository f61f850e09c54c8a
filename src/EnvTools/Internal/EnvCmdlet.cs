using System.Collections.Concurrent;
using System.Management.Automation;

namespace EnvTools.Commands.Internal;

/// <summary>
/// Base of the EnvTools cmdlets: a cancellation token made in BeginProcessing and cancelled in
/// StopProcessing (Ctrl+C), engine errors turned into error records, and progress reported from any
/// thread but written only on the pipeline thread.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "EndProcessing disposes the token source; PowerShell owns the cmdlet's lifetime")]
public abstract class EnvCmdlet : PSCmdlet
{
    private readonly ConcurrentQueue<ProgressRecord> _progress = new();
    private readonly ConcurrentQueue<string> _verbose = new();
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

    /// <summary>Queues a progress record; safe from any thread.</summary>
    protected void QueueProgress(ProgressRecord record) => _progress.Enqueue(record);

    /// <summary>Queues a verbose message; safe from any thread.</summary>
    protected void QueueVerbose(string message) => _verbose.Enqueue(message);

    /// <summary>Writes queued progress records and verbose messages; call on the pipeline thread.</summary>
    protected void DrainProgress()
    {
        while (_progress.TryDequeue(out ProgressRecord? record))
        {
            WriteProgress(record);
        }

        while (_verbose.TryDequeue(out string? message))
        {
            WriteVerbose(message);
        }
    }

    /// <summary>
    /// Runs long engine work on a worker thread while the pipeline thread writes its queued progress, so that
    /// Write-Progress moves during downloads and linking. Exceptions of the work are rethrown as they were.
    /// </summary>
    protected T RunWithProgress<T>(Func<T> work) => RunWithProgress(work, static () => { });

    /// <summary>
    /// As <see cref="RunWithProgress{T}(Func{T})"/>, calling <paramref name="drain"/> on the pipeline thread after each
    /// progress drain (to write results the work has made ready), and writing <paramref name="completed"/> when the work
    /// ends; both a last time before the work's exception is rethrown.
    /// </summary>
    protected T RunWithProgress<T>(Func<T> work, Action drain, ProgressRecord? completed = null)
    {
        Task<T> task = Task.Run(work);
        while (Task.WaitAny(new Task[] { task }, 100) < 0)
        {
            DrainProgress();
            drain();
        }

        DrainProgress();
        drain();
        if (completed is not null)
        {
            QueueProgress(completed);
            DrainProgress();
        }

        return task.GetAwaiter().GetResult();
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
