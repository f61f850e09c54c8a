namespace EnvTools.Config;

/// <summary>
/// A configuration source that cannot be used: a <c>.condarc</c> that is not valid YAML, a key with a
/// value of the wrong type (<c>channels: 5</c>), an unknown <c>channel_priority</c>, a bad
/// <c>CONDA_*</c> variable or call option. The message names the file and line (or the variable).
/// </summary>
public sealed class InvalidConfigurationException : EnvToolsException
{
    /// <summary>The stable error id.</summary>
    public const string Id = "InvalidConfiguration";

    /// <summary>Creates the error for a value read from <paramref name="source"/>.</summary>
    public InvalidConfigurationException(ConfigSource source, string? key, string reason, Exception? inner = null)
        : base(Id, ErrorKind.InvalidData, Format(source, key, reason), source.Path ?? source.Name, inner)
    {
        Source = source;
        Key = key;
        Reason = reason;
    }

    /// <summary>Where the bad value was found (file and line, variable, call option).</summary>
    public new ConfigSource Source { get; }

    /// <summary>The configuration key concerned, or null when the whole source is unreadable.</summary>
    public string? Key { get; }

    /// <summary>Why the value was rejected.</summary>
    public string Reason { get; }

    /// <summary>The file, when the source is a file.</summary>
    public string? FilePath => Source.Path;

    /// <summary>The 1-based line in <see cref="FilePath"/>, when known.</summary>
    public int? Line => Source.Line;

    private static string Format(ConfigSource source, string? key, string reason) =>
        key is null ? $"Invalid configuration in {source}: {reason}" : $"Invalid configuration in {source}: '{key}': {reason}";
}
