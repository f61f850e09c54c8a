using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>What a transaction does to one package.</summary>
// Int64-based on purpose: PowerShell's ConvertTo-Json writes Int64 enums by name (others as numbers).
public enum PackageChangeAction : long
{
    /// <summary>A package not installed before is linked.</summary>
    Install,

    /// <summary>A newer version (or, at the same version, a higher build number) replaces the installed one.</summary>
    Update,

    /// <summary>An older version (or, at the same version, a lower build number) replaces the installed one.</summary>
    Downgrade,

    /// <summary>An installed package is unlinked.</summary>
    Remove,

    /// <summary>The same version and build number are linked again: another build string, channel or artifact.</summary>
    Reinstall,
}

/// <summary>One package's change between two states of an environment (the output of the install cmdlets).</summary>
public sealed class PackageChange
{
    /// <summary>What happens.</summary>
    public required PackageChangeAction Action { get; init; }

    /// <summary>The package name.</summary>
    public required string Name { get; init; }

    /// <summary>The version installed before; null for <see cref="PackageChangeAction.Install"/>.</summary>
    public string? OldVersion { get; init; }

    /// <summary>The version installed after; null for <see cref="PackageChangeAction.Remove"/>.</summary>
    public string? Version { get; init; }

    /// <summary>The build string after; null for <see cref="PackageChangeAction.Remove"/>.</summary>
    public string? Build { get; init; }

    /// <summary>The build string before; null for <see cref="PackageChangeAction.Install"/>.</summary>
    public string? OldBuild { get; init; }

    /// <summary>The channel name of the package linked (of the one unlinked, for a removal).</summary>
    public string? Channel { get; init; }

    /// <summary>The archive size of the package linked (of the one unlinked, for a removal), if known.</summary>
    public long? Size { get; init; }

    /// <summary>The record linked (set by the engine); null for a removal.</summary>
    internal RepoDataRecord? Record { get; init; }

    /// <summary>The conda-meta record unlinked (set by the engine); null for an install.</summary>
    internal PrefixRecord? OldRecord { get; init; }

    // The records are methods rather than properties so that ConvertTo-Json of the changes stays within its default depth.

    /// <summary>The record linked; null for a removal.</summary>
    public RepoDataRecord? GetRecord() => Record;

    /// <summary>The conda-meta record unlinked (with its files); null for an install.</summary>
    public PrefixRecord? GetOldRecord() => OldRecord;

    /// <summary>
    /// The changes that turn <paramref name="before"/> (the installed records) into <paramref name="after"/>
    /// (the solution), matched by name: removals first (in <paramref name="before"/>'s order), then the others
    /// in <paramref name="after"/>'s order (the solver's, dependencies first). Versions compare in conda's
    /// order; at equal versions the build number decides; equal version and build number with another build
    /// string, channel or checksum is a <see cref="PackageChangeAction.Reinstall"/>; an identical record is
    /// no change.
    /// </summary>
    public static IReadOnlyList<PackageChange> Diff(IReadOnlyList<PrefixRecord> before, IReadOnlyList<RepoDataRecord> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var old = new Dictionary<string, PrefixRecord>(StringComparer.Ordinal);
        foreach (PrefixRecord r in before)
        {
            old[r.Name] = r;
        }

        var next = new HashSet<string>(after.Select(r => r.Name), StringComparer.Ordinal);
        var changes = new List<PackageChange>();
        foreach (PrefixRecord r in before)
        {
            if (!next.Contains(r.Name))
            {
                changes.Add(new PackageChange
                {
                    Action = PackageChangeAction.Remove,
                    Name = r.Name,
                    OldVersion = r.Version,
                    OldBuild = r.Build,
                    Channel = CondaMetaNames.ShortChannel(r.Channel),
                    Size = r.Size,
                    OldRecord = r,
                });
            }
        }

        foreach (RepoDataRecord r in after)
        {
            PrefixRecord? o = old.GetValueOrDefault(r.Name);
            PackageChangeAction? action = o is null ? PackageChangeAction.Install : Compare(o, r);
            if (action is null)
            {
                continue;
            }

            changes.Add(new PackageChange
            {
                Action = action.Value,
                Name = r.Name,
                OldVersion = o?.Version,
                Version = r.Version,
                Build = r.Build,
                OldBuild = o?.Build,
                Channel = CondaMetaNames.ShortChannel(r.Channel),
                Size = r.Size,
                Record = r,
                OldRecord = o,
            });
        }

        return changes;
    }

    private static PackageChangeAction? Compare(PrefixRecord o, RepoDataRecord n)
    {
        int byVersion = Conda.Version.TryParse(o.Version, out Conda.Version? ov) && Conda.Version.TryParse(n.Version, out Conda.Version? nv)
            ? nv.CompareTo(ov)
            : string.CompareOrdinal(n.Version, o.Version);
        if (byVersion != 0)
        {
            return byVersion > 0 ? PackageChangeAction.Update : PackageChangeAction.Downgrade;
        }

        if (n.BuildNumber != o.BuildNumber)
        {
            return n.BuildNumber > o.BuildNumber ? PackageChangeAction.Update : PackageChangeAction.Downgrade;
        }

        bool same = n.Build == o.Build
                    && SameChannel(CondaMetaNames.ShortChannel(o.Channel), CondaMetaNames.ShortChannel(n.Channel))
                    && SameHash(o.Sha256, n.Sha256) && SameHash(o.Md5, n.Md5);
        return same ? null : PackageChangeAction.Reinstall;
    }

    private static bool SameChannel(string? a, string? b) => a is null || b is null || string.Equals(a, b, StringComparison.Ordinal);

    private static bool SameHash(string? a, string? b) =>
        string.IsNullOrEmpty(a) || string.IsNullOrEmpty(b) || string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override string ToString() => Action switch
    {
        PackageChangeAction.Install => $"Install {Name} {Version}-{Build}",
        PackageChangeAction.Remove => $"Remove {Name} {OldVersion}-{OldBuild}",
        _ => $"{Action} {Name} {OldVersion}-{OldBuild} -> {Version}-{Build}",
    };
}
