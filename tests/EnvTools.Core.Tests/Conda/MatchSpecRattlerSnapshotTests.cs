using System.Text;
using EnvTools.Conda;
using Xunit;

namespace EnvTools.Tests.Conda;

/// <summary>
/// rattler's MatchSpec parse snapshots (shared/data/matchspec/rattler-snapshots, read in place):
/// <c>test_from_string_Strict</c>, <c>test_from_string_Lenient</c> and <c>test_from_string</c>. Every entry
/// is compared field by field (name, version, build, build_number, channel base URL, subdir, url).
/// Where conda and rattler disagree we follow conda; each such entry is listed in
/// <see cref="Disagreements"/> with the reason, and the test checks that we do what conda does.
/// <para>Not used, and why: the <c>matchspec_display_edge_cases__*</c> and <c>matchspec_to_string</c>/<c>serialize_*</c>
/// snapshots pin rattler's own display formats ("legacy" <c>foo 1.0.* py27_0</c>, and a bracket-only
/// "canonical" form), which are not conda's <c>str(MatchSpec)</c> that <see cref="MatchSpec.ToString"/> reproduces;
/// the <c>nameless</c> snapshots cover rattler's NamelessMatchSpec, which has no conda string form (conda
/// requires a name, possibly <c>*</c>); the condition snapshots cover rattler's parsed condition tree, where we keep
/// <c>when</c> as validated text like conda.</para>
/// </summary>
public class MatchSpecRattlerSnapshotTests
{
    /// <summary>Inputs where rattler's answer is not conda's; value: the reason.</summary>
    public static readonly IReadOnlyDictionary<string, string> Disagreements = new Dictionary<string, string>
    {
        // rattler Strict mode rejects legacy forms that conda accepts (conda has no strict mode).
        ["Strict|foo=1.0=py27_0"] = "conda: name=version=build (version 1.0, build py27_0); rattler strict rejects '=build'",
        ["Strict|foo==1.0=py27_0"] = "conda: version 1.0, build py27_0; rattler strict rejects '=build'",
        ["Strict|pytorch=*=cuda*"] = "conda: version *, build cuda*; rattler strict rejects '=build'",
        ["Strict|python=*"] = "conda: '=*' is version '*'; rattler strict rejects '*' with '='",
        ["Strict|bird_tool_utils_python =0.*,>=0.4.1"] = "conda keeps '=0.*,>=0.4.1' (=0.* is a valid fuzzy term); rattler strict rejects '*' with '='",
        ["Strict|https://software.repos.intel.com/python/conda::python[version=3.9]"] = "conda: a bare version is exact (==3.9); rattler strict wants '==3.9' or '3.9.*'",
        ["Strict|https://c.com/p/conda/linux-64::python[version=3.9]"] = "conda: a bare version is exact; rattler strict wants an operator",
        ["Strict|https://c.com/p/conda::python[version=3.9, subdir=linux-64]"] = "conda: a bare version is exact; rattler strict wants an operator",
        ["Strict|conda-forge/linux-32::python[version=3.9, subdir=linux-64]"] = "conda: a bare version is exact; rattler strict wants an operator",
        ["Strict|python[channel=https://conda.anaconda.org/python/conda,version=3.9]"] = "conda: a bare version is exact; rattler strict wants an operator",
        ["Strict|python ==2.7.*.*|>=3.6"] = "conda accepts '2.7.*.*' (a glob over the version text); rattler strict rejects it as a regex",
        ["Strict|numpy>=2.*.*"] = "conda accepts '>=2.*.*' (trailing .* dropped after an operator); rattler strict rejects it",

        // Both modes (and the default-mode snapshot shares the first)
        ["Strict|blas *.* mkl"] = "conda keeps the version text '*.*' (str: 'blas=*[build=mkl]'); rattler normalizes it to '*'",
        ["Lenient|blas *.* mkl"] = "conda keeps the version text '*.*' (str: 'blas=*[build=mkl]'); rattler normalizes it to '*'",
        ["Lenient|bird_tool_utils_python =0.*,>=0.4.1"] = "conda keeps the text '=0.*,>=0.4.1'; rattler rewrites '=0.*' to '0.*' (same versions)",
        ["Strict|~\\windows_channel::package"] = "conda treats '~\\windows_channel' as a path under the home folder; rattler rejects a backslash path",
        ["Lenient|~\\windows_channel::package"] = "conda treats '~\\windows_channel' as a path under the home folder; rattler rejects a backslash path",
        ["Lenient|python ==2.7.*.*|>=3.6"] = "conda keeps the text '==2.7.*.*|>=3.6' (conda's VersionSpec glob); rattler rewrites it to '2.7.*|>=3.6'",
        ["Lenient|numpy>=2.*.*"] = "conda keeps '>=2.*.*'; rattler rewrites it to '>=2'",
    };

    public static IEnumerable<object[]> Snapshots() => new[]
    {
        new object[] { "Strict", "rattler_conda_types__match_spec__parse__tests__test_from_string_Strict.snap" },
        new object[] { "Lenient", "rattler_conda_types__match_spec__parse__tests__test_from_string_Lenient.snap" },
        new object[] { "Default", "rattler_conda_types__match_spec__parse__tests__test_from_string.snap" },
    };

    [ConformanceTheory]
    [MemberData(nameof(Snapshots))]
    public void FromStringSnapshot(string mode, string file)
    {
        string path = ConformanceData.PathOf("matchspec/rattler-snapshots/" + file)!;
        List<(string Input, Dictionary<string, string> Fields)> entries = ReadSnapshot(path);
        Assert.NotEmpty(entries);
        var failures = new List<string>();
        foreach ((string input, Dictionary<string, string> expected) in entries)
        {
            string key = $"{mode}|{input}";
            bool disagreement = Disagreements.ContainsKey(key);
            _ = MatchSpec.TryParse(input, out MatchSpec? spec);
            if (expected.ContainsKey("error"))
            {
                if (spec is not null && !disagreement)
                {
                    failures.Add($"{input}: rattler: error '{expected["error"]}', we parsed {spec}");
                }

                if (spec is null && disagreement)
                {
                    failures.Add($"{input}: listed as a disagreement (conda accepts it) but we reject it");
                }

                continue;
            }

            if (spec is null)
            {
                failures.Add($"{input}: we reject it, rattler parses it");
                continue;
            }

            string? mismatch = Compare(expected, spec, input);
            if (mismatch is not null && !disagreement)
            {
                failures.Add($"{input}: {mismatch} (ours: {spec})");
            }
            else if (mismatch is null && disagreement)
            {
                failures.Add($"{input}: listed as a disagreement but agrees with rattler");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [ConformanceFact]
    public void DisagreementsFollowConda()
    {
        // What conda does for the strict-mode rejections (see test_parse_ecosystem_corpus and the canonical forms).
        Assert.Equal("foo==1.0=py27_0", MatchSpec.Parse("foo=1.0=py27_0").ToString());
        Assert.Equal("pytorch[build=cuda*]", MatchSpec.Parse("pytorch=*=cuda*").ToString());
        Assert.Equal("python", MatchSpec.Parse("python=*").ToString());
        Assert.Equal("python==3.9", MatchSpec.Parse("python[version=3.9]").ToString());
        Assert.Equal("bird_tool_utils_python[version='=0.*,>=0.4.1']", MatchSpec.Parse("bird_tool_utils_python =0.*,>=0.4.1").ToString());
        Assert.True(MatchSpec.Parse("python ==2.7.*.*|>=3.6").Matches(new MatchSpecTestRecord("python", "3.7.1", "0")));
        Assert.False(MatchSpec.Parse("python ==2.7.*.*|>=3.6").Matches(new MatchSpecTestRecord("python", "3.5.1", "0")));
        Assert.NotNull(MatchSpec.Parse("numpy>=2.*.*").Version);
        // conda prints 'blas=*[build=mkl]', which reads back as any version: the glob '*.*' (a version with a dot)
        // keeps its bracket form so that the text parses back to the same spec (issue 16, item 14).
        Assert.Equal("blas[version='*.*',build=mkl]", MatchSpec.Parse("blas *.* mkl").ToString());
        Assert.True(MatchSpec.Parse("blas *.* mkl").Matches(new MatchSpecTestRecord("blas", "1.0", "mkl")));
    }

    /// <summary>The file URL of a local folder (<c>file:///C:/x</c> on Windows, <c>file:///x</c> on Unix), as conda writes it.</summary>
    internal static string FileUrl(string path)
    {
        string full = Path.GetFullPath(path).Replace('\\', '/');
        return "file://" + (full.StartsWith('/') ? full : "/" + full);
    }

    private static string? Compare(Dictionary<string, string> expected, MatchSpec spec, string input)
    {
        foreach ((string k, string v) in expected)
        {
            switch (k)
            {
                case "name":
                    if (spec.Name != v)
                    {
                        return $"name {v} != {spec.Name}";
                    }

                    break;
                case "version":
                    if (spec.Version is null || !SameVersion(v, spec.VersionText!))
                    {
                        return $"version {v} != {spec.VersionText}";
                    }

                    break;
                case "build":
                    if (spec.Build?.Pattern != v)
                    {
                        return $"build {v} != {spec.Build}";
                    }

                    break;
                case "build_number":
                    BuildNumberSpec want = BuildNumberSpec.Parse(v);
                    if (spec.BuildNumber is null || spec.BuildNumber.Operator != want.Operator || spec.BuildNumber.Value != want.Value)
                    {
                        return $"build_number {v} != {spec.BuildNumber}";
                    }

                    break;
                case "channel.base_url":
                    string baseUrl = v.TrimEnd('/')
                        .Replace("file://<HOME>", FileUrl(EnvTools.Config.ConfigEnvironment.UserHome), StringComparison.Ordinal)
                        .Replace("file://<CRATE>", FileUrl(Environment.CurrentDirectory), StringComparison.Ordinal);
                    if (spec.Channel?.BaseUrl != baseUrl)
                    {
                        return $"channel base_url {baseUrl} != {spec.Channel?.BaseUrl}";
                    }

                    break;
                case "channel.name":
                    // rattler names URL channels by their path; conda keeps the URL itself. Only alias names compare.
                    if (!v.Contains('/') && !v.StartsWith('.') && !v.StartsWith('~') && spec.Channel?.Value != v)
                    {
                        return $"channel {v} != {spec.Channel}";
                    }

                    break;
                case "subdir":
                    if (spec.Subdir != v)
                    {
                        return $"subdir {v} != {spec.Subdir}";
                    }

                    break;
                case "url":
                    // rattler's snapshots were written on Unix: an absolute path's URL gets the current drive on Windows
                    string url = input.StartsWith('/') && v.StartsWith("file://", StringComparison.Ordinal) ? FileUrl(v["file://".Length..]) : v;
                    if (spec.Url != url)
                    {
                        return $"url {url} != {spec.Url}";
                    }

                    break;
                case "build_number.op":
                case "build_number.rhs":
                    BuildNumberOperator op = expected["build_number.op"] switch
                    {
                        "Gt" => BuildNumberOperator.Greater,
                        "Ge" => BuildNumberOperator.GreaterOrEqual,
                        "Lt" => BuildNumberOperator.Less,
                        "Le" => BuildNumberOperator.LessOrEqual,
                        "Eq" => BuildNumberOperator.Equal,
                        _ => BuildNumberOperator.NotEqual,
                    };
                    if (spec.BuildNumber?.Operator != op || spec.BuildNumber.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) != expected["build_number.rhs"])
                    {
                        return $"build_number {expected["build_number.op"]} {expected["build_number.rhs"]} != {spec.BuildNumber}";
                    }

                    break;
                default:
                    return $"unexpected snapshot field {k}";
            }
        }

        return null;
    }

    /// <summary>conda keeps <c>3.9</c> for <c>==3.9</c> (both exact); otherwise compare the parsed specs.</summary>
    private static bool SameVersion(string rattler, string ours)
    {
        static string Strip(string s) => s.StartsWith("==", StringComparison.Ordinal) && !s.Contains(',') && !s.Contains('|') ? s[2..] : s;
        return VersionSpec.Parse(Strip(rattler)).Equals(VersionSpec.Parse(Strip(ours)));
    }

    /// <summary>Reads the small YAML subset insta writes: top-level keys, 2-space fields, 4-space sub-fields.</summary>
    internal static List<(string Input, Dictionary<string, string> Fields)> ReadSnapshot(string path)
    {
        var result = new List<(string, Dictionary<string, string>)>();
        string[] lines = File.ReadAllLines(path);
        int start = Array.IndexOf(lines, "---", 1) + 1;
        Dictionary<string, string>? current = null;
        string? parent = null;
        for (int i = start; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Trim().Length == 0)
            {
                continue;
            }

            int indent = line.Length - line.TrimStart().Length;
            string body = line.Trim();
            if (indent == 0)
            {
                current = new Dictionary<string, string>(StringComparer.Ordinal);
                result.Add((Scalar(body[..^1]), current));
                continue;
            }

            int colon = body.IndexOf(": ", StringComparison.Ordinal);
            string key = colon < 0 ? body.TrimEnd(':') : body[..colon];
            string? value = colon < 0 ? null : Scalar(body[(colon + 2)..]);
            if (indent == 2)
            {
                parent = key;
                if (value is not null)
                {
                    current![key] = value;
                }
            }
            else
            {
                current![$"{parent}.{key}"] = value!;
            }
        }

        return result;
    }

    private static string Scalar(string s)
    {
        if (s.Length >= 2 && s[0] == '"' && s[^1] == '"')
        {
            var sb = new StringBuilder();
            for (int i = 1; i < s.Length - 1; i++)
            {
                if (s[i] == '\\' && i + 1 < s.Length - 1)
                {
                    i++;
                }

                sb.Append(s[i]);
            }

            return sb.ToString();
        }

        return s.Length >= 2 && s[0] == '\'' && s[^1] == '\'' ? s[1..^1].Replace("''", "'", StringComparison.Ordinal) : s;
    }
}
