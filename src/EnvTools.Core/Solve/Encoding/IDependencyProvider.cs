namespace EnvTools.Solve.Encoding;

/// <summary>
/// What the clause encoder knows of a package ecosystem (the seam resolvo's <c>DependencyProvider</c> and
/// <c>Interner</c> draw): everything is an interned id. Solvables (candidates) are numbered 0 to
/// <see cref="SolvableCount"/> − 1 and each is one SAT variable of the same number; names and requirements are ids the
/// provider hands out. The encoder keeps the arrays it is given for the candidates, matches and dependencies it walks
/// (its hot loops read them without calling back), so an implementation may build them on demand but must not change
/// them afterwards.
/// </summary>
internal interface IDependencyProvider
{
    /// <summary>How many solvables there are (ids 0 to this − 1).</summary>
    int SolvableCount { get; }

    /// <summary>The name id of <paramref name="solvable"/>.</summary>
    int NameOf(int solvable);

    /// <summary>All candidates of <paramref name="name"/>, most preferred first (the sort order the decisions follow).
    /// At most one of them is in a solution.</summary>
    int[] Candidates(int name);

    /// <summary>The name <paramref name="requirement"/> is about, or −1 when its matches span several names (then it
    /// cannot constrain, and implies no exclusions).</summary>
    int RequirementName(int requirement);

    /// <summary>The candidates that satisfy <paramref name="requirement"/>, in the order of their name's candidates.</summary>
    int[] Matches(int requirement);

    /// <summary>The requirements <paramref name="solvable"/> depends on: each needs one of its matches.</summary>
    int[] Dependencies(int solvable);

    /// <summary>The constrains of <paramref name="solvable"/>: the candidates of the requirement's name that do not match
    /// it cannot be installed along.</summary>
    int[] Constrains(int solvable);
}

/// <summary>Display strings of interned ids (for explanations and test messages).</summary>
internal interface IInterner
{
    /// <summary>A solvable as a person reads it (name, version, build).</summary>
    string DisplaySolvable(int solvable);

    /// <summary>A requirement as a person reads it (its spec).</summary>
    string DisplayRequirement(int requirement);
}

/// <summary>A candidate no solution may hold, with the provider's reason id (resolvo's excluded solvables).</summary>
internal readonly record struct Exclusion(int Solvable, int Reason);

/// <summary>Which rule a clause of the encoding stands for.</summary>
internal enum ClauseKind
{
    /// <summary>A root requirement: <see cref="ClauseOrigin.Index"/> is its position in the roots.</summary>
    Root,

    /// <summary>A dependency of <see cref="ClauseOrigin.Solvable"/> on <see cref="ClauseOrigin.Requirement"/>.</summary>
    Depends,

    /// <summary>A constrain of <see cref="ClauseOrigin.Solvable"/> that rules out <see cref="ClauseOrigin.Other"/>.</summary>
    Constrains,

    /// <summary>An exclusion of <see cref="ClauseOrigin.Solvable"/>: <see cref="ClauseOrigin.Index"/> is its reason id
    /// (<see cref="Exclusion.Reason"/>).</summary>
    Excluded,
}

/// <summary>The origin of a tagged clause (the SAT solver's core tags index these), −1 where a field does not apply.</summary>
internal readonly record struct ClauseOrigin(ClauseKind Kind, int Solvable, int Requirement, int Other, int Index);
