namespace EnvTools.Solve.Sat;

/// <summary>The outcome of <see cref="SatSolver.Solve(ReadOnlySpan{Lit}, CancellationToken)"/>.</summary>
internal enum SatResult
{
    /// <summary>A model satisfying every clause and assumption was found.</summary>
    Satisfiable,

    /// <summary>No model exists (under the given assumptions, if any).</summary>
    Unsatisfiable,

    /// <summary>The cancellation token was signalled before an answer was found.</summary>
    Cancelled,

    /// <summary>The time limit ran out before an answer was found.</summary>
    TimedOut,
}
