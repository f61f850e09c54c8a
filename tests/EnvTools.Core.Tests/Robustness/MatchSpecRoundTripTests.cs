using System.Text;
using System.Text.Json;
using EnvTools.Conda;
using Xunit;

namespace EnvTools.Tests.Robustness;

/// <summary>
/// A MatchSpec's canonical text parses back to an equal spec (issue 16, item 14): checked for the
/// known cases, for every input of conda's MatchSpec vectors, and for seeded random specs built
/// from the grammar's pieces.
/// </summary>
public class MatchSpecRoundTripTests
{
    internal static void AssertRoundTrips(string input)
    {
        MatchSpec spec;
        try
        {
            spec = MatchSpec.Parse(input);
        }
        catch (InvalidSpecException)
        {
            return; // refused input: nothing to round-trip
        }

        string text = spec.ToString();
        Assert.False(text.Any(char.IsControl), $"'{Escape(input)}' has canonical text '{Escape(text)}' with a control character");
        MatchSpec again;
        try
        {
            again = MatchSpec.Parse(text);
        }
        catch (InvalidSpecException ex)
        {
            throw new Xunit.Sdk.XunitException($"'{Escape(input)}' -> '{Escape(text)}' does not parse: {ex.Message}");
        }

        Assert.True(spec.Equals(again), $"'{Escape(input)}' -> '{Escape(text)}' -> '{Escape(again.ToString())}': not equal");
        Assert.True((spec.Version ?? VersionSpec.Any) == (again.Version ?? VersionSpec.Any), $"{Escape(input)}: version {spec.Version} became {again.Version}");
    }

    private static string Escape(string s) => JsonSerializer.Serialize(s);

    [Theory]
    [InlineData("jpeg 9**")]
    [InlineData("jpeg 9*.*")]
    [InlineData("jpeg=9*")]
    [InlineData("jpeg 9.*.*")]
    [InlineData("jpeg[version='9**']")]
    [InlineData("jpeg[version='1.*.2']")]
    [InlineData("numpy[build='a\tb']")]
    [InlineData("numpy[build=\"x\ny\"]")]
    [InlineData("numpy[license='MIT\tBSD']")]
    [InlineData("numpy\t1.7")]
    [InlineData("numpy 1.7 py\t_0")]
    [InlineData("numpy[md5='a\u000bb']")]
    [InlineData("numpy[version='1.7.*sion='1.7.*']']")]
    [InlineData("numpy[version='1.2[x]']")]
    [InlineData("conda==4.3.21,73=py36h4a561cd_0")]
    [InlineData("conda==4.3.21|5=py36_0")]
    public void KnownCases(string input) => AssertRoundTrips(input);

    [ConformanceFact]
    public void CondaVectors()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(ConformanceData.PathOf("matchspec/conda_test_match_spec_vectors.json")!));
        int n = 0;
        foreach (string section in new[] { "canonical_str", "parse_spec_str" })
        {
            foreach (JsonElement e in doc.RootElement.GetProperty(section).EnumerateArray())
            {
                if (e.TryGetProperty("input", out JsonElement input) && input.ValueKind == JsonValueKind.String)
                {
                    AssertRoundTrips(input.GetString()!);
                    n++;
                }
            }
        }

        Assert.True(n > 50, $"only {n} inputs found");
    }

    private static readonly string[] Names = ["numpy", "jpeg", "_libgcc_mutex", "py-lief", "*", "num*py", "conda-forge::numpy", "defaults/linux-64::zlib", "pkgs/main::python"];
    private static readonly string[] Versions = ["1.7", "1.7*", "1.7.*", "9**", "9*.*", "1.*.2", ">=1.2", "<2", ">=1,<2", "1.2|1.4", "!=1.3", "~=1.2", "==1.2", "=1.2", "1.2.*", "*", "1!2.0", "1.0a1", "1.2+local", "(>=1|<0.5),!=1.1", "^1\\.2$", "1.2.3.*", "2023.1", "1.*", "=1.2.*"];
    private static readonly string[] Builds = ["py37_0", "py3*", "*_0", "0", "h1234_1", "*cuda*", "a b", "x\ty", "x|y", "=1"];
    private static readonly string[] Brackets = ["build_number=3", "build_number='>=2'", "md5=abc", "subdir=linux-64", "channel=conda-forge", "license=MIT", "track_features='a b'", "features=mkl", "fn=foo-1.0-0.tar.bz2", "version='>=1,<3'", "build='py3*'", "url=https://x/y/z-1-0.conda", "license_family=BSD", "extras=[a, b]", "build=\"q'r\"", "license='a\tb'"];

    [Fact]
    public void SeededRandomSpecs()
    {
        var rng = new Random(20261207);
        var failures = new List<string>();
        for (int i = 0; i < 20_000; i++)
        {
            var sb = new StringBuilder(Names[rng.Next(Names.Length)]);
            int shape = rng.Next(4);
            if (shape >= 1)
            {
                sb.Append(rng.Next(3) switch { 0 => " ", 1 => "", _ => "=" }).Append(Versions[rng.Next(Versions.Length)]);
            }

            if (shape >= 2)
            {
                sb.Append(rng.Next(2) == 0 ? " " : "=").Append(Builds[rng.Next(Builds.Length)]);
            }

            if (rng.Next(3) == 0)
            {
                sb.Append('[').AppendJoin(',', Enumerable.Range(0, 1 + rng.Next(2)).Select(_ => Brackets[rng.Next(Brackets.Length)]).Distinct()).Append(']');
            }

            try
            {
                AssertRoundTrips(sb.ToString());
            }
            catch (Exception ex) when (ex is Xunit.Sdk.XunitException)
            {
                failures.Add(ex.Message);
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} specs do not round-trip, e.g.:\n" + string.Join("\n", failures.Distinct().Where(f => !f.Contains("control character")).Take(40)));
    }
}
