using System.Diagnostics;
using EnvTools.Conda;
using EnvTools.Solve.Encoding;
using EnvTools.Solve.Sat;

namespace EnvTools.Solve;

internal enum TagKind
{
    Root,
    Depends,
    Constrains,
    Pin,
    Removed,
}

/// <summary>What a tagged clause stands for (for the unsatisfiability explanation).</summary>
internal sealed record TagInfo(TagKind Kind, Root? Root, Candidate? Candidate, Requirement? Requirement, Candidate? Other, MatchSpec? Spec);

/// <summary>One solve: the conda provider loads the candidates, the clause encoder and the SAT solver search, and conda's
/// objectives after the first solution (requested versions, features) pick the answer.</summary>
internal sealed partial class CondaProblem
{
    /// <summary>Problems with at most this many candidates are solved with proof tracking from the start.</summary>
    private const int TrackFromTheStartUpTo = 20_000;

    private readonly SolveRequest _request;
    private readonly CancellationToken _ct;
    private readonly CondaProvider _provider;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<RepoDataRecord> _omitted = new();
    private readonly IReadOnlySet<string>? _onlyDepsNames;

    /// <summary>The encoder of the last search (its clause origins name the tags of its solver).</summary>
    private ClauseEncoder? _encoder;

    /// <summary>How long the last search took (the explanation's budget derives from it).</summary>
    private TimeSpan _lastSearchTime;

    public CondaProblem(SolveRequest request, CancellationToken ct, bool unfavourSpecs = false, IReadOnlySet<string>? onlyDepsNames = null)
    {
        _request = request;
        _ct = ct;
        _provider = new CondaProvider(request, ct, unfavourSpecs);
        _onlyDepsNames = onlyDepsNames;
    }

    public SolveResult Run()
    {
        if (_request.ForceRemove && _request.SpecsToRemove.Count > 0)
        {
            // conda's force_remove: take out exactly the matching records, nothing else is solved.
            var kept = _request.Installed.Where(r => !_request.SpecsToRemove.Any(s => s.Matches(r))).ToList();
            return Finish(kept, TimeSpan.Zero, null);
        }

        if (_request.UpdateModifier == UpdateModifier.SpecsSatisfiedSkipSolve && _request.SpecsToRemove.Count == 0 && !_request.Prune
            && _request.Specs.All(s => _request.Installed.Any(s.Matches)))
        {
            return Finish(_request.Installed.ToList(), TimeSpan.Zero, null);
        }

        if (_request.UpdateModifier is UpdateModifier.UpdateDeps or UpdateModifier.UpdateDepsOnlyDeps)
        {
            return UpdateDeps();
        }

        _request.Progress?.Report(new SolveProgress("Loading"));
        _provider.Load();
        TimeSpan loadTime = _clock.Elapsed;
        _request.Progress?.Report(new SolveProgress("Solving", $"{_provider.SolvableCount} candidates of {_provider.Names.Count} names"));

        // Frozen installed records are assumptions.
        var locked = new List<Candidate>();
        if (_request.UpdateModifier == UpdateModifier.FreezeInstalled)
        {
            foreach (var c in _provider.Solvables)
            {
                if (c.Installed is not null && !_provider.SpecNames.Contains(c.Name.Name) && !_provider.RemovedNames.Contains(c.Name.Name))
                {
                    locked.Add(c);
                }
            }
        }

        // Small problems keep proof tracking on from the start, so that an unsatisfiable answer is explained
        // without solving again; large ones are solved untracked and re-solved only when there is no solution.
        bool track = _provider.SolvableCount <= TrackFromTheStartUpTo;
        var (solver, result) = Search(trackCore: track, locked);
        if (result == SatResult.Unsatisfiable && locked.Count > 0)
        {
            // conda: "failed with initial frozen solve, retrying with flexible solve".
            locked.Clear();
            (solver, result) = Search(trackCore: track, locked);
        }

        var lockedLits = locked.Select(c => Lit.Pos(c.Id)).ToList();

        switch (result)
        {
            case SatResult.Cancelled:
                throw new OperationCanceledException(_ct);
            case SatResult.TimedOut:
                throw TimeoutError();
            case SatResult.Unsatisfiable:
                throw Explain(track ? solver : null);
        }

        var model = ImproveRequested(solver, lockedLits);
        model = MinimiseFeatures(solver, model, lockedLits);
        var chosen = Reachable(model);
        var records = PostProcess(chosen);
        foreach (var (name, rec) in _provider.AddBack)
        {
            records.RemoveAll(r => r.Name == name);
            records.Add(rec);
        }

        return Finish(records, loadTime, solver);
    }

    /// <summary>A new solver with the problem's clauses (the encoder adds a candidate's own clauses as the search
    /// reaches it), solved under <paramref name="locked"/>.</summary>
    private (SatSolver Solver, SatResult Result) Search(bool trackCore, IReadOnlyList<Candidate> locked, TimeSpan? limit = null)
    {
        TimeSpan? timeLimit = Remaining();
        if (limit is { } l && (timeLimit is null || l < timeLimit))
        {
            timeLimit = l;
        }

        var started = _clock.Elapsed;
        var solver = new SatSolver(new SatSolverOptions { TrackCore = trackCore, TimeLimit = timeLimit });
        _encoder = new ClauseEncoder(_provider, solver, _provider.RootIds, _provider.Exclusions);
        var assumptions = new Lit[locked.Count];
        for (int i = 0; i < assumptions.Length; i++)
        {
            assumptions[i] = Lit.Pos(locked[i].Id);
        }

        var result = solver.Solve(assumptions, _ct);
        _lastSearchTime = _clock.Elapsed - started;
        return (solver, result);
    }

    /// <summary>The true candidates reachable from the roots (drops stray true variables of a VSIDS phase).</summary>
    private List<Candidate> Reachable(bool[] model)
    {
        var ids = _encoder!.Reachable(model);
        var result = new List<Candidate>(ids.Count);
        foreach (int id in ids)
        {
            result.Add(_provider.Solvables[id]);
        }

        return result;
    }

    private SolveResult Finish(List<RepoDataRecord> records, TimeSpan loadTime, SatSolver? solver)
    {
        var ordered = Toposort.Sort(records);
        var installed = _request.Installed;
        var installedKeys = new HashSet<string>(installed.Select(Key), StringComparer.Ordinal);
        var finalKeys = new HashSet<string>(ordered.Select(Key), StringComparer.Ordinal);
        var toInstall = ordered.Where(r => !installedKeys.Contains(Key(r))).ToList();
        var toRemove = installed.Where(r => !finalKeys.Contains(Key(r))).ToList();
        _request.Progress?.Report(new SolveProgress("Done", $"{ordered.Count} packages"));
        return new SolveResult(ordered, toInstall, toRemove)
        {
            LoadTime = loadTime,
            SolveTime = _clock.Elapsed - loadTime,
            Variables = solver?.VariableCount ?? 0,
            Clauses = solver?.ClauseCount ?? 0,
            Conflicts = (int)Math.Min(int.MaxValue, solver?.Conflicts ?? 0),
            Omitted = _omitted.ToArray(),
        };
    }

    internal static string Key(PackageRecord r) => $"{r.Name}-{r.Version}-{r.Build}";

    private EnvToolsException TimeoutError() =>
        new("SolveTimeout", ErrorKind.OperationStopped,
            $"The solve did not finish within {_request.Timeout?.TotalSeconds:0.###} s.", _request);

    private TimeSpan? Remaining()
    {
        if (_request.Timeout is not { } t)
        {
            return null;
        }

        var left = t - _clock.Elapsed;
        return left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1);
    }
}
