using EnvTools.Conda;
using EnvTools.Solve;

namespace EnvTools.RepoData;

/// <summary>conda search: every record of loaded channels that matches a spec, newest first.</summary>
public static class PackageSearch
{
    /// <summary>Package names of the channels close to <paramref name="name"/> (a mistyped name), closest first.</summary>
    public static IReadOnlyList<string> SimilarNames(IReadOnlyList<SolverChannel> channels, string name, int max = 5)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(name);
        var all = new HashSet<string>(StringComparer.Ordinal);
        foreach (SolverChannel channel in channels)
        {
            foreach (IRecordSource source in channel.Subdirs)
            {
                all.UnionWith(source.Names);
            }
        }

        return TextDistance.CloseNames(all, name, max);
    }

    /// <summary>
    /// The records matching <paramref name="spec"/> (its name may be a glob), newest first: version, then build
    /// number, then timestamp, descending; then channel priority. A <c>.conda</c> archive hides its
    /// <c>.tar.bz2</c> twin (same channel, subdir, name, version and build).
    /// </summary>
    public static IReadOnlyList<RepoDataRecord> Find(IReadOnlyList<SolverChannel> channels, MatchSpec spec,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(spec);
        var found = new List<(RepoDataRecord Record, int Priority, Conda.Version? Version)>();
        for (int priority = 0; priority < channels.Count; priority++)
        {
            foreach (IRecordSource source in channels[priority].Subdirs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                IEnumerable<string> names = spec.NameMatcher.ExactValue is { } exact
                    ? new[] { exact }
                    : source.Names.Where(spec.NameMatcher.IsMatch);
                var twins = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (string name in names)
                {
                    foreach (RepoDataRecord r in source.GetRecords(name))
                    {
                        if (!spec.Matches(r))
                        {
                            continue;
                        }

                        string key = $"{r.Name}-{r.Version}-{r.Build}";
                        bool isConda = r.FileName.EndsWith(".conda", StringComparison.Ordinal);
                        if (twins.TryGetValue(key, out int at))
                        {
                            if (isConda && !found[at].Record.FileName.EndsWith(".conda", StringComparison.Ordinal))
                            {
                                found[at] = (r, priority, found[at].Version);
                            }

                            continue;
                        }

                        twins[key] = found.Count;
                        _ = Conda.Version.TryParse(r.Version, out Conda.Version? v); // an invalid version sorts as null
                        found.Add((r, priority, v));
                    }
                }
            }
        }

        return found
            .OrderBy(f => f.Record.Name, StringComparer.Ordinal)
            .ThenByDescending(f => f.Version, Comparer<Conda.Version?>.Default)
            .ThenByDescending(f => f.Record.BuildNumber)
            .ThenByDescending(f => f.Record.Timestamp ?? 0)
            .ThenBy(f => f.Priority)
            .Select(f => f.Record)
            .ToArray();
    }
}
