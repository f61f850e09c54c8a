using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EnvTools.Environments;

/// <summary>Reading YAML environment and lock files with line numbers in every error, and writing plain YAML scalars.</summary>
internal sealed partial class EnvFileYaml
{
    internal EnvFileYaml(string file) => File = file;

    /// <summary>The file name used in errors.</summary>
    internal string File { get; }

    /// <summary>The document's root node, or null for an empty document.</summary>
    internal YamlNode? Load(string text)
    {
        YamlStream stream;
        try
        {
            stream = BoundedYaml.Load(text);
        }
        catch (YamlException ex)
        {
            throw new InvalidEnvironmentFileException(File, checked((int)ex.Start.Line), null, $"invalid YAML: {CleanMessage(ex)}", ex);
        }

        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
        {
            return null;
        }

        return stream.Documents[0].RootNode;
    }

    internal static int Line(YamlNode node) => checked((int)node.Start.Line);

    internal static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    internal InvalidEnvironmentFileException Error(YamlNode node, string? key, string reason) => new(File, Line(node), key, reason);

    internal YamlMappingNode Map(YamlNode node, string key) =>
        node as YamlMappingNode ?? throw Error(node, key, $"must be a mapping, not {Shape(node)}");

    /// <summary>A sequence's items; a YAML null is an empty sequence.</summary>
    internal IReadOnlyList<YamlNode> Seq(YamlNode node, string key) =>
        IsNull(node) ? Array.Empty<YamlNode>()
        : node is YamlSequenceNode s ? s.Children.ToArray()
        : throw Error(node, key, $"must be a list, not {Shape(node)}");

    /// <summary>A scalar's text; null for a YAML null.</summary>
    internal string? Scalar(YamlNode node, string key) =>
        IsNull(node) ? null
        : node is YamlScalarNode s ? s.Value ?? string.Empty
        : throw Error(node, key, $"must be a single value, not {Shape(node)}");

    internal string RequiredScalar(YamlNode node, string key) =>
        Scalar(node, key) is { Length: > 0 } s ? s : throw Error(node, key, "must not be empty");

    /// <summary>The entries of a mapping with plain string keys, in file order.</summary>
    internal IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> Entries(YamlMappingNode map, string? owner)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (KeyValuePair<YamlNode, YamlNode> e in map.Children)
        {
            if (e.Key is not YamlScalarNode { Value: { } k })
            {
                throw Error(e.Key, owner, "keys must be plain strings");
            }

            if (!seen.Add(k))
            {
                throw Error(e.Key, owner is null ? k : $"{owner}.{k}", "is given twice");
            }

            yield return (k, e.Key, e.Value);
        }
    }

    internal static string Shape(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "null",
        _ => "a single value",
    };

    /// <summary>A scalar as YAML that every reader (PyYAML, ruamel, YamlDotNet) reads back as this exact string.</summary>
    internal static string Quote(string value)
    {
        if (value.Length > 0 && PlainSafe().IsMatch(value) && !Ambiguous().IsMatch(value)
            && !value.Contains(": ", StringComparison.Ordinal) && !value.Contains(" #", StringComparison.Ordinal) && !value.EndsWith(':'))
        {
            return value;
        }

        if (value.Any(c => char.IsControl(c)))
        {
            var sb = new StringBuilder("\"");
            foreach (char c in value)
            {
                sb.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\t' => "\\t",
                    '\r' => "\\r",
                    _ when char.IsControl(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                    _ => c.ToString(),
                });
            }

            return sb.Append('"').ToString();
        }

        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private static string CleanMessage(YamlException ex)
    {
        string message = ex.InnerException is YamlException inner && !string.IsNullOrEmpty(inner.Message) ? inner.Message : ex.Message;
        return LocationPrefix().Replace(message, string.Empty);
    }

    // Starts with a letter, digit, or one of _ . / $ ~ ( and has no character YAML treats specially in flow or block context.
    [GeneratedRegex(@"^[A-Za-z0-9_./$(][^\t#{}\[\],&*!|>'""%@`]*(?<! )$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainSafe();

    // Values YAML 1.1/1.2 readers would turn into booleans, nulls or numbers.
    [GeneratedRegex(@"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|[-+]?(?:\d[\d_]*)?(?:\.[\d_]*)?(?:[eE][-+]?\d+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|\d+(?::[0-5]?\d)+(?:\.\d*)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex Ambiguous();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex LocationPrefix();
}
