using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace EnvTools.Conda;

/// <summary>
/// The raw result of parsing a MatchSpec string, before the values become matchers: conda's
/// <c>_parse_spec_str</c> dictionary (field name → string value, after the version clean-up conda does),
/// plus the list-valued fields of the newer syntax (<c>extras</c>, <c>flags</c>).
/// </summary>
internal sealed class ParsedMatchSpec
{
    public Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);

    public List<string>? Extras { get; set; }

    public List<string>? Flags { get; set; }

    /// <summary>Set when the input was a package file or URL (conda skips <c>_original_spec_str</c> then).</summary>
    public bool IsTarball { get; set; }
}

/// <summary>
/// conda's MatchSpec string grammar (<c>conda/models/match_spec.py: _parse_spec_str</c>) with the
/// newer bracket rules (quoted values, <c>[a, b]</c> lists, nested specs in <c>when=</c>, precise errors).
/// </summary>
internal static class MatchSpecParser
{
    private static readonly SearchValues<char> EqualsCommaOr = SearchValues.Create("=,|");

    /// <summary>The keys a bracket section may carry (conda's FIELD_NAMES plus the CEP 'v3' keys).</summary>
    internal static readonly string[] FieldNames =
    {
        "channel", "subdir", "name", "version", "build", "build_number", "track_features", "features",
        "url", "md5", "sha256", "license", "license_family", "fn", "when", "extras", "flags",
    };

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    // Step 6 of _parse_spec_str: the package name ends at the first of these.
    private static readonly char[] NameStop = { ' ', '=', '<', '>', '!', '~' };

    // _parse_version_plus_build
    private static readonly Regex VersionPlusBuild = new(
        @"((?:.+?)[^><!,|]?)(?:(?<![=!|,<>~])(?:[ =])([^-=,|<>~]+?))?$",
        RegexOptions.CultureInvariant,
        Timeout);

    // CEP-26 distributable package names (conda >= 26.x validates MatchSpec names with it).
    private static readonly Regex DistributableName = new(
        @"^(([a-z0-9])|([a-z0-9_](?!_)))[._-]?([a-z0-9]+(\.|-|_|$))*$",
        RegexOptions.CultureInvariant,
        Timeout);

    private static readonly Regex ParensSection = new(
        @"\(\s*(?:target|optional)\b[^()]*\)\s*$",
        RegexOptions.CultureInvariant,
        Timeout);

    public static ParsedMatchSpec Parse(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = new ParsedMatchSpec();
        string spec = input;

        // pre-step for ugly backward compat: "mkl@" is a track_features spec
        if (spec.EndsWith('@'))
        {
            result.Fields["name"] = "*";
            result.Fields["track_features"] = spec[..^1];
            return result;
        }

        // Step 1. strip a '#' comment (outside quotes)
        int hash = IndexOutsideQuotes(spec, '#');
        if (hash >= 0)
        {
            spec = spec[..hash];
        }

        spec = spec.Trim();
        if (spec.Length == 0)
        {
            throw new InvalidSpecException(input, "empty spec", 0);
        }

        // A tab or newline inside a spec would survive into its canonical text and change meaning when read back.
        int control = spec.AsSpan().IndexOfAnyInRange('\0', '\u001f');
        if (control < 0)
        {
            control = spec.IndexOf('\u007f');
        }

        if (control >= 0)
        {
            throw new InvalidSpecException(input, $"control character U+{(int)spec[control]:X4} in spec", input.IndexOf(spec[control]));
        }

        // Step 1b. conda used to drop everything after " if "; it no longer silently does.
        int ifAt = spec.IndexOf(" if ", StringComparison.Ordinal);
        int firstBracket = spec.IndexOf('[');
        if (ifAt >= 0 && (firstBracket < 0 || firstBracket > ifAt))
        {
            throw new InvalidSpecException(input, "the 'if' conditional syntax is not supported; use [when=\"...\"]", ifAt + 1);
        }

        // Step 2. a package file or URL
        if (IsPackageFile(spec))
        {
            ParseTarball(input, spec, result);
            return result;
        }

        // Step 3. the bracket section
        Dictionary<string, string> brackets = new(StringComparer.Ordinal);
        int open = spec.IndexOf('[');
        if (open >= 0 && spec.IndexOf(']', open) >= 0)
        {
            int close = FindClosingBracket(spec, open);
            if (close < 0)
            {
                throw new InvalidSpecException(input, "unbalanced brackets", open);
            }

            string after = spec[(close + 1)..].Trim();
            if (after.Length > 0)
            {
                if (after.Contains('['))
                {
                    throw new InvalidSpecException(input, "only one bracket section is allowed; found a second bracket section", close + 1 + spec[(close + 1)..].IndexOf('['));
                }

                if (!ParensSection.IsMatch(after) || after[0] != '(')
                {
                    throw new InvalidSpecException(input, $"unrecognized sections after the brackets: '{after}'", close + 1);
                }
            }

            ParseBrackets(input, spec, open + 1, close, brackets, result);
            spec = spec[..open];
        }

        // Step 4. a trailing '(target=..., optional)' section is accepted and ignored, as conda does
        if (spec.Contains('('))
        {
            Match parens = ParensSection.Match(spec);
            if (parens.Success)
            {
                spec = spec[..parens.Index];
            }
        }

        // Step 5. 'channel(/subdir)::' and the (unused) namespace
        string? channelText = null;
        string[] parts = RSplit(spec, ':', 2);
        if (parts.Length == 3)
        {
            channelText = parts[0];
            spec = parts[2];
        }
        else if (parts.Length == 2)
        {
            spec = parts[1];
        }

        string? channel = null;
        string? subdir = null;
        if (!string.IsNullOrEmpty(channelText))
        {
            (MatchSpecChannel? ch, subdir) = MatchSpecChannel.ParseWithSubdir(channelText);
            channel = ch?.Value;
        }

        if (brackets.Remove("channel", out string? bracketChannel))
        {
            (MatchSpecChannel? bch, string? bsub) = MatchSpecChannel.ParseWithSubdir(bracketChannel);
            if (bch is not null)
            {
                channel = bch.Value;
            }

            if (bsub is not null)
            {
                subdir = bsub;
            }
        }

        if (brackets.Remove("subdir", out string? bracketSubdir))
        {
            subdir = bracketSubdir;
        }

        // Step 6. the package name
        // conda: ^([^ =<>!~]+)?([><!=~ ].+)? -- a remainder of one character is dropped ("numpy=" is "numpy")
        int nameEnd = spec.IndexOfAny(NameStop);
        if (nameEnd < 0)
        {
            nameEnd = spec.Length;
        }

        string? name = nameEnd == 0 ? null : spec[..nameEnd];
        if (name is null)
        {
            throw new InvalidSpecException(input, $"no package name found in '{spec}'", Math.Max(0, input.IndexOf(spec, StringComparison.Ordinal)));
        }

        ValidateName(input, name);
        string? rest = spec.Length - nameEnd >= 2 ? spec[nameEnd..].Trim() : null;

        // Step 7. version and build
        string? version = null;
        string? build = null;
        if (!string.IsNullOrEmpty(rest))
        {
            if (rest.Contains('['))
            {
                throw new InvalidSpecException(input, "only one bracket section is allowed", input.IndexOf('['));
            }

            (version, build) = SplitVersionAndBuild(rest);
            version = version is null ? null : SanitizeVersion(version, build);
        }

        // Step 8. assemble; brackets override everything but the name
        result.Fields["name"] = name;
        if (channel is not null)
        {
            result.Fields["channel"] = channel;
        }

        if (subdir is not null)
        {
            result.Fields["subdir"] = subdir;
        }

        if (version is not null)
        {
            result.Fields["version"] = version;
        }

        if (build is not null)
        {
            result.Fields["build"] = build;
        }

        brackets.Remove("name");
        foreach (KeyValuePair<string, string> kv in brackets)
        {
            result.Fields[kv.Key] = kv.Value;
        }

        return result;
    }

    /// <summary>
    /// conda's <c>_parse_version_plus_build</c> without the regex: the build is the text after the first
    /// separator (space or <c>=</c>, not preceded by one of <c>=!|,&lt;&gt;~</c>) after which only build
    /// characters (none of <c>-=,|&lt;&gt;~</c>) follow. Equivalent to conda's
    /// <c>((?:.+?)[^&gt;&lt;!,|]?)(?:(?&lt;![=!|,&lt;&gt;~])(?:[ =])([^-=,|&lt;&gt;~]+?))?$</c> (checked by a test
    /// against <see cref="VersionPlusBuildRegex"/>).
    /// </summary>
    internal static (string? Version, string? Build) SplitVersionAndBuild(string text)
    {
        // The build may only contain characters after the last forbidden one.
        int lastForbidden = text.LastIndexOfAny(BuildForbidden);
        string? version = text;
        string? build = null;
        for (int p = Math.Max(1, lastForbidden); p < text.Length - 1; p++)
        {
            char c = text[p];
            if ((c == ' ' || c == '=') && Array.IndexOf(SeparatorForbiddenBefore, text[p - 1]) < 0)
            {
                version = text[..p];
                build = text[(p + 1)..].Trim();
                break;
            }
        }

        return (version.Length == 0 ? version : version.Replace(" ", string.Empty, StringComparison.Ordinal), build);
    }

    private static readonly char[] BuildForbidden = { '-', '=', ',', '|', '<', '>', '~' };
    private static readonly char[] SeparatorForbiddenBefore = { '=', '!', '|', ',', '<', '>', '~' };

    /// <summary>conda's regex for <c>_parse_version_plus_build</c>, kept as the oracle for <see cref="SplitVersionAndBuild"/>.</summary>
    internal static (string? Version, string? Build) VersionPlusBuildRegex(string text)
    {
        Match m = VersionPlusBuild.Match(text);
        string? version = m.Success ? m.Groups[1].Value : text;
        string? build = m.Success && m.Groups[2].Success ? m.Groups[2].Value.Trim() : null;
        return (string.IsNullOrEmpty(version) ? version : version.Replace(" ", string.Empty, StringComparison.Ordinal), build);
    }

    /// <summary>conda's <c>_sanitize_version_str</c>: <c>==1.2</c> → <c>1.2</c>, <c>=1.2</c> → <c>1.2*</c> (without a build).</summary>
    internal static string SanitizeVersion(string version, string? build)
    {
        if (version is "==" or "=")
        {
            return version;
        }

        if (!version.StartsWith('='))
        {
            return version;
        }

        string withoutEquals = version.TrimStart('=');
        if (version.StartsWith("==", StringComparison.Ordinal) && build is null)
        {
            return withoutEquals;
        }

        if (withoutEquals.AsSpan().IndexOfAny(EqualsCommaOr) < 0)
        {
            if (build is null && !withoutEquals.EndsWith('*'))
            {
                return withoutEquals + "*";
            }

            return withoutEquals;
        }

        return version;
    }

    /// <summary>CEP-26 name rules; globs and regexes are not names and are not checked.</summary>
    internal static void ValidateName(string input, string name)
    {
        if (name.Contains('*') || (name.Length >= 2 && name[0] == '^' && name[^1] == '$'))
        {
            return;
        }

        string lower = name.ToLowerInvariant();
        var bad = new List<char>();
        foreach (char c in lower)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-') && !bad.Contains(c))
            {
                bad.Add(c);
            }
        }

        int at = Math.Max(0, input.IndexOf(name, StringComparison.Ordinal));
        if (bad.Count > 0)
        {
            string list = string.Join(", ", bad.Select(c => $"'{c}'"));
            throw new InvalidSpecException(input, $"package name '{name}' contains invalid characters ({list})", at + lower.IndexOf(bad[0]));
        }

        string body = lower.StartsWith("__", StringComparison.Ordinal) ? lower[2..] : lower;
        if (!IsCep26Name(body))
        {
            throw new InvalidSpecException(input, $"invalid package name '{name}' (see CEP-26: start with a letter, digit or single '_', no leading or doubled '.', '-', '_')", at);
        }
    }

    /// <summary>
    /// CEP-26's distributable-name regex <c>^(([a-z0-9])|([a-z0-9_](?!_)))[._-]?([a-z0-9]+(\.|-|_|$))*$</c>
    /// as a scanner (the regex stays as the oracle of a test); <paramref name="name"/> holds only <c>[a-z0-9._-]</c>.
    /// </summary>
    internal static bool IsCep26Name(string name)
    {
        if (name.Length == 0 || name[0] is '.' or '-' || (name[0] == '_' && name.Length > 1 && name[1] == '_'))
        {
            return false;
        }

        int i = 1;
        if (i < name.Length && name[i] is '.' or '_' or '-')
        {
            i++;
        }

        if (i < name.Length && name[i] is '.' or '_' or '-')
        {
            return false;
        }

        for (; i < name.Length - 1; i++)
        {
            if (name[i] is '.' or '_' or '-' && name[i + 1] is '.' or '_' or '-')
            {
                return false;
            }
        }

        return true;
    }

    internal static bool IsCep26NameRegex(string name) => DistributableName.IsMatch(name);

    internal static bool IsPackageFile(string spec)
    {
        if (spec.EndsWith(".tar.bz2", StringComparison.Ordinal))
        {
            return true;
        }

        // A bare "name.conda" is a valid package name; only paths and URLs ending in .conda are files.
        return spec.EndsWith(".conda", StringComparison.Ordinal)
            && (spec.Contains('/') || spec.Contains('\\'));
    }

    private static void ParseTarball(string input, string spec, ParsedMatchSpec result)
    {
        result.IsTarball = true;
        string url = spec.Contains("://", StringComparison.Ordinal) ? spec : ChannelLocation.PathToFileUrl(spec);
        string withoutQuery = url;
        int slash = withoutQuery.LastIndexOf('/');
        string fileName = Uri.UnescapeDataString(withoutQuery[(slash + 1)..]);
        string channelUrl = withoutQuery[..Math.Max(0, slash)];
        (string canonical, string? subdir) = MatchSpecChannel.Canonicalize(channelUrl);
        if (subdir is not null)
        {
            string stem = fileName.EndsWith(".tar.bz2", StringComparison.Ordinal) ? fileName[..^8]
                : fileName.EndsWith(".conda", StringComparison.Ordinal) ? fileName[..^6] : fileName;
            string[] nvb = RSplit(stem, '-', 2);
            if (nvb.Length != 3 || nvb.Any(p => p.Length == 0))
            {
                throw new InvalidSpecException(input, $"'{fileName}' is not a <name>-<version>-<build> package file name", slash + 1);
            }

            result.Fields["channel"] = canonical;
            result.Fields["subdir"] = subdir;
            result.Fields["name"] = nvb[0];
            result.Fields["version"] = nvb[1];
            result.Fields["build"] = nvb[2];
            result.Fields["fn"] = fileName;
            result.Fields["url"] = url;
            return;
        }

        result.Fields["name"] = "*";
        result.Fields["fn"] = fileName;
        result.Fields["url"] = url;
    }

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

    private static int IndexOutsideQuotes(string s, char target)
    {
        char quote = '\0';
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
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
            else if (c == target)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Python's <c>str.rsplit(sep, maxsplit)</c>.</summary>
    internal static string[] RSplit(string s, char sep, int maxSplit)
    {
        var parts = new List<string>();
        int end = s.Length;
        for (int n = 0; n < maxSplit && end > 0; n++)
        {
            int at = s.LastIndexOf(sep, end - 1);
            if (at < 0)
            {
                break;
            }

            parts.Add(s[(at + 1)..end]);
            end = at;
        }

        parts.Add(s[..end]);
        parts.Reverse();
        return parts.ToArray();
    }
}
