namespace EnvTools.Solve.Sat;

/// <summary>How the solver restarts.</summary>
internal enum RestartPolicy
{
    /// <summary>Glucose-style: restart when the recent learnt-clause LBD average exceeds the global one.</summary>
    Glucose,

    /// <summary>Luby sequence times <see cref="SatSolverOptions.LubyUnit"/> conflicts.</summary>
    Luby,

    /// <summary>Never restart (useful when a client wants a single, provider-driven descent).</summary>
    None,
}

/// <summary>Tuning and feature switches of <see cref="SatSolver"/>; the defaults are minisat/glucose-like.</summary>
internal sealed class SatSolverOptions
{
    /// <summary>
    /// Record, for every learnt clause, the clauses it was derived from, so that after an unsatisfiable
    /// answer <see cref="SatSolver.GetCoreTags"/> can name the original (tagged) clauses of a refutation.
    /// Costs memory proportional to the conflicts; off by default.
    /// </summary>
    public bool TrackCore { get; set; }

    /// <summary>Restart policy.</summary>
    public RestartPolicy Restarts { get; set; } = RestartPolicy.Glucose;

    /// <summary>Conflicts per Luby unit.</summary>
    public int LubyUnit { get; set; } = 100;

    /// <summary>VSIDS activity decay (EVSIDS: the bump grows by 1/decay after each conflict).</summary>
    public double VarDecay { get; set; } = 0.95;

    /// <summary>Learnt clause activity decay.</summary>
    public double ClauseDecay { get; set; } = 0.999;

    /// <summary>Whether a variable is re-decided with the value it last had (phase saving).</summary>
    public bool PhaseSaving { get; set; } = true;

    /// <summary>Conflicts before the first learnt clause database reduction.</summary>
    public int FirstReduce { get; set; } = 2000;

    /// <summary>Growth of the reduction interval after each reduction.</summary>
    public int ReduceIncrement { get; set; } = 300;

    /// <summary>
    /// Learnt clauses with at most this LBD survive a reduction when they took part in a conflict since the
    /// previous one (the "tier 2" of modern solvers); 2 or less turns the tier off (glue clauses are always kept).
    /// The default 6 took 27-34% fewer conflicts than no tier on three single-cell requests of mamba's sudoku
    /// channel (bench/SatBench).
    /// </summary>
    public int Tier2Lbd { get; set; } = 6;

    /// <summary>Glucose's minimisation of short (LBD ≤ 6) learnt clauses with the binary clauses of the asserting literal.</summary>
    public bool BinaryMinimisation { get; set; }

    /// <summary>
    /// <see cref="SatSolver.AddAtMostOne"/> encodes up to this many literals pairwise (all binary clauses, no
    /// auxiliary variables) and larger groups with the sequential ladder.
    /// </summary>
    public int PairwiseAtMostOneLimit { get; set; } = 6;

    /// <summary>Wall-clock limit of one solve call; <see langword="null"/> for none.</summary>
    public TimeSpan? TimeLimit { get; set; }
}
