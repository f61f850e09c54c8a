namespace EnvTools.Config;

/// <summary>One typed element of a sequence, with where it came from and its marker.</summary>
internal readonly record struct ConfigItem(string Value, ConfigSource Source, ConfigFlag Flag);

/// <summary>A key's value as one source gives it, typed and validated.</summary>
internal abstract record TypedMatch(ConfigSource Source, bool Final);

internal sealed record ScalarMatch(object Value, ConfigSource Source, bool Final) : TypedMatch(Source, Final);

internal sealed record SequenceMatch(IReadOnlyList<ConfigItem> Items, ConfigSource Source, bool Final) : TypedMatch(Source, Final);

internal sealed record MapMatch(IReadOnlyList<KeyValuePair<string, TypedMatch>> Entries, ConfigSource Source, bool Final) : TypedMatch(Source, Final);

/// <summary>
/// conda's merge of one key's matches, given from lowest to highest precedence
/// (conda/common/configuration.py: <c>PrimitiveLoadedParameter.merge</c>, <c>SequenceLoadedParameter.merge</c>,
/// <c>MapLoadedParameter.merge</c>):
/// <list type="bullet">
/// <item>only the matches up to and including the first one marked <c>#!final</c> count;</item>
/// <item>a scalar: that <c>#!final</c> match, else the last (highest-precedence) match;</item>
/// <item>a sequence: higher-precedence sources' elements first, de-duplicated (first occurrence kept);
/// elements marked <c>#!top</c> go first, <c>#!bottom</c> last;</item>
/// <item>a map: merged entry by entry with the same rules, recursively.</item>
/// </list>
/// </summary>
internal static class ConfigMerge
{
    public static IReadOnlyList<T> Relevant<T>(IReadOnlyList<T> matches) where T : TypedMatch
    {
        for (int i = 0; i < matches.Count; i++)
        {
            if (matches[i].Final)
            {
                return matches.Take(i + 1).ToArray();
            }
        }

        return matches;
    }

    public static ScalarMatch MergeScalars(IReadOnlyList<ScalarMatch> matches)
    {
        foreach (ScalarMatch m in matches)
        {
            if (m.Final)
            {
                return m;
            }
        }

        return matches[^1];
    }

    public static SequenceMatch MergeSequences(IReadOnlyList<SequenceMatch> matches)
    {
        IReadOnlyList<SequenceMatch> relevant = Relevant(matches);
        IEnumerable<ConfigItem> top = relevant.SelectMany(m => m.Items.Where(x => x.Flag == ConfigFlag.Top));
        List<ConfigItem> bottom = relevant.Reverse().SelectMany(m => m.Items.Where(x => x.Flag == ConfigFlag.Bottom)).ToList();
        IEnumerable<ConfigItem> all = relevant.Reverse().SelectMany(m => m.Items);

        List<ConfigItem> topDeduped = Unique(top.Concat(all));
        bottom.Reverse();
        topDeduped.Reverse();
        List<ConfigItem> bottomDeduped = Unique(bottom.Concat(topDeduped));
        bottomDeduped.Reverse();

        SequenceMatch winner = relevant.LastOrDefault(m => m.Items.Count > 0) ?? relevant[^1];
        return new SequenceMatch(bottomDeduped, winner.Source, relevant[^1].Final);
    }

    public static MapMatch MergeMaps(IReadOnlyList<MapMatch> matches)
    {
        IReadOnlyList<MapMatch> relevant = Relevant(matches);
        var order = new List<string>();
        var byKey = new Dictionary<string, List<TypedMatch>>(StringComparer.Ordinal);
        foreach (MapMatch m in relevant)
        {
            foreach (KeyValuePair<string, TypedMatch> e in m.Entries)
            {
                if (!byKey.TryGetValue(e.Key, out List<TypedMatch>? list))
                {
                    byKey[e.Key] = list = new List<TypedMatch>();
                    order.Add(e.Key);
                }

                list.Add(e.Value);
            }
        }

        var merged = new List<KeyValuePair<string, TypedMatch>>(order.Count);
        foreach (string key in order)
        {
            merged.Add(new(key, Merge(byKey[key])));
        }

        MapMatch winner = relevant.LastOrDefault(m => m.Entries.Count > 0) ?? relevant[^1];
        return new MapMatch(merged, winner.Source, relevant[^1].Final);
    }

    /// <summary>Merges matches of one shape (they were typed against one key, so they agree).</summary>
    public static TypedMatch Merge(IReadOnlyList<TypedMatch> matches) => matches[0] switch
    {
        ScalarMatch => MergeScalars(matches.Cast<ScalarMatch>().ToArray()),
        SequenceMatch => MergeSequences(matches.Cast<SequenceMatch>().ToArray()),
        _ => MergeMaps(matches.Cast<MapMatch>().ToArray()),
    };

    private static List<ConfigItem> Unique(IEnumerable<ConfigItem> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ConfigItem>();
        foreach (ConfigItem item in items)
        {
            if (seen.Add(item.Value))
            {
                result.Add(item);
            }
        }

        return result;
    }
}
