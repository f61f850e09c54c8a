using System.Text;
using System.Text.RegularExpressions;

namespace EnvTools.Conda;

/// <content>The bracket section of a MatchSpec: <c>[key=value, key="quoted", key=[a, b]]</c>.</content>
internal static partial class MatchSpecParser
{
    /// <summary>Index of the bracket that closes the one at <paramref name="open"/>, honouring quotes and nesting; -1 if none.</summary>
    private static int FindClosingBracket(string s, int open)
    {
        int depth = 0;
        char quote = '\0';
        for (int i = open; i < s.Length; i++)
        {
            char c = s[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }

            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    break;
                case '[':
                    depth++;
                    break;
                case ']':
                    depth--;
                    if (depth == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        return -1;
    }

    private static void ParseBrackets(string input, string spec, int start, int end, Dictionary<string, string> brackets, ParsedMatchSpec result)
    {
        var bare = new List<string>();
        int i = start;
        while (true)
        {
            while (i < end && (spec[i] == ',' || char.IsWhiteSpace(spec[i])))
            {
                i++;
            }

            if (i >= end)
            {
                break;
            }

            int keyStart = i;
            while (i < end && (char.IsAsciiLetterOrDigit(spec[i]) || spec[i] is '_' or '-'))
            {
                i++;
            }

            string key = spec[keyStart..i];
            if (key.Length == 0)
            {
                throw new InvalidSpecException(input, $"unexpected character '{spec[i]}' in brackets", i);
            }

            string? value;
            bool isList = false;
            if (i < end && spec[i] == '=' && !(i + 1 < end && spec[i + 1] == '='))
            {
                i++;
                (value, isList, i) = ReadValue(input, spec, i, end);
            }
            else if (i < end && spec[i] is '<' or '>' or '!' or '~' or '=' && key is "version" or "build_number")
            {
                // deprecated 'version<2' form: the operator is part of the value
                (value, isList, i) = ReadValue(input, spec, i, end);
            }
            else if (i >= end || spec[i] == ',' || char.IsWhiteSpace(spec[i]))
            {
                bare.Add(key);
                continue;
            }
            else
            {
                throw new InvalidSpecException(input, $"unexpected character '{spec[i]}' after key '{key}' in brackets", i);
            }

            if (value.Length == 0 && !isList)
            {
                throw new InvalidSpecException(input, $"a key or a value is missing in brackets: '{key}='", keyStart);
            }

            if (Array.IndexOf(FieldNames, key) < 0)
            {
                throw new InvalidSpecException(input, $"Cannot match on field(s): {key}", keyStart);
            }

            if (brackets.ContainsKey(key) || (key == "extras" && result.Extras is not null) || (key == "flags" && result.Flags is not null))
            {
                throw new InvalidSpecException(input, $"key can only be specified once in brackets: '{key}'", keyStart);
            }

            switch (key)
            {
                case "extras":
                    result.Extras = ToList(input, value, isList, keyStart);
                    break;
                case "flags":
                    result.Flags = ToList(input, value, isList, keyStart);
                    break;
                default:
                    if (isList)
                    {
                        throw new InvalidSpecException(input, $"'{key}' does not take a list value", keyStart);
                    }

                    if (key == "version")
                    {
                        value = SanitizeVersion(value, null);
                    }
                    else if (key == "when")
                    {
                        ValidateWhen(input, value, keyStart);
                    }

                    brackets[key] = value;
                    break;
            }
        }

        if (bare.Count > 0)
        {
            if (brackets.Count > 0 || result.Extras is not null || result.Flags is not null)
            {
                throw new InvalidSpecException(input, $"unexpected token '{bare[0]}' in brackets: a key or a value is missing", spec.IndexOf(bare[0], start, StringComparison.Ordinal));
            }

            if (bare.Count == 1 && Array.IndexOf(FieldNames, bare[0]) >= 0)
            {
                throw new InvalidSpecException(input, "No key-value pairs found in square brackets", start);
            }

            throw new InvalidSpecException(input, $"No key-value pairs found in square brackets; did you mean `extras=[{spec[start..end].Trim()}]`?", start);
        }

        if (brackets.Count == 0 && result.Extras is null && result.Flags is null)
        {
            throw new InvalidSpecException(input, "No key-value pairs found in square brackets", start);
        }
    }

    /// <summary>Reads one bracket value from <paramref name="i"/>: quoted, a <c>[list]</c>, or bare up to a separator.</summary>
    private static (string Value, bool IsList, int Next) ReadValue(string input, string spec, int i, int end)
    {
        if (i >= end)
        {
            return (string.Empty, false, i);
        }

        char c = spec[i];
        string value;
        bool isList = false;
        if (c is '\'' or '"')
        {
            // The closing quote is the first one followed by a separator or the end of the section, so a
            // quoted when-spec may itself contain the same quotes: when='(__unix and python[version='>=3'])'
            int close = -1;
            for (int j = i + 1; j < end; j++)
            {
                if (spec[j] == c && (j + 1 == end || spec[j + 1] == ',' || char.IsWhiteSpace(spec[j + 1])))
                {
                    close = j;
                    break;
                }
            }

            if (close < 0)
            {
                throw new InvalidSpecException(input, "unbalanced quotes in brackets", i);
            }

            value = spec[(i + 1)..close];
            i = close + 1;
        }
        else if (c == '[')
        {
            int close = FindClosingBracket(spec, i);
            if (close < 0 || close > end)
            {
                throw new InvalidSpecException(input, "unbalanced brackets in list value", i);
            }

            value = spec[(i + 1)..close];
            isList = true;
            i = close + 1;
        }
        else
        {
            int s = i;
            int depth = 0;
            char quote = '\0';
            for (; i < end; i++)
            {
                char ch = spec[i];
                if (quote != '\0')
                {
                    if (ch == quote)
                    {
                        quote = '\0';
                    }

                    continue;
                }

                if (ch is '\'' or '"')
                {
                    quote = ch;
                }
                else if (ch == '[')
                {
                    depth++;
                }
                else if (ch == ']')
                {
                    depth--;
                }
                else if (depth == 0 && (ch == ',' || char.IsWhiteSpace(ch)))
                {
                    break;
                }
            }

            value = spec[s..i];
        }

        if (i < end && spec[i] != ',' && !char.IsWhiteSpace(spec[i]))
        {
            throw new InvalidSpecException(input, $"unexpected character '{spec[i]}' after a value in brackets", i);
        }

        return (value, isList, i);
    }

    /// <summary>A YAML-flow-like list <c>a, 'b', c</c> (trailing comma allowed), or one scalar.</summary>
    private static List<string> ToList(string input, string value, bool isList, int at)
    {
        if (!isList)
        {
            return new List<string> { value.Trim() };
        }

        var items = new List<string>();
        string[] raw = value.Split(',');
        for (int k = 0; k < raw.Length; k++)
        {
            string item = raw[k].Trim();
            if (item.Length >= 2 && (item[0] is '\'' or '"') && item[^1] == item[0])
            {
                item = item[1..^1];
            }
            else if (item.Length == 0)
            {
                if (k == raw.Length - 1 && k > 0)
                {
                    break; // trailing comma
                }

                throw new InvalidSpecException(input, "empty item in list value", at);
            }

            items.Add(item);
        }

        if (items.Count == 0)
        {
            throw new InvalidSpecException(input, "empty list value", at);
        }

        return items;
    }
}
