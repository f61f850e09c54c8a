namespace EnvTools.Solve;

/// <summary>conda's legacy <c>features</c> as requirements: their trackers are loaded and each feature is a dependency
/// of its records.</summary>
internal sealed partial class CondaProvider
{
    /// <summary>Enqueues the names of records that track a feature some loaded record requires and no loaded record
    /// tracks (each feature looked up once: a scan of the channels' names, needed only for legacy <c>features</c>).</summary>
    private void EnqueueFeatureTrackers(HashSet<string> scanned, Action<string> enqueue)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in _names.Values)
        {
            foreach (var c in entry.Candidates)
            {
                foreach (var f in c.Record.Features)
                {
                    if (scanned.Add(f))
                    {
                        wanted.Add(f);
                    }
                }
            }
        }

        if (wanted.Count == 0)
        {
            return;
        }

        foreach (var entry in _names.Values)
        {
            foreach (var c in entry.Candidates)
            {
                wanted.ExceptWith(c.Record.TrackFeatures);
            }
        }

        if (wanted.Count == 0)
        {
            return;
        }

        foreach (var channel in _request.Channels)
        {
            foreach (var source in channel.Subdirs)
            {
                foreach (string name in source.Names)
                {
                    _ct.ThrowIfCancellationRequested();
                    if (!_names.ContainsKey(name) && source.GetRecords(name).Any(r => r.TrackFeatures.Any(wanted.Contains)))
                    {
                        enqueue(name);
                    }
                }
            }
        }
    }

    /// <summary>conda's <c>MatchSpec(track_features=f)</c>: any loaded record that tracks <paramref name="feature"/>.</summary>
    private Requirement FeatureRequirement(string feature)
    {
        string key = "@feature:" + feature;
        if (!_reqCache.TryGetValue(key, out var req))
        {
            var matches = _names.Values.SelectMany(e => e.Candidates).Where(c => c.Record.TrackFeatures.Contains(feature)).OrderBy(c => c.Order).ToArray();
            req = NewRequirement(ParseSpec($"*[track_features={feature}]"), null, matches);
            _reqCache[key] = req;
        }

        return req;
    }
}
