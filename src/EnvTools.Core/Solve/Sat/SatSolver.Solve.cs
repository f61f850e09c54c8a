using System.Diagnostics;

namespace EnvTools.Solve.Sat;

// The solve loop: assumptions, search with restarts, decisions and backtracking (moved as is out of SatSolver.cs).
internal sealed partial class SatSolver
{
    // =====================================================================================================
    // Solve
    // =====================================================================================================

    /// <summary>Solves the clauses.</summary>
    public SatResult Solve(CancellationToken cancellationToken = default) =>
        Solve(ReadOnlySpan<Lit>.Empty, cancellationToken);

    /// <summary>
    /// Solves the clauses under <paramref name="assumptions"/> (literals forced true for this call only).
    /// Checks <paramref name="cancellationToken"/> and <see cref="SatSolverOptions.TimeLimit"/> regularly.
    /// After <see cref="SatResult.Satisfiable"/> the model is read with <see cref="ModelValue(int)"/>; after
    /// <see cref="SatResult.Unsatisfiable"/>, <see cref="FailedAssumptions"/> and <see cref="GetCoreTags"/> explain it.
    /// The solver stays usable after every outcome.
    /// </summary>
    public SatResult Solve(ReadOnlySpan<Lit> assumptions, CancellationToken cancellationToken = default)
    {
        _model = null;
        _failed.Clear();
        if (!_ok)
        {
            return SatResult.Unsatisfiable;
        }

        _finalProof = -1;
        foreach (var a in assumptions)
        {
            if (a.Code < 0 || a.Var >= _numVars)
            {
                throw new ArgumentOutOfRangeException(nameof(assumptions), a, "Assumption over an unknown variable.");
            }
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return SatResult.Cancelled;
        }

        _assumptions = assumptions.ToArray();
        int maxLevels = _numVars + _assumptions.Length + 1; // already-true assumptions open empty levels
        if (_trailLim.Length < maxLevels)
        {
            Array.Resize(ref _trailLim, maxLevels);
            Array.Resize(ref _levelStamp, maxLevels);
        }

        long deadline = _opt.TimeLimit is { } limit
            ? Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency)
            : long.MaxValue;
        _inSearch = true;
        try
        {
            return Search(cancellationToken, deadline);
        }
        finally
        {
            _inSearch = false;
            _pendingConflict = NoRef;
            CancelUntil(0);
            while (_ok && HasPending)
            {
                ProcessPending();
            }

            _pendLits.Clear();
            _pendHead = 0;
        }
    }

    private SatResult Search(CancellationToken ct, long deadline)
    {
        int check = 0;
        while (true)
        {
            int confl;
            if (_pendingConflict != NoRef)
            {
                confl = _pendingConflict;
                _pendingConflict = NoRef;
            }
            else
            {
                confl = Propagate();
            }

            if (_trackCore && _levels == 0)
            {
                ComputeUnitProofs();
            }

            if (confl != NoRef)
            {
                Conflicts++;
                if (_levels == 0)
                {
                    SetLevel0Conflict(confl);
                    return SatResult.Unsatisfiable;
                }

                HandleConflict(confl);
                if (++check >= 64)
                {
                    check = 0;
                    if (Stop(ct, deadline) is { } r)
                    {
                        return r;
                    }
                }

                continue;
            }

            if (HasPending)
            {
                if (ProcessPending() == AddOutcome.Unsat)
                {
                    return SatResult.Unsatisfiable;
                }

                continue;
            }

            if (Observer is { } observer && _notifyHead < _trailSize)
            {
                while (_notifyHead < _trailSize)
                {
                    int lit = _trail[_notifyHead++];
                    if ((lit & 1) == 0 && _observed[lit >> 1])
                    {
                        observer.OnAssignedTrue(this, lit >> 1);
                    }
                }

                if (HasPending || _qhead < _trailSize)
                {
                    continue;
                }
            }

            if (ShouldRestart())
            {
                _restarts++;
                _conflictsAtRestart = Conflicts;
                _lbdQueueCount = 0;
                _lbdQueueSum = 0;
                CancelUntil(0);
                continue;
            }

            if (_levels == 0 && _trailSize != _simpAssigns && Propagations >= _simpProps)
            {
                Simplify();
            }

            if (Conflicts >= _nextReduce)
            {
                _reduceInterval += _opt.ReduceIncrement;
                _nextReduce = Conflicts + _reduceInterval;
                ReduceDb();
            }

            if (++check >= 64)
            {
                check = 0;
                if (Stop(ct, deadline) is { } r)
                {
                    return r;
                }
            }

            int next = -1;
            while (_levels < _assumptions.Length)
            {
                int p = _assumptions[_levels].Code;
                if (_val[p] > 0)
                {
                    NewDecisionLevel(); // already true: an empty level keeps levels and assumptions aligned
                }
                else if (_val[p] < 0)
                {
                    AnalyzeFinal(p);
                    return SatResult.Unsatisfiable;
                }
                else
                {
                    next = p;
                    break;
                }
            }

            if (next < 0 && DecisionProvider is { } provider)
            {
                var lit = provider.NextDecision(this);
                if (HasPending || _qhead < _trailSize || _pendingConflict != NoRef)
                {
                    continue;
                }

                if (!lit.IsUndef)
                {
                    if (lit.Var >= _numVars || _val[lit.Code] != 0)
                    {
                        throw new InvalidOperationException($"The decision provider returned {lit}, which is not an unassigned literal.");
                    }

                    next = lit.Code;
                }
            }

            if (next < 0)
            {
                next = PickBranchLit();
                if (next < 0)
                {
                    _model = new bool[_numVars];
                    for (int v = 0; v < _numVars; v++)
                    {
                        _model[v] = _val[2 * v] > 0;
                    }

                    return SatResult.Satisfiable;
                }
            }

            Decisions++;
            NewDecisionLevel();
            Enqueue(next, NoRef);
        }
    }

    private static SatResult? Stop(CancellationToken ct, long deadline)
    {
        if (ct.IsCancellationRequested)
        {
            return SatResult.Cancelled;
        }

        if (deadline != long.MaxValue && Stopwatch.GetTimestamp() >= deadline)
        {
            return SatResult.TimedOut;
        }

        return null;
    }

    private int PickBranchLit()
    {
        while (_heap.Count > 0)
        {
            int v = _heap.RemoveMax();
            if (_val[2 * v] == 0)
            {
                return _phase[v] != 0 ? 2 * v : (2 * v) + 1;
            }
        }

        return -1;
    }

    private void NewDecisionLevel() => _trailLim[_levels++] = _trailSize;

    private void Enqueue(int lit, int reason)
    {
        _val[lit] = 1;
        _val[lit ^ 1] = -1;
        int v = lit >> 1;
        _level[v] = _levels;
        _reason[v] = reason;
        _trail[_trailSize++] = lit;
    }

    private void CancelUntil(int level)
    {
        if (_levels <= level)
        {
            return;
        }

        int stop = _trailLim[level];
        bool save = _opt.PhaseSaving;
        for (int c = _trailSize - 1; c >= stop; c--)
        {
            int lit = _trail[c];
            int v = lit >> 1;
            _val[lit] = 0;
            _val[lit ^ 1] = 0;
            if (save)
            {
                _phase[v] = (lit & 1) == 0 ? (byte)1 : (byte)0;
            }

            _heap.Insert(v);
        }

        _trailSize = stop;
        _qhead = stop;
        _levels = level;
        if (_notifyHead > stop)
        {
            _notifyHead = stop;
        }
    }
}
