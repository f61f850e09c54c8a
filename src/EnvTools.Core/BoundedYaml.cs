using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace EnvTools;

/// <summary>
/// Loads YAML through a parser that bounds what the document model may become before YamlDotNet
/// builds it: the nesting depth (YamlDotNet's node model and every walk over it recurse, and 20,000
/// '[' overflowed the stack and killed the process) and the number of nodes once aliases are expanded
/// (a "billion laughs" document is small on disk but exponential for any reader that walks it).
/// Both refusals are <see cref="YamlException"/>s with the position, so each reader reports them as it
/// reports any malformed YAML: its own typed error naming the file and line.
/// </summary>
internal static class BoundedYaml
{
    /// <summary>How deep mappings and sequences may nest; environment, lock and config files use fewer than ten levels.</summary>
    internal const int MaxDepth = 64;

    /// <summary>How many nodes a document may hold once every alias is expanded.</summary>
    internal const long MaxExpandedNodes = 2_000_000;

    /// <summary>Parses <paramref name="text"/> into a stream; throws <see cref="YamlException"/> for malformed or over-deep YAML.</summary>
    internal static YamlStream Load(string text)
    {
        var stream = new YamlStream();
        var parser = new LimitingParser(new Parser(new StringReader(text)));
        try
        {
            stream.Load(parser);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NotSupportedException or FormatException or OverflowException)
        {
            // YamlDotNet's document model fails on some malformed input with its own exceptions
            // ("The scanner should contain no more tokens", "The current event is of an unsupported type").
            Mark at = parser.Current?.Start ?? Mark.Empty;
            throw new YamlException(at, parser.Current?.End ?? at, $"malformed YAML: {ex.Message}", ex);
        }

        return stream;
    }

    private sealed class LimitingParser(IParser inner) : IParser
    {
        private readonly Stack<(string? Anchor, long Start)> _open = new();
        private readonly Dictionary<string, long> _anchorSizes = new(StringComparer.Ordinal);
        private long _nodes;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                return false;
            }

            switch (inner.Current)
            {
                case NodeEvent { } e and (SequenceStart or MappingStart):
                    if (_open.Count >= MaxDepth)
                    {
                        throw new YamlException(e.Start, e.End, $"mappings and lists are nested more than {MaxDepth} levels deep");
                    }

                    Count(e, 1);
                    _open.Push((e.Anchor.IsEmpty ? null : e.Anchor.Value, _nodes));
                    break;
                case SequenceEnd or MappingEnd:
                    if (_open.Count > 0)
                    {
                        (string? anchor, long start) = _open.Pop();
                        if (anchor is not null)
                        {
                            _anchorSizes[anchor] = _nodes - start + 1;
                        }
                    }

                    break;
                case Scalar s:
                    Count(s, 1);
                    if (!s.Anchor.IsEmpty)
                    {
                        _anchorSizes[s.Anchor.Value] = 1;
                    }

                    break;
                case AnchorAlias a:
                    Count(a, _anchorSizes.TryGetValue(a.Value.Value, out long size) ? size : 1);
                    break;
            }

            return true;
        }

        private void Count(ParsingEvent e, long n)
        {
            _nodes += n;
            if (_nodes > MaxExpandedNodes)
            {
                throw new YamlException(e.Start, e.End, $"more than {MaxExpandedNodes:N0} values once aliases are expanded");
            }
        }
    }
}
