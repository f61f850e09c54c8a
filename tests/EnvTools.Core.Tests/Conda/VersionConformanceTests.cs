using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EnvTools.Conda;
using Version = EnvTools.Conda.Version;
using Xunit;

namespace EnvTools.Tests.Conda;

/// <summary>
/// conda's own version vectors (transcribed from conda tests/models/test_version.py), the 28,530
/// versions parsed by real conda, and rattler's parse snapshots, all read in place from the shared data.
/// </summary>
public class VersionConformanceTests
{
    private const string VectorsFile = "versions/conda_test_version_vectors.json";

    private static readonly Lazy<JsonElement> Vectors = new(() =>
    {
        string? path = ConformanceData.PathOf(VectorsFile);
        if (path is null || !File.Exists(path))
        {
            return default;
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.Clone();
    });

    private static IEnumerable<JsonElement> Items(string property)
    {
        JsonElement root = Vectors.Value;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(property, out JsonElement arr))
        {
            return [];
        }

        return arr.EnumerateArray().ToList();
    }

    // When the data is absent the theories are skipped before their data is enumerated.
    private static IEnumerable<object[]> Rows(IEnumerable<object[]> rows) => rows.ToList();

    /// <summary>Renders a JSON component list the way Python prints conda's <c>VersionOrder.version</c>.</summary>
    private static string PythonRepr(JsonElement parsed)
    {
        var sb = new StringBuilder("[");
        bool firstSeg = true;
        foreach (JsonElement seg in parsed.EnumerateArray())
        {
            if (!firstSeg)
            {
                sb.Append(", ");
            }

            firstSeg = false;
            sb.Append('[');
            bool first = true;
            foreach (JsonElement atom in seg.EnumerateArray())
            {
                if (!first)
                {
                    sb.Append(", ");
                }

                first = false;
                if (atom.ValueKind == JsonValueKind.Number)
                {
                    sb.Append(atom.GetInt64().ToString(CultureInfo.InvariantCulture));
                }
                else if (atom.GetString() == "+inf")
                {
                    sb.Append("inf");
                }
                else
                {
                    sb.Append('\'').Append(atom.GetString()).Append('\'');
                }
            }

            sb.Append(']');
        }

        return sb.Append(']').ToString();
    }

    public static IEnumerable<object[]> ParsedOrder() => Rows(
        Items("version_order_parsed").Select(e => new object[] { e.GetProperty("version").GetString()!, PythonRepr(e.GetProperty("parsed")) }));

    [ConformanceTheory]
    [MemberData(nameof(ParsedOrder))]
    public void VersionParsesToCondaComponents(string version, string expected)
    {
        Version v = Version.Parse(version);
        Assert.Equal(expected, v.FormatVersionComponents());
        Assert.Equal(version.ToLowerInvariant().Replace('-', '_'), v.Normalized);
    }

    /// <summary>
    /// conda checks <c>sorted(versions) == versions</c> (a stable sort): the list ascends, and the only
    /// neighbours that compare equal are the ones conda considers equal (0.4 == 0.4.0, 0.5_5 == 0.5-5).
    /// </summary>
    [ConformanceFact]
    public void VersionOrderListAscends()
    {
        var versions = Items("version_order_parsed").Select(e => Version.Parse(e.GetProperty("version").GetString()!)).ToList();
        Assert.Equal(51, versions.Count);
        var equalNeighbours = new List<string>();
        for (int i = 1; i < versions.Count; i++)
        {
            Assert.True(versions[i - 1] <= versions[i], $"{versions[i - 1]} <= {versions[i]}");
            if (versions[i - 1] == versions[i])
            {
                equalNeighbours.Add($"{versions[i - 1]}={versions[i]}");
            }
        }

        Assert.Equal(["0.4=0.4.0", "0.5_5=0.5-5"], equalNeighbours);

        // Every pair agrees with the list order.
        for (int i = 0; i < versions.Count; i++)
        {
            for (int j = i + 1; j < versions.Count; j++)
            {
                Assert.True(versions[i].CompareTo(versions[j]) <= 0, $"{versions[i]} <= {versions[j]}");
                Assert.True(versions[j].CompareTo(versions[i]) >= 0, $"{versions[j]} >= {versions[i]}");
            }
        }

        var shuffled = versions.OrderBy(v => v.GetHashCode()).ToList();
        var sorted = shuffled.OrderBy(v => v).Select(v => v.FormatVersionComponents()).ToList();
        Assert.Equal(versions.Select(v => v.FormatVersionComponents()), sorted);
    }

    public static IEnumerable<object[]> SortedListNames() => Rows(
        Vectors.Value.ValueKind == JsonValueKind.Object
            ? Vectors.Value.GetProperty("sorted_lists").EnumerateObject().Select(p => new object[] { p.Name })
            : []);

    [ConformanceTheory]
    [MemberData(nameof(SortedListNames))]
    public void SortedListsSortBackToTheirOrder(string name)
    {
        var expected = Vectors.Value.GetProperty("sorted_lists").GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToList();
        var rng = new Random(12345);
        for (int round = 0; round < 5; round++)
        {
            var shuffled = expected.OrderBy(_ => rng.Next()).Select(Version.Parse).ToList();
            shuffled.Sort();
            Assert.Equal(expected, shuffled.Select(v => v.ToString()));
        }
    }

    [ConformanceFact]
    public void InvalidVersionsAreRejected()
    {
        var items = Items("invalid_versions").Select(e => e.GetString()!).ToList();
        Assert.NotEmpty(items);
        foreach (string s in items)
        {
            Assert.False(Version.TryParse(s, out _), s);
            var ex = Assert.Throws<InvalidSpecException>(() => Version.Parse(s));
            Assert.Equal(s, ex.Input);
            Assert.False(string.IsNullOrEmpty(ex.Reason));
        }
    }

    [ConformanceFact]
    public void EqualVersionsAreEqualWithEqualHashes()
    {
        foreach (JsonElement pair in Items("version_equal"))
        {
            Version a = Version.Parse(pair[0].GetString()!), b = Version.Parse(pair[1].GetString()!);
            Assert.True(a == b, $"{a} == {b}");
            Assert.Equal(0, a.CompareTo(b));
            Assert.Equal(a.GetHashCode(), b.GetHashCode());
        }

        foreach (JsonElement pair in Items("version_not_equal"))
        {
            Version a = Version.Parse(pair[0].GetString()!), b = Version.Parse(pair[1].GetString()!);
            Assert.True(a != b, $"{a} != {b}");
            Assert.NotEqual(0, a.CompareTo(b));
        }
    }

    [ConformanceFact]
    public void StartsWithCases()
    {
        var items = Items("startswith").ToList();
        Assert.Equal(10, items.Count);
        foreach (JsonElement e in items)
        {
            string v = e.GetProperty("version").GetString()!, p = e.GetProperty("prefix").GetString()!;
            Assert.True(e.GetProperty("expected").GetBoolean() == Version.Parse(v).StartsWith(Version.Parse(p)), $"{v} startswith {p}");
        }
    }

    public static IEnumerable<object[]> SpecMatchCases() => Rows(
        Items("ver_eval").Concat(Items("spec_match")).Select(e => new object[]
        {
            e.GetProperty("spec").GetString()!, e.GetProperty("version").GetString()!, e.GetProperty("expected").GetBoolean(),
        }));

    [ConformanceTheory]
    [MemberData(nameof(SpecMatchCases))]
    public void SpecMatchesLikeConda(string spec, string version, bool expected)
    {
        VersionSpec s = VersionSpec.Parse(spec);
        Assert.Equal(expected, s.Matches(version));
        Assert.Equal(expected, s.Matches(Version.Parse(version)));
    }

    [ConformanceFact]
    public void InvalidSpecsAreRejected()
    {
        var items = Items("invalid_version_specs").Concat(Items("ver_eval_invalid_specs")).Select(e => e.GetString()!).ToList();
        Assert.Equal(22, items.Count);
        foreach (string s in items)
        {
            Assert.False(VersionSpec.TryParse(s, out _), s);
            var ex = Assert.Throws<InvalidSpecException>(() => VersionSpec.Parse(s));
            Assert.Equal("InvalidSpec", ex.ErrorId);
            Assert.InRange(ex.Position, 0, s.Length);
        }
    }

    [ConformanceFact]
    public void SpecStringsRoundTrip()
    {
        var items = Items("spec_str_roundtrip").Select(e => e.GetString()!).ToList();
        Assert.Equal(33, items.Count);
        foreach (string s in items)
        {
            Assert.Equal(s, VersionSpec.Parse(s).ToString());
        }
    }

    [ConformanceFact]
    public void NestedParenthesesNormalise()
    {
        foreach (JsonElement e in Items("spec_normalization"))
        {
            Assert.Equal(e.GetProperty("spec").GetString(), VersionSpec.Parse(e.GetProperty("input").GetString()!).ToString());
        }
    }

    [ConformanceFact]
    public void SpecEqualityGroups()
    {
        foreach (JsonElement group in Items("spec_equal_groups"))
        {
            var specs = group.EnumerateArray().Select(g => VersionSpec.Parse(g.GetString()!)).ToList();
            foreach (VersionSpec a in specs)
            {
                foreach (VersionSpec b in specs)
                {
                    Assert.Equal(a, b);
                    Assert.Equal(a.GetHashCode(), b.GetHashCode());
                    Assert.Equal(a.ToString(), b.ToString());
                }
            }
        }

        foreach (JsonElement pair in Items("spec_not_equal"))
        {
            Assert.NotEqual(VersionSpec.Parse(pair[0].GetString()!), VersionSpec.Parse(pair[1].GetString()!));
        }
    }

    [ConformanceFact]
    public void IsExactLikeConda()
    {
        var items = Items("is_exact").ToList();
        Assert.NotEmpty(items);
        foreach (JsonElement e in items)
        {
            string spec = e.GetProperty("spec").GetString()!;
            Assert.True(e.GetProperty("exact").GetBoolean() == VersionSpec.Parse(spec).IsExact, spec);
        }
    }

    /// <summary>All 28,530 real versions parse to exactly the components real conda printed.</summary>
    [ConformanceFact]
    public void RealVersionsParseExactlyAsConda()
    {
        string path = ConformanceData.PathOf("versions/rattler/parsed_versions.txt")!;
        int count = 0;
        var failures = new List<string>();
        Version? previous = null;
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int sep = line.IndexOf("=[", StringComparison.Ordinal);
            string version = line[..sep], expected = line[(sep + 1)..];
            count++;
            if (!Version.TryParse(version, out Version? v))
            {
                failures.Add($"{version}: rejected");
                continue;
            }

            string actual = v.FormatVersionComponents();
            if (actual != expected)
            {
                failures.Add($"{version}: {actual} != {expected}");
            }

            // Equality, ordering and hashing stay consistent on real data.
            if (previous is not null && previous.Equals(v))
            {
                Assert.Equal(previous.GetHashCode(), v.GetHashCode());
            }

            previous = v;
        }

        Assert.Equal(28530, count);
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches, e.g.:\n" + string.Join("\n", failures.Take(20)));
    }

    /// <summary>The real versions sorted by conda's order: a valid total order (antisymmetric, transitive with the hash).</summary>
    [ConformanceFact]
    public void RealVersionsSortConsistently()
    {
        string path = ConformanceData.PathOf("versions/rattler/versions.txt")!;
        var versions = File.ReadLines(path).Where(l => l.Length > 0).Select(Version.Parse).ToList();
        versions.Sort();
        for (int i = 1; i < versions.Count; i++)
        {
            int c = versions[i - 1].CompareTo(versions[i]);
            Assert.True(c <= 0);
            Assert.Equal(-c, versions[i].CompareTo(versions[i - 1]));
            Assert.Equal(c == 0, versions[i - 1].Equals(versions[i]));
            if (c == 0)
            {
                Assert.Equal(versions[i - 1].GetHashCode(), versions[i].GetHashCode());
            }
        }
    }

    /// <summary>
    /// rattler's version parse snapshot. Where rattler and conda agree the expectation is checked as is;
    /// rattler's errors must also be errors here (conda rejects all of them).
    /// </summary>
    [ConformanceFact]
    public void RattlerParseSnapshot()
    {
        string text = File.ReadAllText(ConformanceData.PathOf("versions/rattler/snapshots/rattler_conda_version__version__parse__test__parse.snap")!);
        var ok = new Regex("\"(?<in>[^\"]*)\": Version\\(\\s*Version \\{\\s*version: (?<v>\\[.*?\\]\\]),\\s*local: (?<l>\\[.*?\\]?\\]),");
        var err = new Regex("\"(?<in>[^\"]*)\": Error\\(\\s*\"(?<msg>[^\"]*)\"");
        int checkedOk = 0, checkedErr = 0;
        foreach (Match m in ok.Matches(text))
        {
            Version v = Version.Parse(m.Groups["in"].Value);
            Assert.Equal(m.Groups["v"].Value, v.FormatVersionComponents());
            Assert.Equal(m.Groups["l"].Value, v.FormatLocalComponents());
            checkedOk++;
        }

        foreach (Match m in err.Matches(text))
        {
            Assert.False(Version.TryParse(m.Groups["in"].Value, out _), m.Groups["in"].Value);
            checkedErr++;
        }

        Assert.Equal(11, checkedOk);
        Assert.Equal(11, checkedErr);
    }

    /// <summary>
    /// rattler's strict mode rejects a bare '1.2.3'; conda (which we follow) accepts it as an exact spec.
    /// </summary>
    [ConformanceFact]
    public void RattlerStrictExactSnapshotDisagreesWithConda()
    {
        string snap = File.ReadAllText(ConformanceData.PathOf("versions/rattler/snapshots/rattler_conda_version__version_spec__parse__test__exact_strict.snap")!);
        Assert.Contains("missing range specifier for '1.2.3'", snap, StringComparison.Ordinal);
        VersionSpec spec = VersionSpec.Parse("1.2.3");
        Assert.True(spec.IsExact);
        Assert.True(spec.Matches("1.2.3.0"));
        Assert.False(spec.Matches("1.2.3.1"));
    }
}
