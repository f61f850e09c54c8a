using EnvTools.Conda;
using EnvTools.Solve;

namespace EnvTools.Install;

/// <summary>
/// What to do to one prefix: the installed packages to unlink (in reverse dependency order) and the packages to
/// link (in dependency order). Made by <see cref="Create"/> from the prefix's records and a solution; carried out by
/// <see cref="PrefixTransaction.Execute"/>.
/// </summary>
public sealed class TransactionPlan
{
    /// <summary>The environment's folder.</summary>
    public required string Prefix { get; init; }

    /// <summary>Installed packages to unlink, dependents before their dependencies.</summary>
    public IReadOnlyList<PrefixRecord> Unlink { get; init; } = Array.Empty<PrefixRecord>();

    /// <summary>Packages to link, dependencies before their dependents.</summary>
    public IReadOnlyList<LinkPackage> Link { get; init; } = Array.Empty<LinkPackage>();

    /// <summary>True when the plan changes no package.</summary>
    public bool IsEmpty => Unlink.Count == 0 && Link.Count == 0;

    /// <summary>
    /// Diffs the installed records against a solution (the complete final set of packages). A package is kept when
    /// name, version, build and channel (subdir included) are the same; changed or removed packages are unlinked,
    /// new or changed ones linked. With <paramref name="forceReinstall"/>, the packages named in
    /// <paramref name="requestedSpecs"/> (every package of the solution when that is null or empty) are relinked even
    /// when unchanged.
    /// </summary>
    /// <param name="prefix">The environment's folder.</param>
    /// <param name="installed">The prefix's records (<see cref="Environments.PrefixState.ReadInstalled"/>).</param>
    /// <param name="solution">The final set of packages.</param>
    /// <param name="extractedDirOf">Where each solution record is extracted in the package cache.</param>
    /// <param name="requestedSpecs">Package name → the spec the user asked for, written as <c>requested_spec</c>.</param>
    /// <param name="forceReinstall">Relink unchanged packages too (see above).</param>
    public static TransactionPlan Create(
        string prefix,
        IReadOnlyList<PrefixRecord> installed,
        IReadOnlyList<RepoDataRecord> solution,
        Func<RepoDataRecord, string> extractedDirOf,
        IReadOnlyDictionary<string, string>? requestedSpecs = null,
        bool forceReinstall = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(installed);
        ArgumentNullException.ThrowIfNull(solution);
        ArgumentNullException.ThrowIfNull(extractedDirOf);

        var wanted = new Dictionary<string, RepoDataRecord>(StringComparer.Ordinal);
        foreach (var r in solution)
        {
            wanted[r.Name] = r;
        }

        bool Forced(string name) =>
            forceReinstall && (requestedSpecs is null || requestedSpecs.Count == 0 || requestedSpecs.ContainsKey(name));

        var kept = new HashSet<string>(StringComparer.Ordinal);
        var unlink = new List<PrefixRecord>();
        foreach (var rec in installed)
        {
            if (wanted.TryGetValue(rec.Name, out var w) && SamePackage(rec, w) && !Forced(rec.Name))
            {
                kept.Add(rec.Name);
            }
            else
            {
                unlink.Add(rec);
            }
        }

        var unlinkOrder = Toposort.Sort(unlink).Cast<PrefixRecord>().Reverse().ToList();
        var linkOrder = Toposort.Sort(wanted.Values.Where(r => !kept.Contains(r.Name)).ToList())
            .Select(r => new LinkPackage(r, extractedDirOf(r), requestedSpecs is not null && requestedSpecs.TryGetValue(r.Name, out var s) ? s : null))
            .ToList();
        return new TransactionPlan { Prefix = prefix, Unlink = unlinkOrder, Link = linkOrder };
    }

    /// <summary>Whether two records are the same package: name, version, build, subdir and channel (when both know it).</summary>
    internal static bool SamePackage(RepoDataRecord a, RepoDataRecord b)
    {
        if (a.Name != b.Name || a.Version != b.Version || a.Build != b.Build)
        {
            return false;
        }

        if (a.Subdir is not null && b.Subdir is not null && a.Subdir != b.Subdir)
        {
            return false;
        }

        return a.Channel is null || b.Channel is null
            || string.Equals(a.Channel.TrimEnd('/'), b.Channel.TrimEnd('/'), StringComparison.Ordinal);
    }
}
