namespace EnvTools.Solve;

/// <summary>One solve: candidates, clauses, search, answer.</summary>
internal sealed class CondaProblem
{
    private readonly SolveRequest _request;
    private readonly CancellationToken _ct;

    public CondaProblem(SolveRequest request, CancellationToken ct)
    {
        _request = request;
        _ct = ct;
    }

    public SolveResult Run() => throw new NotImplementedException("solving is being implemented");
}
