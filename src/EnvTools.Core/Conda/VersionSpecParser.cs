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

    /// <summary>The spec, or null and why it is malformed (positions in <paramref name="text"/>); never throws for bad input.</summary>
    internal static VersionSpec? Parse(string text, out SpecError error)
    {
        error = default;
        if (NeedsTree(text))
        {
            SpecTreeNode? root = Treeify(text, out error);
            return root is null ? null : Build(root, out error);
        }

        int start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        return ParseLeaf(text.Trim(), start, out error);
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

    private static SpecTreeNode? Treeify(string input, out SpecError error)
    {
        error = default;
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
                i = j + 1;
                if (!ApplyOperator(input, w[j], j - 1, output, stack, ref depth, out error))
                {
                    return null;
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
            return Fail<SpecTreeNode>("unbalanced '(': missing ')'", Math.Max(0, stack[0].Pos), out error);
        }

        if (output.Count == 0)
        {
            return Fail<SpecTreeNode>("unable to determine version from spec", 0, out error);
        }

        if (output.Count > 1)
        {
            // conda silently keeps only the first expression here ('1.2(1.3)' -> '1.2'); that hides typos.
            return Fail<SpecTreeNode>("missing ',' or '|' between expressions", output[1].Offset, out error);
        }

        return output[0];
    }

    /// <summary>One of <c>( ) | ,</c> at <paramref name="pos"/> in the input (the wrapped text has a leading '(').</summary>
    private static bool ApplyOperator(string input, char op, int pos, List<SpecTreeNode> output, List<(char Op, int Pos)> stack, ref int depth, out SpecError error)
    {
        error = default;
        switch (op)
        {
            case '|':
                if (!ApplyOps(input, output, stack, "(", out error))
                {
                    return false;
                }

                stack.Add(('|', pos));
                return true;
            case ',':
                if (!ApplyOps(input, output, stack, "|(", out error))
                {
                    return false;
                }

                stack.Add((',', pos));
                return true;
            case '(':
                if (++depth > MaxNesting)
                {
                    error = new SpecError($"parentheses nested deeper than {MaxNesting} levels", pos);
                    return false;
                }

                stack.Add(('(', pos));
                return true;
            default:
                if (!ApplyOps(input, output, stack, "(", out error))
                {
                    return false;
                }

                if (stack.Count == 0 || stack[^1].Op != '(')
                {
                    error = new SpecError("unbalanced ')': expression must start with '('", Math.Min(pos, input.Length));
                    return false;
                }

                if (stack[^1].Pos < 0 && pos < input.Length)
                {
                    // This ')' closes the implicit group around the whole input.
                    error = new SpecError("unbalanced ')': expression must start with '('", pos);
                    return false;
                }

                stack.RemoveAt(stack.Count - 1);
                depth--;
                return true;
        }
    }

    private static bool ApplyOps(string input, List<SpecTreeNode> output, List<(char Op, int Pos)> stack, string stop, out SpecError error)
    {
        error = default;
        while (stack.Count > 0 && !stop.Contains(stack[^1].Op))
        {
            (char c, int opPos) = stack[^1];
            if (output.Count < 2)
            {
                error = new SpecError($"cannot join single expression: '{c}' needs an expression on both sides", Math.Clamp(opPos, 0, input.Length));
                return false;
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

        return true;
    }

    private static VersionSpec? Build(SpecTreeNode node, out SpecError error)
    {
        if (node.Op == '\0')
        {
            return ParseLeaf(node.Leaf, node.Offset, out error);
        }

        var children = new VersionSpec[node.Children!.Count];
        for (int i = 0; i < children.Length; i++)
        {
            VersionSpec? child = Build(node.Children[i], out error);
            if (child is null)
            {
                return null;
            }

            children[i] = child;
        }

        error = default;
        return VersionSpec.Group(node.Op == ',' ? VersionSpecKind.And : VersionSpecKind.Or, children);
    }

    /// <summary>One leaf (already stripped) at <paramref name="offset"/> in the spec text.</summary>
    private static VersionSpec? ParseLeaf(string leaf, int offset, out SpecError error)
    {
        error = default;
        if (leaf.Length == 0)
        {
            return Fail<VersionSpec>("empty version spec", Math.Max(0, offset), out error);
        }

        if (leaf[0] == '^' || leaf[^1] == '$')
        {
            if (leaf[0] != '^' || leaf[^1] != '$' || leaf.Length < 2)
            {
                return Fail<VersionSpec>("regex specs must start with '^' and end with '$'", offset, out error);
            }

            Regex? regex = CompileRegex(leaf, offset, out error);
            return regex is null ? null : VersionSpec.CreateRegex(leaf, regex);
        }

        if (leaf[0] is '=' or '<' or '>' or '!' or '~')
        {
            return ParseRelation(leaf, offset, out error);
        }

        if (leaf == "*")
        {
            return VersionSpec.Any;
        }

        if (leaf.TrimEnd('*').Contains('*'))
        {
            return ParseGlob(leaf, offset, out error);
        }

        if (leaf[^1] == '*')
        {
            // '1.7*', '1.7.*' and '1.7**' all mean "starts with 1.7" (conda kept '1.7*' as the operand of
            // '1.7**', a version no package has, and its text '1.7*.*' then read back as a glob).
            string vo = leaf.TrimEnd('*').TrimEnd('.');
            Version? start = ParseOperand(vo, offset, out error);
            return start is null ? null : VersionSpec.CreateStartsWith(vo + ".*", start);
        }

        if (!leaf.Contains('@'))
        {
            Version? exact = ParseOperand(leaf, offset, out error);
            return exact is null ? null : VersionSpec.CreateBareExact(leaf, exact);
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

    private static VersionSpec? ParseRelation(string leaf, int offset, out SpecError error)
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
                        return Fail<VersionSpec>("invalid operator with '.*': '~=' cannot take a wildcard", offset, out error);
                    default:
                        // '=' and '>=' drop it silently; conda warns for '==', '<', '<=', '>' and drops it too.
                        break;
                }

                vo = vo[..^2];
            }

            Version? operand = ParseOperand(vo, offset + opText.Length, out error);
            if (operand is null)
            {
                return null;
            }

            Version? prefix = null;
            if (op == VersionOperator.Compatible)
            {
                // conda computes this at match time (and fails there); failing at parse time is kinder.
                prefix = operand.CompatiblePrefix();
                if (prefix is null)
                {
                    return Fail<VersionSpec>("'~=' needs a version with at least two components, e.g. '~=1.2'", offset, out error);
                }
            }

            return VersionSpec.CreateOperator(leaf, op, operand, prefix);
        }

        return Fail<VersionSpec>($"invalid operator in '{leaf}' (expected ==, !=, <, <=, >, >=, ~= or = directly followed by a version)", offset, out error);
    }

    private static Version? ParseOperand(string text, int offset, out SpecError error)
    {
        error = default;
        if (!Version.TryParseCore(text, out Version? v, out string? reason, out int pos))
        {
            error = new SpecError($"invalid version '{text}': {reason}", Math.Max(0, offset + Math.Max(0, pos)));
            return null;
        }

        return v;
    }

    private static VersionSpec? ParseGlob(string leaf, int offset, out SpecError error)
    {
        error = default;
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
        Regex? regex = CompileRegex(rx.ToString(), offset, out error);
        return regex is null ? null : VersionSpec.CreateGlob(leaf, null, regex);
    }

    /// <summary>The regex, or null and the error: .NET has no non-throwing way to compile a pattern, so its ArgumentException is turned into the spec error here.</summary>
    private static Regex? CompileRegex(string pattern, int offset, out SpecError error)
    {
        error = default;
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException ex)
        {
            error = new SpecError($"invalid regular expression: {ex.Message}", Math.Max(0, offset), ex);
            return null;
        }
    }

    private static T? Fail<T>(string reason, int position, out SpecError error)
        where T : class
    {
        error = new SpecError(reason, position);
        return null;
    }
}
