using System.Buffers;
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
internal static partial class MatchSpecParser
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

    /// <summary>Parses a MatchSpec string into its fields, as conda's <c>_parse_spec_str</c>; throws <see cref="InvalidSpecException"/>.</summary>
    public static ParsedMatchSpec Parse(string input) => Parse(input, out SpecError error) ?? throw error.ToException(input);

    /// <summary>The fields, or null and why <paramref name="input"/> is malformed (never thrown: TryParse and Parse share it).</summary>
    public static ParsedMatchSpec? Parse(string input, out SpecError error)
    {
        ArgumentNullException.ThrowIfNull(input);
        error = default;
        var result = new ParsedMatchSpec();

        // pre-step for ugly backward compat: "mkl@" is a track_features spec
        if (input.EndsWith('@'))
        {
            result.Fields["name"] = "*";
            result.Fields["track_features"] = input[..^1];
            return result;
        }

        string? spec = Clean(input, out error);
        if (spec is null)
        {
            return null;
        }

        // Step 2. a package file or URL
        if (IsPackageFile(spec))
        {
            return ParseTarball(spec, result, out error) ? result : null;
        }

        Dictionary<string, string> brackets = new(StringComparer.Ordinal);
        spec = TakeBrackets(spec, brackets, result, out error);
        if (spec is null || !TakeChannel(input, ref spec, brackets, out string? channel, out string? subdir, out error))
        {
            return null;
        }

        if (!TakeName(input, spec, out string name, out string? rest, out error)
            || !TakeVersionAndBuild(input, rest, out string? version, out string? build, out error))
        {
            return null;
        }

        Assemble(result, name, channel, subdir, version, build, brackets);
        return result;
    }

    /// <summary>Step 1: the spec without a <c>#</c> comment (outside quotes), trimmed; no control characters, no <c>if</c>.</summary>
    private static string? Clean(string input, out SpecError error)
    {
        error = default;
        string spec = input;
        int hash = IndexOutsideQuotes(spec, '#');
        if (hash >= 0)
        {
            spec = spec[..hash];
        }

        spec = spec.Trim();
        if (spec.Length == 0)
        {
            return FailText("empty spec", 0, out error);
        }

        // A tab or newline inside a spec would survive into its canonical text and change meaning when read back.
        int control = spec.AsSpan().IndexOfAnyInRange('\0', '\u001f');
        if (control < 0)
        {
            control = spec.IndexOf('\u007f');
        }

        if (control >= 0)
        {
            return FailText($"control character U+{(int)spec[control]:X4} in spec", input.IndexOf(spec[control]), out error);
        }

        // Step 1b. conda used to drop everything after " if "; it no longer silently does.
        int ifAt = spec.IndexOf(" if ", StringComparison.Ordinal);
        int firstBracket = spec.IndexOf('[');
        if (ifAt >= 0 && (firstBracket < 0 || firstBracket > ifAt))
        {
            return FailText("the 'if' conditional syntax is not supported; use [when=\"...\"]", ifAt + 1, out error);
        }

        return spec;
    }

    /// <summary>
    /// Steps 3 and 4: parses the bracket section into <paramref name="brackets"/> and returns the spec without it and
    /// without a trailing <c>(target=..., optional)</c> section (accepted and ignored, as conda does).
    /// </summary>
    private static string? TakeBrackets(string spec, Dictionary<string, string> brackets, ParsedMatchSpec result, out SpecError error)
    {
        error = default;
        int open = spec.IndexOf('[');
        if (open >= 0 && spec.IndexOf(']', open) >= 0)
        {
            int close = FindClosingBracket(spec, open);
            if (close < 0)
            {
                return FailText("unbalanced brackets", open, out error);
            }

            string after = spec[(close + 1)..].Trim();
            if (after.Length > 0)
            {
                if (after.Contains('['))
                {
                    return FailText("only one bracket section is allowed; found a second bracket section", close + 1 + spec[(close + 1)..].IndexOf('['), out error);
                }

                if (!ParensSection.IsMatch(after) || after[0] != '(')
                {
                    return FailText($"unrecognized sections after the brackets: '{after}'", close + 1, out error);
                }
            }

            if (!ParseBrackets(spec, open + 1, close, brackets, result, out error))
            {
                return null;
            }

            spec = spec[..open];
        }

        if (spec.Contains('('))
        {
            Match parens = ParensSection.Match(spec);
            if (parens.Success)
            {
                spec = spec[..parens.Index];
            }
        }

        return spec;
    }

    /// <summary>
    /// Step 5: <c>channel(/subdir)::</c> and the (unused) namespace, with the brackets' <c>channel</c> and <c>subdir</c>
    /// (taken out of <paramref name="brackets"/>) over them; <paramref name="spec"/> becomes the rest of the spec.
    /// </summary>
    private static bool TakeChannel(string input, ref string spec, Dictionary<string, string> brackets, out string? channel, out string? subdir, out SpecError error)
    {
        channel = null;
        subdir = null;
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

        if (!ParseChannel(input, channelText, out MatchSpecChannel? ch, out subdir, out error))
        {
            return false;
        }

        channel = ch?.Value;
        if (brackets.Remove("channel", out string? bracketChannel))
        {
            if (!ParseChannel(input, bracketChannel, out MatchSpecChannel? bch, out string? bsub, out error))
            {
                return false;
            }

            channel = bch?.Value ?? channel;
            subdir = bsub ?? subdir;
        }

        if (brackets.Remove("subdir", out string? bracketSubdir))
        {
            subdir = bracketSubdir;
        }

        return true;
    }

    /// <summary>A channel (and its subdir); an invalid pattern is reported at its place in <paramref name="input"/>.</summary>
    private static bool ParseChannel(string input, string? text, out MatchSpecChannel? channel, out string? subdir, out SpecError error)
    {
        error = default;
        (channel, subdir) = MatchSpecChannel.ParseWithSubdir(text, out SpecError channelError, out string? failed);
        if (failed is null)
        {
            return true;
        }

        error = new SpecError(channelError.Reason, input.IndexOf(failed, StringComparison.Ordinal), channelError.ToException(failed));
        return false;
    }

    /// <summary>
    /// Step 6: the package name, validated, and what follows it. conda: <c>^([^ =&lt;&gt;!~]+)?([&gt;&lt;!=~ ].+)?</c>; a
    /// remainder of one character is dropped ("numpy=" is "numpy").
    /// </summary>
    private static bool TakeName(string input, string spec, out string name, out string? rest, out SpecError error)
    {
        name = string.Empty;
        rest = null;
        int nameEnd = spec.IndexOfAny(NameStop);
        if (nameEnd < 0)
        {
            nameEnd = spec.Length;
        }

        if (nameEnd == 0)
        {
            return Fail($"no package name found in '{spec}'", Math.Max(0, input.IndexOf(spec, StringComparison.Ordinal)), out error);
        }

        name = spec[..nameEnd];
        rest = spec.Length - nameEnd >= 2 ? spec[nameEnd..].Trim() : null;
        return ValidateName(input, name, out error);
    }

    /// <summary>Step 7: the version (sanitized as conda does) and the build of what follows the name.</summary>
    private static bool TakeVersionAndBuild(string input, string? rest, out string? version, out string? build, out SpecError error)
    {
        error = default;
        version = null;
        build = null;
        if (string.IsNullOrEmpty(rest))
        {
            return true;
        }

        if (rest.Contains('['))
        {
            return Fail("only one bracket section is allowed", input.IndexOf('['), out error);
        }

        (version, build) = SplitVersionAndBuild(rest);
        version = version is null ? null : SanitizeVersion(version, build);
        return true;
    }

    /// <summary>Step 8: the fields; the brackets override everything but the name.</summary>
    private static void Assemble(ParsedMatchSpec result, string name, string? channel, string? subdir, string? version, string? build,
        Dictionary<string, string> brackets)
    {
        result.Fields["name"] = name;
        foreach ((string key, string? value) in new[] { ("channel", channel), ("subdir", subdir), ("version", version), ("build", build) })
        {
            if (value is not null)
            {
                result.Fields[key] = value;
            }
        }

        brackets.Remove("name");
        foreach (KeyValuePair<string, string> kv in brackets)
        {
            result.Fields[kv.Key] = kv.Value;
        }
    }

    private static bool Fail(string reason, int position, out SpecError error)
    {
        error = new SpecError(reason, position);
        return false;
    }

    private static string? FailText(string reason, int position, out SpecError error)
    {
        error = new SpecError(reason, position);
        return null;
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
    internal static bool ValidateName(string input, string name, out SpecError error)
    {
        error = default;
        if (name.Contains('*') || (name.Length >= 2 && name[0] == '^' && name[^1] == '$'))
        {
            return true;
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
            return Fail($"package name '{name}' contains invalid characters ({list})", at + lower.IndexOf(bad[0]), out error);
        }

        string body = lower.StartsWith("__", StringComparison.Ordinal) ? lower[2..] : lower;
        return IsCep26Name(body)
            || Fail($"invalid package name '{name}' (see CEP-26: start with a letter, digit or single '_', no leading or doubled '.', '-', '_')", at, out error);
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

    private static bool ParseTarball(string spec, ParsedMatchSpec result, out SpecError error)
    {
        error = default;
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
                return Fail($"'{fileName}' is not a <name>-<version>-<build> package file name", slash + 1, out error);
            }

            result.Fields["channel"] = canonical;
            result.Fields["subdir"] = subdir;
            result.Fields["name"] = nvb[0];
            result.Fields["version"] = nvb[1];
            result.Fields["build"] = nvb[2];
            result.Fields["fn"] = fileName;
            result.Fields["url"] = url;
            return true;
        }

        result.Fields["name"] = "*";
        result.Fields["fn"] = fileName;
        result.Fields["url"] = url;
        return true;
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
