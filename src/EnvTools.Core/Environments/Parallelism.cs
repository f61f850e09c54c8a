using System.Runtime.ExceptionServices;

namespace EnvTools.Environments;

/// <summary><see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> that throws the body's own exception, not an AggregateException.</summary>
internal static class Parallelism
{
    internal static void For(int count, CancellationToken cancellationToken, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken }, body);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
            throw;
        }
    }
}
