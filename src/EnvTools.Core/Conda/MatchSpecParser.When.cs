using System.Text;
using System.Text.RegularExpressions;

namespace EnvTools.Conda;

/// <content>The <c>when=</c> condition of a bracket section.</content>
internal static partial class MatchSpecParser
{
    /// <summary>
    /// A <c>when=</c> condition: MatchSpecs (without their own <c>when</c>) joined by <c>and</c>/<c>or</c>
    /// with parentheses. Each operand must parse; the text is kept as written.
    /// </summary>
    private static void ValidateWhen(string input, string when, int at)
    {
        if (string.IsNullOrWhiteSpace(when))
        {
            throw new InvalidSpecException(input, "the 'when' condition is empty", at);
        }

        foreach (string operand in SplitCondition(input, when, at))
        {
            MatchSpec inner;
            try
            {
                inner = MatchSpec.Parse(operand);
            }
            catch (InvalidSpecException e)
            {
                throw new InvalidSpecException(input, $"invalid 'when' condition '{operand}': {e.Reason}", at, e);
            }

            if (inner.When is not null)
            {
                throw new InvalidSpecException(input, "a 'when' condition cannot itself have a 'when'", at);
            }
        }
    }

    private static IEnumerable<string> SplitCondition(string input, string when, int at)
    {
        var operands = new List<string>();
        var current = new StringBuilder();
        int depthBracket = 0;
        int depthParen = 0;
        char quote = '\0';
        int i = 0;
        while (i < when.Length)
        {
            char c = when[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }

                current.Append(c);
                i++;
                continue;
            }

            if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '[')
            {
                depthBracket++;
            }
            else if (c == ']')
            {
                depthBracket--;
            }
            else if (depthBracket == 0 && (c == '(' || c == ')'))
            {
                depthParen += c == '(' ? 1 : -1;
                if (depthParen < 0)
                {
                    throw new InvalidSpecException(input, "unbalanced parentheses in 'when' condition", at);
                }

                Flush(operands, current);
                i++;
                continue;
            }
            else if (depthBracket == 0 && char.IsWhiteSpace(c))
            {
                int w = i;
                while (w < when.Length && char.IsWhiteSpace(when[w]))
                {
                    w++;
                }

                int len = WordOperatorLength(when, w);
                if (len > 0)
                {
                    Flush(operands, current);
                    i = w + len;
                    continue;
                }
            }

            current.Append(c);
            i++;
        }

        if (depthParen != 0 || depthBracket != 0 || quote != '\0')
        {
            throw new InvalidSpecException(input, "unbalanced 'when' condition", at);
        }

        Flush(operands, current);
        if (operands.Count == 0)
        {
            throw new InvalidSpecException(input, "the 'when' condition is empty", at);
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
