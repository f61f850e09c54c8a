using System.Text;
using System.Text.RegularExpressions;

namespace EnvTools.Conda;

/// <summary>
/// Parses conda version spec strings: conda's tokenizer (regex tokens <c>^…$</c>, the operators
/// <c>( ) | ,</c>, everything else), an operator-precedence pass that fuses nested groups of the same
/// operator, and conda's leaf rules (regex, relation, <c>*</c>, glob, trailing <c>*</c>, bare version).
/// </summary>
internal static class VersionSpecParser
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How deep parentheses may nest. Real specs use two or three levels; the bound keeps the tree (and
    /// every recursive walk over it: building, matching, printing) far from the stack's limit.
    /// </summary>
    internal const int MaxNesting = 64;

    private sealed class SpecTreeNode
    {
        public char Op; // '\0' for a leaf, ',' or '|'
        public string Leaf = "";
        public int Offset;
        public List<SpecTreeNode>? Children;
    }

    internal static VersionSpec Parse(string text)
    {
        if (NeedsTree(text))
        {
            SpecTreeNode root = Treeify(text);
            return Build(text, root);
        }

        int start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        return ParseLeaf(text, text.Trim(), start);
    }

    // conda: re.match(r".*[()|,^$]", spec) — '.' does not cross a newline.
    private static bool NeedsTree(string text)
    {
        foreach (char c in text)
        {
            switch (c)
            {
                case '(' or ')' or '|' or ',' or '^' or '$':
                    return true;
                case '\n':
                    return false;
            }
        }

        return false;
    }

    private static bool IsOpChar(char c) => c is '(' or ')' or '|' or ',';

    private static SpecTreeNode Treeify(string input)
    {
        string w = "(" + input + ")";
        var output = new List<SpecTreeNode>();
        var stack = new List<(char Op, int Pos)>();
        int depth = 0;
        int i = 0;
        while (i < w.Length)
        {
            int j = i;
            while (j < w.Length && char.IsWhiteSpace(w[j]))
            {
                j++;
            }

            if (j < w.Length && w[j] == '^')
            {
                int dollar = w.IndexOf('$', j + 1);
                if (dollar >= 0)
                {
                    output.Add(new SpecTreeNode { Leaf = w[j..(dollar + 1)], Offset = j - 1 });
                    i = dollar + 1;
                    continue;
                }
            }

            if (j < w.Length && IsOpChar(w[j]))
            {
                char op = w[j];
                int pos = j - 1; // position in the input (w has a leading '(')
                i = j + 1;
                switch (op)
                {
                    case '|':
                        ApplyOps(input, output, stack, "(", pos);
                        stack.Add(('|', pos));
                        break;
                    case ',':
                        ApplyOps(input, output, stack, "|(", pos);
                        stack.Add((',', pos));
                        break;
                    case '(':
                        if (++depth > MaxNesting)
                        {
                            throw new InvalidSpecException(input, $"parentheses nested deeper than {MaxNesting} levels", pos);
                        }

                        stack.Add(('(', pos));
                        break;
                    default:
                        ApplyOps(input, output, stack, "(", pos);
                        if (stack.Count == 0 || stack[^1].Op != '(')
                        {
                            throw new InvalidSpecException(input, "unbalanced ')': expression must start with '('", Math.Min(pos, input.Length));
                        }

                        if (stack[^1].Pos < 0 && pos < input.Length)
                        {
                            // This ')' closes the implicit group around the whole input.
                            throw new InvalidSpecException(input, "unbalanced ')': expression must start with '('", pos);
                        }

                        stack.RemoveAt(stack.Count - 1);
                        depth--;
                        break;
                }

                continue;
            }

            int k = i;
            while (k < w.Length && !IsOpChar(w[k]))
            {
                k++;
            }

            int lead = i;
            while (lead < k && char.IsWhiteSpace(w[lead]))
            {
                lead++;
            }

            output.Add(new SpecTreeNode { Leaf = w[i..k].Trim(), Offset = lead - 1 });
            i = k;
        }

        if (stack.Count > 0)
        {
            throw new InvalidSpecException(input, "unbalanced '(': missing ')'", Math.Max(0, stack[0].Pos));
        }

        if (output.Count == 0)
        {
            throw new InvalidSpecException(input, "unable to determine version from spec", 0);
        }

        if (output.Count > 1)
        {
            // conda silently keeps only the first expression here ('1.2(1.3)' -> '1.2'); that hides typos.
            throw new InvalidSpecException(input, "missing ',' or '|' between expressions", output[1].Offset);
        }

        return output[0];
    }

    private static void ApplyOps(string input, List<SpecTreeNode> output, List<(char Op, int Pos)> stack, string stop, int pos)
    {
        while (stack.Count > 0 && !stop.Contains(stack[^1].Op))
        {
            (char c, int opPos) = stack[^1];
            if (output.Count < 2)
            {
                throw new InvalidSpecException(input, $"cannot join single expression: '{c}' needs an expression on both sides", Math.Clamp(opPos, 0, input.Length));
            }

            stack.RemoveAt(stack.Count - 1);
            SpecTreeNode right = output[^1];
            SpecTreeNode left = output[^2];
            output.RemoveRange(output.Count - 2, 2);
            // Fuse into the left group in place (it has left the output stack, nothing else holds it):
            // copying its children at every operator made 'a|b|c|…' quadratic.
            List<SpecTreeNode> children = left.Op == c ? left.Children! : [left];
            if (right.Op == c)
            {
                // only a parenthesised group, copied once per nesting level (bounded by MaxNesting)
                children.AddRange(right.Children!);
            }
            else
            {
                children.Add(right);
            }

            output.Add(left.Op == c ? left : new SpecTreeNode { Op = c, Children = children, Offset = left.Offset });
        }
    }

    private static VersionSpec Build(string input, SpecTreeNode node)
    {
        if (node.Op == '\0')
        {
            return ParseLeaf(input, node.Leaf, node.Offset);
        }

        var children = new VersionSpec[node.Children!.Count];
        for (int i = 0; i < children.Length; i++)
        {
            children[i] = Build(input, node.Children[i]);
        }

        return VersionSpec.Group(node.Op == ',' ? VersionSpecKind.And : VersionSpecKind.Or, children);
    }

    /// <summary>One leaf (already stripped) at <paramref name="offset"/> in <paramref name="input"/>.</summary>
    private static VersionSpec ParseLeaf(string input, string leaf, int offset)
    {
        if (leaf.Length == 0)
        {
            throw new InvalidSpecException(input, "empty version spec", Math.Max(0, offset));
        }

        if (leaf[0] == '^' || leaf[^1] == '$')
        {
            if (leaf[0] != '^' || leaf[^1] != '$' || leaf.Length < 2)
            {
                throw new InvalidSpecException(input, "regex specs must start with '^' and end with '$'", offset);
            }

            return VersionSpec.CreateRegex(leaf, CompileRegex(input, leaf, offset));
        }

        if (leaf[0] is '=' or '<' or '>' or '!' or '~')
        {
            return ParseRelation(input, leaf, offset);
        }

        if (leaf == "*")
        {
            return VersionSpec.Any;
        }

        if (leaf.TrimEnd('*').Contains('*'))
        {
            return ParseGlob(input, leaf, offset);
        }

        if (leaf[^1] == '*')
        {
            // '1.7*', '1.7.*' and '1.7**' all mean "starts with 1.7" (conda kept '1.7*' as the operand of
            // '1.7**', a version no package has, and its text '1.7*.*' then read back as a glob).
            string vo = leaf.TrimEnd('*').TrimEnd('.');
            string text = vo + ".*";
            return VersionSpec.CreateStartsWith(text, ParseOperand(input, vo, offset));
        }

        if (!leaf.Contains('@'))
        {
            return VersionSpec.CreateBareExact(leaf, ParseOperand(input, leaf, offset));
        }

        return VersionSpec.CreateExactString(leaf);
    }

    // conda: ^(=|==|!=|<=|>=|<|>|~=)(?![=<>!~])(\S+)$, alternatives tried in this order.
    private static readonly (string Text, VersionOperator Op)[] Operators =
    [
        ("=", VersionOperator.StartsWith),
        ("==", VersionOperator.Equal),
        ("!=", VersionOperator.NotEqual),
        ("<=", VersionOperator.LessOrEqual),
        (">=", VersionOperator.GreaterOrEqual),
        ("<", VersionOperator.Less),
        (">", VersionOperator.Greater),
        ("~=", VersionOperator.Compatible),
    ];

    private static VersionSpec ParseRelation(string input, string leaf, int offset)
    {
        bool restOk = true;
        for (int i = 0; i < leaf.Length; i++)
        {
            if (char.IsWhiteSpace(leaf[i]))
            {
                restOk = false;
                break;
            }
        }

        foreach ((string opText, VersionOperator candidate) in Operators)
        {
            if (!restOk || leaf.Length <= opText.Length || !leaf.StartsWith(opText, StringComparison.Ordinal)
                || leaf[opText.Length] is '=' or '<' or '>' or '!' or '~')
            {
                continue;
            }

            VersionOperator op = candidate;
            string vo = leaf[opText.Length..];
            if (vo.EndsWith(".*", StringComparison.Ordinal))
            {
                switch (op)
                {
                    case VersionOperator.NotEqual:
                        op = VersionOperator.NotStartsWith;
                        break;
                    case VersionOperator.Compatible:
                        throw new InvalidSpecException(input, "invalid operator with '.*': '~=' cannot take a wildcard", offset);
                    default:
                        // '=' and '>=' drop it silently; conda warns for '==', '<', '<=', '>' and drops it too.
                        break;
                }

                vo = vo[..^2];
            }

            Version operand = ParseOperand(input, vo, offset + opText.Length);
            Version? prefix = null;
            if (op == VersionOperator.Compatible)
            {
                // conda computes this at match time (and fails there); failing at parse time is kinder.
                prefix = operand.CompatiblePrefix()
                    ?? throw new InvalidSpecException(input, "'~=' needs a version with at least two components, e.g. '~=1.2'", offset);
            }

            return VersionSpec.CreateOperator(leaf, op, operand, prefix);
        }

        throw new InvalidSpecException(input, $"invalid operator in '{leaf}' (expected ==, !=, <, <=, >, >=, ~= or = directly followed by a version)", offset);
    }

    private static Version ParseOperand(string input, string text, int offset)
    {
        if (!Version.TryParseCore(text, out Version? v, out string? reason, out int pos))
        {
            throw new InvalidSpecException(input, $"invalid version '{text}': {reason}", Math.Max(0, offset + Math.Max(0, pos)));
        }

        return v;
    }

    private static VersionSpec ParseGlob(string input, string leaf, int offset)
    {
        bool simple = true;
        foreach (char c in leaf)
        {
            if (c is '\\' or '?' or '[' or ']' or '{' or '}' or '^' or '$' or '|' or '(' or ')' || char.IsWhiteSpace(c))
            {
                simple = false;
                break;
            }
        }

        if (simple)
        {
            return VersionSpec.CreateGlob(leaf, leaf.Split('*'), null);
        }

        // conda escapes only '.' and '+'; everything else keeps its regex meaning.
        var rx = new StringBuilder("^(?:");
        foreach (char c in leaf)
        {
            rx.Append(c switch
            {
                '.' => "\\.",
                '+' => "\\+",
                '*' => ".*",
                _ => c.ToString(),
            });
        }

        rx.Append(")$");
        return VersionSpec.CreateGlob(leaf, null, CompileRegex(input, rx.ToString(), offset));
    }

    private static Regex CompileRegex(string input, string pattern, int offset)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidSpecException(input, $"invalid regular expression: {ex.Message}", Math.Max(0, offset), ex);
        }
    }
}
