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

    /// <summary>The entries between <paramref name="start"/> and <paramref name="end"/> into <paramref name="brackets"/> (and the lists into <paramref name="result"/>).</summary>
    private static bool ParseBrackets(string spec, int start, int end, Dictionary<string, string> brackets, ParsedMatchSpec result, out SpecError error)
    {
        error = default;
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
                return Fail($"unexpected character '{spec[i]}' in brackets", i, out error);
            }

            if (!ReadEntryValue(spec, key, ref i, end, out string? value, out bool isList, out error))
            {
                return false;
            }

            if (value is null)
            {
                bare.Add(key);
            }
            else if (!StoreEntry(key, value, isList, keyStart, brackets, result, out error))
            {
                return false;
            }
        }

        return CheckBareKeys(spec, start, end, bare, brackets, result, out error);
    }

    /// <summary>
    /// The value after a key at <paramref name="i"/>: after <c>=</c> (not <c>==</c>), or with its operator in the
    /// deprecated <c>version&lt;2</c> form; null (no error) for a bare key.
    /// </summary>
    private static bool ReadEntryValue(string spec, string key, ref int i, int end, out string? value, out bool isList, out SpecError error)
    {
        value = null;
        isList = false;
        error = default;
        if (i < end && spec[i] == '=' && !(i + 1 < end && spec[i + 1] == '='))
        {
            i++;
            return ReadValue(spec, ref i, end, out value, out isList, out error);
        }

        if (i < end && spec[i] is '<' or '>' or '!' or '~' or '=' && key is "version" or "build_number")
        {
            // deprecated 'version<2' form: the operator is part of the value
            return ReadValue(spec, ref i, end, out value, out isList, out error);
        }

        if (i >= end || spec[i] == ',' || char.IsWhiteSpace(spec[i]))
        {
            return true;
        }

        return Fail($"unexpected character '{spec[i]}' after key '{key}' in brackets", i, out error);
    }

    /// <summary>Checks one <c>key=value</c> entry (known key, given once, value shape) and keeps it.</summary>
    private static bool StoreEntry(string key, string value, bool isList, int keyStart, Dictionary<string, string> brackets, ParsedMatchSpec result, out SpecError error)
    {
        error = default;
        if (value.Length == 0 && !isList)
        {
            return Fail($"a key or a value is missing in brackets: '{key}='", keyStart, out error);
        }

        if (Array.IndexOf(FieldNames, key) < 0)
        {
            return Fail($"Cannot match on field(s): {key}", keyStart, out error);
        }

        if (brackets.ContainsKey(key) || (key == "extras" && result.Extras is not null) || (key == "flags" && result.Flags is not null))
        {
            return Fail($"key can only be specified once in brackets: '{key}'", keyStart, out error);
        }

        switch (key)
        {
            case "extras":
                result.Extras = ToList(value, isList, keyStart, out error);
                return result.Extras is not null;
            case "flags":
                result.Flags = ToList(value, isList, keyStart, out error);
                return result.Flags is not null;
            default:
                if (isList)
                {
                    return Fail($"'{key}' does not take a list value", keyStart, out error);
                }

                if (key == "version")
                {
                    value = SanitizeVersion(value, null);
                }
                else if (key == "when" && !ValidateWhen(value, keyStart, out error))
                {
                    return false;
                }

                brackets[key] = value;
                return true;
        }
    }

    /// <summary>Bare keys (no value) are an error: a missing value beside other entries, or a list meant as <c>extras</c>; so is an empty section.</summary>
    private static bool CheckBareKeys(string spec, int start, int end, List<string> bare, Dictionary<string, string> brackets, ParsedMatchSpec result, out SpecError error)
    {
        error = default;
        bool any = brackets.Count > 0 || result.Extras is not null || result.Flags is not null;
        if (bare.Count > 0)
        {
            if (any)
            {
                return Fail($"unexpected token '{bare[0]}' in brackets: a key or a value is missing", spec.IndexOf(bare[0], start, StringComparison.Ordinal), out error);
            }

            if (bare.Count == 1 && Array.IndexOf(FieldNames, bare[0]) >= 0)
            {
                return Fail("No key-value pairs found in square brackets", start, out error);
            }

            return Fail($"No key-value pairs found in square brackets; did you mean `extras=[{spec[start..end].Trim()}]`?", start, out error);
        }

        return any || Fail("No key-value pairs found in square brackets", start, out error);
    }

    /// <summary>Reads one bracket value from <paramref name="i"/>: quoted, a <c>[list]</c>, or bare up to a separator.</summary>
    private static bool ReadValue(string spec, ref int i, int end, out string value, out bool isList, out SpecError error)
    {
        error = default;
        value = string.Empty;
        isList = false;
        if (i >= end)
        {
            return true;
        }

        char c = spec[i];
        if (c is '\'' or '"')
        {
            if (!ReadQuoted(spec, ref i, end, out value, out error))
            {
                return false;
            }
        }
        else if (c == '[')
        {
            int close = FindClosingBracket(spec, i);
            if (close < 0 || close > end)
            {
                return Fail("unbalanced brackets in list value", i, out error);
            }

            value = spec[(i + 1)..close];
            isList = true;
            i = close + 1;
        }
        else
        {
            value = ReadBare(spec, ref i, end);
        }

        if (i < end && spec[i] != ',' && !char.IsWhiteSpace(spec[i]))
        {
            return Fail($"unexpected character '{spec[i]}' after a value in brackets", i, out error);
        }

        return true;
    }

    /// <summary>
    /// A quoted value at <paramref name="i"/>: the closing quote is the first one followed by a separator or the end of the
    /// section, so a quoted when-spec may itself contain the same quotes: <c>when='(__unix and python[version='>=3'])'</c>.
    /// </summary>
    private static bool ReadQuoted(string spec, ref int i, int end, out string value, out SpecError error)
    {
        error = default;
        value = string.Empty;
        char q = spec[i];
        for (int j = i + 1; j < end; j++)
        {
            if (spec[j] == q && (j + 1 == end || spec[j + 1] == ',' || char.IsWhiteSpace(spec[j + 1])))
            {
                value = spec[(i + 1)..j];
                i = j + 1;
                return true;
            }
        }

        return Fail("unbalanced quotes in brackets", i, out error);
    }

    /// <summary>An unquoted value from <paramref name="i"/> up to a separator outside quotes and brackets.</summary>
    private static string ReadBare(string spec, ref int i, int end)
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

        return spec[s..i];
    }

    /// <summary>A YAML-flow-like list <c>a, 'b', c</c> (trailing comma allowed), or one scalar; null and the error for an empty item.</summary>
    private static List<string>? ToList(string value, bool isList, int at, out SpecError error)
    {
        error = default;
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

                error = new SpecError("empty item in list value", at);
                return null;
            }

            items.Add(item);
        }

        if (items.Count == 0)
        {
            error = new SpecError("empty list value", at);
            return null;
        }

        return items;
    }
}
