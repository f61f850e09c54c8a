using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.RepoData;
using EnvTools.Solve;

namespace EnvTools.Tests.Solve;

/// <summary>Loads conda's test channels (flat index files) and formats solve results.</summary>
internal static class SolveTestUtil
{
    private static readonly Dictionary<string, SolverChannel> Cache = new();

    /// <summary>conda's test channel <paramref name="name"/> (channel-1, channel-2, channel-4, channel-5, channel-freeze),
    /// split into linux-64 and noarch as conda's harness does.</summary>
    public static SolverChannel CondaTestChannel(string name)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(name, out var ch))
            {
                return ch;
            }

            string rel = name switch
            {
                "channel-1" => "repodata/conda-tests/index.json",
                "channel-2" => "repodata/conda-tests/index2.json",
                "channel-4" => "repodata/conda-tests/index4.json",
                "channel-5" => "repodata/conda-tests/index5.json",
                "channel-freeze" => "solver-cases/conda-test_solve/channel-freeze.json",
                _ => throw new ArgumentException(name),
            };
            var flat = JsonNode.Parse(File.ReadAllBytes(ConformanceData.PathOf(rel)!))!.AsObject();
            ch = FromFlatIndex(name, flat, "linux-64");
            Cache[name] = ch;
            return ch;
        }
    }

    /// <summary>A channel from a flat <c>{filename: record}</c> map: records of subdir noarch (or with a truthy
    /// <c>noarch</c>) go to noarch, the others to <paramref name="subdir"/>.</summary>
    public static SolverChannel FromFlatIndex(string name, JsonObject flat, string subdir, Func<JsonObject, JsonObject>? patch = null)
    {
        var arch = new JsonObject();
        var noarch = new JsonObject();
        foreach (var (fn, value) in flat)
        {
            if (value is not JsonObject rec || rec["name"] is null)
            {
                continue;
            }

            var copy = (JsonObject)rec.DeepClone();
            if (patch is not null)
            {
                copy = patch(copy);
            }

            (IsNoarch(copy) ? noarch : arch)[fn] = copy;
        }

        return new SolverChannel(name, new IRecordSource[]
        {
            Source(name, subdir, arch),
            Source(name, "noarch", noarch),
        });
    }

    /// <summary>How conda's harness splits a flat index: records of subdir noarch, or with a truthy <c>noarch</c>.</summary>
    public static bool IsNoarch(JsonObject rec) =>
        (string?)rec["subdir"] == "noarch"
        || (rec["noarch"] is JsonNode n && n.GetValueKind() != JsonValueKind.False && n.GetValueKind() != JsonValueKind.Null
            && !(n.GetValueKind() == JsonValueKind.String && string.IsNullOrEmpty((string?)n)));

    /// <summary>The folder of the real conda-forge python 3.9 closure (2024-05-16).</summary>
    public static string CondaForge39Folder => ConformanceData.PathOf("repodata/conda-forge-subchannel-python3.9-2024-05-16")!;

    /// <summary>The real conda-forge python 3.9 closure, linux-64 + noarch, read once.</summary>
    public static SolverChannel CondaForge39()
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue("conda-forge-py39", out var ch))
            {
                var sources = new List<IRecordSource>();
                foreach (string subdir in new[] { "linux-64", "noarch" })
                {
                    var index = RepoDataIndex.Load(Path.Combine(CondaForge39Folder, subdir, "repodata.json"), $"https://conda.anaconda.org/conda-forge/{subdir}");
                    sources.Add(new RepoDataIndexSource(index, "conda-forge", subdir));
                }

                Cache["conda-forge-py39"] = ch = new SolverChannel("conda-forge", sources);
            }

            return ch;
        }
    }

    private static IRecordSource Source(string channel, string subdir, JsonObject packages)
    {
        var bz2 = new JsonObject();
        var conda = new JsonObject();
        foreach (var (fn, rec) in packages)
        {
            (fn.EndsWith(".conda", StringComparison.Ordinal) ? conda : bz2)[fn] = rec!.DeepClone();
        }

        var doc = new JsonObject
        {
            ["info"] = new JsonObject { ["subdir"] = subdir },
            ["packages"] = bz2,
            ["packages.conda"] = conda,
        };
        string url = $"https://conda.anaconda.org/{channel}/{subdir}";
        var index = RepoDataIndex.Create(Encoding.UTF8.GetBytes(doc.ToJsonString()), $"{channel}/{subdir}", url);
        return new RepoDataIndexSource(index, channel, subdir);
    }

    /// <summary>The record <c>channel::name-version-build</c> (or <c>channel/subdir::…</c>) of the given channels.</summary>
    public static RepoDataRecord Find(IEnumerable<SolverChannel> channels, string dist)
    {
        int sep = dist.IndexOf("::", StringComparison.Ordinal);
        string chan = dist[..sep];
        string nvb = dist[(sep + 2)..];
        string? subdir = null;
        if (chan.Contains('/'))
        {
            subdir = chan[(chan.IndexOf('/') + 1)..];
            chan = chan[..chan.IndexOf('/')];
        }

        foreach (var ch in channels.Where(c => c.Name == chan))
        {
            foreach (var s in ch.Subdirs.Where(s => subdir is null || s.Subdir == subdir))
            {
                foreach (var name in CandidateNames(nvb))
                {
                    foreach (var r in s.GetRecords(name))
                    {
                        if ($"{r.Name}-{r.Version}-{r.Build}" == nvb)
                        {
                            return r;
                        }
                    }
                }
            }
        }

        throw new InvalidOperationException($"{dist} not found");
    }

    private static IEnumerable<string> CandidateNames(string nvb)
    {
        // name-version-build: the name may contain dashes, version and build do not.
        int last = nvb.LastIndexOf('-');
        int second = nvb.LastIndexOf('-', last - 1);
        yield return nvb[..second];
    }

    /// <summary><c>channel::name-version-build</c> of a record from a conda test channel URL.</summary>
    public static string Dist(RepoDataRecord r)
    {
        string channel = r.Channel ?? "?";
        const string Prefix = "https://conda.anaconda.org/";
        if (channel.StartsWith(Prefix, StringComparison.Ordinal))
        {
            channel = channel[Prefix.Length..];
            int slash = channel.IndexOf('/');
            if (slash >= 0)
            {
                channel = channel[..slash];
            }
        }

        return $"{channel}::{r.Name}-{r.Version}-{r.Build}";
    }

    /// <summary>A record for inline tests.</summary>
    public static RepoDataRecord Rec(string name, string version, string build = "0", long buildNumber = 0,
        string[]? depends = null, string[]? constrains = null, string[]? trackFeatures = null, string[]? features = null,
        long? timestamp = null, string? fileName = null, string channel = "test", string subdir = "linux-64")
    {
        string fn = fileName ?? $"{name}-{version}-{build}.tar.bz2";
        return new RepoDataRecord
        {
            Name = name,
            Version = version,
            Build = build,
            BuildNumber = buildNumber,
            Depends = depends ?? Array.Empty<string>(),
            Constrains = constrains ?? Array.Empty<string>(),
            TrackFeatures = trackFeatures ?? Array.Empty<string>(),
            Features = features ?? Array.Empty<string>(),
            Timestamp = timestamp,
            Subdir = subdir,
            FileName = fn,
            Channel = $"https://conda.anaconda.org/{channel}/{subdir}",
            Url = $"https://conda.anaconda.org/{channel}/{subdir}/{fn}",
        };
    }

    /// <summary>A one-subdir in-memory channel.</summary>
    public static SolverChannel Channel(string name, params RepoDataRecord[] records) =>
        new(name, new IRecordSource[] { new InMemoryRecordSource(name, "linux-64", records) });

    public static IReadOnlyList<MatchSpec> Specs(params string[] specs) => specs.Select(MatchSpec.Parse).ToList();

    /// <summary>Sorted <c>name-version-build</c> strings of a result.</summary>
    public static string[] Nvb(SolveResult r) => r.Records.Select(x => $"{x.Name}-{x.Version}-{x.Build}").OrderBy(x => x, StringComparer.Ordinal).ToArray();
}
