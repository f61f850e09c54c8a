namespace EnvTools.Solve.Sat;

internal sealed partial class SatSolver
{
    private bool IsLocked(int cr)
    {
        int l0 = _arena[cr + H];
        return _val[l0] > 0 && _reason[l0 >> 1] == cr;
    }

    private void MarkDeleted(int cr)
    {
        if (IsLocked(cr))
        {
            _reason[_arena[cr + H] >> 1] = NoRef;
        }

        _arena[cr + MetaOff] |= DeletedFlag;
        _wasted += H + _arena[cr];
        _clauseLiterals -= _arena[cr];
    }

    private bool IsSatisfied(int cr)
    {
        int size = _arena[cr];
        for (int k = 0; k < size; k++)
        {
            int l = _arena[cr + H + k];
            if (_val[l] > 0 && _level[l >> 1] == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>At level 0: drops clauses satisfied by level-0 assignments.</summary>
    private void Simplify()
    {
        RemoveSatisfied(_learnts);
        RemoveSatisfied(_clauses);
        SweepWatches();
        MaybeCollectGarbage();
        _simpAssigns = _trailSize;
        _simpProps = Propagations + _clauseLiterals;
    }

    private void RemoveSatisfied(IntVec list)
    {
        int j = 0;
        for (int i = 0; i < list.Count; i++)
        {
            int cr = list[i];
            if (IsSatisfied(cr))
            {
                MarkDeleted(cr);
            }
            else
            {
                list[j++] = cr;
            }
        }

        list.Shrink(j);
    }

    /// <summary>
    /// Deletes about half of the learnt clauses that are neither glue (LBD ≤ 2) nor tier 2 (LBD ≤
    /// <see cref="SatSolverOptions.Tier2Lbd"/> and used since the last reduction): highest LBD first, then least active.
    /// </summary>
    private void ReduceDb()
    {
        var candidates = new List<int>(_learnts.Count);
        int tier2 = _opt.Tier2Lbd;
        for (int i = 0; i < _learnts.Count; i++)
        {
            int cr = _learnts[i];
            int meta = _arena[cr + MetaOff];
            int lbd = meta >> LbdShift;
            _arena[cr + MetaOff] = meta & ~UsedFlag;
            if (lbd <= tier2 && (meta & UsedFlag) != 0)
            {
                continue; // tier 2: kept while it keeps taking part in conflicts
            }

            if (lbd > 2 && _arena[cr] > 2 && !IsLocked(cr))
            {
                candidates.Add(cr);
            }
        }

        int[] arena = _arena;
        candidates.Sort((a, b) =>
        {
            int la = arena[a + MetaOff] >> LbdShift, lb = arena[b + MetaOff] >> LbdShift;
            if (la != lb)
            {
                return lb.CompareTo(la);
            }

            return BitConverter.Int32BitsToSingle(arena[a + ActOff]).CompareTo(BitConverter.Int32BitsToSingle(arena[b + ActOff]));
        });

        int remove = candidates.Count / 2;
        for (int i = 0; i < remove; i++)
        {
            MarkDeleted(candidates[i]);
        }

        if (remove == 0)
        {
            return;
        }

        int j = 0;
        for (int i = 0; i < _learnts.Count; i++)
        {
            int cr = _learnts[i];
            if ((_arena[cr + MetaOff] & DeletedFlag) == 0)
            {
                _learnts[j++] = cr;
            }
        }

        _learnts.Shrink(j);
        SweepWatches();
        MaybeCollectGarbage();
    }

    private void SweepWatches()
    {
        SweepWatches(_watches);
        SweepWatches(_binWatches);
    }

    private void SweepWatches(WatchList[] lists)
    {
        int[] arena = _arena;
        for (int lit = 0; lit < 2 * _numVars; lit++)
        {
            ref WatchList wl = ref lists[lit];
            Watcher[] w = wl.Items;
            int j = 0;
            for (int i = 0; i < wl.Count; i++)
            {
                if ((arena[w[i].CRef + MetaOff] & DeletedFlag) == 0)
                {
                    w[j++] = w[i];
                }
            }

            wl.Count = j;
        }
    }

    /// <summary>Compacts the arena when a fifth of it is deleted clauses; watches must already be swept.</summary>
    private void MaybeCollectGarbage()
    {
        if (_wasted * 5 < _arenaTop)
        {
            return;
        }

        int[] from = _arena;
        int[] to = new int[Math.Max(1024, (_arenaTop - _wasted) * 3 / 2)];
        int top = 0;

        int Reloc(int cr)
        {
            if ((from[cr + MetaOff] & RelocatedFlag) != 0)
            {
                return from[cr + ActOff];
            }

            int len = H + from[cr];
            Array.Copy(from, cr, to, top, len);
            from[cr + MetaOff] |= RelocatedFlag;
            from[cr + ActOff] = top;
            int moved = top;
            top += len;
            return moved;
        }

        // Reasons first (locality for analysis), then watches, then the lists.
        for (int i = 0; i < _trailSize; i++)
        {
            int v = _trail[i] >> 1;
            if (_reason[v] != NoRef)
            {
                _reason[v] = Reloc(_reason[v]);
            }
        }

        foreach (var lists in new[] { _binWatches, _watches })
        {
            for (int lit = 0; lit < 2 * _numVars; lit++)
            {
                ref WatchList wl = ref lists[lit];
                for (int i = 0; i < wl.Count; i++)
                {
                    wl.Items[i].Ref = Reloc(wl.Items[i].CRef) | (wl.Items[i].Ref & int.MinValue);
                }
            }
        }

        for (int i = 0; i < _learnts.Count; i++)
        {
            _learnts[i] = Reloc(_learnts[i]);
        }

        for (int i = 0; i < _clauses.Count; i++)
        {
            _clauses[i] = Reloc(_clauses[i]);
        }

        _arena = to;
        _arenaTop = top;
        _wasted = 0;
    }
}
