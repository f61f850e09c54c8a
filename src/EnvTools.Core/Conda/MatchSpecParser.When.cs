using System.Text;

namespace EnvTools.Conda;

/// <content>The <c>when=</c> condition of a bracket section.</content>
internal static partial class MatchSpecParser
{
    /// <summary>
    /// A <c>when=</c> condition: MatchSpecs (without their own <c>when</c>) joined by <c>and</c>/<c>or</c>
    /// with parentheses. Each operand must parse; the text is kept as written.
    /// </summary>
    private static bool ValidateWhen(string when, int at, out SpecError error)
    {
        error = default;
        if (string.IsNullOrWhiteSpace(when))
        {
            return Fail("the 'when' condition is empty", at, out error);
        }

        List<string>? operands = SplitCondition(when, at, out error);
        if (operands is null)
        {
            return false;
        }

        foreach (string operand in operands)
        {
            MatchSpec? inner = MatchSpec.ParseCore(operand, out SpecError innerError);
            if (inner is null)
            {
                error = new SpecError($"invalid 'when' condition '{operand}': {innerError.Reason}", at, innerError.ToException(operand));
                return false;
            }

            if (inner.When is not null)
            {
                return Fail("a 'when' condition cannot itself have a 'when'", at, out error);
            }
        }

        return true;
    }

    /// <summary>The operands of a condition: the text between <c>and</c>, <c>or</c> and parentheses (outside quotes and brackets).</summary>
    private static List<string>? SplitCondition(string when, int at, out SpecError error)
    {
        error = default;
        var operands = new List<string>();
        var current = new StringBuilder();
        int depthBracket = 0;
        int depthParen = 0;
        char quote = '\0';
        int i = 0;
        while (i < when.Length)
        {
            char c = when[i];
            int boundary = 0;
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c is '[' or ']')
            {
                depthBracket += c == '[' ? 1 : -1;
            }
            else if (depthBracket == 0)
            {
                boundary = BoundaryLength(when, i, ref depthParen);
                if (depthParen < 0)
                {
                    error = new SpecError("unbalanced parentheses in 'when' condition", at);
                    return null;
                }
            }

            if (boundary > 0)
            {
                Flush(operands, current);
                i += boundary;
                continue;
            }

            current.Append(c);
            i++;
        }

        if (depthParen != 0 || depthBracket != 0 || quote != '\0')
        {
            error = new SpecError("unbalanced 'when' condition", at);
            return null;
        }

        Flush(operands, current);
        if (operands.Count == 0)
        {
            error = new SpecError("the 'when' condition is empty", at);
            return null;
        }

        return operands;

        static void Flush(List<string> ops, StringBuilder sb)
        {
            string s = sb.ToString().Trim();
            if (s.Length > 0)
            {
                ops.Add(s);
            }

            sb.Clear();
        }
    }

    /// <summary>
    /// How many characters from <paramref name="i"/> (outside quotes and brackets) end an operand: 1 for a parenthesis
    /// (counted in <paramref name="depthParen"/>), the spaces and the word for <c>and</c>/<c>or</c>, else 0.
    /// </summary>
    private static int BoundaryLength(string when, int i, ref int depthParen)
    {
        char c = when[i];
        if (c is '(' or ')')
        {
            depthParen += c == '(' ? 1 : -1;
            return 1;
        }

        if (!char.IsWhiteSpace(c))
        {
            return 0;
        }

        int w = i;
        while (w < when.Length && char.IsWhiteSpace(when[w]))
        {
            w++;
        }

        int len = WordOperatorLength(when, w);
        return len > 0 ? w + len - i : 0;
    }

    /// <summary>Length of <c>and</c>/<c>or</c> at <paramref name="i"/> when it is a whole word followed by space or '('.</summary>
    private static int WordOperatorLength(string s, int i)
    {
        foreach (string op in new[] { "and", "or" })
        {
            int e = i + op.Length;
            if (string.CompareOrdinal(s, i, op, 0, op.Length) == 0 && e < s.Length && (char.IsWhiteSpace(s[e]) || s[e] == '('))
            {
                return op.Length;
            }
        }

        return 0;
    }
}
