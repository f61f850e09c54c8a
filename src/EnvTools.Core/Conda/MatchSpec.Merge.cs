namespace EnvTools.Conda;

// Merging specs of one name: conda's MatchSpec._merge and its field rules (moved as is out of MatchSpec.cs).
public sealed partial class MatchSpec
{
    /// <summary>
    /// Intersects this spec with another of the same name (conda's <c>_merge</c>). Throws
    /// <see cref="InvalidOperationException"/> when a field cannot satisfy both.
    /// </summary>
    public MatchSpec MergeWith(MatchSpec other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Name != other.Name)
        {
            throw new InvalidOperationException($"Incompatible MatchSpec merge: '{this}' and '{other}' have different names");
        }

        var m = new MatchSpec(Name)
        {
            Version = Version,
            VersionText = VersionText,
            Build = Pick(Build, other.Build, (a, b) => a.Merge(b)),
            BuildNumber = Same(BuildNumber, other.BuildNumber),
            Channel = Pick(Channel, other.Channel, (a, b) => a.Merge(b)),
            Subdir = Same(Subdir, other.Subdir),
            Md5 = Same(Md5, other.Md5),
            Sha256 = Same(Sha256, other.Sha256),
            FileName = Same(FileName, other.FileName),
            Url = Same(Url, other.Url),
            TrackFeatures = SameList(TrackFeatures, other.TrackFeatures),
            Features = SameList(Features, other.Features),
            License = Pick(License, other.License, (a, b) => a.Merge(b)),
            LicenseFamily = Pick(LicenseFamily, other.LicenseFamily, (a, b) => a.Merge(b)),
            When = Same(When, other.When),
            Extras = SameList(Extras, other.Extras),
            Flags = SameList(Flags, other.Flags),
        };

        if (VersionText is not null && other.VersionText is not null && VersionText != other.VersionText)
        {
            string[] parts = { Group(VersionText), Group(other.VersionText) };
            Array.Sort(parts, StringComparer.Ordinal);
            m.SetVersion(string.Join(",", parts), null);
        }
        else if (VersionText is null && other.VersionText is not null)
        {
            m.Version = other.Version;
            m.VersionText = other.VersionText;
        }

        return m;

        static string Group(string v) => v.Contains('|') && !(v.StartsWith('(') && v.EndsWith(')')) ? $"({v})" : v;
    }


    private static T? Pick<T>(T? a, T? b, Func<T, T, T> merge)
        where T : class =>
        a is null ? b : b is null ? a : merge(a, b);

    private static T? Same<T>(T? a, T? b)
        where T : class
    {
        if (a is null)
        {
            return b;
        }

        if (b is null || Equals(a, b))
        {
            return a;
        }

        throw new InvalidOperationException($"Incompatible component merge:\n  - '{a}'\n  - '{b}'");
    }

    private static IReadOnlyList<string>? SameList(IReadOnlyList<string>? a, IReadOnlyList<string>? b)
    {
        if (a is null)
        {
            return b;
        }

        if (b is null || a.SequenceEqual(b, StringComparer.Ordinal))
        {
            return a;
        }

        throw new InvalidOperationException($"Incompatible component merge:\n  - '{string.Join(",", a)}'\n  - '{string.Join(",", b)}'");
    }
}
