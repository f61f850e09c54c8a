namespace EnvTools.Solve.Sat;

/// <summary>
/// A literal: a variable (a dense, zero-based int) with a sign, packed as <c>2 * var + (negative ? 1 : 0)</c>.
/// The packed <see cref="Code"/> is what the solver stores in clauses and indexes its per-literal arrays with.
/// </summary>
internal readonly struct Lit : IEquatable<Lit>
{
    /// <summary>The packed code: <c>2 * Var + (IsNegative ? 1 : 0)</c>; <c>-1</c> for <see cref="Undef"/>.</summary>
    public readonly int Code;

    /// <summary>Wraps a packed code.</summary>
    public Lit(int code) => Code = code;

    /// <summary>"No literal" (e.g. "no decision, let the solver choose").</summary>
    public static Lit Undef => new(-1);

    /// <summary>The positive literal of <paramref name="variable"/>.</summary>
    public static Lit Pos(int variable) => new(variable << 1);

    /// <summary>The negative literal of <paramref name="variable"/>.</summary>
    public static Lit Neg(int variable) => new((variable << 1) | 1);

    /// <summary>The literal of <paramref name="variable"/> that is true when the variable has <paramref name="value"/>.</summary>
    public static Lit Of(int variable, bool value) => new((variable << 1) | (value ? 0 : 1));

    /// <summary>A DIMACS literal (1-based, negative = negated) as a literal over zero-based variables.</summary>
    public static Lit FromDimacs(int dimacs) => dimacs > 0 ? Pos(dimacs - 1) : Neg(-dimacs - 1);

    /// <summary>The variable.</summary>
    public int Var => Code >> 1;

    /// <summary>Whether this is the negated literal of its variable.</summary>
    public bool IsNegative => (Code & 1) != 0;

    /// <summary>Whether this is <see cref="Undef"/>.</summary>
    public bool IsUndef => Code < 0;

    /// <summary>The DIMACS form (1-based, negative = negated).</summary>
    public int ToDimacs() => IsNegative ? -(Var + 1) : Var + 1;

    /// <summary>The negation.</summary>
    public static Lit operator ~(Lit l) => new(l.Code ^ 1);

    /// <summary>Equality by code.</summary>
    public static bool operator ==(Lit a, Lit b) => a.Code == b.Code;

    /// <summary>Inequality by code.</summary>
    public static bool operator !=(Lit a, Lit b) => a.Code != b.Code;

    /// <inheritdoc />
    public bool Equals(Lit other) => Code == other.Code;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Lit l && l.Code == Code;

    /// <inheritdoc />
    public override int GetHashCode() => Code;

    /// <inheritdoc />
    public override string ToString() => IsUndef ? "undef" : ToDimacs().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
