using EnvTools.Environments;
using Xunit;

namespace EnvTools.Tests.Environments;

public sealed class PrefixHistoryConformanceTests
{
    private static PrefixHistory LoadShared(string relative)
    {
        string path = ConformanceData.PathOf("prefix-records/" + relative)!;
        Assert.True(File.Exists(path), path);
        return PrefixHistory.Load(path);
    }

    [ConformanceFact]
    public void MambaParse_RevisionsDistsAndSpecs()
    {
        PrefixHistory h = LoadShared("mamba-history/parse/conda-meta/history");
        Assert.Equal(8, h.Revisions.Count);
        Assert.All(h.Revisions, r => Assert.Equal("3.8.0", r.CondaVersion));
        Assert.Equal(new DateTime(2025, 4, 14, 9, 23, 10), h.Revisions[0].Timestamp);
        Assert.Equal("/home/sandrinepataut/.local/bin/micromamba install nlohmann_json", h.Revisions[0].Command);
        Assert.Equal(new[] { "nlohmann_json" }, h.Revisions[0].UpdateSpecs);
        Assert.Equal(8, h.Revisions[1].Added.Count);

        HistoryRevision update = h.Revisions[3];
        HistoryDist gone = Assert.Single(update.Removed);
        Assert.Equal("https://conda.anaconda.org/conda-forge/linux-64", gone.Channel);
        Assert.Equal(("cpp-tabulate", "1.0", "hc9558a2_0"), (gone.Name, gone.Version, gone.Build));
        HistoryDist came = Assert.Single(update.Added);
        Assert.Equal(("conda-forge", "cpp-tabulate", "1.5", "hf52228f_1"), (came.Channel, came.Name, came.Version, came.Build));
        Assert.Equal(new[] { "cpp-tabulate" }, update.UpdateSpecs);
        Assert.Equal(new[] { "cpp-tabulate" }, update.RemoveSpecs);

        Assert.Equal(new[] { "wheel=0.34.2", "openssl=3.5.0" }, h.Revisions[4].UpdateSpecs);
        Assert.Equal(20, h.Revisions[4].Added.Count);
        Assert.Equal(2, h.Revisions[5].Removed.Count);
        Assert.Equal(new[] { "wheel" }, h.Revisions[5].RemoveSpecs);
        Assert.Equal(new[] { "wheel", "xtl", "nlohmann_json" }, h.Revisions[6].RemoveSpecs);
        Assert.Equal(new[] { "nlohmann_json", "wheel", "xtl" }, h.Revisions[6].Removed.Select(d => d.Name));
        Assert.Empty(h.Revisions[6].Added);
        Assert.Equal(new[] { "wheel=0.40.0", "xtl=0.8.0" }, h.Revisions[7].UpdateSpecs);
    }

    [ConformanceFact]
    public void MambaParse_RequestedSpecs_RemovalsAndLaterOverrides()
    {
        PrefixHistory h = LoadShared("mamba-history/parse/conda-meta/history");
        IReadOnlyDictionary<string, string> specs = h.GetRequestedSpecs();
        Assert.Equal(
            new[] { "cpp-tabulate=cpp-tabulate", "openssl=openssl=3.5.0", "wheel=wheel=0.40.0", "xtl=xtl=0.8.0" },
            specs.Select(kv => kv.Key + "=" + kv.Value));

        // conda drops names that are not installed any more.
        IReadOnlyDictionary<string, string> filtered = h.GetRequestedSpecs(new[] { "wheel", "xtl", "python" });
        Assert.Equal(new[] { "wheel", "xtl" }, filtered.Keys);
    }

    [ConformanceFact]
    public void MambaParseMetadata_DoubleQuotedSpecWithEscapes()
    {
        PrefixHistory h = LoadShared("mamba-history/parse_metadata/conda-meta/history");
        HistoryRevision r = Assert.Single(h.Revisions);
        Assert.Equal(40, r.Added.Count);
        Assert.Empty(r.Removed);
        Assert.Equal("micromamba create -n repro2 pandas[version=\">=0.25.2,<3\"]", r.Command);
        Assert.Equal(new[] { "pandas[version=\">=0.25.2,<3\"]" }, r.UpdateSpecs);
        Assert.Equal(new[] { "pandas" }, h.GetRequestedSpecs().Keys);
        Assert.Contains(r.Added, d => d.Name == "python" && d.Version == "3.12.6" && d.Build == "hc5c86c4_2_cpython");
        Assert.Contains(r.Added, d => d.Name == "_libgcc_mutex" && d.Version == "0.1" && d.Build == "conda_forge");
    }

    [ConformanceFact]
    public void MambaSegfaultFixture_DoesNotThrow()
    {
        PrefixHistory h = LoadShared("mamba-history/parse_segfault/conda-meta/history");
        HistoryRevision r = Assert.Single(h.Revisions);
        Assert.Equal("x", r.RawTimestamp);
        Assert.Null(r.Timestamp);
        Assert.Null(r.Command);
        Assert.Empty(r.Added);
        Assert.Empty(h.GetRequestedSpecs());
    }

    [ConformanceTheory]
    [InlineData("envpy27osx", "2018-08-14 18:45:28", "4.6.0a2", 16, "python=2.7")]
    [InlineData("envpy27win_whl", "2018-08-14 19:57:54", "4.5.10", 8, "python=2.7")]
    [InlineData("envpy313tosx_whl", "2025-03-14 13:51:04", "25.1.2", 16, "python_abi[build=*_cp313t]|python=3.13|pip")]
    [InlineData("envpy37osx_whl", "2018-08-14 20:55:55", "4.6.0a2", 17, "python=3.7")]
    [InlineData("envpy37win", "2018-08-14 20:10:51", "4.5.10", 8, "python=3.7")]
    [InlineData("py27-osx-no-binary", "2018-08-30 07:58:56", "4.5.10", 34, "python=2|lxml|pip=8|nomkl|h5py|numpy")]
    [InlineData("py36-osx-whl", "2018-08-28 14:25:18", "4.5.10", 31, "nomkl|lxml|python=3.6|numpy|h5py")]
    public void CondaEnvMetadata(string env, string stamp, string condaVersion, int added, string specs)
    {
        PrefixHistory h = LoadShared($"conda-tests-env_metadata/{env}/conda-meta/history");
        HistoryRevision r = Assert.Single(h.Revisions);
        Assert.Equal(stamp, r.RawTimestamp);
        Assert.Equal(DateTime.ParseExact(stamp, "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), r.Timestamp);
        Assert.Equal(condaVersion, r.CondaVersion);
        Assert.Contains(" create ", r.Command, StringComparison.Ordinal);
        Assert.Equal(added, r.Added.Count);
        Assert.Empty(r.Removed);
        Assert.Equal(specs.Split('|'), r.UpdateSpecs);
        Assert.Equal(specs.Split('|'), h.GetRequestedSpecs().Values);
        Assert.Contains(r.Added, d => d.Name == "python" && d.Channel is "defaults" or "conda-forge/osx-arm64");
    }
}
