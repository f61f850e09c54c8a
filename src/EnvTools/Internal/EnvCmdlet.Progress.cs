using System.Collections.Concurrent;
using System.Management.Automation;

namespace EnvTools.Commands.Internal;

/// <content>Progress and verbose messages reported from any thread, written on the pipeline thread.</content>
public abstract partial class EnvCmdlet
{
    private readonly ConcurrentQueue<ProgressRecord> _progress = new();
    private readonly ConcurrentQueue<string> _verbose = new();

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
}
