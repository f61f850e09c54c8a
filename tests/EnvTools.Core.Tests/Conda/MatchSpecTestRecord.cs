using EnvTools.Conda;

namespace EnvTools.Tests.Conda;

/// <summary>A plain record for MatchSpec tests (conda's test dicts / DPkg records).</summary>
internal sealed record MatchSpecTestRecord : IPackageRecordView
{
    public MatchSpecTestRecord(string name, string version, string build, long buildNumber = 0)
    {
        Name = name;
        Version = version;
        Build = build;
        BuildNumber = buildNumber;
    }

    public string Name { get; init; }

    public string Version { get; init; }

    public string Build { get; init; }

    public long BuildNumber { get; init; }

    public string? Subdir { get; init; }

    public string? Channel { get; init; }

    public string? Md5 { get; init; }

    public string? Sha256 { get; init; }

    public string? FileName { get; init; }

    public string? Url { get; init; }

    public IReadOnlyList<string> TrackFeatures { get; init; } = Array.Empty<string>();

    public IReadOnlyList<string> Features { get; init; } = Array.Empty<string>();

    public string? License { get; init; }

    public string? LicenseFamily { get; init; }

    /// <summary>conda's DPkg("name-version-build.tar.bz2"): build number from the build string's last '_' part.</summary>
    public static MatchSpecTestRecord FromDist(string dist, string? channel = "defaults", string? trackFeatures = null)
    {
        string stem = dist.EndsWith(".tar.bz2", StringComparison.Ordinal) ? dist[..^8] : dist;
        int b = stem.LastIndexOf('-');
        int v = stem.LastIndexOf('-', b - 1);
        string build = stem[(b + 1)..];
        string last = build[(build.LastIndexOf('_') + 1)..];
        return new MatchSpecTestRecord(stem[..v], stem[(v + 1)..b], build, long.Parse(last, System.Globalization.CultureInfo.InvariantCulture))
        {
            FileName = stem + ".tar.bz2",
            Channel = channel,
            Subdir = "linux-64",
            Md5 = "012345789",
            TrackFeatures = trackFeatures is null ? Array.Empty<string>() : trackFeatures.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        };
    }
}
