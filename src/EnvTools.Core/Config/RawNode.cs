namespace EnvTools.Config;

/// <summary>conda's priority markers, written as comments: <c>#!final</c>, <c>#!top</c>, <c>#!bottom</c>.</summary>
internal enum ConfigFlag
{
    None,
    Final,
    Top,
    Bottom,
}

/// <summary>A value as one source holds it, before typing: a scalar, a sequence or a map, with its source and flag.</summary>
internal abstract class RawNode
{
    protected RawNode(ConfigSource source, ConfigFlag flag)
    {
        Source = source;
        Flag = flag;
    }

    /// <summary>Where the value is (file and line, variable, option).</summary>
    public ConfigSource Source { get; }

    /// <summary>The marker on the value's line: for a key, its <c>#!final</c>; for an item, <c>#!top</c>/<c>#!bottom</c>.</summary>
    public ConfigFlag Flag { get; }

    public abstract string Shape { get; }
}

internal sealed class RawScalar : RawNode
{
    public RawScalar(string? text, ConfigSource source, ConfigFlag flag = ConfigFlag.None) : base(source, flag) => Text = text;

    /// <summary>The text, or null for a YAML null (<c>~</c>, <c>null</c>, nothing).</summary>
    public string? Text { get; }

    public override string Shape => Text is null ? "null" : "a scalar";
}

internal sealed class RawSequence : RawNode
{
    public RawSequence(IReadOnlyList<RawNode> items, ConfigSource source, ConfigFlag flag = ConfigFlag.None) : base(source, flag) => Items = items;

    public IReadOnlyList<RawNode> Items { get; }

    public override string Shape => "a sequence";
}

internal sealed class RawMap : RawNode
{
    public RawMap(IReadOnlyList<KeyValuePair<string, RawNode>> entries, ConfigSource source, ConfigFlag flag = ConfigFlag.None) : base(source, flag) => Entries = entries;

    public IReadOnlyList<KeyValuePair<string, RawNode>> Entries { get; }

    public override string Shape => "a mapping";
}

/// <summary>One source's top-level keys, in the order written.</summary>
internal sealed class RawLayer
{
    public RawLayer(ConfigSource source, IReadOnlyList<KeyValuePair<string, RawNode>> entries)
    {
        Source = source;
        Entries = entries;
    }

    public ConfigSource Source { get; }

    public IReadOnlyList<KeyValuePair<string, RawNode>> Entries { get; }
}
