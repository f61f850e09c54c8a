using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Fetch;
using EnvTools.Solve;

namespace EnvTools.Install;

/// <summary>
/// The exact package set of a history revision, as records a transaction can link (conda's <c>revert_actions</c>): no
/// solve. Each of the revision's dists (name-version-build, channel) is found, in this order, among the installed
/// records, in the package cache, then in the channels (read only when something is in neither, so a restore whose
/// packages are all cached works offline). A record of the channel the history names is preferred; one of the same
/// name, version and build from another channel is taken when the named channel has none (histories of different tools
/// spell channels differently). A dist found nowhere is <see cref="PackagesNotFoundException"/>, as in conda.
/// </summary>
internal static class RevisionTarget
{
    /// <summary>The resolved target.</summary>
    /// <param name="Records">The records of the revision's package set.</param>
    /// <param name="RequestedSpecs">The user's requested specs as of that revision (of the packages in the set).</param>
    /// <param name="DroppedSpecs">Names requested now but not as of that revision: written as remove specs, so that the
    /// requested-spec history after the restore is the revision's.</param>
    internal sealed record Result(IReadOnlyList<RepoDataRecord> Records, IReadOnlyDictionary<string, string> RequestedSpecs, IReadOnlyList<string> DroppedSpecs);

    /// <summary>Resolves revision <paramref name="revision"/> of <paramref name="prefix"/>'s history.</summary>
    /// <exception cref="RevisionNotFoundException">No such revision.</exception>
    /// <exception cref="PackagesNotFoundException">A package of the revision is neither installed, cached nor in the channels.</exception>
    internal static Result Resolve(string prefix, int revision, IReadOnlyList<PrefixRecord> installed, PackageCache cache,
        Func<IReadOnlyList<SolverChannel>> loadChannels, IReadOnlyList<string> channelNames)
    {
        PrefixHistory history = PrefixHistory.Load(PrefixHistory.PathFor(prefix));
        int index = history.ResolveRevision(revision, prefix);
        IReadOnlyList<HistoryDist> state = history.GetStates()[index];

        var records = new List<RepoDataRecord>(state.Count);
        var missing = new List<HistoryDist>();
        List<RepoDataRecord>? cached = null;
        foreach (HistoryDist d in state)
        {
            RepoDataRecord? found = Best(d, installed);
            if (found is null)
            {
                cached ??= cache.List().Where(e => e.Kind == PackageCacheEntryKind.Extracted && e.IsComplete && e.Record is not null).Select(e => e.Record!).ToList();
                found = Best(d, cached);
            }

            if (found is null)
            {
                missing.Add(d);
            }
            else
            {
                records.Add(found);
            }
        }

        if (missing.Count > 0)
        {
            IReadOnlyList<SolverChannel> channels = loadChannels();
            var still = new List<HistoryDist>();
            try
            {
                foreach (HistoryDist d in missing)
                {
                    IEnumerable<RepoDataRecord> candidates = channels.SelectMany(c => c.Subdirs).SelectMany(s => s.GetRecords(d.Name));
                    if (Best(d, candidates) is { } r)
                    {
                        records.Add(r);
                    }
                    else
                    {
                        still.Add(d);
                    }
                }
            }
            finally
            {
                SolverChannel.DisposeAll(channels); // release the repodata mappings now (the records found are decoded)
            }

            if (still.Count > 0)
            {
                throw new PackagesNotFoundException(
                    still.Select(d => new MissingPackage(MatchSpec.FromDistString(d.Text), Array.Empty<string>(), Array.Empty<string>())).ToArray(),
                    channelNames);
            }
        }

        var names = records.Select(r => r.Name).ToArray();
        IReadOnlyDictionary<string, string> target = history.GetRequestedSpecs(names, index);
        IReadOnlyDictionary<string, string> now = history.GetRequestedSpecs(installed.Select(r => r.Name));
        string[] dropped = now.Keys.Where(n => !target.ContainsKey(n)).ToArray();
        return new Result(records, target, dropped);
    }

    /// <summary>The candidate with the dist's name, version and build: of the dist's channel if there is one, else the first.</summary>
    private static RepoDataRecord? Best(HistoryDist d, IEnumerable<RepoDataRecord> candidates)
    {
        RepoDataRecord? any = null;
        foreach (RepoDataRecord r in candidates)
        {
            if (r.Name != d.Name || r.Version != d.Version || r.Build != d.Build)
            {
                continue;
            }

            if (d.Channel is null || SameChannel(d, r))
            {
                return r;
            }

            any ??= r;
        }

        return any;
    }

    private static bool SameChannel(HistoryDist d, RepoDataRecord r)
    {
        if (TransactionRunner.DistString(r) == d.Text)
        {
            return true;
        }

        string? mine = CondaMetaNames.ShortChannel(r.Channel);
        string? theirs = CondaMetaNames.ShortChannel(d.Channel);
        return mine is not null && string.Equals(mine, theirs, StringComparison.Ordinal);
    }
}
