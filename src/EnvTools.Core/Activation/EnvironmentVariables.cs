namespace EnvTools.Activation;

/// <summary>
/// The environment variables activation reads and changes: the process's (what PowerShell's <c>env:</c> drive
/// shows) or a map (tests, other hosts). Setting null or an empty string removes a variable, as .NET does.
/// </summary>
public interface IEnvironmentVariables
{
    /// <summary>Whether names are compared ignoring case (Windows).</summary>
    bool IgnoreCase { get; }

    /// <summary>The value of a variable, or null when it is not set.</summary>
    string? Get(string name);

    /// <summary>Sets a variable; null or empty removes it.</summary>
    void Set(string name, string? value);

    /// <summary>Every variable now set.</summary>
    IReadOnlyDictionary<string, string> GetAll();
}

/// <summary>The process's environment variables.</summary>
public sealed class ProcessEnvironmentVariables : IEnvironmentVariables
{
    /// <summary>The one instance.</summary>
    public static ProcessEnvironmentVariables Instance { get; } = new();

    private ProcessEnvironmentVariables()
    {
    }

    /// <inheritdoc />
    public bool IgnoreCase => OperatingSystem.IsWindows();

    /// <inheritdoc />
    public string? Get(string name) => Environment.GetEnvironmentVariable(name);

    /// <inheritdoc />
    public void Set(string name, string? value) => Environment.SetEnvironmentVariable(name, string.IsNullOrEmpty(value) ? null : value);

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> GetAll()
    {
        var result = new Dictionary<string, string>(IgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            result[(string)e.Key] = (string?)e.Value ?? string.Empty;
        }

        return result;
    }
}

/// <summary>Environment variables held in a dictionary (for tests and hosts that keep their own).</summary>
public sealed class EnvironmentVariableMap : IEnvironmentVariables
{
    private readonly Dictionary<string, string> _values;

    /// <summary>Creates a map holding <paramref name="initial"/>; <paramref name="ignoreCase"/> as on Windows.</summary>
    public EnvironmentVariableMap(IEnumerable<KeyValuePair<string, string>>? initial = null, bool ignoreCase = false)
    {
        IgnoreCase = ignoreCase;
        _values = new Dictionary<string, string>(ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var (k, v) in initial ?? Array.Empty<KeyValuePair<string, string>>())
        {
            Set(k, v);
        }
    }

    /// <inheritdoc />
    public bool IgnoreCase { get; }

    /// <inheritdoc />
    public string? Get(string name) => _values.TryGetValue(name, out string? v) ? v : null;

    /// <inheritdoc />
    public void Set(string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            _values.Remove(name);
        }
        else
        {
            _values[name] = value;
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> GetAll() => new Dictionary<string, string>(_values, _values.Comparer);
}
