using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace EnvTools.Conda;

/// <summary>The shape of a <see cref="VersionSpec"/> node.</summary>
public enum VersionSpecKind
{
    /// <summary><c>*</c>: every version.</summary>
    Any,
    /// <summary>All of <see cref="VersionSpec.Children"/> (<c>,</c>).</summary>
    And,
    /// <summary>Any of <see cref="VersionSpec.Children"/> (<c>|</c>).</summary>
    Or,
    /// <summary>A relation to <see cref="VersionSpec.Operand"/>: <c>==1.2</c>, <c>1.2</c>, <c>&gt;=1.2</c>, <c>=1.2</c>, <c>1.2.*</c>, <c>!=1.2.*</c>, <c>~=1.2</c> ….</summary>
    Operator,
    /// <summary>A regular expression <c>^…$</c> matched against the version text.</summary>
    Regex,
    /// <summary>A glob with a <c>*</c> before its end (<c>1.*.1</c>), matched against the version text.</summary>
    Glob,
    /// <summary>A version text with '@' that conda compares as a plain string.</summary>
    ExactString,
}

/// <summary>The relation of a <see cref="VersionSpecKind.Operator"/> node.</summary>
public enum VersionOperator
{
    /// <summary><c>==</c> (also a bare version such as <c>1.2</c>).</summary>
    Equal,
    /// <summary><c>!=</c>.</summary>
    NotEqual,
    /// <summary><c>&lt;</c>.</summary>
    Less,
    /// <summary><c>&lt;=</c>.</summary>
    LessOrEqual,
    /// <summary><c>&gt;</c>.</summary>
    Greater,
    /// <summary><c>&gt;=</c>.</summary>
    GreaterOrEqual,
    /// <summary>conda's startswith: <c>=1.2</c>, <c>1.2.*</c>, <c>1.2*</c>.</summary>
    StartsWith,
    /// <summary><c>!=1.2.*</c>.</summary>
    NotStartsWith,
    /// <summary><c>~=1.2</c> (compatible release).</summary>
    Compatible,
}

/// <summary>
/// A conda version constraint (conda's <c>VersionSpec</c>): relations <c>== != &lt; &lt;= &gt; &gt;= ~=</c>,
/// <c>=1.2</c> (starts with), globs (<c>1.2.*</c>, <c>1.2*</c>, <c>1.*.1</c>, <c>*</c>), regular
/// expressions (<c>^…$</c>), bare versions (exact), combined with <c>,</c> (and) which binds tighter
/// than <c>|</c> (or), and parentheses.
/// </summary>
/// <remarks>Immutable and thread-safe. Equality is by canonical form (see <see cref="Equals(VersionSpec?)"/>).</remarks>
public sealed class VersionSpec : IEquatable<VersionSpec>
{
    private static readonly BoundedCache<string, VersionSpec> Cache = new(16384, StringComparer.Ordinal);
    private static readonly VersionSpec[] NoChildren = [];

    private readonly string _text;
    private readonly string _key;
    private readonly VersionSpec[] _children;
    private readonly Regex? _regex;
    private readonly string[]? _glob;
    private readonly Version? _compatiblePrefix;

    private VersionSpec(
        VersionSpecKind kind,
        string text,
        string key,
        VersionSpec[]? children = null,
        VersionOperator op = VersionOperator.Equal,
        Version? operand = null,
        bool isExact = false,
        Regex? regex = null,
        string[]? glob = null,
        Version? compatiblePrefix = null)
    {
        Kind = kind;
        _text = text;
        _key = key;
        _children = children ?? NoChildren;
        Operator = op;
        Operand = operand;
        IsExact = isExact;
        _regex = regex;
        _glob = glob;
        _compatiblePrefix = compatiblePrefix;
    }

    /// <summary>The spec <c>*</c>, which every version matches.</summary>
    public static VersionSpec Any { get; } = new(VersionSpecKind.Any, "*", "*");

    /// <summary>The shape of this node.</summary>
    public VersionSpecKind Kind { get; }

    /// <summary>The operands of an <see cref="VersionSpecKind.And"/> or <see cref="VersionSpecKind.Or"/> node; empty otherwise.</summary>
    public IReadOnlyList<VersionSpec> Children => _children;

    /// <summary>The relation of an <see cref="VersionSpecKind.Operator"/> node.</summary>
    public VersionOperator Operator { get; }

    /// <summary>The version an <see cref="VersionSpecKind.Operator"/> node compares with; null for other kinds.</summary>
    public Version? Operand { get; }

    /// <summary>conda's <c>is_exact</c>: true for <c>==1.2</c> and a bare version such as <c>1.2</c> (no wildcard, no operator).</summary>
    public bool IsExact { get; }

    /// <summary>Unambiguous canonical form (groups inside groups keep their parentheses); the equality key.</summary>
    internal string CanonicalKey => _key;

    /// <summary>Parses a version spec; throws <see cref="InvalidSpecException"/> with the reason and position when it is invalid.</summary>
    /// <param name="text">The spec text, e.g. <c>&gt;=1.2,&lt;2|1.0.*</c>.</param>
    public static VersionSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ParseCore(text, out SpecError error) ?? throw error.ToException(text);
    }

    /// <summary>Parses a version spec without throwing; false (and null) when <paramref name="text"/> is null or invalid.</summary>
    /// <param name="text">The spec text.</param>
    /// <param name="spec">The parsed spec, or null.</param>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out VersionSpec? spec)
    {
        spec = text is null ? null : ParseCore(text, out _);
        return spec is not null;
    }

    /// <summary>The (cached) spec, or null and why it is malformed: the one parse behind <see cref="Parse"/> and <see cref="TryParse"/>.</summary>
    internal static VersionSpec? ParseCore(string text, out SpecError error)
    {
        error = default;
        if (Cache.TryGetValue(text, out VersionSpec? cached))
        {
            return cached;
        }

        VersionSpec? spec = VersionSpecParser.Parse(text, out error);
        if (spec is null)
        {
            return null;
        }

        Cache.Add(text, spec);
        return spec;
    }

    /// <summary>Whether <paramref name="version"/> satisfies this spec (conda's <c>VersionSpec.match</c>).</summary>
    /// <param name="version">The version; regular expressions and globs see its text (<see cref="Version.ToString"/>).</param>
    public bool Matches(Version version)
    {
        ArgumentNullException.ThrowIfNull(version);
        switch (Kind)
        {
            case VersionSpecKind.Any:
                return true;
            case VersionSpecKind.And:
                foreach (VersionSpec c in _children)
                {
                    if (!c.Matches(version))
                    {
                        return false;
                    }
                }

                return true;
            case VersionSpecKind.Or:
                foreach (VersionSpec c in _children)
                {
                    if (c.Matches(version))
                    {
                        return true;
                    }
                }

                return false;
            case VersionSpecKind.Operator:
                return MatchOperator(version);
            case VersionSpecKind.Regex:
                return MatchRegex(version.ToString());
            case VersionSpecKind.Glob:
                return _glob is not null ? GlobMatch(_glob, version.ToString()) : MatchRegex(version.ToString());
            case VersionSpecKind.ExactString:
                return string.Equals(_text, version.ToString(), StringComparison.Ordinal);
            default:
                return false;
        }
    }

    /// <summary>
    /// Whether the version text satisfies this spec; false when it is not a valid version (except for
    /// <c>*</c>, which, as in conda, matches any text). Parsed versions are cached.
    /// </summary>
    /// <param name="version">The version text.</param>
    public bool Matches(string version)
    {
        if (version is null)
        {
            return false;
        }

        if (Kind == VersionSpecKind.Any)
        {
            return true;
        }

        Version? v = Version.ParseCached(version);
        return v is not null && Matches(v);
    }

    /// <summary>conda's canonical text of the spec (<c>str(VersionSpec(x))</c>), e.g. <c>1.7*</c> gives <c>1.7.*</c>.</summary>
    /// <remarks>Like conda, nested groups are written without parentheses (conda's <c>untreeify</c> of
    /// already-stringified children), so this text does not always parse back to the same tree.</remarks>
    public override string ToString() => _text;

    /// <summary>Equality by canonical form (<c>1.7*</c> equals <c>1.7.*</c>; <c>1.7</c> differs from <c>==1.7</c>, as in conda).</summary>
    /// <param name="other">The other spec.</param>
    public bool Equals(VersionSpec? other) => other is not null && string.Equals(_key, other._key, StringComparison.Ordinal);

    /// <summary>Equality with another object (see <see cref="Equals(VersionSpec?)"/>).</summary>
    /// <param name="obj">The other object.</param>
    public override bool Equals(object? obj) => obj is VersionSpec s && Equals(s);

    /// <summary>A hash of the canonical form.</summary>
    public override int GetHashCode() => string.GetHashCode(_key, StringComparison.Ordinal);

    /// <summary>Equality by canonical form.</summary>
    /// <param name="left">A spec.</param>
    /// <param name="right">A spec.</param>
    public static bool operator ==(VersionSpec? left, VersionSpec? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality by canonical form.</summary>
    /// <param name="left">A spec.</param>
    /// <param name="right">A spec.</param>
    public static bool operator !=(VersionSpec? left, VersionSpec? right) => !(left == right);

    internal static VersionSpec Group(VersionSpecKind kind, VersionSpec[] children)
    {
        string sep = kind == VersionSpecKind.And ? "," : "|";
        string text = string.Join(sep, children.Select(c => c._text));
        string key = string.Join(sep, children.Select(c => c._children.Length > 0 ? "(" + c._key + ")" : c._key));
        return new VersionSpec(kind, text, key, children);
    }

    internal static VersionSpec CreateOperator(string text, VersionOperator op, Version operand, Version? compatiblePrefix = null) =>
        new(VersionSpecKind.Operator, text, text, op: op, operand: operand, isExact: op == VersionOperator.Equal, compatiblePrefix: compatiblePrefix);

    internal static VersionSpec CreateBareExact(string text, Version operand) =>
        new(VersionSpecKind.Operator, text, text, op: VersionOperator.Equal, operand: operand, isExact: true);

    internal static VersionSpec CreateStartsWith(string text, Version operand) =>
        new(VersionSpecKind.Operator, text, text, op: VersionOperator.StartsWith, operand: operand);

    internal static VersionSpec CreateRegex(string text, Regex regex) =>
        new(VersionSpecKind.Regex, text, text, regex: regex);

    internal static VersionSpec CreateGlob(string text, string[]? parts, Regex? regex) =>
        new(VersionSpecKind.Glob, text, text, regex: regex, glob: parts);

    internal static VersionSpec CreateExactString(string text) =>
        new(VersionSpecKind.ExactString, text, text, isExact: true);

    private bool MatchOperator(Version v)
    {
        Version o = Operand!;
        return Operator switch
        {
            VersionOperator.Equal => v.Equals(o),
            VersionOperator.NotEqual => !v.Equals(o),
            VersionOperator.Less => v.CompareTo(o) < 0,
            VersionOperator.LessOrEqual => v.CompareTo(o) <= 0,
            VersionOperator.Greater => v.CompareTo(o) > 0,
            VersionOperator.GreaterOrEqual => v.CompareTo(o) >= 0,
            VersionOperator.StartsWith => v.StartsWith(o),
            VersionOperator.NotStartsWith => !v.StartsWith(o),
            VersionOperator.Compatible => v.IsCompatibleWith(o, _compatiblePrefix!),
            _ => false,
        };
    }

    // conda uses Python's re.match: anchored at the start only. The leftmost match .NET finds starts
    // at 0 exactly when a match at 0 exists.
    private bool MatchRegex(string text)
    {
        try
        {
            Match m = _regex!.Match(text);
            return m.Success && m.Index == 0;
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Whole-string match of literal parts separated by '*' (parts[0] is the prefix, parts[^1] the suffix).</summary>
    private static bool GlobMatch(string[] parts, string s)
    {
        string first = parts[0], last = parts[^1];
        if (s.Length < first.Length + last.Length
            || !s.StartsWith(first, StringComparison.Ordinal)
            || !s.EndsWith(last, StringComparison.Ordinal))
        {
            return false;
        }

        int pos = first.Length;
        int limit = s.Length - last.Length;
        for (int i = 1; i < parts.Length - 1; i++)
        {
            string p = parts[i];
            if (p.Length == 0)
            {
                continue;
            }

            int at = s.IndexOf(p, pos, limit - pos, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }

            pos = at + p.Length;
        }

        return true;
    }
}
