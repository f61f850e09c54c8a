using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EnvTools.Config;

/// <summary>
/// Changes one .condarc as <c>conda config --set/--add/--append/--remove/--remove-key</c> do, editing only the lines of
/// the key changed: comments, blank lines, the order of the other keys and their formatting stay as they were. A key's
/// block is its top-level <c>key:</c> line and the indented, blank and comment lines after it. Keys and values are
/// checked against conda's parameters (<see cref="CondaKeys"/>) before anything is written; the file is replaced
/// atomically and its parent folder created when missing.
/// </summary>
public sealed class CondarcEditor
{
    private static readonly Regex TopKeyRe = new(@"^(?<key>[A-Za-z_][\w.-]*)\s*:(?<rest>.*)$", RegexOptions.CultureInvariant);
    private static readonly Regex ItemRe = new(@"^(?<indent>\s+)-\s?(?<value>.*)$", RegexOptions.CultureInvariant);
    private readonly List<string> _lines;

    private CondarcEditor(string path, List<string> lines)
    {
        Path = path;
        _lines = lines;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Opens a file (a missing one is empty).</summary>
    public static CondarcEditor Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var lines = new List<string>();
        if (File.Exists(path))
        {
            string text = File.ReadAllText(path, Encoding.UTF8).Replace("\r\n", "\n", StringComparison.Ordinal);
            lines.AddRange(text.EndsWith('\n') ? text[..^1].Split('\n') : text.Split('\n'));
            if (lines.Count == 1 && lines[0].Length == 0)
            {
                lines.Clear();
            }
        }

        return new CondarcEditor(path, lines);
    }

    /// <summary>The text as it will be written.</summary>
    public string Text => _lines.Count == 0 ? string.Empty : string.Join("\n", _lines) + "\n";

    /// <summary>Sets a scalar key (<c>--set key value</c>), or one entry of a map key as <c>map.entry</c>.</summary>
    /// <exception cref="ConfigKeyException">Unknown key, a list key, or a map key without an entry.</exception>
    public void Set(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int dot = key.IndexOf('.', StringComparison.Ordinal);
        if (ConfigKeys.Find(dot > 0 ? key[..dot] : key) is { Shape: KeyShape.MapOfMaps } nested)
        {
            throw new ConfigKeyException("InvalidConfigOperation", $"'{nested.Name}' holds a map of maps (bucket → fields): edit it in the .condarc file.", key);
        }

        if (dot > 0 && CondaKeys.IsMap(key[..dot]))
        {
            SetMapEntry(key[..dot], key[(dot + 1)..], value);
            return;
        }

        string canonical = Known(key);
        if (CondaKeys.IsSequence(canonical) || CondaKeys.IsMap(canonical))
        {
            throw new ConfigKeyException("InvalidConfigOperation", $"'{key}' holds a {(CondaKeys.IsMap(canonical) ? "map: set one entry as " + key + ".NAME" : "list: use Add-EnvConfig or Remove-EnvConfig")}.", key);
        }

        (int start, int end) = Block(key, canonical);
        string line = $"{NameAt(start, canonical)}: {Scalar(value)}";
        if (start < 0)
        {
            _lines.Add(line);
        }
        else
        {
            _lines.RemoveRange(start, end - start);
            _lines.Insert(start, line);
        }
    }

    /// <summary>Adds items to a list key: first (<c>--add</c>/<c>--prepend</c>) or last (<c>--append</c>); an item already
    /// there moves, as in conda.</summary>
    /// <returns>The items that were there already (conda warns about them).</returns>
    public IReadOnlyList<string> Add(string key, IReadOnlyList<string> values, bool append)
    {
        string canonical = Known(key);
        if (!CondaKeys.IsSequence(canonical))
        {
            throw new ConfigKeyException("InvalidConfigOperation", $"'{key}' is not a list key; set it with Set-EnvConfig.", key);
        }

        List<string> items = Items(key, canonical, out int start, out int end, out string indent);
        var moved = items.Where(values.Contains).ToList();
        items.RemoveAll(i => values.Contains(i));
        items = append ? items.Concat(values).ToList() : values.Concat(items).ToList();
        WriteItems(canonical, start, end, indent, items);
        return moved;
    }

    /// <summary>Removes items from a list key (<c>--remove</c>).</summary>
    /// <exception cref="ConfigKeyException">ConfigValueNotFound: an item is not in the file's list.</exception>
    public void Remove(string key, IReadOnlyList<string> values)
    {
        string canonical = Known(key);
        if (!CondaKeys.IsSequence(canonical))
        {
            throw new ConfigKeyException("InvalidConfigOperation", $"'{key}' is not a list key; remove it with Remove-EnvConfig -Key {key} (no -Value).", key);
        }

        List<string> items = Items(key, canonical, out int start, out int end, out string indent);
        foreach (string v in values)
        {
            if (!items.Remove(v))
            {
                throw new ConfigKeyException("ConfigValueNotFound", $"'{v}' is not in the '{canonical}' key of {Path}.", v);
            }
        }

        WriteItems(canonical, start, end, indent, items);
    }

    /// <summary>Removes a key and its value (<c>--remove-key</c>).</summary>
    /// <exception cref="ConfigKeyException">ConfigKeyNotFound: the file does not set the key.</exception>
    public void RemoveKey(string key)
    {
        string canonical = Known(key);
        (int start, int end) = Block(key, canonical);
        if (start < 0)
        {
            throw new ConfigKeyException("ConfigKeyNotFound", $"'{key}' is not set in {Path}.", key);
        }

        _lines.RemoveRange(start, end - start);
    }

    /// <summary>Writes the file atomically.</summary>
    public void Save()
    {
        string full = System.IO.Path.GetFullPath(Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        string tmp = full + ".envtools-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(tmp, Text, new UTF8Encoding(false));
        File.Move(tmp, full, overwrite: true);
    }

    private static string Known(string key) => CondaKeys.Canonical(key)
        ?? throw new ConfigKeyException("UnknownConfigKey", $"'{key}' is not a conda configuration key.", key);

    /// <summary>The written name of the key at <paramref name="start"/> (an alias stays as written), else the canonical name.</summary>
    private string NameAt(int start, string canonical) => start >= 0 ? TopKeyRe.Match(_lines[start]).Groups["key"].Value : canonical;

    /// <summary>The lines [start, end) of the key's block (any of its names), or (-1, -1).</summary>
    private (int Start, int End) Block(string key, string canonical)
    {
        for (int i = 0; i < _lines.Count; i++)
        {
            Match m = TopKeyRe.Match(_lines[i]);
            if (m.Success && (m.Groups["key"].Value == key || CondaKeys.Canonical(m.Groups["key"].Value) == canonical))
            {
                int end = i + 1;
                while (end < _lines.Count && (_lines[end].Length == 0 || char.IsWhiteSpace(_lines[end][0]) || _lines[end].TrimStart().StartsWith('#')
                       || _lines[end].StartsWith('-')))
                {
                    end++;
                }

                // trailing blank and comment lines belong to what follows
                while (end > i + 1 && (_lines[end - 1].Trim().Length == 0 || _lines[end - 1].TrimStart().StartsWith('#')))
                {
                    end--;
                }

                return (i, end);
            }
        }

        return (-1, -1);
    }

    private List<string> Items(string key, string canonical, out int start, out int end, out string indent)
    {
        (start, end) = Block(key, canonical);
        indent = "  ";
        var items = new List<string>();
        if (start < 0)
        {
            return items;
        }

        string rest = StripComment(TopKeyRe.Match(_lines[start]).Groups["rest"].Value).Trim();
        if (rest.StartsWith('[') && rest.EndsWith(']'))
        {
            items.AddRange(rest[1..^1].Split(',').Select(s => Unquote(s.Trim())).Where(s => s.Length > 0));
        }
        else if (rest.Length > 0)
        {
            items.Add(Unquote(rest));
        }

        bool first = true;
        for (int i = start + 1; i < end; i++)
        {
            Match m = ItemRe.Match(_lines[i]);
            if (m.Success || _lines[i].StartsWith('-'))
            {
                if (first && m.Success)
                {
                    indent = m.Groups["indent"].Value;
                    first = false;
                }

                items.Add(Unquote(StripComment(m.Success ? m.Groups["value"].Value : _lines[i][1..]).Trim()));
            }
        }

        return items;
    }

    private void WriteItems(string canonical, int start, int end, string indent, List<string> items)
    {
        string comment = start >= 0 ? Regex.Match(TopKeyRe.Match(_lines[start]).Groups["rest"].Value, @"\s+#.*$").Value : string.Empty;
        var block = new List<string> { (start >= 0 ? NameAt(start, canonical) : canonical) + (items.Count == 0 ? ": []" : ":") + comment };
        block.AddRange(items.Select(i => $"{indent}- {Scalar(i)}"));
        if (start < 0)
        {
            _lines.AddRange(block);
            return;
        }

        // comment lines inside the old block stay, before the items
        var comments = _lines.Skip(start + 1).Take(end - start - 1).Where(l => l.TrimStart().StartsWith('#')).ToList();
        _lines.RemoveRange(start, end - start);
        _lines.InsertRange(start, block.Take(1).Concat(comments).Concat(block.Skip(1)));
    }

    private void SetMapEntry(string key, string entry, string value)
    {
        string canonical = Known(key);
        (int start, int end) = Block(key, canonical);
        string line = $"  {entry}: {Scalar(value)}";
        if (start < 0)
        {
            _lines.Add(canonical + ":");
            _lines.Add(line);
            return;
        }

        string rest = StripComment(TopKeyRe.Match(_lines[start]).Groups["rest"].Value).Trim();
        if (rest is "{}" or "")
        {
            _lines[start] = NameAt(start, canonical) + ":";
        }
        else
        {
            throw new ConfigKeyException("InvalidConfigOperation", $"'{key}' in {Path} is written in flow style ({rest}); edit it by hand.", key);
        }

        var entryRe = new Regex(@"^(?<indent>\s+)" + Regex.Escape(entry) + @"\s*:", RegexOptions.CultureInvariant);
        for (int i = start + 1; i < end; i++)
        {
            Match m = entryRe.Match(_lines[i]);
            if (m.Success)
            {
                _lines[i] = $"{m.Groups["indent"].Value}{entry}: {Scalar(value)}";
                return;
            }
        }

        _lines.Insert(end, line);
    }

    private static string StripComment(string s)
    {
        int hash = s.IndexOf(" #", StringComparison.Ordinal);
        return hash >= 0 ? s[..hash] : s;
    }

    private static string Unquote(string s) =>
        s.Length >= 2 && ((s[0] == '\'' && s[^1] == '\'') || (s[0] == '"' && s[^1] == '"')) ? s[1..^1].Replace("''", "'", StringComparison.Ordinal) : s;

    /// <summary>A YAML scalar: plain when that reads back as the same string, else single-quoted.</summary>
    private static string Scalar(string value)
    {
        bool plain = value.Length > 0 && !char.IsWhiteSpace(value[0]) && !char.IsWhiteSpace(value[^1])
            && "-?:,[]{}#&*!|>'\"%@`".IndexOf(value[0]) < 0 && !value.Contains(": ", StringComparison.Ordinal)
            && !value.Contains(" #", StringComparison.Ordinal) && !value.EndsWith(':') && !value.Contains('\n');
        return plain ? value : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}

/// <summary>A configuration change that conda would refuse: an unknown key, a wrong operation for the key's type, a
/// value or key that is not there.</summary>
public sealed class ConfigKeyException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public ConfigKeyException(string errorId, string message, string target)
        : base(errorId, errorId.EndsWith("NotFound", StringComparison.Ordinal) ? ErrorKind.ObjectNotFound : ErrorKind.InvalidArgument, message, target)
    {
    }
}
