using System.Globalization;
using System.Text.RegularExpressions;

namespace EnvTools.Conda;

/// <summary>The comparison a <see cref="BuildNumberSpec"/> applies.</summary>
public enum BuildNumberOperator
{
    /// <summary>Any build number (<c>*</c>).</summary>
    Any,
    /// <summary><c>==n</c> or a bare <c>n</c>.</summary>
    Equal,
    /// <summary><c>!=n</c>.</summary>
    NotEqual,
    /// <summary><c>&lt;n</c>.</summary>
    Less,
    /// <summary><c>&lt;=n</c>.</summary>
    LessOrEqual,
    /// <summary><c>&gt;n</c>.</summary>
    Greater,
    /// <summary><c>&gt;=n</c>.</summary>
    GreaterOrEqual,
    /// <summary>A regular expression <c>^...$</c> on the decimal text of the build number.</summary>
    Regex,
}

/// <summary>
/// A condition on a package's build number, as in conda's <c>BuildNumberMatch</c>: <c>5</c>, <c>==5</c>,
/// <c>!=5</c>, <c>&gt;=3</c>, <c>&gt;3</c>, <c>&lt;10</c>, <c>&lt;=10</c>, <c>*</c> or a regex <c>^...$</c>.
/// Immutable; <see cref="ToString"/> gives the text it was parsed from (trimmed), which is also its identity.
/// </summary>
public sealed class BuildNumberSpec : IEquatable<BuildNumberSpec>
{
    private readonly Regex? _regex;

    private BuildNumberSpec(string text, BuildNumberOperator op, long value, Regex? regex)
    {
        Text = text;
        Operator = op;
        Value = value;
        _regex = regex;
    }

    /// <summary>The spec as written (trimmed).</summary>
    public string Text { get; }

    /// <summary>The comparison.</summary>
    public BuildNumberOperator Operator { get; }

    /// <summary>The right-hand build number (0 for <see cref="BuildNumberOperator.Any"/> and regexes).</summary>
    public long Value { get; }

    /// <summary>The exact build number required, or null when the spec is a range, any or a regex.</summary>
    public long? ExactValue => Operator == BuildNumberOperator.Equal ? Value : null;

    /// <summary>Parses a build-number spec; throws <see cref="InvalidSpecException"/> when malformed.</summary>
    public static BuildNumberSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ParseCore(text, out SpecError error) ?? throw error.ToException(text);
    }

    /// <summary>Parses a build-number spec, returning false when it is malformed (without throwing).</summary>
    public static bool TryParse(string? text, out BuildNumberSpec? spec)
    {
        spec = text is null ? null : ParseCore(text, out _);
        return spec is not null;
    }

    /// <summary>The spec, or null and why it is malformed: the one parse behind <see cref="Parse"/> and <see cref="TryParse"/>.</summary>
    internal static BuildNumberSpec? ParseCore(string text, out SpecError error)
    {
        error = default;
        string s = text.Trim();
        if (s.Length == 0)
        {
            error = new SpecError("empty build number spec", 0);
            return null;
        }

        if (s == "*")
        {
            return new BuildNumberSpec(s, BuildNumberOperator.Any, 0, null);
        }

        if (s[0] == '^' || s[^1] == '$')
        {
            if (s[0] != '^' || s[^1] != '$' || s.Length < 2)
            {
                error = new SpecError("a regex build number spec must start with ^ and end with $", 0);
                return null;
            }

            try
            {
                return new BuildNumberSpec(s, BuildNumberOperator.Regex, 0, new Regex(s, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2)));
            }
            catch (ArgumentException e)
            {
                error = new SpecError($"invalid regular expression: {e.Message}", 0, e);
                return null;
            }
        }

        BuildNumberOperator op = BuildNumberOperator.Equal;
        int at = 0;
        if (s.StartsWith("==", StringComparison.Ordinal))
        {
            at = 2;
        }
        else if (s.StartsWith("!=", StringComparison.Ordinal))
        {
            op = BuildNumberOperator.NotEqual;
            at = 2;
        }
        else if (s.StartsWith(">=", StringComparison.Ordinal))
        {
            op = BuildNumberOperator.GreaterOrEqual;
            at = 2;
        }
        else if (s.StartsWith("<=", StringComparison.Ordinal))
        {
            op = BuildNumberOperator.LessOrEqual;
            at = 2;
        }
        else if (s[0] == '>')
        {
            op = BuildNumberOperator.Greater;
            at = 1;
        }
        else if (s[0] == '<')
        {
            op = BuildNumberOperator.Less;
            at = 1;
        }
        else if (s[0] == '=')
        {
            at = 1;
        }
        else if (s[0] == '!' || s[0] == '~')
        {
            error = new SpecError("invalid build number operator", 0);
            return null;
        }

        string number = s[at..].Trim();
        if (number.Length == 0 || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            error = new SpecError($"'{number}' is not a build number", at);
            return null;
        }

        return new BuildNumberSpec(s, op, value, null);
    }

    /// <summary>Whether <paramref name="buildNumber"/> satisfies the condition.</summary>
    public bool Matches(long buildNumber) => Operator switch
    {
        BuildNumberOperator.Any => true,
        BuildNumberOperator.Equal => buildNumber == Value,
        BuildNumberOperator.NotEqual => buildNumber != Value,
        BuildNumberOperator.Less => buildNumber < Value,
        BuildNumberOperator.LessOrEqual => buildNumber <= Value,
        BuildNumberOperator.Greater => buildNumber > Value,
        BuildNumberOperator.GreaterOrEqual => buildNumber >= Value,
        _ => _regex!.IsMatch(buildNumber.ToString(CultureInfo.InvariantCulture)),
    };

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <inheritdoc />
    public bool Equals(BuildNumberSpec? other) => other is not null && string.Equals(other.Text, Text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as BuildNumberSpec);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);
}
