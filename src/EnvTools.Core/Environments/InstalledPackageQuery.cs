using EnvTools.Config;

namespace EnvTools.Environments;

/// <summary>The installed packages of an environment as Get-EnvPackage lists them, and the selection by name.</summary>
public static class InstalledPackageQuery
{
    /// <summary>
    /// The packages of <paramref name="prefix"/> (conda and pip), with the configured pins and channels of the settings;
    /// <paramref name="warn"/> hears when an interrupted transaction is pending there.
    /// </summary>
    public static IReadOnlyList<InstalledPackage> Read(string prefix, Func<Settings> settings, Action<string> warn, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(warn);
        PrefixData data = PrefixData.Load(prefix, ct);
        if (data.TransactionPending)
        {
            warn(PrefixJournal.PendingMessage(prefix));
        }

        Settings loaded = settings();
        return data.GetPackages(configuredPins: loaded.PinnedPackages, channels: loaded.CreateChannelResolver());
    }

    /// <summary>
    /// The packages whose name one of <paramref name="names"/> matches (all when there are none; <paramref name="matcher"/>
    /// makes the test of a name or pattern), in their order, and the plain names (<paramref name="isPattern"/> false) that
    /// name no package (compared ignoring case).
    /// </summary>
    public static (IReadOnlyList<InstalledPackage> Matched, IReadOnlyList<string> Missing) Select(IReadOnlyList<InstalledPackage> packages,
        IReadOnlyList<string>? names, Func<string, Func<string, bool>> matcher, Func<string, bool> isPattern)
    {
        ArgumentNullException.ThrowIfNull(packages);
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentNullException.ThrowIfNull(isPattern);
        if (names is not { Count: > 0 })
        {
            return (packages, Array.Empty<string>());
        }

        var tests = names.Select(matcher).ToArray();
        return (packages.Where(p => tests.Any(t => t(p.Name))).ToArray(),
            names.Where(n => !isPattern(n) && !packages.Any(p => string.Equals(p.Name, n, StringComparison.OrdinalIgnoreCase))).ToArray());
    }
}
