using EnvTools.Conda;
using EnvTools.Environments;
using Xunit;

namespace EnvTools.Tests.Environments;

public sealed class PackageChangeTests
{
    private static PrefixRecord Old(string name, string version, string build = "0", long buildNumber = 0, string channel = "https://conda.anaconda.org/conda-forge/linux-64", string? sha = null) =>
        new() { Name = name, Version = version, Build = build, BuildNumber = buildNumber, Channel = channel, Size = 10, Sha256 = sha };

    private static RepoDataRecord New(string name, string version, string build = "0", long buildNumber = 0, string channel = "https://conda.anaconda.org/conda-forge/linux-64", string? sha = null) =>
        new() { Name = name, Version = version, Build = build, BuildNumber = buildNumber, Channel = channel, Size = 20, Sha256 = sha };

    [Fact]
    public void Diff_ClassifiesEveryKindOfChange_InTheDocumentedOrder()
    {
        PrefixRecord[] before =
        {
            Old("zlib", "1.2.13"), Old("gone", "1.0"), Old("numpy", "1.10.0"), Old("scipy", "1.11.4"), Old("same", "2.0", "h1_0"),
            Old("openssl", "3.3.0", "h0_1", 1), Old("tk", "8.6.13", "h1_1", 1), Old("rebuilt", "1.0", "ha_0"), Old("moved", "1.0"),
        };
        RepoDataRecord[] after =
        {
            New("zlib", "1.3.1"), New("new", "0.1"), New("numpy", "1.9.3"), New("scipy", "1.11.4.post1"), New("same", "2.0", "h1_0"),
            New("openssl", "3.3.0", "h0_2", 2), New("tk", "8.6.13", "h1_0", 0), New("rebuilt", "1.0", "hb_0"),
            New("moved", "1.0", channel: "https://conda.anaconda.org/bioconda/linux-64"),
        };

        IReadOnlyList<PackageChange> changes = PackageChange.Diff(before, after);
        Assert.Equal(
            new[]
            {
                ("gone", PackageChangeAction.Remove),
                ("zlib", PackageChangeAction.Update),
                ("new", PackageChangeAction.Install),
                ("numpy", PackageChangeAction.Downgrade),   // conda order: 1.9.3 < 1.10.0
                ("scipy", PackageChangeAction.Update),      // post release
                ("openssl", PackageChangeAction.Update),    // build number
                ("tk", PackageChangeAction.Downgrade),      // build number
                ("rebuilt", PackageChangeAction.Reinstall), // same version and build number, other build string
                ("moved", PackageChangeAction.Reinstall),   // another channel
            },
            changes.Select(c => (c.Name, c.Action)));

        PackageChange gone = changes[0];
        Assert.Equal(("1.0", "0", null, null, "conda-forge", 10L), (gone.OldVersion, gone.OldBuild, gone.Version, gone.Build, gone.Channel, gone.Size));
        Assert.Null(gone.Record);
        Assert.Same(before[1], gone.OldRecord);
        Assert.Same(before[1], gone.GetOldRecord());

        PackageChange zlib = changes[1];
        Assert.Equal(("1.2.13", "1.3.1", "0", "0", 20L), (zlib.OldVersion, zlib.Version, zlib.OldBuild, zlib.Build, zlib.Size));
        Assert.Same(after[0], zlib.Record);
        Assert.Same(before[0], zlib.OldRecord);
        Assert.Equal("Update zlib 1.2.13-0 -> 1.3.1-0", zlib.ToString());

        PackageChange added = changes[2];
        Assert.Null(added.OldVersion);
        Assert.Null(added.OldRecord);
        Assert.Equal("bioconda", changes[8].Channel);
    }

    [Theory]
    [InlineData("1.0rc1", "1.0", PackageChangeAction.Update)]
    [InlineData("1.0", "1.0.dev1", PackageChangeAction.Downgrade)]
    [InlineData("1!0.1", "2.0", PackageChangeAction.Downgrade)] // epoch
    [InlineData("1.1.0+1", "1.1.0+2", PackageChangeAction.Update)]
    [InlineData("1.1.0", "1.1.0+local", PackageChangeAction.Downgrade)] // conda: letters sort below the implied 0
    [InlineData("2024a", "2024b", PackageChangeAction.Update)]
    public void Diff_UsesCondaVersionOrder(string from, string to, PackageChangeAction expected)
    {
        PackageChange c = Assert.Single(PackageChange.Diff(new[] { Old("p", from) }, new[] { New("p", to) }));
        Assert.Equal(expected, c.Action);
    }

    [Fact]
    public void Diff_IdenticalRecordsAreNoChange_ButAnotherArtifactIsAReinstall()
    {
        Assert.Empty(PackageChange.Diff(new[] { Old("p", "1.0", sha: "AB") }, new[] { New("p", "1.0", sha: "ab") }));
        Assert.Empty(PackageChange.Diff(new[] { Old("p", "1.0", channel: "conda-forge") }, new[] { New("p", "1.0", channel: "https://conda.anaconda.org/conda-forge/noarch") }));
        Assert.Equal(PackageChangeAction.Reinstall,
            Assert.Single(PackageChange.Diff(new[] { Old("p", "1.0", sha: "aa") }, new[] { New("p", "1.0", sha: "bb") })).Action);
        Assert.Empty(PackageChange.Diff(Array.Empty<PrefixRecord>(), Array.Empty<RepoDataRecord>()));
    }
}
