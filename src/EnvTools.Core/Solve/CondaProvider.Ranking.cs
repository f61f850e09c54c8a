using EnvTools.Conda;

namespace EnvTools.Solve;

/// <summary>Candidate preference: conda's order of channel, features, version, build and timestamp.</summary>
internal sealed partial class CondaProvider
{
    private readonly HashSet<string> _activeFeatures = new(StringComparer.Ordinal);

    private int FeaturePenalty(Candidate c) => c.Record.TrackFeatures.Count + LegacyFeaturePenalty(c);

    /// <summary>Legacy <c>features</c>: -1 per feature that an active track_features asks for, +1 per other one.</summary>
    private int LegacyFeaturePenalty(Candidate c)
    {
        int penalty = 0;
        foreach (var f in c.Record.Features)
        {
            penalty += _activeFeatures.Contains(f) ? -1 : 1;
        }

        return penalty;
    }

    /// <summary>Negative when <paramref name="a"/> is a better requested candidate than <paramref name="b"/> by conda's
    /// first objectives (channel unless priority is disabled, then version), positive when worse.</summary>
    internal int RequestedRank(Candidate a, Candidate b)
    {
        int c;
        if (_request.ChannelPriority != ChannelPriority.Disabled && (c = a.Channel.CompareTo(b.Channel)) != 0)
        {
            return c;
        }

        // conda's version metric of the requested packages (Resolve.version_key) has no features: they are counted
        // over the whole solution afterwards (CondaProblem.MinimiseFeatures)
        return CompareVersions(b.Record.Version, a.Record.Version);
    }

    /// <summary>conda's preference: channel (per priority mode), fewer track_features, higher version, higher build
    /// number, arch-specific over noarch, newer timestamp. Installed records come first for favoured names.</summary>
    private int Compare(Candidate a, Candidate b)
    {
        if (_favoured.Contains(a.Name.Name))
        {
            int ia = a.Installed is null ? 1 : 0, ib = b.Installed is null ? 1 : 0;
            if (ia != ib)
            {
                // conda minimises track_features and inactive features before it keeps installed records.
                int f = FeaturePenalty(a).CompareTo(FeaturePenalty(b));
                return f != 0 ? f : ia - ib;
            }
        }

        bool disabled = _request.ChannelPriority == ChannelPriority.Disabled;
        int c;
        if (!disabled && (c = a.Channel.CompareTo(b.Channel)) != 0)
        {
            return c;
        }

        // conda maximises the versions of the requested packages before it counts features (tracked or legacy); for
        // the other packages fewer features come first.
        bool requested = _specNames.Contains(a.Name.Name);
        if (!requested && (c = a.Record.TrackFeatures.Count.CompareTo(b.Record.TrackFeatures.Count)) != 0)
        {
            return c;
        }

        if (!requested && (c = LegacyFeaturePenalty(a).CompareTo(LegacyFeaturePenalty(b))) != 0)
        {
            return c;
        }

        if ((c = CompareVersions(b.Record.Version, a.Record.Version)) != 0)
        {
            return c;
        }

        if (requested && (c = a.Record.TrackFeatures.Count.CompareTo(b.Record.TrackFeatures.Count)) != 0)
        {
            return c;
        }

        if (requested && (c = LegacyFeaturePenalty(a).CompareTo(LegacyFeaturePenalty(b))) != 0)
        {
            return c;
        }

        if (disabled && (c = a.Channel.CompareTo(b.Channel)) != 0)
        {
            return c;
        }

        // conda maximises the versions of all the other packages before their build numbers: between two builds of a
        // version that is not requested, the one whose dependencies reach higher versions goes first.
        if (!requested && _depTieBreak && (c = CompareDependencies(a, b, pinnedOnly: true)) != 0)
        {
            return c;
        }

        if ((c = b.Record.BuildNumber.CompareTo(a.Record.BuildNumber)) != 0)
        {
            return c;
        }

        if (requested && _depTieBreak && (c = CompareDependencies(a, b)) != 0)
        {
            return c;
        }

        int na = a.Record.Subdir == "noarch" ? 1 : 0, nb = b.Record.Subdir == "noarch" ? 1 : 0;
        if (na != nb)
        {
            return na - nb;
        }

        if ((c = (b.Record.Timestamp ?? 0).CompareTo(a.Record.Timestamp ?? 0)) != 0)
        {
            return c;
        }

        return string.CompareOrdinal(a.Record.Build, b.Record.Build);
    }

    private bool _depTieBreak;
    private readonly Dictionary<string, Conda.Version?> _maxVersion = new(StringComparer.Ordinal);

    /// <summary>Positive when <paramref name="b"/>'s dependencies reach higher versions than <paramref name="a"/>'s.</summary>
    /// <param name="a">One candidate.</param>
    /// <param name="b">The other candidate.</param>
    /// <param name="pinnedOnly">Count only dependencies that both candidates constrain by version (e.g.
    /// <c>numexpr 2.1</c> against <c>numexpr 2.0.1</c>), not a plain name against a range.</param>
    private int CompareDependencies(Candidate a, Candidate b, bool pinnedOnly = false)
    {
        int score = 0;
        foreach (var da in a.Record.Depends)
        {
            if (TryParse(da) is not { } sa)
            {
                continue;
            }

            foreach (var db in b.Record.Depends)
            {
                if (TryParse(db) is not { } sb || sb.Name != sa.Name || da == db)
                {
                    continue;
                }

                if (pinnedOnly && (sa.Version is null || sb.Version is null))
                {
                    break;
                }

                // A dependency nothing can satisfy ranks below any that something can (and keeps the order total:
                // treating it as a tie made py27 < py34 < py35 < py27 when no python 3.4 exists).
                var va = MaxVersion(da, sa);
                var vb = MaxVersion(db, sb);
                score += (va, vb) switch
                {
                    (null, null) => 0,
                    (null, _) => 1,
                    (_, null) => -1,
                    _ => Math.Sign(vb.CompareTo(va)),
                };

                break;
            }
        }

        return score;
    }

    private Conda.Version? MaxVersion(string text, MatchSpec spec)
    {
        if (_maxVersion.TryGetValue(text, out var v))
        {
            return v;
        }

        if (_names.TryGetValue(spec.Name, out var entry))
        {
            foreach (var c in entry.Candidates)
            {
                if (spec.Matches(c.Record) && GetVersion(c.Record.Version) is { } cv && (v is null || cv.CompareTo(v) > 0))
                {
                    v = cv;
                }
            }
        }

        _maxVersion[text] = v;
        return v;
    }

    private readonly Dictionary<string, Conda.Version?> _versions = new(StringComparer.Ordinal);

    private int CompareVersions(string a, string b)
    {
        var va = GetVersion(a);
        var vb = GetVersion(b);
        if (va is null || vb is null)
        {
            return (va is null ? 0 : 1) - (vb is null ? 0 : 1);
        }

        return va.CompareTo(vb);
    }

    private Conda.Version? GetVersion(string text)
    {
        if (!_versions.TryGetValue(text, out var v))
        {
            _ = Conda.Version.TryParse(text, out v); // an invalid version ranks as null
            _versions[text] = v;
        }

        return v;
    }
}
