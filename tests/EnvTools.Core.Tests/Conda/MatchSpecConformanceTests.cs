using System.Text.Json;
using EnvTools.Conda;
using Xunit;

namespace EnvTools.Tests.Conda;

/// <summary>
/// conda's own MatchSpec vectors (shared/data/matchspec/conda_test_match_spec_vectors.json, from
/// conda tests/models/test_match_spec.py), read in place. Every string-valued canonical form,
/// <c>_parse_spec_str</c> dictionary and invalid spec is checked; the few entries that are not
/// conda's actual behaviour are listed in <see cref="KnownDivergences"/> with the reason.
/// </summary>
public class MatchSpecConformanceTests
{
    /// <summary>
    /// Vector entries that are checked against something other than the vector, and why.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> KnownDivergences = new Dictionary<string, string>
    {
        // test_key_value_features_canonical_string_forms is @pytest.mark.skip in conda ("key-value
        // features interface has been disabled in conda 4.4"): conda itself does not produce
        // provides_features. We produce what conda's __str__ really does (checked in
        // CanonicalFormsOfSkippedConda44FeatureTest below).
        ["numpy[build=py3*_2, track_features=mkl]"] = "conda test skipped since 4.4 (provides_features)",
        ["numpy[build=py3*_2, track_features='mkl debug']"] = "conda test skipped since 4.4 (provides_features)",
        ["numpy[track_features='mkl,debug', build=py3*_2]"] = "conda test skipped since 4.4 (provides_features)",
        ["numpy[track_features='mkl,debug' build=py3*_2]"] = "conda test skipped since 4.4 (provides_features)",
        ["numpy[features=\"mkl debug\" build_number=2]"] = "conda test skipped since 4.4 (provides_features)",

        // test_bare_equals_operator_raises is @pytest.mark.xfail in conda (issue #12046): conda accepts
        // "foo=" as "foo" (test_parse_spec_str_no_brackets asserts that for "numpy="). We follow conda.
        ["foo="] = "conda xfail #12046: conda parses 'foo=' as 'foo'",
    };

    private static JsonElement Vectors()
    {
        string path = ConformanceData.PathOf("matchspec/conda_test_match_spec_vectors.json")!;
        using FileStream fs = File.OpenRead(path);
        return JsonDocument.Parse(fs).RootElement.Clone();
    }

    [ConformanceFact]
    public void CanonicalStringForms()
    {
        var failures = new List<string>();
        int checkedCount = 0;
        foreach (JsonElement item in Vectors().GetProperty("canonical_str").EnumerateArray())
        {
            if (item.GetProperty("input").ValueKind != JsonValueKind.String || item.GetProperty("str").ValueKind != JsonValueKind.String)
            {
                continue; // python expressions: transcribed in CanonicalFormsFromPythonExpressions
            }

            string input = item.GetProperty("input").GetString()!;
            string expected = item.GetProperty("str").GetString()!;
            if (input.StartsWith('/'))
            {
                // conda's vectors were written on Unix: an absolute path's file URL has the current drive on Windows
                expected = expected.Replace("file://" + input, MatchSpecRattlerSnapshotTests.FileUrl(input), StringComparison.Ordinal);
            }

            if (KnownDivergences.ContainsKey(input))
            {
                continue;
            }

            checkedCount++;
            try
            {
                string actual = MatchSpec.Parse(input).ToString();
                if (actual != expected)
                {
                    failures.Add($"{input}: expected {expected}, got {actual}");
                }
            }
            catch (Exception e)
            {
                failures.Add($"{input}: threw {e.Message}");
            }
        }

        Assert.True(checkedCount >= 65, $"only {checkedCount} vectors checked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [ConformanceFact]
    public void ParseSpecStrDictionaries()
    {
        var failures = new List<string>();
        int checkedCount = 0;
        foreach (JsonElement item in Vectors().GetProperty("parse_spec_str").EnumerateArray())
        {
            if (item.GetProperty("input").ValueKind != JsonValueKind.String)
            {
                continue; // tarball URLs: transcribed in TarballUrlParseDictionaries
            }

            string input = item.GetProperty("input").GetString()!;
            var expected = item.GetProperty("parsed").EnumerateObject()
                .Where(p => p.Name != "_original_spec_str")
                .ToDictionary(p => p.Name, p => p.Value.GetString()!);
            checkedCount++;
            try
            {
                Dictionary<string, string> actual = MatchSpecParser.Parse(input).Fields;
                string e = Render(expected);
                string a = Render(actual);
                if (e != a)
                {
                    failures.Add($"{input}: expected {e}, got {a}");
                }

                MatchSpec.Parse(input); // the values must also build a valid spec
            }
            catch (Exception ex)
            {
                failures.Add($"{input}: threw {ex.Message}");
            }
        }

        Assert.Equal(40, checkedCount);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [ConformanceFact]
    public void InvalidSpecsThrow()
    {
        var failures = new List<string>();
        int checkedCount = 0;
        foreach (JsonElement item in Vectors().GetProperty("invalid_specs").EnumerateArray())
        {
            if (item.GetProperty("input").ValueKind != JsonValueKind.String)
            {
                continue; // [1, 2, 3] (a Python type error) and parametrized inputs (InvalidSpecsFromParametrizedTables)
            }

            string input = item.GetProperty("input").GetString()!;
            if (KnownDivergences.ContainsKey(input))
            {
                Assert.Equal("foo", MatchSpec.Parse(input).ToString());
                continue;
            }

            checkedCount++;
            try
            {
                MatchSpec spec = MatchSpec.Parse(input);
                failures.Add($"{input}: parsed as {spec}");
            }
            catch (InvalidSpecException e)
            {
                // pytest.raises(InvalidMatchSpec, match=r"...") also checks the message
                System.Text.RegularExpressions.Match m = System.Text.RegularExpressions.Regex.Match(
                    item.GetProperty("raises").GetString()!, @"match=r?""(.*)""\)$");
                if (m.Success && !System.Text.RegularExpressions.Regex.IsMatch(e.Message, m.Groups[1].Value))
                {
                    failures.Add($"{input}: message '{e.Message}' does not match /{m.Groups[1].Value}/");
                }
            }
        }

        Assert.Equal(9, checkedCount);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [ConformanceFact]
    public void EveryParametrizedSimpleAndPipStyleRow()
    {
        foreach (JsonElement table in Vectors().GetProperty("parametrized").EnumerateArray())
        {
            string test = table.GetProperty("test").GetString()!;
            if (test is not ("test_simple" or "test_pip_style"))
            {
                continue;
            }

            foreach (JsonElement row in table.GetProperty("rows").EnumerateArray())
            {
                Assert.Equal(row[1].GetString(), MatchSpec.Parse(row[0].GetString()!).ToString());
            }
        }
    }

    [ConformanceFact]
    public void EcosystemCorpusParses()
    {
        JsonElement table = Vectors().GetProperty("parametrized").EnumerateArray()
            .Single(t => t.GetProperty("test").GetString() == "test_parse_ecosystem_corpus");
        int n = 0;
        foreach (JsonElement row in table.GetProperty("rows").EnumerateArray())
        {
            // conda only requires these to parse; the canonical form must parse again too.
            MatchSpec spec = MatchSpec.Parse(row.GetString()!);
            Assert.True(MatchSpec.TryParse(spec.ToString(), out _), spec.ToString());
            n++;
        }

        Assert.Equal(47, n);
    }

    [ConformanceFact]
    public void InvalidPackageNamesFromParametrizedTable()
    {
        JsonElement table = Vectors().GetProperty("parametrized").EnumerateArray()
            .Single(t => t.GetProperty("test").GetString() == "test_invalid_package_name_rejected");
        foreach (JsonElement row in table.GetProperty("rows").EnumerateArray())
        {
            var e = Assert.Throws<InvalidSpecException>(() => MatchSpec.Parse(row[0].GetString()!));
            Assert.Contains(row[1].GetString()!, e.Message, StringComparison.Ordinal);
        }

        JsonElement valid = Vectors().GetProperty("parametrized").EnumerateArray()
            .Single(t => t.GetProperty("test").GetString() == "test_valid_package_names");
        foreach (JsonElement row in valid.GetProperty("rows").EnumerateArray())
        {
            Assert.Equal(row.GetString(), MatchSpec.Parse(row.GetString()!).Name);
        }
    }

    private static string Render(IReadOnlyDictionary<string, string> d) =>
        "{" + string.Join(", ", d.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}")) + "}";
}
