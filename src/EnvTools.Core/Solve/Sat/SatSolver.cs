namespace EnvTools.Solve.Sat;

/// <summary>
/// A CDCL SAT solver over dense integer variables (minisat/glucose lineage): two watched literals with blockers,
/// 1UIP learning with recursive minimisation, non-chronological backjumping, EVSIDS on a binary heap, phase
/// saving, glucose (LBD) or Luby restarts and LBD/activity-based learnt clause deletion.
/// </summary>
/// <remarks>
/// <para>Incremental: variables and clauses may be added between solves and, from the callbacks of an
/// <see cref="IDecisionProvider"/> or <see cref="IAssignmentObserver"/>, during a solve; learnt clauses are kept.
/// Solving under assumptions reports the failed assumptions.</para>
/// <para>With <see cref="SatSolverOptions.TrackCore"/>, every clause carries a proof node; after an
/// unsatisfiable answer <see cref="GetCoreTags"/> returns the tags of the original clauses the refutation used.</para>
/// <para>Clauses live in one flat int arena: a 4-int header (size, flags|lbd, activity bits or forward address,
/// proof node) followed by the literal codes. A clause reference is the header's offset.</para>
/// </remarks>
internal sealed partial class SatSolver
{
    /// <summary>Tag of a clause that is not reported in cores.</summary>
    public const int NoTag = -1;

    private const int NoRef = -1;
    private const int H = 4;          // header ints
    private const int MetaOff = 1;    // flags | lbd << LbdShift
    private const int ActOff = 2;     // float bits (learnts) / watch search position (long originals) / forward address when relocated

    /// <summary>Original clauses longer than this resume their watch search where it last ended.</summary>
    private const int ResumeSearchAbove = 8;
    private const int ProofOff = 3;   // proof node or -1
    private const int LearntFlag = 1;
    private const int DeletedFlag = 2;
    private const int RelocatedFlag = 4;
    private const int UsedFlag = 8;       // learnt clause took part in a conflict since the last reduction
    private const int LbdShift = 4;

    private readonly SatSolverOptions _opt;
    private readonly bool _trackCore;

    // ---- variables (per var) and literals (per literal code) ----
    private int _numVars;
    private sbyte[] _val = new sbyte[32];         // per literal: 1 true, -1 false, 0 unassigned
    private int[] _level = new int[16];
    private int[] _reason = new int[16];
    private double[] _activity = new double[16];
    private byte[] _phase = new byte[16];          // 1 = decide true
    private byte[] _seen = new byte[16];
    private bool[] _observed = new bool[16];
    private int[] _stamp = new int[16];            // per-var scratch marks (stamped, never cleared)
    private int[] _unitStamp = new int[16];
    private int[] _unitProof = new int[16];        // proof node of a level-0 assignment
    private WatchList[] _watches = new WatchList[32];
    private WatchList[] _binWatches = new WatchList[32];   // binary clauses, propagated before the longer ones
    private readonly VarHeap _heap;

    // ---- trail ----
    private int[] _trail = new int[16];
    private int _trailSize;
    private int _qhead;
    private int[] _trailLim = new int[16];
    private int _levels;
    private int _notifyHead;
    private int _unitProofHead;

    // ---- clauses ----
    private int[] _arena = new int[1024];
    private int _arenaTop;
    private int _wasted;
    private readonly IntVec _clauses = new();
    private readonly IntVec _learnts = new();
    private int _pendingConflict = NoRef;
    private readonly IntVec _pendLits = new();     // clauses added from callbacks: [proof, n, lits...]
    private int _pendHead;
    private bool _inSearch;
    private bool _ok = true;
    private long _clauseLiterals;

    // ---- heuristics ----
    private double _varInc = 1.0;
    private double _claInc = 1.0;
    private readonly int[] _lbdQueue = new int[50];
    private int _lbdQueueCount;
    private int _lbdQueuePos;
    private long _lbdQueueSum;
    private long _lbdSum;
    private long _conflictsAtRestart;
    private int _restarts;
    private long _nextReduce;
    private long _reduceInterval;
    private int _simpAssigns = -1;
    private long _simpProps;
    private int _levelStampCounter;
    private int[] _levelStamp = new int[16];

    // ---- scratch ----
    private readonly IntVec _learnt = new();
    private readonly IntVec _toClear = new();
    private readonly IntVec _stack = new();
    private readonly IntVec _ante = new();
    private readonly IntVec _removed = new();
    private int[] _addBuf = new int[16];
    private int _stampCounter;

    // ---- answer ----
    private bool[]? _model;
    private readonly List<Lit> _failed = new();
    private Lit[] _assumptions = Array.Empty<Lit>();
    private int _finalProof = -1;

    /// <summary>Creates a solver with default or the given options.</summary>
    public SatSolver(SatSolverOptions? options = null)
    {
        _opt = options ?? new SatSolverOptions();
        _trackCore = _opt.TrackCore;
        _heap = new VarHeap(_activity);
        _nextReduce = _opt.FirstReduce;
        _reduceInterval = _opt.FirstReduce;
    }

    /// <summary>Number of variables.</summary>
    public int VariableCount => _numVars;

    /// <summary>Current decision level (0 outside a solve).</summary>
    public int DecisionLevel => _levels;

    /// <summary>False once the clauses alone are known unsatisfiable (no assumptions involved).</summary>
    public bool IsOk => _ok;

    /// <summary>Total conflicts over all solves.</summary>
    public long Conflicts { get; private set; }

    /// <summary>Total decisions over all solves.</summary>
    public long Decisions { get; private set; }

    /// <summary>Total propagated literals over all solves.</summary>
    public long Propagations { get; private set; }

    /// <summary>Number of original clauses held (units are assignments, not clauses).</summary>
    public int ClauseCount => _clauses.Count;

    /// <summary>Number of learnt clauses held.</summary>
    public int LearntCount => _learnts.Count;

    /// <summary>Decision provider consulted before VSIDS at every decision, or <see langword="null"/>.</summary>
    public IDecisionProvider? DecisionProvider { get; set; }

    /// <summary>Observer told about observed variables that became true, or <see langword="null"/>.</summary>
    public IAssignmentObserver? Observer { get; set; }

    /// <summary>The failed assumptions after an unsatisfiable answer under assumptions: a subset of the
    /// assumptions that together with the clauses is unsatisfiable (empty when the clauses alone are).</summary>
    public IReadOnlyList<Lit> FailedAssumptions => _failed;

    // =====================================================================================================
    // Variables
    // =====================================================================================================

    /// <summary>Adds a variable and returns its index. Its initial phase is false.</summary>
    public int NewVariable()
    {
        int v = _numVars;
        EnsureVarCapacity(v + 1);
        _numVars = v + 1;
        _level[v] = 0;
        _reason[v] = NoRef;
        _activity[v] = 0;
        _phase[v] = 0;
        _watches[2 * v].Items = Array.Empty<Watcher>();
        _watches[(2 * v) + 1].Items = Array.Empty<Watcher>();
        _binWatches[2 * v].Items = Array.Empty<Watcher>();
        _binWatches[(2 * v) + 1].Items = Array.Empty<Watcher>();
        _heap.Grow(v + 1);
        _heap.Insert(v);
        return v;
    }

    /// <summary>Adds <paramref name="count"/> variables and returns the index of the first.</summary>
    public int NewVariables(int count)
    {
        int first = _numVars;
        for (int i = 0; i < count; i++)
        {
            NewVariable();
        }

        return first;
    }

    /// <summary>Sets the phase a variable is decided with when VSIDS picks it (overwritten by phase saving).</summary>
    public void SetPhase(int variable, bool value)
    {
        CheckVar(variable);
        _phase[variable] = value ? (byte)1 : (byte)0;
    }

    /// <summary>
    /// Raises a variable's VSIDS activity by <paramref name="amount"/> bumps, making it an earlier VSIDS decision.
    /// </summary>
    public void BumpActivity(int variable, double amount = 1.0)
    {
        CheckVar(variable);
        BumpVar(variable, amount * _varInc);
    }

    /// <summary>Asks for <see cref="IAssignmentObserver.OnAssignedTrue"/> when <paramref name="variable"/> becomes true.</summary>
    public void Observe(int variable)
    {
        CheckVar(variable);
        _observed[variable] = true;
    }

    /// <summary>Whether <paramref name="lit"/> is currently true (during a solve: in the partial assignment).</summary>
    public bool IsTrue(Lit lit) => _val[lit.Code] > 0;

    /// <summary>Whether <paramref name="lit"/> is currently false.</summary>
    public bool IsFalse(Lit lit) => _val[lit.Code] < 0;

    /// <summary>Whether <paramref name="variable"/> is currently assigned.</summary>
    public bool IsAssigned(int variable) => _val[2 * variable] != 0;

    /// <summary>The value of <paramref name="variable"/> in the model of the last satisfiable answer.</summary>
    public bool ModelValue(int variable) =>
        (_model ?? throw new InvalidOperationException("The last solve did not find a model."))[variable];

    /// <summary>The value of <paramref name="lit"/> in the model of the last satisfiable answer.</summary>
    public bool ModelValue(Lit lit) => ModelValue(lit.Var) != lit.IsNegative;

    /// <summary>A copy of the model of the last satisfiable answer, indexed by variable.</summary>
    public bool[] GetModel() => (bool[])(_model ?? throw new InvalidOperationException("The last solve did not find a model.")).Clone();

    private void CheckVar(int v)
    {
        if ((uint)v >= (uint)_numVars)
        {
            throw new ArgumentOutOfRangeException(nameof(v), v, "No such variable.");
        }
    }

    private void EnsureVarCapacity(int n)
    {
        if (n <= _level.Length)
        {
            return;
        }

        int cap = Math.Max(n, _level.Length * 2);
        Array.Resize(ref _val, 2 * cap);
        Array.Resize(ref _level, cap);
        Array.Resize(ref _reason, cap);
        Array.Resize(ref _activity, cap);
        Array.Resize(ref _phase, cap);
        Array.Resize(ref _seen, cap);
        Array.Resize(ref _observed, cap);
        Array.Resize(ref _stamp, cap);
        Array.Resize(ref _unitStamp, cap);
        Array.Resize(ref _unitProof, cap);
        Array.Resize(ref _watches, 2 * cap);
        Array.Resize(ref _binWatches, 2 * cap);
        Array.Resize(ref _trail, cap);
        Array.Resize(ref _trailLim, cap + 1);
        Array.Resize(ref _levelStamp, cap + 1);
        _heap.SetActivity(_activity);
    }

    // =====================================================================================================
    // Clauses
    // =====================================================================================================

    /// <summary>
    /// Adds the clause <c>lits[0] ∨ lits[1] ∨ …</c>. <paramref name="tag"/> names it in <see cref="GetCoreTags"/>
    /// (several clauses may share a tag). May be called between solves and from solver callbacks.
    /// </summary>
    public void AddClause(ReadOnlySpan<Lit> lits, int tag = NoTag)
    {
        if (_addBuf.Length < lits.Length)
        {
            _addBuf = new int[Math.Max(lits.Length, _addBuf.Length * 2)];
        }

        int[] buf = _addBuf;
        for (int i = 0; i < lits.Length; i++)
        {
            int code = lits[i].Code;
            if (code < 0 || (code >> 1) >= _numVars)
            {
                throw new ArgumentOutOfRangeException(nameof(lits), lits[i], "Literal of an unknown variable.");
            }

            buf[i] = code;
        }

        Array.Sort(buf, 0, lits.Length);
        int n = 0;
        for (int i = 0; i < lits.Length; i++)
        {
            int c = buf[i];
            if (n > 0 && buf[n - 1] == c)
            {
                continue;
            }

            if (n > 0 && buf[n - 1] == (c ^ 1))
            {
                return; // tautology: always satisfied
            }

            buf[n++] = c;
        }

        int proof = _trackCore ? NewOriginalProof(tag) : -1;
        if (!_ok)
        {
            return;
        }

        if (_inSearch)
        {
            _pendLits.Add(proof);
            _pendLits.Add(n);
            for (int i = 0; i < n; i++)
            {
                _pendLits.Add(buf[i]);
            }
        }
        else
        {
            Integrate(buf, 0, n, proof);
        }
    }

    /// <summary>Adds <c>a ∨ b</c>.</summary>
    public void AddClause(Lit a, Lit b, int tag = NoTag)
    {
        Span<Lit> s = stackalloc Lit[2] { a, b };
        AddClause(s, tag);
    }

    /// <summary>Adds the unit clause <paramref name="a"/>.</summary>
    public void AddUnit(Lit a, int tag = NoTag)
    {
        Span<Lit> s = stackalloc Lit[1] { a };
        AddClause(s, tag);
    }

    /// <summary>
    /// Adds "at most one of <paramref name="lits"/> is true": pairwise clauses for up to
    /// <see cref="SatSolverOptions.PairwiseAtMostOneLimit"/> (default 6) literals, else the
    /// sequential (ladder) encoding with <c>n - 1</c> fresh auxiliary variables and <c>3n - 4</c> binary clauses,
    /// which propagates as strongly as the pairwise one. All clauses carry <paramref name="tag"/>.
    /// </summary>
    public void AddAtMostOne(ReadOnlySpan<Lit> lits, int tag = NoTag)
    {
        int n = lits.Length;
        if (n <= 1)
        {
            return;
        }

        if (n <= _opt.PairwiseAtMostOneLimit)
        {
            for (int i = 0; i < n; i++)
            {
                for (int j = i + 1; j < n; j++)
                {
                    AddClause(~lits[i], ~lits[j], tag);
                }
            }

            return;
        }

        // s_i <=> "one of x_0..x_i is true" (only the implications needed for AMO).
        int s = NewVariables(n - 1);
        AddClause(~lits[0], Lit.Pos(s), tag);
        for (int i = 1; i < n - 1; i++)
        {
            AddClause(~lits[i], Lit.Pos(s + i), tag);
            AddClause(Lit.Neg(s + i - 1), Lit.Pos(s + i), tag);
            AddClause(~lits[i], Lit.Neg(s + i - 1), tag);
        }

        AddClause(~lits[n - 1], Lit.Neg(s + n - 2), tag);
    }

    /// <summary>Adds "exactly one of <paramref name="lits"/> is true" (a clause plus <see cref="AddAtMostOne"/>).</summary>
    public void AddExactlyOne(ReadOnlySpan<Lit> lits, int tag = NoTag)
    {
        AddClause(lits, tag);
        AddAtMostOne(lits, tag);
    }

    private enum AddOutcome
    {
        NoChange,
        Changed,
        Unsat,
    }

    /// <summary>
    /// Attaches a (deduplicated, non-tautological) clause to the current, fully propagated assignment: watches the
    /// two best literals and, when the clause is unit or false, backjumps and enqueues or records the conflict.
    /// </summary>
    private AddOutcome Integrate(int[] buf, int start, int n, int proof)
    {
        if (n == 0)
        {
            _ok = false;
            _finalProof = proof;
            return AddOutcome.Unsat;
        }

        if (n == 1)
        {
            int l = buf[start];
            int v = l >> 1;
            if (_val[l] > 0 && _level[v] == 0)
            {
                return AddOutcome.NoChange;
            }

            CancelUntil(0);
            if (_val[l] < 0)
            {
                _ok = false;
                if (_trackCore)
                {
                    ComputeUnitProofs();
                    _ante.Clear();
                    _ante.Add(proof);
                    _ante.Add(_unitProof[v]);
                    _finalProof = NewDerivedProof(_ante);
                }

                return AddOutcome.Unsat;
            }

            if (_val[l] == 0)
            {
                Enqueue(l, NoRef);
                _unitProof[v] = proof;
            }

            return AddOutcome.Changed;
        }

        // Move the two best literals to the front: true, then unassigned, then false by decreasing level.
        for (int pos = 0; pos < 2; pos++)
        {
            int best = start + pos;
            long bestKey = LitKey(buf[best]);
            for (int k = best + 1; k < start + n; k++)
            {
                long key = LitKey(buf[k]);
                if (key > bestKey)
                {
                    best = k;
                    bestKey = key;
                }
            }

            (buf[start + pos], buf[best]) = (buf[best], buf[start + pos]);
        }

        int cr = AllocClause(buf.AsSpan(start, n), false, proof);
        _clauses.Add(cr);
        AttachWatches(cr);
        int l0 = buf[start], l1 = buf[start + 1];
        if (_val[l0] < 0)
        {
            int lv = _level[l0 >> 1];
            if (lv == 0)
            {
                CancelUntil(0);
                SetLevel0Conflict(cr);
                return AddOutcome.Unsat;
            }

            CancelUntil(lv);
            _pendingConflict = cr;
            return AddOutcome.Changed;
        }

        if (_val[l1] < 0)
        {
            int f = _level[l1 >> 1];
            if (_val[l0] == 0 || _level[l0 >> 1] > f)
            {
                CancelUntil(f);
                Enqueue(l0, cr);
                return AddOutcome.Changed;
            }
        }

        return AddOutcome.NoChange;
    }

    private long LitKey(int l)
    {
        int v = _val[l];
        return v > 0 ? long.MaxValue : v == 0 ? long.MaxValue - 1 : _level[l >> 1];
    }

    /// <summary>Integrates clauses queued by callbacks until one changes the assignment.</summary>
    private AddOutcome ProcessPending()
    {
        while (_pendHead < _pendLits.Count)
        {
            int proof = _pendLits[_pendHead];
            int n = _pendLits[_pendHead + 1];
            int start = _pendHead + 2;
            _pendHead = start + n;
            var outcome = Integrate(_pendLits.Items, start, n, proof);
            if (_pendHead == _pendLits.Count)
            {
                _pendLits.Clear();
                _pendHead = 0;
            }

            if (outcome != AddOutcome.NoChange)
            {
                return outcome;
            }
        }

        return AddOutcome.NoChange;
    }

    private bool HasPending => _pendHead < _pendLits.Count;

    private int AllocClause(ReadOnlySpan<int> lits, bool learnt, int proof)
    {
        int need = H + lits.Length;
        if (_arenaTop + need > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaTop + need));
        }

        int cr = _arenaTop;
        int[] a = _arena;
        a[cr] = lits.Length;
        a[cr + MetaOff] = learnt ? LearntFlag : 0;
        a[cr + ActOff] = 0;
        a[cr + ProofOff] = proof;
        lits.CopyTo(a.AsSpan(cr + H));
        _arenaTop += need;
        _clauseLiterals += lits.Length;
        return cr;
    }

    private void AttachWatches(int cr)
    {
        int l0 = _arena[cr + H], l1 = _arena[cr + H + 1];
        if (_arena[cr] == 2)
        {
            // Binary: propagated from the watcher alone, from its own list.
            Watch(_binWatches, l0, Watcher.Binary(cr, l1));
            Watch(_binWatches, l1, Watcher.Binary(cr, l0));
            return;
        }

        Watch(_watches, l0, new Watcher(cr, l1));
        Watch(_watches, l1, new Watcher(cr, l0));
    }

    private static void Watch(WatchList[] lists, int lit, Watcher watcher)
    {
        ref WatchList wl = ref lists[lit];
        if (wl.Count == wl.Items.Length)
        {
            Array.Resize(ref wl.Items, Math.Max(4, wl.Count * 2));
        }

        wl.Items[wl.Count++] = watcher;
    }
}
