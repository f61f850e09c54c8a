using System.Text;
using System.Text.RegularExpressions;

namespace EnvTools.Conda;

/// <summary>How a <see cref="StringMatcher"/> compares a value.</summary>
public enum StringMatcherKind
{
    /// <summary>The value must equal the pattern.</summary>
    Exact,
    /// <summary>The pattern contains <c>*</c> wildcards (any run of characters).</summary>
    Glob,
    /// <summary>The pattern is a regular expression written <c>^...$</c>.</summary>
    Regex,
}

/// <summary>
/// A string condition of a MatchSpec field (build string, name, license …), with conda's rules:
/// a value that starts with <c>^</c> and ends with <c>$</c> is a regular expression, a value that
/// contains <c>*</c> is a glob, anything else must match exactly. Immutable; equality is by pattern
/// text and case sensitivity.
/// </summary>
public sealed class StringMatcher : IEquatable<StringMatcher>
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(2);

    private readonly Regex? _regex;
    private readonly string[]? _globParts;

    private StringMatcher(string pattern, StringMatcherKind kind, bool ignoreCase, Regex? regex, string[]? globParts)
    {
        Pattern = pattern;
        Kind = kind;
        IgnoreCase = ignoreCase;
        _regex = regex;
        _globParts = globParts;
    }

    /// <summary>A matcher that accepts every value (<c>*</c>).</summary>
    public static StringMatcher Any { get; } = Parse("*");

    /// <summary>The pattern as written (lower-cased when <see cref="IgnoreCase"/>).</summary>
    public string Pattern { get; }

    /// <summary>Exact, glob or regex.</summary>
    public StringMatcherKind Kind { get; }

    /// <summary>Whether values are compared without regard to case (conda's license fields and names).</summary>
    public bool IgnoreCase { get; }

    /// <summary>The exact value this matcher requires, or null when it is a glob or regex.</summary>
    public string? ExactValue => Kind == StringMatcherKind.Exact ? Pattern : null;

    /// <summary>True for the pattern <c>*</c>, which accepts everything.</summary>
    public bool IsMatchAll => Pattern == "*";

    /// <summary>Parses a pattern; throws <see cref="InvalidSpecException"/> for an invalid regular expression.</summary>
    /// <param name="pattern">An exact value, a glob with <c>*</c>, or a regex <c>^...$</c>.</param>
    /// <param name="ignoreCase">Compare without regard to case (the pattern is lower-cased).</param>
    public static StringMatcher Parse(string pattern, bool ignoreCase = false)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return ParseCore(pattern, ignoreCase, out SpecError error) ?? throw error.ToException(ignoreCase ? pattern.ToLowerInvariant() : pattern);
    }

    /// <summary>Parses a pattern, returning false (and null) when it is invalid.</summary>
    public static bool TryParse(string? pattern, out StringMatcher? matcher, bool ignoreCase = false)
    {
        matcher = pattern is null ? null : ParseCore(pattern, ignoreCase, out _);
        return matcher is not null;
    }

    /// <summary>
    /// The matcher, or null and why the pattern is invalid (about the pattern as matched: lower-cased when
    /// <paramref name="ignoreCase"/>). .NET compiles a regex only by throwing for a bad one, so that
    /// ArgumentException is caught here and becomes the error.
    /// </summary>
    internal static StringMatcher? ParseCore(string pattern, bool ignoreCase, out SpecError error)
    {
        error = default;
        if (ignoreCase)
        {
            pattern = pattern.ToLowerInvariant();
        }

        if (pattern.Length >= 2 && pattern[0] == '^' && pattern[^1] == '$')
        {
            try
            {
                var regex = new Regex(pattern, RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None), RegexTimeout);
                return new StringMatcher(pattern, StringMatcherKind.Regex, ignoreCase, regex, null);
            }
            catch (ArgumentException e)
            {
                error = new SpecError($"contains an invalid regular expression: {e.Message}", -1, e);
                return null;
            }
        }

        if (pattern.Contains('*'))
        {
            return new StringMatcher(pattern, StringMatcherKind.Glob, ignoreCase, null, pattern.Split('*'));
        }

        return new StringMatcher(pattern, StringMatcherKind.Exact, ignoreCase, null, null);
    }

    /// <summary>Whether <paramref name="value"/> satisfies the pattern. A null value never matches.</summary>
    public bool IsMatch(string? value)
    {
        if (value is null)
        {
            return false;
        }

        if (IgnoreCase)
        {
            value = value.ToLowerInvariant();
        }

        return Kind switch
        {
            StringMatcherKind.Exact => string.Equals(Pattern, value, StringComparison.Ordinal),
            StringMatcherKind.Glob => GlobMatch(_globParts!, value),
            _ => _regex!.IsMatch(value),
        };
    }

    /// <summary>
    /// Intersects two string conditions the way conda's <c>GlobStrMatch.merge</c> does: equal patterns
    /// stay; an exact value that the other pattern accepts wins; of two prefix (or two suffix) globs
    /// the longer one is kept when compatible; any other pair of patterns becomes a regex intersection
    /// <c>^(?=a)(?:b)$</c>. Throws <see cref="InvalidOperationException"/> when the two cannot both hold.
    /// </summary>
    public StringMatcher Merge(StringMatcher other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Pattern == other.Pattern)
        {
            return this;
        }

        StringMatcher self = this;
        if (self.Kind == StringMatcherKind.Exact && other.Kind != StringMatcherKind.Exact)
        {
            (self, other) = (other, self);
        }

        if (!other.Pattern.Contains('*'))
        {
            if (self.Kind != StringMatcherKind.Exact && self.IsMatch(other.Pattern))
            {
                return other;
            }

            throw Incompatible(self, other);
        }

        string a = self.Pattern;
        string b = other.Pattern;
        if (Count(a, '*') == 1 && Count(b, '*') == 1 && ((a[0] == '*' && b[0] == '*') || (a[^1] == '*' && b[^1] == '*')))
        {
            string aStripped = a.Trim('*');
            string bStripped = b.Trim('*');
            if (bStripped.Contains(aStripped, StringComparison.Ordinal))
            {
                return other;
            }

            if (aStripped.Contains(bStripped, StringComparison.Ordinal))
            {
                return self;
            }

            throw Incompatible(self, other);
        }

        string first = ToRegexBody(a);
        string second = ToRegexBody(b);
        return Parse($"^(?={first})(?:{second})$", IgnoreCase);
    }

    /// <inheritdoc />
    public override string ToString() => Pattern;

    /// <inheritdoc />
    public bool Equals(StringMatcher? other) =>
        other is not null && other.IgnoreCase == IgnoreCase && string.Equals(other.Pattern, Pattern, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as StringMatcher);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Pattern), IgnoreCase);

    private static InvalidOperationException Incompatible(StringMatcher a, StringMatcher b) =>
        new($"Incompatible component merge:\n  - '{a.Pattern}'\n  - '{b.Pattern}'");

    private static int Count(string s, char c)
    {
        int n = 0;
        foreach (char ch in s)
        {
            if (ch == c)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>The regex body (without anchors) equivalent to a pattern, as conda writes it.</summary>
    internal static string ToRegexBody(string pattern)
    {
        if (pattern.Length >= 2 && pattern[0] == '^' && pattern[^1] == '$')
        {
            return pattern[1..^1];
        }

        if (!pattern.Contains('*'))
        {
            return pattern;
        }

        var sb = new StringBuilder();
        foreach (string part in pattern.Split('*'))
        {
            sb.Append(PyEscape(part)).Append(".*");
        }

        sb.Length -= 2; // the last part has no '*' after it
        return sb.ToString();
    }

    /// <summary>Escapes like Python 3.7+'s <c>re.escape</c> (only the regex-special characters).</summary>
    private static string PyEscape(string s)
    {
        var sb = new StringBuilder(s.Length * 2);
        foreach (char c in s)
        {
            if ("()[]{}?*+-|^$\\.&~# \t\n\r\v\f".Contains(c))
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>Glob match without regex: parts are the pattern split at <c>*</c>.</summary>
    private static bool GlobMatch(string[] parts, string value)
    {
        ReadOnlySpan<char> rest = value;
        string head = parts[0];
        if (!rest.StartsWith(head, StringComparison.Ordinal))
        {
            return false;
        }

        rest = rest[head.Length..];
        string tail = parts[^1];
        for (int i = 1; i < parts.Length - 1; i++)
        {
            string part = parts[i];
            if (part.Length == 0)
            {
                continue;
            }

            int at = rest.IndexOf(part, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }

            rest = rest[(at + part.Length)..];
        }

        return rest.EndsWith(tail, StringComparison.Ordinal);
    }
}
