namespace EnvTools.Solve.Sat;

internal sealed partial class SatSolver
{
    /// <summary>Unit propagation over the watch lists; returns the conflicting clause or <see cref="NoRef"/>.</summary>
    /// <remarks>Pointer-based: neither the arena nor the value array can move while it runs (no allocation of
    /// clauses or variables happens here), and only other literals' watch arrays grow.</remarks>
    private unsafe int Propagate()
    {
        int confl = NoRef;
        WatchList[] watches = _watches;
        WatchList[] binWatches = _binWatches;
        int[] trail = _trail;
        int[] levels = _level;
        int[] reasons = _reason;
        int level = _levels;
        int qhead = _qhead;
        int trailSize = _trailSize;
        fixed (int* arena = _arena)
        fixed (sbyte* val = _val)
        {
            while (qhead < trailSize)
            {
                int falseLit = trail[qhead++] ^ 1;

                // Binary clauses first: no clause visit, and conflicts are found cheaply.
                ref WatchList bs = ref binWatches[falseLit];
                Watcher[] bw = bs.Items;
                int bn = bs.Count;
                for (int b = 0; b < bn; b++)
                {
                    int other = bw[b].Blocker;
                    sbyte ov = val[other];
                    if (ov > 0)
                    {
                        continue;
                    }

                    int bcr = bw[b].Ref & int.MaxValue;
                    if (ov < 0)
                    {
                        confl = bcr;
                        break;
                    }

                    int* bl = arena + bcr + H;
                    bl[0] = other; // the implied literal first, as analysis expects of a reason
                    bl[1] = falseLit;
                    val[other] = 1;
                    val[other ^ 1] = -1;
                    int bv = other >> 1;
                    levels[bv] = level;
                    reasons[bv] = bcr;
                    trail[trailSize++] = other;
                }

                if (confl != NoRef)
                {
                    qhead = trailSize;
                    break;
                }

                ref WatchList ws = ref watches[falseLit];
                Watcher[] w = ws.Items;
                int n = ws.Count;
                int i = 0, j = 0;
                while (i < n)
                {
                    Watcher cur = w[i++];
                    if (val[cur.Blocker] > 0)
                    {
                        w[j++] = cur;
                        continue;
                    }

                    int cr = cur.Ref;
                    int* lits = arena + cr + H;
                    int first = lits[0];
                    if (first == falseLit)
                    {
                        first = lits[1];
                        lits[0] = first;
                        lits[1] = falseLit;
                    }

                    if (first != cur.Blocker && val[first] > 0)
                    {
                        w[j++] = new Watcher(cr, first);
                        continue;
                    }

                    int size = arena[cr];
                    int* end = lits + size;
                    // A long original clause (a requirement over hundreds of candidates) resumes the search for a new
                    // watch where the last one ended (Gent's circular search; the activity slot, which only learnt
                    // clauses use, holds the position): falsifying its literals one after the other costs linear,
                    // not quadratic, time.
                    bool resume = size > ResumeSearchAbove && (arena[cr + MetaOff] & LearntFlag) == 0;
                    int start = resume ? arena[cr + ActOff] : 2;
                    if (start < 2 || start >= size)
                    {
                        start = 2;
                    }

                    int* k = lits + start;
                    for (; k < end; k++)
                    {
                        if (val[*k] >= 0)
                        {
                            break;
                        }
                    }

                    if (k == end && start > 2)
                    {
                        int* stop = lits + start;
                        for (k = lits + 2; k < stop; k++)
                        {
                            if (val[*k] >= 0)
                            {
                                break;
                            }
                        }

                        if (k == stop)
                        {
                            k = end;
                        }
                    }

                    if (k < end)
                    {
                        if (resume)
                        {
                            arena[cr + ActOff] = (int)(k - lits);
                        }

                        int lk = *k;
                        lits[1] = lk;
                        *k = falseLit;
                        ref WatchList other = ref watches[lk];
                        if (other.Count == other.Items.Length)
                        {
                            Array.Resize(ref other.Items, Math.Max(4, other.Count * 2));
                        }

                        other.Items[other.Count++] = new Watcher(cr, first);
                        continue;
                    }

                    w[j++] = new Watcher(cr, first);
                    if (val[first] < 0)
                    {
                        confl = cr;
                        qhead = trailSize;
                        while (i < n)
                        {
                            w[j++] = w[i++];
                        }
                    }
                    else
                    {
                        val[first] = 1;
                        val[first ^ 1] = -1;
                        int v = first >> 1;
                        levels[v] = level;
                        reasons[v] = cr;
                        trail[trailSize++] = first;
                    }
                }

                ws.Count = j;
            }
        }

        Propagations += trailSize - _qhead;
        _qhead = qhead;
        _trailSize = trailSize;
        return confl;
    }

    private void HandleConflict(int confl)
    {
        Analyze(confl, out int btLevel, out int lbd, out int proof);
        CancelUntil(btLevel);
        if (_learnt.Count == 1)
        {
            Enqueue(_learnt[0], NoRef);
            _unitProof[_learnt[0] >> 1] = proof;
        }
        else
        {
            int cr = AllocClause(_learnt.AsSpan(), true, proof);
            _arena[cr + MetaOff] = LearntFlag | (lbd << LbdShift);
            _learnts.Add(cr);
            AttachWatches(cr);
            BumpClause(cr);
            Enqueue(_learnt[0], cr);
        }

        _varInc /= _opt.VarDecay;
        _claInc /= _opt.ClauseDecay;

        // LBD statistics for glucose restarts.
        _lbdSum += lbd;
        if (_lbdQueueCount == _lbdQueue.Length)
        {
            _lbdQueueSum -= _lbdQueue[_lbdQueuePos];
        }
        else
        {
            _lbdQueueCount++;
        }

        _lbdQueue[_lbdQueuePos] = lbd;
        _lbdQueueSum += lbd;
        _lbdQueuePos = (_lbdQueuePos + 1) % _lbdQueue.Length;
    }

    private bool ShouldRestart()
    {
        switch (_opt.Restarts)
        {
            case RestartPolicy.Glucose:
                return _lbdQueueCount == _lbdQueue.Length
                    && (double)_lbdQueueSum / _lbdQueueCount * 0.8 > (double)_lbdSum / Math.Max(1, Conflicts);
            case RestartPolicy.Luby:
                return Conflicts - _conflictsAtRestart >= (long)(Luby(_restarts) * _opt.LubyUnit);
            default:
                return false;
        }
    }

    /// <summary>The Luby sequence 1 1 2 1 1 2 4 1 1 2 1 1 2 4 8 …, zero-based.</summary>
    internal static double Luby(int x)
    {
        int size = 1, seq = 0;
        while (size < x + 1)
        {
            seq++;
            size = (2 * size) + 1;
        }

        while (size - 1 != x)
        {
            size = (size - 1) >> 1;
            seq--;
            x %= size;
        }

        return Math.Pow(2, seq);
    }

    private void BumpVar(int v, double inc)
    {
        if ((_activity[v] += inc) > 1e100)
        {
            for (int i = 0; i < _numVars; i++)
            {
                _activity[i] *= 1e-100;
            }

            _varInc *= 1e-100;
        }

        _heap.Increased(v);
    }

    private void BumpClause(int cr)
    {
        float act = BitConverter.Int32BitsToSingle(_arena[cr + ActOff]) + (float)_claInc;
        _arena[cr + ActOff] = BitConverter.SingleToInt32Bits(act);
        if (act > 1e20f)
        {
            for (int i = 0; i < _learnts.Count; i++)
            {
                int c = _learnts[i];
                _arena[c + ActOff] = BitConverter.SingleToInt32Bits(BitConverter.Int32BitsToSingle(_arena[c + ActOff]) * 1e-20f);
            }

            _claInc *= 1e-20;
        }
    }

    private int ComputeLbd(ReadOnlySpan<int> lits)
    {
        int stamp = ++_levelStampCounter;
        int lbd = 0;
        foreach (int l in lits)
        {
            int lv = _level[l >> 1];
            if (_levelStamp[lv] != stamp)
            {
                _levelStamp[lv] = stamp;
                lbd++;
            }
        }

        return lbd;
    }

    /// <summary>1UIP conflict analysis with recursive minimisation; leaves the learnt clause in <see cref="_learnt"/>.</summary>
    private void Analyze(int confl, out int btLevel, out int lbd, out int proof)
    {
        int[] arena = _arena;
        _learnt.Clear();
        _learnt.Add(-1);
        if (_trackCore)
        {
            _ante.Clear();
            _stampCounter++;
        }

        int pathC = 0;
        int p = -1;
        int index = _trailSize - 1;
        do
        {
            int size = arena[confl];
            int lits = confl + H;
            int meta = arena[confl + MetaOff];
            if ((meta & LearntFlag) != 0)
            {
                BumpClause(confl);
                int old = meta >> LbdShift;
                meta |= UsedFlag;
                if (old > 2)
                {
                    int now = ComputeLbd(arena.AsSpan(lits, size));
                    if (now + 1 < old)
                    {
                        meta = (meta & ((1 << LbdShift) - 1)) | (now << LbdShift);
                    }
                }

                arena[confl + MetaOff] = meta;
            }

            if (_trackCore)
            {
                _ante.Add(arena[confl + ProofOff]);
            }

            for (int k = p == -1 ? 0 : 1; k < size; k++)
            {
                int q = arena[lits + k];
                int v = q >> 1;
                if (_seen[v] == 0)
                {
                    int lv = _level[v];
                    if (lv > 0)
                    {
                        BumpVar(v, _varInc);
                        _seen[v] = 1;
                        if (lv >= _levels)
                        {
                            pathC++;
                        }
                        else
                        {
                            _learnt.Add(q);
                        }
                    }
                    else if (_trackCore)
                    {
                        AddUnitAnte(v);
                    }
                }
            }

            while (_seen[_trail[index--] >> 1] == 0)
            {
            }

            p = _trail[index + 1];
            confl = _reason[p >> 1];
            _seen[p >> 1] = 0;
            pathC--;
        }
        while (pathC > 0);

        _learnt[0] = p ^ 1;

        // Recursive minimisation (minisat's ccmin_mode 2).
        _toClear.Clear();
        for (int i = 0; i < _learnt.Count; i++)
        {
            _toClear.Add(_learnt[i]);
        }

        uint abstractLevels = 0;
        for (int i = 1; i < _learnt.Count; i++)
        {
            abstractLevels |= AbstractLevel(_learnt[i] >> 1);
        }

        _removed.Clear();
        int j = 1;
        for (int i = 1; i < _learnt.Count; i++)
        {
            int l = _learnt[i];
            if (_reason[l >> 1] == NoRef || !LitRedundant(l, abstractLevels))
            {
                _learnt[j++] = l;
            }
            else if (_trackCore)
            {
                _removed.Add(l);
            }
        }

        _learnt.Shrink(j);

        if (_trackCore && _removed.Count > 0)
        {
            AddMinimisationAntecedents();
        }

        if (_opt.BinaryMinimisation && _learnt.Count > 2 && ComputeLbd(_learnt.AsSpan()) <= 6)
        {
            BinaryMinimise();
        }

        for (int i = 0; i < _toClear.Count; i++)
        {
            _seen[_toClear[i] >> 1] = 0;
        }

        // Backjump level: the highest level below the conflict level, moved to position 1.
        if (_learnt.Count == 1)
        {
            btLevel = 0;
        }
        else
        {
            int maxI = 1;
            for (int i = 2; i < _learnt.Count; i++)
            {
                if (_level[_learnt[i] >> 1] > _level[_learnt[maxI] >> 1])
                {
                    maxI = i;
                }
            }

            (_learnt[1], _learnt[maxI]) = (_learnt[maxI], _learnt[1]);
            btLevel = _level[_learnt[1] >> 1];
        }

        lbd = ComputeLbd(_learnt.AsSpan());
        proof = _trackCore ? NewDerivedProof(_ante) : -1;
    }

    /// <summary>
    /// Glucose's binary-resolution minimisation: a literal <c>¬i</c> of the learnt clause goes when a binary clause
    /// <c>(uip ∨ i)</c> exists (<c>i</c> is true now), since resolving on it leaves the rest of the clause.
    /// </summary>
    private void BinaryMinimise()
    {
        int mark = ++_stampCounter;
        for (int i = 1; i < _learnt.Count; i++)
        {
            _stamp[_learnt[i] >> 1] = mark;
        }

        int drop = ++_stampCounter;
        int removed = 0;
        ref WatchList wl = ref _binWatches[_learnt[0]];
        for (int k = 0; k < wl.Count; k++)
        {
            Watcher w = wl.Items[k];
            if (!w.IsBinary)
            {
                continue;
            }

            int imp = w.Blocker;
            int v = imp >> 1;
            if (_stamp[v] == mark && _val[imp] > 0)
            {
                _stamp[v] = drop;
                removed++;
                if (_trackCore)
                {
                    _ante.Add(_arena[w.CRef + ProofOff]);
                }
            }
        }

        if (removed == 0)
        {
            return;
        }

        int j = 1;
        for (int i = 1; i < _learnt.Count; i++)
        {
            if (_stamp[_learnt[i] >> 1] != drop)
            {
                _learnt[j++] = _learnt[i];
            }
        }

        _learnt.Shrink(j);
    }

    private uint AbstractLevel(int v) => 1u << (_level[v] & 31);

    private bool LitRedundant(int p, uint abstractLevels)
    {
        int[] arena = _arena;
        _stack.Clear();
        _stack.Add(p);
        int top = _toClear.Count;
        while (_stack.Count > 0)
        {
            int q = _stack[--_stack.Count];
            int c = _reason[q >> 1];
            int size = arena[c];
            for (int k = 1; k < size; k++)
            {
                int l = arena[c + H + k];
                int v = l >> 1;
                if (_seen[v] == 0 && _level[v] > 0)
                {
                    if (_reason[v] != NoRef && (AbstractLevel(v) & abstractLevels) != 0)
                    {
                        _seen[v] = 1;
                        _stack.Add(l);
                        _toClear.Add(l);
                    }
                    else
                    {
                        for (int i = top; i < _toClear.Count; i++)
                        {
                            _seen[_toClear[i] >> 1] = 0;
                        }

                        _toClear.Shrink(top);
                        return false;
                    }
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Proof tracking: the reasons that justified removing literals in minimisation, walked back to the
    /// literals kept in the learnt clause or to level 0.
    /// </summary>
    private void AddMinimisationAntecedents()
    {
        int inClause = ++_stampCounter;
        for (int i = 0; i < _learnt.Count; i++)
        {
            _stamp[_learnt[i] >> 1] = inClause;
        }

        int visited = ++_stampCounter;
        _stack.Clear();
        for (int i = 0; i < _removed.Count; i++)
        {
            int v = _removed[i] >> 1;
            if (_stamp[v] != visited)
            {
                _stamp[v] = visited;
                _stack.Add(v);
            }
        }

        while (_stack.Count > 0)
        {
            int u = _stack[--_stack.Count];
            int c = _reason[u];
            _ante.Add(_arena[c + ProofOff]);
            int size = _arena[c];
            for (int k = 1; k < size; k++)
            {
                int w = _arena[c + H + k] >> 1;
                if (_level[w] == 0)
                {
                    AddUnitAnte(w);
                }
                else if (_stamp[w] != inClause && _stamp[w] != visited)
                {
                    _stamp[w] = visited;
                    _stack.Add(w);
                }
            }
        }
    }

    /// <summary>
    /// The assumption <paramref name="p"/> is false: collects the assumptions that imply its negation
    /// into <see cref="FailedAssumptions"/> (and, with core tracking, the clauses used).
    /// </summary>
    private void AnalyzeFinal(int p)
    {
        _failed.Clear();
        _failed.Add(new Lit(p));
        if (_trackCore)
        {
            _ante.Clear();
            _stampCounter++;
        }

        int pv = p >> 1;
        if (_level[pv] == 0)
        {
            if (_trackCore)
            {
                AddUnitAnte(pv);
                _finalProof = NewDerivedProof(_ante);
            }

            return;
        }

        _seen[pv] = 1;
        for (int i = _trailSize - 1; i >= _trailLim[0]; i--)
        {
            int lit = _trail[i];
            int v = lit >> 1;
            if (_seen[v] == 0)
            {
                continue;
            }

            int c = _reason[v];
            if (c == NoRef)
            {
                _failed.Add(new Lit(lit)); // a decision below the current level is an assumption
            }
            else
            {
                if (_trackCore)
                {
                    _ante.Add(_arena[c + ProofOff]);
                }

                int size = _arena[c];
                for (int k = 1; k < size; k++)
                {
                    int w = _arena[c + H + k] >> 1;
                    if (_level[w] > 0)
                    {
                        _seen[w] = 1;
                    }
                    else if (_trackCore)
                    {
                        AddUnitAnte(w);
                    }
                }
            }

            _seen[v] = 0;
        }

        _seen[pv] = 0;
        if (_trackCore)
        {
            _finalProof = NewDerivedProof(_ante);
        }
    }

    private void AddUnitAnte(int v)
    {
        if (_unitStamp[v] != _stampCounter)
        {
            _unitStamp[v] = _stampCounter;
            _ante.Add(_unitProof[v]);
        }
    }
}
