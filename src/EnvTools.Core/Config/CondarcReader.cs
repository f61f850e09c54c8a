using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EnvTools.Config;

/// <summary>
/// Reads one <c>.condarc</c> (YAML) into a <see cref="RawLayer"/>: every value keeps its file and line,
/// and the <c>#!final</c>/<c>#!top</c>/<c>#!bottom</c> comment on its line, as conda's ruamel.yaml loader does.
/// </summary>
internal static partial class CondarcReader
{
    /// <summary>Reads and parses a file; an unreadable or malformed file is an <see cref="InvalidConfigurationException"/>.</summary>
    public static RawLayer Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidConfigurationException(ConfigSource.File(path), null, $"cannot be read: {ex.Message}", ex);
        }

        return Parse(text, path);
    }

    /// <summary>Parses YAML text that came from <paramref name="path"/>.</summary>
    public static RawLayer Parse(string text, string path)
    {
        var file = ConfigSource.File(path);
        YamlStream stream;
        try
        {
            stream = BoundedYaml.Load(text);
        }
        catch (YamlException ex)
        {
            throw new InvalidConfigurationException(file.AtLine(checked((int)ex.Start.Line)), null, $"invalid YAML: {CleanMessage(ex)}", ex);
        }

        if (stream.Documents.Count == 0)
        {
            return new RawLayer(file, Array.Empty<KeyValuePair<string, RawNode>>());
        }

        string[] lines = text.Split('\n');
        YamlNode root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode scalar && IsNull(scalar))
        {
            return new RawLayer(file, Array.Empty<KeyValuePair<string, RawNode>>());
        }

        if (root is not YamlMappingNode map)
        {
            throw new InvalidConfigurationException(file.AtLine(LineOf(root)), null, "the top level must be a mapping of keys to values");
        }

        var entries = new List<KeyValuePair<string, RawNode>>();
        foreach (KeyValuePair<YamlNode, YamlNode> e in map.Children)
        {
            string key = KeyOf(e.Key, file);
            int keyLine = LineOf(e.Key);
            entries.Add(new(key, Convert(e.Value, file, lines, keyLine, FlagOn(lines, keyLine))));
        }

        return new RawLayer(file, entries);
    }

    private static RawNode Convert(YamlNode node, ConfigSource file, string[] lines, int ownerLine, ConfigFlag flag)
    {
        int line = LineOf(node);
        ConfigSource source = file.AtLine(line);
        switch (node)
        {
            case YamlScalarNode s:
                return new RawScalar(IsNull(s) ? null : s.Value, source, flag);
            case YamlSequenceNode seq:
            {
                var items = new List<RawNode>(seq.Children.Count);
                foreach (YamlNode child in seq.Children)
                {
                    int childLine = LineOf(child);
                    // An item's marker is the comment on its own line (not the owner's line of a flow sequence).
                    ConfigFlag childFlag = childLine != ownerLine ? FlagOn(lines, childLine) : ConfigFlag.None;
                    items.Add(Convert(child, file, lines, childLine, childFlag));
                }

                return new RawSequence(items, file.AtLine(ownerLine), flag);
            }

            case YamlMappingNode m:
            {
                var entries = new List<KeyValuePair<string, RawNode>>(m.Children.Count);
                foreach (KeyValuePair<YamlNode, YamlNode> e in m.Children)
                {
                    int keyLine = LineOf(e.Key);
                    ConfigFlag childFlag = keyLine != ownerLine ? FlagOn(lines, keyLine) : ConfigFlag.None;
                    entries.Add(new(KeyOf(e.Key, file), Convert(e.Value, file, lines, keyLine, childFlag)));
                }

                return new RawMap(entries, file.AtLine(ownerLine), flag);
            }

            default:
                throw new InvalidConfigurationException(source, null, $"unsupported YAML node {node.NodeType}");
        }
    }

    private static string KeyOf(YamlNode key, ConfigSource file) =>
        key is YamlScalarNode { Value: not null } s ? s.Value : throw new InvalidConfigurationException(file.AtLine(LineOf(key)), null, "keys must be plain strings");

    private static bool IsNull(YamlScalarNode s) =>
        s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static int LineOf(YamlNode node) => checked((int)node.Start.Line);

    /// <summary>The marker in the comment at the end of a 1-based line: <c>#!final</c>, <c>#!top</c> or <c>#!bottom</c>.</summary>
    internal static ConfigFlag FlagOn(string[] lines, int line)
    {
        if (line < 1 || line > lines.Length)
        {
            return ConfigFlag.None;
        }

        string? comment = CommentOf(lines[line - 1]);
        if (comment is null)
        {
            return ConfigFlag.None;
        }

        // conda: ParameterFlag.from_string(comment.strip().strip('!#'))
        return comment.Trim().Trim('!', '#') switch
        {
            "final" => ConfigFlag.Final,
            "top" => ConfigFlag.Top,
            "bottom" => ConfigFlag.Bottom,
            _ => ConfigFlag.None,
        };
    }

    /// <summary>The comment of a YAML line (from its <c>#</c>), ignoring <c>#</c> inside quotes or inside a plain word.</summary>
    internal static string? CommentOf(string line)
    {
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '\'' or '"' && (i == 0 || char.IsWhiteSpace(line[i - 1]) || line[i - 1] is '[' or '{' or ',' or ':' or '-'))
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[i..].TrimEnd('\r');
            }
        }

        return null;
    }

    private static string CleanMessage(YamlException ex)
    {
        string message = ex.InnerException is YamlException inner && !string.IsNullOrEmpty(inner.Message) ? inner.Message : ex.Message;
        return LocationPrefix().Replace(message, string.Empty);
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex LocationPrefix();
}
