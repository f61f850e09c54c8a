using EnvTools.Conda;
using EnvTools.Solve.Sat;

namespace EnvTools.Solve;

/// <summary>The search: a variable for every candidate, its clauses added when it is first considered.</summary>
internal sealed partial class CondaProblem
{
    /// <summary>Problems with at most this many candidates are solved with proof tracking from the start.</summary>
    private const int TrackFromTheStartUpTo = 20_000;

    /// <summary>How long the last search took (the explanation's budget derives from it).</summary>
    private TimeSpan _lastSearchTime;

    private (SatSolver Solver, SatResult Result) Search(bool trackCore, IReadOnlyList<Candidate> locked, TimeSpan? limit = null)
    {
        TimeSpan? timeLimit = Remaining();
        if (limit is { } l && (timeLimit is null || l < timeLimit))
        {
            timeLimit = l;
        }

        var started = _clock.Elapsed;
        var solver = new SatSolver(new SatSolverOptions { TrackCore = trackCore, TimeLimit = timeLimit });
        _tags.Clear();
        _all.Clear();
        foreach (var entry in _names.Values)
        {
            foreach (var c in entry.Candidates)
            {
                c.Var = solver.NewVariable();
                solver.Observe(c.Var);
                _all.Add(c);
            }
        }

        // A candidate's clauses (its name's at-most-one, its dependencies and constrains) are all of the form
        // "not c, or …": they matter only once c is true. They are added then (the solver's lazy clause hook, as
        // resolvo does), so a request that reaches thousands of candidates encodes the few dozen it tries.
        solver.Observer = _encoder = new LazyEncoder(this, solver.VariableCount);
        var lits = new List<Lit>();
        foreach (var pin in _request.IgnorePinned ? Array.Empty<MatchSpec>() : _request.PinnedSpecs)
        {
            if (_names.TryGetValue(pin.Name, out var entry))
            {
                foreach (var c in entry.Candidates)
                {
                    if (!pin.Matches(c.Record))
                    {
                        solver.AddUnit(Lit.Neg(c.Var), Tag(new TagInfo(TagKind.Pin, null, c, null, null, pin)));
                    }
                }
            }
        }

        foreach (var rm in _request.SpecsToRemove)
        {
            if (_names.TryGetValue(rm.Name, out var entry))
            {
                foreach (var c in entry.Candidates)
                {
                    if (rm.Matches(c.Record))
                    {
                        solver.AddUnit(Lit.Neg(c.Var), Tag(new TagInfo(TagKind.Removed, null, c, null, null, rm)));
                    }
                }
            }
        }

        foreach (var root in _roots)
        {
            lits.Clear();
            foreach (var m in root.Requirement.Matches)
            {
                lits.Add(Lit.Pos(m.Var));
            }

            solver.AddClause(lits.ToArray(), Tag(new TagInfo(TagKind.Root, root, null, root.Requirement, null, root.Spec)));
        }

        solver.DecisionProvider = new PreferenceProvider(this);
        var result = solver.Solve(locked.Select(c => Lit.Pos(c.Var)).ToArray(), _ct);
        _lastSearchTime = _clock.Elapsed - started;

        return (solver, result);
    }

    /// <summary>Adds a candidate's clauses when it first becomes true, and its name's at-most-one constraint when the
    /// first candidate of that name does (see <see cref="Search"/>).</summary>
    private LazyEncoder? _encoder;

    private sealed class LazyEncoder : IAssignmentObserver
    {
        private readonly CondaProblem _p;
        private readonly Candidate?[] _byVar;
        private readonly List<Lit> _lits = new();
        private readonly Dictionary<NameEntry, int> _exclusive = new();

        public LazyEncoder(CondaProblem p, int variables)
        {
            _p = p;
            _byVar = new Candidate?[variables];
            foreach (var c in p._all)
            {
                _byVar[c.Var] = c;
            }
        }

        public void OnAssignedTrue(SatSolver solver, int variable) => Encode(solver, variable);

        /// <summary>Adds the clauses of the candidate of <paramref name="variable"/> unless they are there.</summary>
        public void Encode(SatSolver solver, int variable)
        {
            if (variable >= _byVar.Length || _byVar[variable] is not { } c)
            {
                return;
            }

            _byVar[variable] = null; // encoded once per solver
            // At most one candidate per name. The first candidate of a name to become true gets n - 1 binary clauses
            // that at once make the others false (no auxiliary variables: most names see one candidate only); when a
            // second one does (the search is trying alternatives), the whole name gets the sequential encoding, 3n
            // clauses once, instead of n - 1 more for every candidate tried.
            var name = c.Name;
            if (name.Candidates.Count > 1 && _exclusive.GetValueOrDefault(name) < 2)
            {
                bool first = _exclusive.GetValueOrDefault(name) == 0;
                _exclusive[name] = first ? 1 : 2;
                _lits.Clear();
                foreach (var o in name.Candidates)
                {
                    if (first && o != c)
                    {
                        solver.AddClause(Lit.Neg(c.Var), Lit.Neg(o.Var));
                    }
                    else if (!first)
                    {
                        _lits.Add(Lit.Pos(o.Var));
                    }
                }

                if (!first)
                {
                    solver.AddAtMostOne(_lits.ToArray());
                }
            }

            _p.Encode(solver, c, _lits);
        }
    }

    /// <summary>The clauses of candidate <paramref name="c"/>: each dependency needs one of its matches, each constrain
    /// excludes the other name's candidates that do not match it.</summary>
    private void Encode(SatSolver solver, Candidate c, List<Lit> lits)
    {
        foreach (var req in c.Depends)
        {
            lits.Clear();
            lits.Add(Lit.Neg(c.Var));
            foreach (var m in req.Matches)
            {
                lits.Add(Lit.Pos(m.Var));
            }

            int tag = Tag(new TagInfo(TagKind.Depends, null, c, req, null, req.Spec));
            solver.AddClause(lits.ToArray(), tag);
            AddImpliedExclusions(solver, c, req, tag);
        }

        foreach (var req in c.Constrains)
        {
            if (req.Name is null)
            {
                continue;
            }

            foreach (var other in req.Name.Candidates)
            {
                if (!req.Spec.Matches(other.Record))
                {
                    solver.AddClause(Lit.Neg(c.Var), Lit.Neg(other.Var), Tag(new TagInfo(TagKind.Constrains, null, c, req, other, req.Spec)));
                }
            }
        }
    }

    /// <summary>At most this many excluded candidates get their own binary clause (see <see cref="AddImpliedExclusions"/>).</summary>
    private const int MaxImpliedExclusions = 8;

    /// <summary>
    /// A dependency that matches all candidates of a name but a few (<c>peer !=5</c>, <c>b !=1.2</c>) implies, with the
    /// name's at-most-one constraint, that the candidate excludes each of those few: <c>¬c ∨ ¬s</c>. The clauses are
    /// redundant but binary, so they propagate at once where the long clause waits for every other candidate to be
    /// false: puzzle-like channels (mamba's sudoku) need far fewer conflicts. They carry the dependency's tag, so
    /// explanations still name the dependency.
    /// </summary>
    private static void AddImpliedExclusions(SatSolver solver, Candidate c, Requirement req, int tag)
    {
        if (req.Name is not { } entry || entry.Candidates.Count < 2)
        {
            return; // no at-most-one constraint over the name
        }

        int excluded = entry.Candidates.Count - req.Matches.Length;
        if (excluded <= 0 || excluded > MaxImpliedExclusions || req.Matches.Length == 0)
        {
            return;
        }

        foreach (var s in entry.Candidates)
        {
            if (s != c && Array.IndexOf(req.Matches, s) < 0)
            {
                solver.AddClause(Lit.Neg(c.Var), Lit.Neg(s.Var), tag);
            }
        }
    }
}
