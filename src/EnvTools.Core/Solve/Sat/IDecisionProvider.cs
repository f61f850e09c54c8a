namespace EnvTools.Solve.Sat;

/// <summary>
/// Lets a client choose decisions. At each decision point (after the assumptions are placed) the solver asks
/// <see cref="NextDecision"/>; a returned literal is assigned true as a new decision level, <see cref="Lit.Undef"/>
/// lets VSIDS choose (with the saved or preferred phase). This is how a package-manager layer gets a preferred
/// solution: it returns the most preferred unassigned candidate of the first required-but-unsatisfied name.
/// </summary>
internal interface IDecisionProvider
{
    /// <summary>
    /// Returns an unassigned literal to decide, or <see cref="Lit.Undef"/>. May add variables and clauses to
    /// <paramref name="solver"/>; if doing so changed the assignment, the returned literal is ignored and the
    /// solver propagates first, then asks again.
    /// </summary>
    Lit NextDecision(SatSolver solver);
}

/// <summary>
/// Lazy loading hook: called when an observed variable (see <see cref="SatSolver.Observe"/>) has become true
/// and propagation has reached a fixpoint. The callee may add variables and clauses (e.g. the dependency clauses
/// of a package whose candidate was just selected); the solver re-propagates, backjumps or analyses a conflict
/// as those clauses demand.
/// </summary>
internal interface IAssignmentObserver
{
    /// <summary>Notification that <paramref name="variable"/> is now true.</summary>
    void OnAssignedTrue(SatSolver solver, int variable);
}
