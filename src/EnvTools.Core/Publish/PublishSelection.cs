using EnvTools.Conda;
using EnvTools.Solve;

namespace EnvTools.Publish;

/// <summary>
/// Which records of a source channel a publish copies.
/// <list type="bullet">
/// <item>No specs: every record of every subdir (the whole channel).</item>
/// <item>Specs: every record that matches one of them (every version and build the spec allows, not only the newest).</item>
/// <item>Specs with dependencies: the <em>dependency closure</em> of those, per platform: for each platform subdir P (or
/// <c>noarch</c> alone when it is the only one) every record of P or <c>noarch</c> that matches a <c>depends</c> entry of a
/// selected record is selected too, until nothing is added. <c>constrains</c> add nothing, and virtual packages
/// (<c>__glibc</c> …) match no record.</item>
/// </list>
/// The closure holds every record that a solve of those specs against the source could pick, whatever the client's
/// virtual packages, pins or solver. So a client that solves the same specs against the mirror gets the same answer as
/// against the source, which a single solve on the publishing machine could not promise. That is why EnvTools takes the
/// closure rather than one solve. The price is size: every allowed version of every dependency comes along.
/// </summary>
public static class PublishSelection
{
    /// <summary>The records to publish, by subdir (each list ordered by file name).</summary>
    /// <param name="sources">The source's records, by subdir (a subdir without repodata is left out).</param>
    /// <param name="specs">The specs; empty: every record.</param>
    /// <param name="withDependencies">Add the dependency closure.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <returns>For each subdir of <paramref name="sources"/>, its selected records.</returns>
    public static IReadOnlyDictionary<string, IReadOnlyList<RepoDataRecord>> Select(IReadOnlyDictionary<string, IRecordSource> sources,
        IReadOnlyList<MatchSpec> specs, bool withDependencies, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(specs);
        var chosen = sources.Keys.ToDictionary(s => s, _ => new SortedDictionary<string, RepoDataRecord>(StringComparer.Ordinal), StringComparer.Ordinal);
        if (specs.Count == 0)
        {
            foreach ((string subdir, IRecordSource source) in sources)
            {
                foreach (RepoDataRecord r in source.Names.SelectMany(source.GetRecords))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    chosen[subdir].TryAdd(r.FileName, r);
                }
            }
        }
        else
        {
            foreach (IReadOnlyList<(string Subdir, IRecordSource Source)> group in Groups(sources))
            {
                Walk(group, specs, withDependencies, chosen, cancellationToken);
            }
        }

        return chosen.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<RepoDataRecord>)kv.Value.Values.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The specs that match no record of <paramref name="sources"/>.</summary>
    public static IReadOnlyList<MatchSpec> Unmatched(IReadOnlyDictionary<string, IRecordSource> sources, IReadOnlyList<MatchSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(specs);
        return specs.Where(spec => !sources.Values.Any(source => Matching(source, spec).Any())).ToArray();
    }

    /// <summary>The groups a closure is taken in: each platform subdir with <c>noarch</c>; <c>noarch</c> alone when it is the only one.</summary>
    private static IEnumerable<IReadOnlyList<(string Subdir, IRecordSource Source)>> Groups(IReadOnlyDictionary<string, IRecordSource> sources)
    {
        (string, IRecordSource)[] noarch = sources.TryGetValue("noarch", out IRecordSource? n) ? new[] { ("noarch", n) } : Array.Empty<(string, IRecordSource)>();
        string[] platforms = sources.Keys.Where(s => s != "noarch").Order(StringComparer.Ordinal).ToArray();
        if (platforms.Length == 0)
        {
            yield return noarch;
            yield break;
        }

        foreach (string p in platforms)
        {
            yield return new[] { (p, sources[p]) }.Concat(noarch).ToArray();
        }
    }

    private static void Walk(IReadOnlyList<(string Subdir, IRecordSource Source)> group, IReadOnlyList<MatchSpec> specs, bool withDependencies,
        Dictionary<string, SortedDictionary<string, RepoDataRecord>> chosen, CancellationToken ct)
    {
        // a record chosen by another group is walked again in this one: its dependencies may live in this platform
        var queue = new Queue<RepoDataRecord>();
        var walked = new HashSet<RepoDataRecord>(ReferenceEqualityComparer.Instance);
        void Take(MatchSpec spec)
        {
            foreach ((string subdir, IRecordSource source) in group)
            {
                foreach (RepoDataRecord r in Matching(source, spec))
                {
                    chosen[subdir].TryAdd(r.FileName, r);
                    if (withDependencies && walked.Add(r))
                    {
                        queue.Enqueue(r);
                    }
                }
            }
        }

        foreach (MatchSpec spec in specs)
        {
            Take(spec);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal); // a depends entry taken once serves every record that has it
        while (queue.TryDequeue(out RepoDataRecord? record))
        {
            ct.ThrowIfCancellationRequested();
            foreach (string dep in record.Depends)
            {
                if (seen.Add(dep) && MatchSpec.TryParse(dep, out MatchSpec? spec) && spec!.NameMatcher.ExactValue is not null)
                {
                    Take(spec);
                }
            }
        }
    }

    /// <summary>The records of one source that match a spec (whose name may be a glob).</summary>
    private static IEnumerable<RepoDataRecord> Matching(IRecordSource source, MatchSpec spec)
    {
        IEnumerable<string> names = spec.NameMatcher.ExactValue is { } exact ? new[] { exact } : source.Names.Where(spec.NameMatcher.IsMatch);
        return names.SelectMany(source.GetRecords).Where(spec.Matches);
    }
}
