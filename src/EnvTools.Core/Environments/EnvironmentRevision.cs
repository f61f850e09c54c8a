namespace EnvTools.Environments;

/// <summary>A package named in a history revision.</summary>
public sealed class RevisionPackage
{
    /// <summary>The package name.</summary>
    public required string Name { get; init; }

    /// <summary>The version.</summary>
    public required string Version { get; init; }

    /// <summary>The build string.</summary>
    public required string Build { get; init; }

    /// <summary>The channel as the history names it (a name or a URL), or null.</summary>
    public string? Channel { get; init; }

    /// <summary>The dist text as written in the history (<c>channel::name-version-build</c>).</summary>
    public required string Dist { get; init; }

    internal static RevisionPackage From(HistoryDist d) =>
        new() { Name = d.Name, Version = d.Version, Build = d.Build, Channel = d.Channel, Dist = d.Text };

    /// <inheritdoc />
    public override string ToString() => $"{Name}-{Version}-{Build}";
}

/// <summary>A package that a revision replaced by another version or build of the same name.</summary>
public sealed class RevisionPackageChange
{
    /// <summary>The package name.</summary>
    public required string Name { get; init; }

    /// <summary>The version before.</summary>
    public required string OldVersion { get; init; }

    /// <summary>The build before.</summary>
    public required string OldBuild { get; init; }

    /// <summary>The version after.</summary>
    public required string Version { get; init; }

    /// <summary>The build after.</summary>
    public required string Build { get; init; }

    /// <summary>The channel after, as the history names it.</summary>
    public string? Channel { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {{{OldVersion}-{OldBuild} -> {Version}-{Build}}}";
}

/// <summary>
/// One revision of an environment's <c>conda-meta/history</c> (<c>conda list --revisions</c>): what it changed and what
/// the user asked for. Added, Removed, Upgraded and Downgraded follow conda's <c>History.object_log</c>: a name both
/// removed and added is an upgrade or a downgrade, the others are plain installs and removals; a revision written as a
/// full listing (old conda) counts all its packages as added.
/// </summary>
public sealed class EnvironmentRevision
{
    /// <summary>The revision number (0 is the first), as <c>Restore-Env -Revision</c> and conda's <c>--revision</c> take it.</summary>
    public required int Revision { get; init; }

    /// <summary>When it was written (the local wall-clock time conda writes), or null when the stamp is not a date.</summary>
    public DateTime? Date { get; init; }

    /// <summary>The command recorded (<c># cmd:</c>), or null.</summary>
    public string? Command { get; init; }

    /// <summary>The conda version recorded (<c># conda version:</c>), or null.</summary>
    public string? CondaVersion { get; init; }

    /// <summary>The EnvTools version that wrote the revision, or null when another tool did.</summary>
    public string? EnvToolsVersion { get; init; }

    /// <summary>Packages installed that were not there before.</summary>
    public required IReadOnlyList<RevisionPackage> Added { get; init; }

    /// <summary>Packages removed without a replacement.</summary>
    public required IReadOnlyList<RevisionPackage> Removed { get; init; }

    /// <summary>Packages replaced by a newer version (or, at the same version, another build ordered higher).</summary>
    public required IReadOnlyList<RevisionPackageChange> Upgraded { get; init; }

    /// <summary>Packages replaced by an older version.</summary>
    public required IReadOnlyList<RevisionPackageChange> Downgraded { get; init; }

    /// <summary>The specs the user asked for in this revision (<c># update specs:</c>).</summary>
    public required IReadOnlyList<string> RequestedSpecs { get; init; }

    /// <summary>The specs the user asked to remove in this revision (<c># remove specs:</c>).</summary>
    public required IReadOnlyList<string> RemovedSpecs { get; init; }

    /// <summary>The number of packages in the environment after this revision.</summary>
    public required int PackageCount { get; init; }

    /// <summary>The environment's folder.</summary>
    public required string Prefix { get; init; }

    /// <summary>The revisions of a prefix's history, oldest first; none when it has no history file.</summary>
    public static IReadOnlyList<EnvironmentRevision> Read(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        PrefixHistory history = PrefixHistory.Load(PrefixHistory.PathFor(prefix));
        IReadOnlyList<IReadOnlyList<HistoryDist>> states = history.GetStates();
        var result = new List<EnvironmentRevision>(history.Revisions.Count);
        for (int i = 0; i < history.Revisions.Count; i++)
        {
            result.Add(From(history.Revisions[i], i, states[i].Count, prefix));
        }

        return result;
    }

    private static EnvironmentRevision From(HistoryRevision rev, int index, int count, string prefix)
    {
        var added = new Dictionary<string, HistoryDist>(StringComparer.OrdinalIgnoreCase);
        var removed = new Dictionary<string, HistoryDist>(StringComparer.OrdinalIgnoreCase);
        foreach (HistoryDist d in rev.IsDiff ? rev.Added : rev.Listed)
        {
            added[d.Name] = d;
        }

        foreach (HistoryDist d in rev.Removed)
        {
            removed[d.Name] = d;
        }

        var up = new List<RevisionPackageChange>();
        var down = new List<RevisionPackageChange>();
        foreach (string name in added.Keys.Where(removed.ContainsKey).Order(StringComparer.OrdinalIgnoreCase))
        {
            HistoryDist n = added[name], o = removed[name];
            var change = new RevisionPackageChange
            {
                Name = n.Name, OldVersion = o.Version, OldBuild = o.Build, Version = n.Version, Build = n.Build, Channel = n.Channel,
            };
            (Compare(n, o) > 0 ? up : down).Add(change);
        }

        return new EnvironmentRevision
        {
            Revision = index,
            Date = rev.Timestamp,
            Command = rev.Command,
            CondaVersion = rev.CondaVersion,
            EnvToolsVersion = rev.EnvToolsVersion,
            Added = added.Where(kv => !removed.ContainsKey(kv.Key)).OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase).Select(kv => RevisionPackage.From(kv.Value)).ToArray(),
            Removed = removed.Where(kv => !added.ContainsKey(kv.Key)).OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase).Select(kv => RevisionPackage.From(kv.Value)).ToArray(),
            Upgraded = up,
            Downgraded = down,
            RequestedSpecs = rev.UpdateSpecs,
            RemovedSpecs = rev.RemoveSpecs,
            PackageCount = count,
            Prefix = prefix,
        };
    }

    /// <summary>conda's order of versions, then the build strings (conda's object_log compares the strings; a version
    /// that does not parse falls back to that).</summary>
    private static int Compare(HistoryDist a, HistoryDist b)
    {
        int c = Conda.Version.TryParse(a.Version, out Conda.Version? va) && Conda.Version.TryParse(b.Version, out Conda.Version? vb)
            ? va!.CompareTo(vb)
            : string.CompareOrdinal(a.Version, b.Version);
        return c != 0 ? c : string.CompareOrdinal(a.Build, b.Build);
    }
}

/// <summary>A revision number that the environment's history does not have (conda: <c>no such revision</c>).</summary>
public sealed class RevisionNotFoundException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public RevisionNotFoundException(int revision, int count, string? prefix)
        : base("RevisionNotFound", ErrorKind.ObjectNotFound,
            count == 0
                ? $"No such revision: {revision}. The environment{(prefix is null ? string.Empty : $" '{prefix}'")} has no history (conda-meta/history)."
                : $"No such revision: {revision}. The environment{(prefix is null ? string.Empty : $" '{prefix}'")} has revisions 0 to {count - 1} (see Get-EnvHistory).",
            revision)
    {
        Revision = revision;
        Count = count;
    }

    /// <summary>The revision asked for.</summary>
    public int Revision { get; }

    /// <summary>How many revisions the history has.</summary>
    public int Count { get; }
}
