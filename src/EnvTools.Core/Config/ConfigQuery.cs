namespace EnvTools.Config;

/// <summary>What a configuration key (or pattern) of Get-EnvConfig finds: see <see cref="ConfigQuery.Find"/>.</summary>
public sealed record ConfigKeyMatch
{
    /// <summary>The values of the keys it matches (a key's alias finds the key).</summary>
    public IReadOnlyList<ConfigValue> Values { get; init; } = Array.Empty<ConfigValue>();

    /// <summary>A conda key EnvTools does not use: its value where a file sets it, else unset; null otherwise.</summary>
    public ConfigValue? UnusedCondaKey { get; init; }

    /// <summary>Why the key found nothing (a plain key that is no configuration key); null when it found something or is a pattern.</summary>
    public string? NotFound { get; init; }
}

/// <summary>The reading side of Get-EnvConfig: notices about unknown keys, and what a key or pattern finds.</summary>
public static class ConfigQuery
{
    /// <summary>
    /// One notice per key of the files that EnvTools does not use: a warning (<c>Warning</c> true) for a key conda does
    /// not know either (it is ignored), else a note that conda knows it.
    /// </summary>
    public static IEnumerable<(bool Warning, string Message)> UnknownKeyNotices(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.UnknownKeys.Select(u => CondaKeys.Canonical(u.Key) is null
            ? (true, $"Unknown configuration key '{u.Key}' in {u.SourceInfo} is ignored.")
            : (false, $"'{u.Key}' in {u.SourceInfo} is a conda key that EnvTools does not use."));
    }

    /// <summary>
    /// What <paramref name="key"/> finds: the values whose key <paramref name="isMatch"/> accepts, else (a plain key,
    /// <paramref name="isPattern"/> false) the key it is an alias of, a conda key EnvTools does not use, or nothing.
    /// </summary>
    public static ConfigKeyMatch Find(Settings settings, string key, Func<string, bool> isMatch, bool isPattern)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(isMatch);
        ConfigValue[] matched = settings.Values.Where(v => isMatch(v.Key)).ToArray();
        if (matched.Length == 0 && settings.GetValue(key) is ConfigValue alias)
        {
            matched = new[] { alias };
        }

        if (matched.Length > 0 || isPattern)
        {
            return new ConfigKeyMatch { Values = matched };
        }

        if (CondaKeys.Canonical(key) is { } condaKey)
        {
            ConfigValue? set = settings.UnknownKeys.LastOrDefault(u => CondaKeys.Canonical(u.Key) == condaKey);
            return new ConfigKeyMatch { UnusedCondaKey = set ?? ConfigValue.Unset(condaKey) };
        }

        return new ConfigKeyMatch { NotFound = $"'{key}' is not a configuration key EnvTools knows; known keys: {string.Join(", ", Settings.KnownKeys)}" };
    }
}
