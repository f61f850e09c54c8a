namespace EnvTools.Config;

/// <summary>
/// One effective setting and where it came from, as <c>Get-EnvConfig</c> shows it
/// (PowerShell type name <c>EnvTools.ConfigValue</c>). Credentials in URLs are redacted in
/// <see cref="Value"/> (<c>/t/&lt;TOKEN&gt;/</c>, <c>user:***@</c>).
/// </summary>
public sealed class ConfigValue
{
    internal ConfigValue(string key, object? value, ConfigSource source, IReadOnlyList<ConfigSource> sources)
    {
        Key = key;
        Value = value;
        SourceInfo = source;
        _sources = sources;
    }

    /// <summary>A key that no source sets and that has no default EnvTools knows (a conda key EnvTools does not use).</summary>
    public static ConfigValue Unset(string key) => new(key, null, ConfigSource.Default, Array.Empty<ConfigSource>());

    /// <summary>The key, as conda names it (<c>channel_priority</c>).</summary>
    public string Key { get; }

    /// <summary>
    /// The effective value: a bool, int, double, string, <see cref="Solve.ChannelPriority"/>, <see cref="SslVerify"/>,
    /// a string array, or a read-only dictionary; URLs redacted.
    /// </summary>
    public object? Value { get; }

    /// <summary>The source that decided the value (for a merged list, the highest-precedence one that contributed).</summary>
    public ConfigSource SourceInfo { get; }

    /// <summary>The file path, <c>env:NAME</c>, <c>option:key</c> or <c>default</c>.</summary>
    public string Source => SourceInfo.Kind == ConfigSourceKind.File ? SourceInfo.Path! : SourceInfo.ToString();

    /// <summary>The 1-based line in the file, when the source is a file.</summary>
    public int? Line => SourceInfo.Line;

    private readonly IReadOnlyList<ConfigSource> _sources;

    /// <summary>
    /// Every source (file, variable, option) that contributed, once each with the line of its first element used:
    /// several for merged lists and maps, highest precedence first. (A method, so that ConvertTo-Json of several values
    /// stays within its default depth.)
    /// </summary>
    public IReadOnlyList<ConfigSource> GetSources() => _sources;

    /// <inheritdoc />
    public override string ToString() => $"{Key} = {Display(Value)} ({SourceInfo})";

    private static string Display(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        System.Collections.IDictionary d => string.Join(", ", d.Keys.Cast<object>().Select(k => $"{k}: {Display(d[k])}")),
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Display)) + "]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
