using EnvTools.Conda;
using Xunit;

namespace EnvTools.Tests.Conda;

/// <summary>MatchSpec.Matches against records: each field condition accepts and rejects.</summary>
public class MatchSpecMatchTests
{
    private static readonly MatchSpecTestRecord Numpy = new("numpy", "1.26.4", "py312cuda118h1234567_3", 3)
    {
        Subdir = "linux-64",
        Channel = "https://conda.anaconda.org/conda-forge/linux-64",
        Md5 = "0123456789abcdef0123456789abcdef",
        Sha256 = "aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999",
        FileName = "numpy-1.26.4-py312cuda118h1234567_3.conda",
        Url = "https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py312cuda118h1234567_3.conda",
        License = "BSD-3-Clause",
        LicenseFamily = "BSD",
    };

    [Theory]
    [InlineData("numpy", true)]
    [InlineData("NumPy", true)]
    [InlineData("scipy", false)]
    [InlineData("num*", true)]
    [InlineData("^nu.py$", true)]
    [InlineData("*", true)]
    [InlineData("numpy 1.26.*", true)]
    [InlineData("numpy 1.25.*", false)]
    [InlineData("numpy >=1.21,<2", true)]
    [InlineData("numpy >=2", false)]
    [InlineData("numpy <1.21|1.26.4", true)]
    [InlineData("numpy ==1.26.4", true)]
    [InlineData("numpy ==1.26", false)]
    [InlineData("numpy=1.26", true)]
    [InlineData("numpy * *cuda*", true)]
    [InlineData("numpy * *cpu*", false)]
    [InlineData("numpy=*=py312*", true)]
    [InlineData("numpy=*=py311*", false)]
    [InlineData("numpy[build='^py312cuda[0-9]+h.*_3$']", true)]
    [InlineData("numpy[build='^py312cpu.*$']", false)]
    [InlineData("numpy 1.26.4 py312cuda118h1234567_3", true)]
    [InlineData("numpy 1.26.4 py312cuda118h1234567_2", false)]
    [InlineData("numpy[build_number=3]", true)]
    [InlineData("numpy[build_number=2]", false)]
    [InlineData("numpy[build_number='>=3']", true)]
    [InlineData("numpy[build_number='>3']", false)]
    [InlineData("numpy[build_number='<10']", true)]
    [InlineData("numpy[build_number='<3']", false)]
    [InlineData("conda-forge::numpy", true)]
    [InlineData("bioconda::numpy", false)]
    [InlineData("conda-forge/linux-64::numpy", true)]
    [InlineData("conda-forge/osx-64::numpy", false)]
    [InlineData("https://conda.anaconda.org/conda-forge::numpy", true)]
    [InlineData("https://mirror.example.com/conda-forge::numpy", false)]
    [InlineData("conda-*::numpy", true)]
    [InlineData("numpy[subdir=linux-64]", true)]
    [InlineData("numpy[subdir=noarch]", false)]
    [InlineData("numpy[md5=0123456789abcdef0123456789abcdef]", true)]
    [InlineData("numpy[md5=ffffffffffffffffffffffffffffffff]", false)]
    [InlineData("*[sha256=aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999]", true)]
    [InlineData("*[sha256=aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889998]", false)]
    [InlineData("numpy[fn=numpy-1.26.4-py312cuda118h1234567_3.conda]", true)]
    [InlineData("numpy[fn=numpy-1.26.4-py312cuda118h1234567_3.tar.bz2]", false)]
    [InlineData("https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py312cuda118h1234567_3.conda", true)]
    [InlineData("https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py312cuda118h1234567_2.conda", false)]
    [InlineData("numpy[license=bsd-3-clause]", true)]
    [InlineData("numpy[license=MIT]", false)]
    [InlineData("numpy[license_family=bsd]", true)]
    [InlineData("numpy[license_family=GPL*]", false)]
    [InlineData("numpy[track_features=mkl]", false)]
    public void MatchesRecord(string spec, bool expected)
    {
        Assert.Equal(expected, MatchSpec.Parse(spec).Matches(Numpy));
    }

    [Fact]
    public void DefaultsMatchesItsMembersButNotTheOtherWayRound()
    {
        MatchSpecTestRecord main = Numpy with { Channel = "https://repo.anaconda.com/pkgs/main/linux-64" };
        Assert.True(MatchSpec.Parse("defaults::numpy").Matches(main));
        Assert.True(MatchSpec.Parse("pkgs/main::numpy").Matches(main));
        Assert.True(MatchSpec.Parse("https://repo.anaconda.com/pkgs/main::numpy").Matches(main));
        // conda (>= 26, PR #16176) keeps a member name as its multichannel: pkgs/r::numpy is defaults::numpy
        Assert.Equal("defaults::numpy", MatchSpec.Parse("pkgs/r::numpy").ToString());
        Assert.False(MatchSpec.Parse("conda-forge::numpy").Matches(main));
        Assert.False(MatchSpecChannel.Parse("pkgs/main").Matches("defaults"));
    }

    [Fact]
    public void ChannelConditionNeedsARecordChannel()
    {
        Assert.False(MatchSpec.Parse("conda-forge::numpy").Matches(Numpy with { Channel = null }));
        Assert.True(MatchSpec.Parse("numpy").Matches(Numpy with { Channel = null }));
    }

    [Fact]
    public void TrackFeaturesMustBeTheSameSet()
    {
        MatchSpecTestRecord mkl = Numpy with { TrackFeatures = new[] { "mkl", "debug" } };
        Assert.True(MatchSpec.Parse("numpy[track_features='debug mkl']").Matches(mkl));
        Assert.True(MatchSpec.Parse("numpy[track_features='mkl,debug']").Matches(mkl));
        Assert.False(MatchSpec.Parse("numpy[track_features=mkl]").Matches(mkl));
        Assert.True(MatchSpec.Parse("numpy[features=blas]").Matches(Numpy with { Features = new[] { "blas" } }));
        Assert.False(MatchSpec.Parse("numpy[features=blas]").Matches(Numpy));
    }

    [Fact]
    public void InvalidRecordVersionDoesNotMatchAVersionCondition()
    {
        Assert.False(MatchSpec.Parse("numpy >=1").Matches(Numpy with { Version = "1.2$" }));
        Assert.True(MatchSpec.Parse("numpy").Matches(Numpy with { Version = "1.2$" }));
    }

    [Fact]
    public void V3FieldsDoNotAffectMatching()
    {
        Assert.True(MatchSpec.Parse("numpy[when=__linux, extras=[a], flags=[cpu]]").Matches(Numpy));
    }
}
