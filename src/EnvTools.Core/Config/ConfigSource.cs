namespace EnvTools.Config;

/// <summary>What kind of source a configuration value came from, from lowest to highest precedence.</summary>
// Int64-based on purpose: PowerShell's ConvertTo-Json writes Int64 enums by name (others as numbers).
public enum ConfigSourceKind : long
{
    /// <summary>conda's built-in default.</summary>
    Default,

    /// <summary>A <c>.condarc</c> file (or a YAML file in a <c>condarc.d</c> folder).</summary>
    File,

    /// <summary>A <c>CONDA_*</c> environment variable.</summary>
    EnvironmentVariable,

    /// <summary>An option given with the call (a cmdlet parameter).</summary>
    CallOption,
}

/// <summary>
/// Where a configuration value came from: a file and line, an environment variable, a call option or the
/// default. Immutable; equality is by value.
/// </summary>
public sealed record ConfigSource
{
    private ConfigSource(ConfigSourceKind kind, string name, string? path, int? line)
    {
        Kind = kind;
        Name = name;
        Path = path;
        Line = line;
    }

    /// <summary>The built-in default.</summary>
    public static ConfigSource Default { get; } = new(ConfigSourceKind.Default, "default", null, null);

    /// <summary>A file, optionally with the 1-based line of the value.</summary>
    public static ConfigSource File(string path, int? line = null) => new(ConfigSourceKind.File, path, path, line);

    /// <summary>An environment variable (<c>CONDA_CHANNELS</c>).</summary>
    public static ConfigSource EnvironmentVariable(string name) => new(ConfigSourceKind.EnvironmentVariable, name, null, null);

    /// <summary>A call option; <paramref name="name"/> is the configuration key or parameter it set.</summary>
    public static ConfigSource CallOption(string name) => new(ConfigSourceKind.CallOption, name, null, null);

    /// <summary>The kind of source.</summary>
    public ConfigSourceKind Kind { get; }

    /// <summary>The file path, variable name, option name, or <c>default</c>.</summary>
    public string Name { get; }

    /// <summary>The file, for <see cref="ConfigSourceKind.File"/>; null otherwise.</summary>
    public string? Path { get; }

    /// <summary>The 1-based line in <see cref="Path"/>, when known.</summary>
    public int? Line { get; }

    /// <summary>The same file at another line.</summary>
    internal ConfigSource AtLine(int line) => new(Kind, Name, Path, line);

    /// <summary>
    /// <c>/home/u/.condarc:3</c>, <c>env:CONDA_CHANNELS</c>, <c>option:channels</c> or <c>default</c>.
    /// </summary>
    public override string ToString() => Kind switch
    {
        ConfigSourceKind.File => Line is int l ? $"{Path}:{l}" : Path!,
        ConfigSourceKind.EnvironmentVariable => $"env:{Name}",
        ConfigSourceKind.CallOption => $"option:{Name}",
        _ => "default",
    };
}
