namespace EnvTools.Solve;

/// <summary>Solves conda requests: picks one record per needed package name, following conda's preferences.</summary>
public static class CondaSolver
{
    /// <summary>Solves <paramref name="request"/>.</summary>
    /// <exception cref="PackagesNotFoundException">Some specs match no package.</exception>
    /// <exception cref="UnsatisfiableException">No set of records satisfies the request.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    /// <exception cref="EnvToolsException">ErrorId <c>SolveTimeout</c>: <see cref="SolveRequest.Timeout"/> ran out.</exception>
    public static SolveResult Solve(SolveRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ct.ThrowIfCancellationRequested();
        return new CondaProblem(request, ct).Run();
    }
}
