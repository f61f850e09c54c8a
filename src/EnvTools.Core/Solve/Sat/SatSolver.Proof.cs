namespace EnvTools.Solve.Sat;

internal sealed partial class SatSolver
{
    // Proof graph (only with TrackCore): node i is an original clause (tag >= NoTag) or a derived fact whose
    // antecedents are _proofAnte[_proofStart[i] .. _proofStart[i + 1]). Nodes outlive deleted clauses.
    private const int Derived = int.MinValue;
    private readonly IntVec _proofTag = new();
    private readonly IntVec _proofStart = new();
    private readonly IntVec _proofAnte = new();

    private int NewOriginalProof(int tag)
    {
        if (_proofStart.Count == 0)
        {
            _proofStart.Add(0);
        }

        _proofTag.Add(tag);
        _proofStart.Add(_proofAnte.Count);
        return _proofTag.Count - 1;
    }

    private int NewDerivedProof(IntVec antecedents)
    {
        if (_proofStart.Count == 0)
        {
            _proofStart.Add(0);
        }

        for (int i = 0; i < antecedents.Count; i++)
        {
            _proofAnte.Add(antecedents[i]);
        }

        _proofTag.Add(Derived);
        _proofStart.Add(_proofAnte.Count);
        return _proofTag.Count - 1;
    }

    /// <summary>Proof nodes of the level-0 assignments made by propagation since the last call.</summary>
    private void ComputeUnitProofs()
    {
        for (; _unitProofHead < _trailSize; _unitProofHead++)
        {
            int v = _trail[_unitProofHead] >> 1;
            int c = _reason[v];
            if (c == NoRef)
            {
                continue; // a unit clause or learnt unit: set when enqueued
            }

            _ante.Clear();
            _ante.Add(_arena[c + ProofOff]);
            int size = _arena[c];
            for (int k = 1; k < size; k++)
            {
                _ante.Add(_unitProof[_arena[c + H + k] >> 1]);
            }

            _unitProof[v] = NewDerivedProof(_ante);
        }
    }

    private void SetLevel0Conflict(int confl)
    {
        _ok = false;
        if (!_trackCore)
        {
            return;
        }

        ComputeUnitProofs();
        _ante.Clear();
        _ante.Add(_arena[confl + ProofOff]);
        int size = _arena[confl];
        for (int k = 0; k < size; k++)
        {
            _ante.Add(_unitProof[_arena[confl + H + k] >> 1]);
        }

        _finalProof = NewDerivedProof(_ante);
    }

    /// <summary>
    /// After <see cref="SatResult.Unsatisfiable"/>: the distinct tags (ascending) of the original clauses used by
    /// the refutation. Those clauses, with <see cref="FailedAssumptions"/>, are unsatisfiable on their own (clauses
    /// added with <see cref="NoTag"/> are used but not reported). Requires <see cref="SatSolverOptions.TrackCore"/>.
    /// </summary>
    public int[] GetCoreTags()
    {
        if (!_trackCore)
        {
            throw new InvalidOperationException("Core tracking is off (SatSolverOptions.TrackCore).");
        }

        if (_finalProof < 0)
        {
            throw new InvalidOperationException("The last solve did not prove unsatisfiability.");
        }

        var visited = new bool[_proofTag.Count];
        var tags = new SortedSet<int>();
        var stack = new IntVec();
        stack.Add(_finalProof);
        visited[_finalProof] = true;
        while (stack.Count > 0)
        {
            int node = stack[--stack.Count];
            int tag = _proofTag[node];
            if (tag != Derived)
            {
                if (tag != NoTag)
                {
                    tags.Add(tag);
                }

                continue;
            }

            for (int i = _proofStart[node]; i < _proofStart[node + 1]; i++)
            {
                int a = _proofAnte[i];
                if (!visited[a])
                {
                    visited[a] = true;
                    stack.Add(a);
                }
            }
        }

        return tags.ToArray();
    }
}
