using System.Runtime.InteropServices;
using EnvTools.Solve.Sat;

namespace EnvTools.Solve.Encoding;

/// <summary>
/// Turns a <see cref="IDependencyProvider"/>'s candidates and requirements into clauses of one <see cref="SatSolver"/>
/// and chooses its decisions (resolvo's way): a variable per solvable (its id), a hard clause per root requirement, a
/// unit per exclusion; a candidate's own clauses (its name's at-most-one, its dependencies and constrains, all of the
/// form "not c, or …") go in only when it first becomes true or is about to be decided. Knows nothing of conda: ids only.
/// </summary>
internal sealed class ClauseEncoder : IAssignmentObserver, IDecisionProvider
{
    /// <summary>After this many conflicts (a puzzle-like problem) the solver's VSIDS takes the decisions over.</summary>
    private const long VsidsAfterConflicts = 100_000;

    /// <summary>At most this many excluded candidates get their own binary clause (see <see cref="AddImpliedExclusions"/>).</summary>
    private const int MaxImpliedExclusions = 8;

    private readonly IDependencyProvider _provider;
    private readonly int[] _roots;
    private readonly List<ClauseOrigin> _origins = new();
    private readonly bool[] _encoded;
    private readonly int[]?[] _dependencies;
    private readonly int[] _stamps;
    private readonly Dictionary<int, int[]> _candidates = new();
    private readonly Dictionary<int, int> _exclusive = new();
    private readonly List<Lit> _lits = new();
    private readonly List<int> _queue = new();
    private int[]?[] _matches = new int[]?[64];
    private int[] _marks;
    private int _stamp;
    private int _mark;

    /// <summary>Creates the variables and the root and exclusion clauses in <paramref name="solver"/> (a new one: the
    /// solvable ids become its variables) and hooks the encoder in as its observer and decision provider.</summary>
    public ClauseEncoder(IDependencyProvider provider, SatSolver solver, int[] roots, IReadOnlyList<Exclusion> exclusions)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(solver);
        if (solver.VariableCount != 0)
        {
            throw new ArgumentException("The encoder numbers the variables: the solver must be new.", nameof(solver));
        }

        _provider = provider;
        _roots = roots;
        int n = provider.SolvableCount;
        _encoded = new bool[n];
        _dependencies = new int[]?[n];
        _stamps = new int[n];
        _marks = new int[n];
        for (int i = 0; i < n; i++)
        {
            solver.NewVariable();
            solver.Observe(i);
        }

        solver.Observer = this;
        for (int i = 0; i < exclusions.Count; i++)
        {
            var x = exclusions[i];
            solver.AddUnit(Lit.Neg(x.Solvable), Tag(new ClauseOrigin(ClauseKind.Excluded, x.Solvable, -1, -1, x.Reason)));
        }

        for (int i = 0; i < roots.Length; i++)
        {
            _lits.Clear();
            foreach (int m in MatchesOf(roots[i]))
            {
                _lits.Add(Lit.Pos(m));
            }

            solver.AddClause(CollectionsMarshal.AsSpan(_lits), Tag(new ClauseOrigin(ClauseKind.Root, -1, roots[i], -1, i)));
        }

        solver.DecisionProvider = this;
    }

    /// <summary>What each tag of the solver's clauses stands for (a tag is an index into this list).</summary>
    public IReadOnlyList<ClauseOrigin> Origins => _origins;

    /// <inheritdoc/>
    public void OnAssignedTrue(SatSolver solver, int variable) => Encode(solver, variable);

    /// <summary>Adds the clauses of <paramref name="solvable"/> unless they are there.</summary>
    public void Encode(SatSolver solver, int solvable)
    {
        if ((uint)solvable >= (uint)_encoded.Length || _encoded[solvable])
        {
            return;
        }

        _encoded[solvable] = true;
        EncodeExclusive(solver, solvable);
        foreach (int req in DependenciesOf(solvable))
        {
            _lits.Clear();
            _lits.Add(Lit.Neg(solvable));
            int[] matches = MatchesOf(req);
            foreach (int m in matches)
            {
                _lits.Add(Lit.Pos(m));
            }

            int tag = Tag(new ClauseOrigin(ClauseKind.Depends, solvable, req, -1, -1));
            solver.AddClause(CollectionsMarshal.AsSpan(_lits), tag);
            AddImpliedExclusions(solver, solvable, req, matches, tag);
        }

        foreach (int req in _provider.Constrains(solvable))
        {
            int name = _provider.RequirementName(req);
            if (name < 0)
            {
                continue;
            }

            int mark = ++_mark;
            foreach (int m in MatchesOf(req))
            {
                _marks[m] = mark;
            }

            foreach (int other in CandidatesOf(name))
            {
                if (_marks[other] != mark)
                {
                    solver.AddClause(Lit.Neg(solvable), Lit.Neg(other), Tag(new ClauseOrigin(ClauseKind.Constrains, solvable, req, other, -1)));
                }
            }
        }
    }

    /// <summary>
    /// At most one candidate per name. The first candidate of a name to become true gets n − 1 binary clauses that at once
    /// make the others false (no auxiliary variables: most names see one candidate only); when a second one does (the
    /// search is trying alternatives), the whole name gets the sequential encoding, 3n clauses once, instead of n − 1 more
    /// for every candidate tried.
    /// </summary>
    private void EncodeExclusive(SatSolver solver, int solvable)
    {
        int name = _provider.NameOf(solvable);
        int[] all = CandidatesOf(name);
        int state = _exclusive.GetValueOrDefault(name);
        if (all.Length <= 1 || state >= 2)
        {
            return;
        }

        bool first = state == 0;
        _exclusive[name] = first ? 1 : 2;
        if (first)
        {
            foreach (int o in all)
            {
                if (o != solvable)
                {
                    solver.AddClause(Lit.Neg(solvable), Lit.Neg(o));
                }
            }

            return;
        }

        _lits.Clear();
        foreach (int o in all)
        {
            _lits.Add(Lit.Pos(o));
        }

        solver.AddAtMostOne(CollectionsMarshal.AsSpan(_lits));
    }

    /// <summary>
    /// A dependency that matches all candidates of a name but a few (<c>peer !=5</c>, <c>b !=1.2</c>) implies, with the
    /// name's at-most-one constraint, that the candidate excludes each of those few: <c>¬c ∨ ¬s</c>. The clauses are
    /// redundant but binary, so they propagate at once where the long clause waits for every other candidate to be
    /// false: puzzle-like channels (mamba's sudoku) need far fewer conflicts. They carry the dependency's tag, so
    /// explanations still name the dependency.
    /// </summary>
    private void AddImpliedExclusions(SatSolver solver, int solvable, int req, int[] matches, int tag)
    {
        int name = _provider.RequirementName(req);
        if (name < 0 || matches.Length == 0)
        {
            return;
        }

        int[] all = CandidatesOf(name);
        int excluded = all.Length - matches.Length;
        if (all.Length < 2 || excluded <= 0 || excluded > MaxImpliedExclusions)
        {
            return; // no at-most-one constraint over the name, or too many to list
        }

        foreach (int s in all)
        {
            if (s != solvable && Array.IndexOf(matches, s) < 0)
            {
                solver.AddClause(Lit.Neg(solvable), Lit.Neg(s), tag);
            }
        }
    }

    /// <summary>resolvo-style decisions: the most preferred unassigned candidate of the first open requirement,
    /// walking from the roots through the dependencies of the chosen candidates; once every requirement is met,
    /// the remaining candidates are decided false. After many conflicts (hard, puzzle-like problems) VSIDS takes over.</summary>
    public Lit NextDecision(SatSolver solver)
    {
        if (solver.Conflicts > VsidsAfterConflicts)
        {
            return Lit.Undef;
        }

        int stamp = ++_stamp;
        var queue = _queue;
        queue.Clear();
        queue.AddRange(_roots);
        for (int i = 0; i < queue.Count; i++)
        {
            int chosen = -1;
            int open = -1;
            foreach (int c in MatchesOf(queue[i]))
            {
                if (solver.IsTrue(Lit.Pos(c)))
                {
                    chosen = c;
                    break;
                }

                if (open < 0 && !solver.IsAssigned(c))
                {
                    open = c;
                }
            }

            if (chosen >= 0)
            {
                if (_stamps[chosen] != stamp)
                {
                    _stamps[chosen] = stamp;
                    queue.AddRange(DependenciesOf(chosen));
                }

                continue;
            }

            if (open >= 0)
            {
                // Its clauses go in before it is decided: a candidate whose dependencies the assignment already rules
                // out is then propagated false instead of costing a conflict.
                Encode(solver, open);
                return Lit.Pos(open);
            }
        }

        for (int v = 0; v < _encoded.Length; v++)
        {
            if (!solver.IsAssigned(v))
            {
                return Lit.Neg(v);
            }
        }

        return Lit.Undef;
    }

    /// <summary>The true solvables of <paramref name="model"/> reachable from the roots through the dependencies (drops
    /// stray true variables of a VSIDS phase), in the order met.</summary>
    public List<int> Reachable(bool[] model)
    {
        var result = new List<int>();
        var seen = new HashSet<int>();
        var queue = new Queue<int>(_roots);
        while (queue.Count > 0)
        {
            foreach (int c in MatchesOf(queue.Dequeue()))
            {
                if (model[c])
                {
                    if (seen.Add(c))
                    {
                        result.Add(c);
                        foreach (int d in DependenciesOf(c))
                        {
                            queue.Enqueue(d);
                        }
                    }

                    break;
                }
            }
        }

        return result;
    }

    private int Tag(ClauseOrigin origin)
    {
        _origins.Add(origin);
        return _origins.Count - 1;
    }

    private int[] DependenciesOf(int solvable) => _dependencies[solvable] ??= _provider.Dependencies(solvable);

    private int[] MatchesOf(int requirement)
    {
        if ((uint)requirement >= (uint)_matches.Length)
        {
            Array.Resize(ref _matches, Math.Max(requirement + 1, _matches.Length * 2));
        }

        return _matches[requirement] ??= _provider.Matches(requirement);
    }

    private int[] CandidatesOf(int name)
    {
        if (!_candidates.TryGetValue(name, out var all))
        {
            _candidates[name] = all = _provider.Candidates(name);
        }

        return all;
    }
}
