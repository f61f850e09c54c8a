using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>A package line of a history revision: <c>+channel::name-version-build</c> or <c>-name-version-build</c>.</summary>
public sealed record HistoryDist
{
    /// <summary>The channel part before <c>::</c> (a name or a URL), or null for the old form without one.</summary>
    public string? Channel { get; init; }

    /// <summary>The package name.</summary>
    public required string Name { get; init; }

    /// <summary>The package version.</summary>
    public required string Version { get; init; }

    /// <summary>The build string.</summary>
    public required string Build { get; init; }

    /// <summary>The text as written after the <c>+</c>/<c>-</c> sign.</summary>
    public required string Text { get; init; }

    /// <summary>Parses a dist string (without its sign); null when it is not <c>name-version-build</c>.</summary>
    public static HistoryDist? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        string? channel = null;
        int sep = s.LastIndexOf("::", StringComparison.Ordinal);
        if (sep >= 0)
        {
            channel = s[..sep];
            s = s[(sep + 2)..];
            if (channel.Length == 0)
            {
                channel = null;
            }
        }

        foreach (string ext in new[] { ".tar.bz2", ".conda" })
        {
            if (s.EndsWith(ext, StringComparison.Ordinal))
            {
                s = s[..^ext.Length];
            }
        }

        int b = s.LastIndexOf('-');
        if (b <= 0)
        {
            return null;
        }

        int v = s.LastIndexOf('-', b - 1);
        if (v <= 0 || b - v < 2 || b == s.Length - 1)
        {
            return null;
        }

        return new HistoryDist { Channel = channel, Name = s[..v], Version = s[(v + 1)..b], Build = s[(b + 1)..], Text = text.Trim() };
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>One revision of <c>conda-meta/history</c>, opened by a <c>==&gt; date &lt;==</c> line.</summary>
public sealed class HistoryRevision
{
    /// <summary>The text between <c>==&gt;</c> and <c>&lt;==</c>.</summary>
    public string RawTimestamp { get; init; } = string.Empty;

    /// <summary>The timestamp (local time, as conda writes it), or null when it is not <c>yyyy-MM-dd HH:mm:ss</c>.</summary>
    public DateTime? Timestamp { get; init; }

    /// <summary>The <c># cmd:</c> value, or null when absent.</summary>
    public string? Command { get; internal set; }

    /// <summary>The <c># conda version:</c> value, or null when absent (or when it is the legacy
    /// <c>envtools X.Y.Z</c> that EnvTools 0.1 wrote there, which is read into <see cref="EnvToolsVersion"/>).</summary>
    public string? CondaVersion { get; internal set; }

    /// <summary>The EnvTools version that wrote this revision (<c># envtools version:</c>, or the legacy
    /// <c># conda version: envtools X.Y.Z</c>), or null when another tool wrote it.</summary>
    public string? EnvToolsVersion { get; internal set; }

    /// <summary>Specs from <c># update specs:</c> (also <c>install</c>/<c>create</c>).</summary>
    public IReadOnlyList<string> UpdateSpecs { get; internal set; } = Array.Empty<string>();

    /// <summary>Specs from <c># remove specs:</c> (also <c>uninstall</c>).</summary>
    public IReadOnlyList<string> RemoveSpecs { get; internal set; } = Array.Empty<string>();

    /// <summary>Specs from <c># neutered specs:</c>.</summary>
    public IReadOnlyList<string> NeuteredSpecs { get; internal set; } = Array.Empty<string>();

    /// <summary>Packages linked in this revision (<c>+</c> lines), in file order.</summary>
    public IReadOnlyList<HistoryDist> Added => AddedList;

    /// <summary>Packages unlinked in this revision (<c>-</c> lines), in file order.</summary>
    public IReadOnlyList<HistoryDist> Removed => RemovedList;

    /// <summary>Packages of a revision written as a full listing (lines without a sign, as conda before 4.4 and its
    /// first revision of old environments wrote them): the revision's whole package set.</summary>
    public IReadOnlyList<HistoryDist> Listed => ListedList;

    /// <summary>Whether the revision lists changes (<c>+</c>/<c>-</c> lines) rather than a full package set; conda's
    /// <c>is_diff</c>. A revision with no package line at all is no diff: conda reads it as an empty package set.</summary>
    public bool IsDiff => AddedList.Count > 0 || RemovedList.Count > 0;

    /// <summary>Whether conda counts this revision as a user request (it has a <c># cmd:</c> line).</summary>
    public bool IsUserRequest => Command is not null;

    internal List<HistoryDist> AddedList { get; } = new();

    internal List<HistoryDist> RemovedList { get; } = new();

    internal List<HistoryDist> ListedList { get; } = new();
}

/// <summary>Reads and appends conda's <c>conda-meta/history</c> file.</summary>
public sealed class PrefixHistory
{
    private static readonly Regex SeparatorRe = new(@"^==>\s*(.+?)\s*<==", RegexOptions.CultureInvariant);
    private static readonly Regex CmdRe = new(@"^#\s*cmd:\s*(.+)", RegexOptions.CultureInvariant);
    private static readonly Regex VersionRe = new(@"^#\s*conda version:\s*(.+)", RegexOptions.CultureInvariant);
    private static readonly Regex EnvToolsVersionRe = new(@"^#\s*envtools version:\s*(.+)", RegexOptions.CultureInvariant);
    private static readonly Regex LegacyVersionLineRe = new(@"^#[ \t]*conda version:[ \t]*envtools\b[ \t]*([^\r\n]*?)[ \t]*(?=\r?$)", RegexOptions.CultureInvariant | RegexOptions.Multiline);

    /// <summary>
    /// The value EnvTools writes on the <c># conda version:</c> line: conda (since 4.6) parses it as a version and refuses
    /// to change an environment whose history names a conda newer than itself, so it must be a version, and one older
    /// than every conda that reads it; mamba and micromamba write the same value. EnvTools' own version goes on the
    /// <c># envtools version:</c> line, which conda and mamba skip as an unknown comment.
    /// </summary>
    public const string CondaCompatibleVersion = "3.8.0";
    private static readonly Regex SpecsRe = new(@"^#\s*(\w+)\s*specs:\s*(.+)?", RegexOptions.CultureInvariant);
    private static readonly Regex VersionRelationRe = new(@"^(=|==|!=|<=|>=|<|>)(?!=)", RegexOptions.CultureInvariant);

    private PrefixHistory(IReadOnlyList<HistoryRevision> revisions) => Revisions = revisions;

    /// <summary>The revisions in file order.</summary>
    public IReadOnlyList<HistoryRevision> Revisions { get; }

    /// <summary>The history file of a prefix: <c>&lt;prefix&gt;/conda-meta/history</c>.</summary>
    public static string PathFor(string prefix) => Path.Combine(prefix, "conda-meta", "history");

    /// <summary>Reads a history file; a missing file reads as an empty history. The file is read sharing write and
    /// delete: a change appends its revision while readers (Get-Env, Get-EnvHistory) read it, and on Windows a reader
    /// that denied write would make the change fail (as conda's own reads share it).</summary>
    public static PrefixHistory Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return new PrefixHistory(Array.Empty<HistoryRevision>());
        }

        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096);
        using var reader = new StreamReader(fs, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Parses history text. Lines that fit no rule (and lines before the first revision) are skipped.</summary>
    public static PrefixHistory Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var revisions = new List<HistoryRevision>();
        HistoryRevision? current = null;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            Match sep = SeparatorRe.Match(line);
            if (sep.Success)
            {
                string stamp = sep.Groups[1].Value;
                current = new HistoryRevision
                {
                    RawTimestamp = stamp,
                    Timestamp = DateTime.TryParseExact(stamp, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime dt) ? dt : null,
                };
                revisions.Add(current);
                continue;
            }

            if (current is null)
            {
                continue;
            }

            if (line[0] == '#')
            {
                ParseComment(current, line);
            }
            else if (line[0] is '+' or '-')
            {
                HistoryDist? dist = HistoryDist.TryParse(line[1..]);
                if (dist is not null)
                {
                    (line[0] == '+' ? current.AddedList : current.RemovedList).Add(dist);
                }
            }
            else if (HistoryDist.TryParse(line) is { } listed)
            {
                current.ListedList.Add(listed);
            }
        }

        return new PrefixHistory(revisions);
    }

    /// <summary>
    /// The user's requested specs as conda computes them (<c>History.get_requested_specs_map</c>): over the
    /// revisions with a <c># cmd:</c> line, in order, remove specs drop their names, then update specs and
    /// neutered specs set them (a later spec of a name overrides an earlier one). When
    /// <paramref name="installedNames"/> is given, names not installed are left out, as conda does.
    /// Specs that do not parse are skipped. The result is keyed by package name in first-request order.
    /// </summary>
    /// <param name="installedNames">The installed package names, or null to keep every name.</param>
    /// <param name="throughRevision">Only the revisions up to this one (0-based, inclusive) count; all when null.</param>
    public IReadOnlyDictionary<string, string> GetRequestedSpecs(IEnumerable<string>? installedNames = null, int? throughRevision = null)
    {
        var order = new List<string>();
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (HistoryRevision rev in Revisions.Take(throughRevision is { } last ? last + 1 : int.MaxValue))
        {
            if (!rev.IsUserRequest)
            {
                continue;
            }

            foreach (string spec in rev.RemoveSpecs)
            {
                if (NameOf(spec) is { } name && map.Remove(name))
                {
                    order.Remove(name);
                }
            }

            foreach (string spec in rev.UpdateSpecs.Concat(rev.NeuteredSpecs))
            {
                if (NameOf(spec) is { } name)
                {
                    if (!map.ContainsKey(name))
                    {
                        order.Add(name);
                    }

                    map[name] = spec;
                }
            }
        }

        HashSet<string>? installed = installedNames is null ? null : new HashSet<string>(installedNames, StringComparer.Ordinal);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in order)
        {
            if (installed is null || installed.Contains(name))
            {
                result[name] = map[name];
            }
        }

        return result;
    }

    /// <summary>
    /// The package set after each revision, as conda's <c>History.construct_states</c> computes it: a revision that lists
    /// changes removes its <c>-</c> dists and adds its <c>+</c> dists (matched by their text, channel included) to the
    /// set before it; a revision without change lines replaces the set with its listed packages (an empty revision
    /// therefore reads as an empty environment, as in conda). Dists are in ordinal order of their text.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<HistoryDist>> GetStates()
    {
        var states = new List<IReadOnlyList<HistoryDist>>(Revisions.Count);
        var current = new SortedDictionary<string, HistoryDist>(StringComparer.Ordinal);
        foreach (HistoryRevision rev in Revisions)
        {
            if (!rev.IsDiff)
            {
                current.Clear();
                foreach (HistoryDist d in rev.Listed)
                {
                    current[d.Text] = d;
                }
            }
            else
            {
                foreach (HistoryDist d in rev.Removed)
                {
                    current.Remove(d.Text);
                }

                foreach (HistoryDist d in rev.Added)
                {
                    current[d.Text] = d;
                }
            }

            states.Add(current.Values.ToArray());
        }

        return states;
    }

    /// <summary>
    /// The index of a revision as conda's <c>--revision N</c> reads it: 0 is the first revision; a negative number counts
    /// from the end (-1 is the last), as Python's indexing does.
    /// </summary>
    /// <exception cref="RevisionNotFoundException">There is no such revision.</exception>
    public int ResolveRevision(int revision, string? prefix = null)
    {
        int index = revision < 0 ? Revisions.Count + revision : revision;
        return index >= 0 && index < Revisions.Count ? index : throw new RevisionNotFoundException(revision, Revisions.Count, prefix);
    }

    /// <summary>
    /// Appends one revision in conda's format: the separator, <c># cmd:</c>, <c># conda version:</c>
    /// (<see cref="CondaCompatibleVersion"/>), <c># envtools version:</c>, the sorted <c>-</c> then <c>+</c> lines, and
    /// the non-empty spec lists as Python list reprs. The parent folder is created when missing.
    /// </summary>
    /// <param name="path">The history file.</param>
    /// <param name="timestamp">When the change happened; written as its wall-clock time in its own offset, to the second (the offset is not written).</param>
    /// <param name="command">The command line.</param>
    /// <param name="toolVersion">EnvTools' version, written on the <c># envtools version:</c> line.</param>
    /// <param name="updateSpecs">Requested specs.</param>
    /// <param name="removeSpecs">Specs asked to be removed.</param>
    /// <param name="added">Dists linked (<c>channel::name-version-build</c>).</param>
    /// <param name="removed">Dists unlinked.</param>
    /// <param name="neuteredSpecs">Specs neutered by the solver, if any.</param>
    public static void AppendRevision(
        string path,
        DateTimeOffset timestamp,
        string command,
        string toolVersion,
        IEnumerable<string> updateSpecs,
        IEnumerable<string> removeSpecs,
        IEnumerable<string> added,
        IEnumerable<string> removed,
        IEnumerable<string>? neuteredSpecs = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(toolVersion);
        ArgumentNullException.ThrowIfNull(updateSpecs);
        ArgumentNullException.ThrowIfNull(removeSpecs);
        ArgumentNullException.ThrowIfNull(added);
        ArgumentNullException.ThrowIfNull(removed);

        var sb = new StringBuilder();
        sb.Append("==> ").Append(timestamp.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" <==\n");
        sb.Append("# cmd: ").Append(OneLine(command)).Append('\n');
        sb.Append("# conda version: ").Append(CondaCompatibleVersion).Append('\n');
        sb.Append("# envtools version: ").Append(OneLine(toolVersion)).Append('\n');
        var removedSet = new SortedSet<string>(removed, StringComparer.Ordinal);
        var addedSet = new SortedSet<string>(added, StringComparer.Ordinal);
        foreach (string d in removedSet.Except(addedSet, StringComparer.Ordinal))
        {
            sb.Append('-').Append(d).Append('\n');
        }

        foreach (string d in addedSet.Except(removedSet, StringComparer.Ordinal))
        {
            sb.Append('+').Append(d).Append('\n');
        }

        AppendSpecs(sb, "update", updateSpecs);
        AppendSpecs(sb, "remove", removeSpecs);
        AppendSpecs(sb, "neutered", neuteredSpecs ?? Array.Empty<string>());

        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        File.AppendAllText(path, sb.ToString(), new UTF8Encoding(false));
    }

    /// <summary>
    /// Rewrites the <c># conda version: envtools X.Y.Z</c> lines that EnvTools 0.1 wrote (conda fails on them with
    /// <c>InvalidVersionSpec</c> and then cannot change the environment) into <c># conda version: 3.8.0</c> and
    /// <c># envtools version: X.Y.Z</c>. The file is replaced atomically (a temporary sibling renamed over it); nothing
    /// is written when it has no such line. Returns whether the file was rewritten.
    /// </summary>
    public static bool RepairLegacyVersionLines(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return false;
        }

        string text = File.ReadAllText(path, Encoding.UTF8);
        if (!LegacyVersionLineRe.IsMatch(text))
        {
            return false;
        }

        string fixedText = LegacyVersionLineRe.Replace(
            text,
            m => "# conda version: " + CondaCompatibleVersion + "\n# envtools version: " + (m.Groups[1].Value.Length > 0 ? m.Groups[1].Value : "unknown"));
        string tmp = path + ".envtools-repair-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(tmp, fixedText, new UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
        return true;
    }

    /// <summary>Formats strings as Python's <c>repr</c> of a list of str: <c>['a', 'b']</c>.</summary>
    public static string FormatPythonList(IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return "[" + string.Join(", ", items.Select(PythonRepr)) + "]";
    }

    /// <summary>
    /// Parses a list literal of strings as conda (<c>ast.literal_eval</c>) and mamba write it, single or
    /// double quoted with backslash escapes; null when malformed.
    /// </summary>
    public static IReadOnlyList<string>? ParseStringList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var items = new List<string>();
        int i = 0;
        SkipSpace(text, ref i);
        if (i >= text.Length || text[i] != '[')
        {
            return null;
        }

        i++;
        while (true)
        {
            SkipSpace(text, ref i);
            if (i >= text.Length)
            {
                return null;
            }

            if (text[i] == ']')
            {
                i++;
                break;
            }

            char q = text[i];
            if (q is not ('\'' or '"'))
            {
                return null;
            }

            i++;
            var sb = new StringBuilder();
            while (true)
            {
                if (i >= text.Length)
                {
                    return null;
                }

                char c = text[i++];
                if (c == q)
                {
                    break;
                }

                if (c == '\\')
                {
                    if (i >= text.Length)
                    {
                        return null;
                    }

                    char e = text[i++];
                    sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => e });
                }
                else
                {
                    sb.Append(c);
                }
            }

            items.Add(sb.ToString());
            SkipSpace(text, ref i);
            if (i < text.Length && text[i] == ',')
            {
                i++;
            }
            else if (i >= text.Length || text[i] != ']')
            {
                return null;
            }
        }

        SkipSpace(text, ref i);
        return i == text.Length ? items : null;
    }

    private static void ParseComment(HistoryRevision rev, string line)
    {
        Match m = CmdRe.Match(line);
        if (m.Success)
        {
            rev.Command = m.Groups[1].Value;
        }

        m = VersionRe.Match(line);
        if (m.Success)
        {
            string v = m.Groups[1].Value;
            Match legacy = LegacyVersionLineRe.Match(line);
            if (legacy.Success)
            {
                rev.EnvToolsVersion ??= legacy.Groups[1].Value;
            }
            else
            {
                rev.CondaVersion = v;
            }
        }

        m = EnvToolsVersionRe.Match(line);
        if (m.Success)
        {
            rev.EnvToolsVersion = m.Groups[1].Value;
        }

        m = SpecsRe.Match(line);
        if (!m.Success)
        {
            return;
        }

        string action = m.Groups[1].Value;
        string specsString = m.Groups[2].Success ? m.Groups[2].Value : string.Empty;
        IReadOnlyList<string>? specs;
        if (specsString.StartsWith('['))
        {
            specs = ParseStringList(specsString);
        }
        else if (!specsString.Contains('['))
        {
            specs = ParseOldFormatSpecs(specsString);
        }
        else
        {
            specs = null;
        }

        if (specs is null)
        {
            return;
        }

        string[] kept = specs.Where(s => s.Length > 0 && !s.EndsWith('@')).ToArray();
        if (kept.Length == 0)
        {
            return;
        }

        switch (action)
        {
            case "update" or "install" or "create":
                rev.UpdateSpecs = kept;
                break;
            case "remove" or "uninstall":
                rev.RemoveSpecs = kept;
                break;
            case "neutered":
                rev.NeuteredSpecs = kept;
                break;
        }
    }

    /// <summary>conda &lt; 4.5 wrote specs comma-separated; a piece starting with a relation joins the previous spec.</summary>
    private static List<string> ParseOldFormatSpecs(string specsString)
    {
        var specs = new List<string>();
        foreach (string piece in specsString.Split(','))
        {
            if (specs.Count > 0 && VersionRelationRe.IsMatch(piece))
            {
                specs[^1] = specs[^1] + "," + piece;
            }
            else
            {
                specs.Add(piece);
            }
        }

        return specs;
    }

    private static string? NameOf(string spec)
    {
        if (MatchSpec.TryParse(spec, out MatchSpec? parsed) && parsed is not null && parsed.Name.Length > 0 && parsed.Name != "*")
        {
            return parsed.Name;
        }

        return null;
    }

    private static void AppendSpecs(StringBuilder sb, string action, IEnumerable<string> specs)
    {
        string[] list = specs.ToArray();
        if (list.Length > 0)
        {
            sb.Append("# ").Append(action).Append(" specs: ").Append(FormatPythonList(list)).Append('\n');
        }
    }

    private static string OneLine(string s) => s.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string PythonRepr(string s)
    {
        char q = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(q);
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == q)
                    {
                        sb.Append('\\');
                    }

                    sb.Append(c);
                    break;
            }
        }

        return sb.Append(q).ToString();
    }

    private static void SkipSpace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
    }
}
