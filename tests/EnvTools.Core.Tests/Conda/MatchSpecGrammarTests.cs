using EnvTools.Conda;
using Xunit;

namespace EnvTools.Tests.Conda;

/// <summary>One test per clause of the MatchSpec grammar (CEP-29 / conda's match_spec.py).</summary>
public class MatchSpecGrammarTests
{
    [Fact]
    public void NameOnly()
    {
        MatchSpec s = MatchSpec.Parse("numpy");
        Assert.Equal("numpy", s.Name);
        Assert.Null(s.Version);
        Assert.Null(s.Build);
        Assert.True(s.IsNameOnly);
        Assert.Equal("numpy", s.ToString());
    }

    [Fact]
    public void NameIsLowerCased()
    {
        Assert.Equal("pyqt", MatchSpec.Parse("PyQt >=5").Name);
    }

    [Theory]
    [InlineData("numpy 1.21.*", "1.21.*", null)]
    [InlineData("numpy 1.21*", "1.21*", null)]
    [InlineData("numpy=1.21", "1.21*", null)]
    [InlineData("numpy==1.21", "1.21", null)]
    [InlineData("numpy>=1.21,<2|1.19.*", ">=1.21,<2|1.19.*", null)]
    [InlineData("numpy >=1.21, <2", ">=1.21,<2", null)]
    [InlineData("numpy 1.21 py39_0", "1.21", "py39_0")]
    [InlineData("numpy=1.21=py39*", "1.21", "py39*")]
    [InlineData("numpy==1.21.0=py39h1234567_0", "1.21.0", "py39h1234567_0")]
    [InlineData("pytorch=*=*cuda*", "*", "*cuda*")]
    [InlineData("numpy * openblas_0", "*", "openblas_0")]
    [InlineData("numpy ~=1.21.0", "~=1.21.0", null)]
    [InlineData("numpy !=1.21", "!=1.21", null)]
    public void VersionAndBuildPositions(string spec, string version, string? build)
    {
        MatchSpec s = MatchSpec.Parse(spec);
        Assert.Contains(s.Name, new[] { "numpy", "pytorch" });
        Assert.Equal(version, s.VersionText);
        Assert.Equal(build, s.Build?.Pattern);
    }

    [Theory]
    [InlineData("conda-forge::numpy", "conda-forge", null, "conda-forge::numpy")]
    [InlineData("conda-forge/linux-64::numpy", "conda-forge", "linux-64", "conda-forge/linux-64::numpy")]
    [InlineData("conda-forge/label/dev::numpy", "conda-forge/label/dev", null, "conda-forge/label/dev::numpy")]
    [InlineData("conda-forge/label/dev/noarch::numpy", "conda-forge/label/dev", "noarch", "conda-forge/label/dev/noarch::numpy")]
    [InlineData("https://conda.anaconda.org/conda-forge::numpy", "conda-forge", null, "conda-forge::numpy")]
    [InlineData("https://conda.anaconda.org/t/tk-123-abc/conda-forge/osx-arm64::numpy", "conda-forge", "osx-arm64", "conda-forge/osx-arm64::numpy")]
    [InlineData("https://repo.example.com/mychannel::numpy", "https://repo.example.com/mychannel", null, "https://repo.example.com/mychannel::numpy")]
    [InlineData("http://localhost:8000/ch/win-64::numpy", "http://localhost:8000/ch", "win-64", "http://localhost:8000/ch/win-64::numpy")]
    [InlineData("pkgs/main::numpy", "defaults", null, "defaults::numpy")]
    [InlineData("*/linux-64::numpy", "*", "linux-64", "numpy[subdir=linux-64]")]
    [InlineData("numpy[channel=conda-forge/linux-64]", "conda-forge", "linux-64", "conda-forge/linux-64::numpy")]
    public void ChannelAndSubdir(string spec, string channel, string? subdir, string canonical)
    {
        MatchSpec s = MatchSpec.Parse(spec);
        Assert.Equal(channel, s.Channel!.Value);
        Assert.Equal(subdir, s.Subdir);
        Assert.Equal(canonical, s.ToString());
    }

    [Fact]
    public void BracketKeysAndQuoting()
    {
        MatchSpec s = MatchSpec.Parse("numpy[version='>=1.21', build=*cuda*, build_number='>=3', subdir=linux-64, md5=abc, sha256=def, fn=\"numpy-1.21.0-0.conda\", license='BSD 3-Clause', license_family=BSD, track_features=mkl]");
        Assert.Equal(">=1.21", s.VersionText);
        Assert.Equal("*cuda*", s.Build!.Pattern);
        Assert.Equal(BuildNumberOperator.GreaterOrEqual, s.BuildNumber!.Operator);
        Assert.Equal("linux-64", s.Subdir);
        Assert.Equal("abc", s.Md5);
        Assert.Equal("def", s.Sha256);
        Assert.Equal("numpy-1.21.0-0.conda", s.FileName);
        Assert.Equal("bsd 3-clause", s.License!.Pattern);
        Assert.Equal("bsd", s.LicenseFamily!.Pattern);
        Assert.Equal(new[] { "mkl" }, s.TrackFeatures);
        Assert.Equal(
            "numpy[subdir=linux-64,version='>=1.21',build=*cuda*,build_number='>=3',track_features=mkl,md5=abc,sha256=def,license='bsd 3-clause',license_family=bsd,fn=numpy-1.21.0-0.conda]",
            s.ToString());
        Assert.Equal(s, MatchSpec.Parse(s.ToString()));
    }

    [Theory]
    [InlineData("numpy[version=1.21.*]")]
    [InlineData("numpy[version='1.21.*']")]
    [InlineData("numpy[version=\"1.21.*\"]")]
    [InlineData("numpy [version=1.21.*]")]
    [InlineData("numpy[ version=1.21.* ]")]
    public void BracketValueQuotingIsEquivalent(string spec)
    {
        Assert.Equal("numpy=1.21", MatchSpec.Parse(spec).ToString());
    }

    [Fact]
    public void BracketsOverrideOutsideExceptName()
    {
        MatchSpec s = MatchSpec.Parse("conda-forge::numpy 1.0 py_0[channel=bioconda, version='2.*', build=py_1, name=pandas]");
        Assert.Equal("numpy", s.Name);
        Assert.Equal("bioconda", s.Channel!.Value);
        Assert.Equal("2.*", s.VersionText);
        Assert.Equal("py_1", s.Build!.Pattern);
    }

    [Theory]
    [InlineData("https://conda.anaconda.org/conda-forge/noarch/tzdata-2024a-h0c530f3_0.conda", "conda-forge/noarch::tzdata==2024a=h0c530f3_0")]
    [InlineData("https://repo.example.com/ch/linux-64/foo-1.0-0.tar.bz2", "https://repo.example.com/ch/linux-64::foo==1.0=0")]
    [InlineData("https://repo.example.com/files/foo-1.0-0.tar.bz2", "*[url=https://repo.example.com/files/foo-1.0-0.tar.bz2]")]
    [InlineData("/opt/pkgs/foo-1.0-0.conda", "*[url=file:///opt/pkgs/foo-1.0-0.conda]")]
    public void PackageUrlsAndFiles(string spec, string canonical)
    {
        // an absolute path's file URL has the current drive on Windows, as conda's path_to_url gives it
        canonical = canonical.Replace("file:///opt/", MatchSpecRattlerSnapshotTests.FileUrl("/opt") + "/", StringComparison.Ordinal);
        MatchSpec s = MatchSpec.Parse(spec);
        Assert.Equal(canonical, s.ToString());
        Assert.NotNull(s.Url);
        Assert.NotNull(s.FileName);
    }

    [Fact]
    public void TarballFieldsAreSplitFromTheFileName()
    {
        MatchSpec s = MatchSpec.Parse("https://conda.anaconda.org/conda-forge/linux-64/python-dateutil-2.9.0-pyhd8ed1ab_0.conda");
        Assert.Equal("python-dateutil", s.Name);
        Assert.Equal("2.9.0", s.VersionText);
        Assert.Equal("pyhd8ed1ab_0", s.Build!.Pattern);
        Assert.Equal("linux-64", s.Subdir);
        Assert.Equal("python-dateutil-2.9.0-pyhd8ed1ab_0.conda", s.FileName);
    }

    [Fact]
    public void BareNameEndingInDotCondaIsAName()
    {
        Assert.Equal("garpy.conda", MatchSpec.Parse("garpy.conda").Name);
    }

    [Theory]
    [InlineData("*", "*")]
    [InlineData("* >=1.0", "*[version='>=1.0']")]
    [InlineData("*[md5=0123]", "*[md5=0123]")]
    [InlineData("py* 3.*", "py*=3")]
    public void StarAndGlobNames(string spec, string canonical)
    {
        Assert.Equal(canonical, MatchSpec.Parse(spec).ToString());
    }

    [Fact]
    public void CommentsAndParensAreDropped()
    {
        Assert.Equal("numpy==1.0", MatchSpec.Parse("numpy 1.0  # pinned by hand").ToString());
        Assert.Equal("conda-forge::foo[build=3]", MatchSpec.Parse("conda-forge::foo[build=3](target=blarg,optional)").ToString());
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("   ", 0)]
    [InlineData(">=1.0", 0)]
    [InlineData("numpy[version=]", 6)]
    [InlineData("numpy[bogus=1]", 6)]
    [InlineData("numpy[version=1.0, version=2.0]", 19)]
    [InlineData("numpy[build='py39]", 5)]
    [InlineData("numpy 1.0[build=x]junk", 18)]
    [InlineData("num@py", 3)]
    [InlineData("numpy >=1.0 <<2", -2)]
    [InlineData("numpy[build_number=abc]", -2)]
    [InlineData("numpy[build=^(x$]", -2)]
    public void InvalidSpecsReportReasonAndPosition(string spec, int position)
    {
        var e = Assert.Throws<InvalidSpecException>(() => MatchSpec.Parse(spec));
        Assert.Equal(spec, e.Input);
        Assert.False(string.IsNullOrEmpty(e.Reason));
        Assert.Equal("InvalidSpec", e.ErrorId);
        if (position >= -1)
        {
            Assert.Equal(position, e.Position);
        }

        Assert.False(MatchSpec.TryParse(spec, out _));
    }

    [Fact]
    public void ParseIsCachedAndThreadSafe()
    {
        MatchSpec a = MatchSpec.Parse("libblas 3.9.* *mkl");
        Assert.Same(a, MatchSpec.Parse("libblas 3.9.* *mkl"));
        MatchSpec[] results = new MatchSpec[64];
        Parallel.For(0, results.Length, i => results[i] = MatchSpec.Parse($"pkg{i % 8} >={i % 8}.0"));
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal($"pkg{i % 8}[version='>={i % 8}.0']", results[i].ToString());
        }
    }

    [Fact]
    public void FromFieldsBuildsLikeKeywordArguments()
    {
        MatchSpec s = MatchSpec.FromFields(new Dictionary<string, string>
        {
            ["name"] = "foo", ["build"] = "py2*", ["channel"] = "conda-forge",
        });
        Assert.Equal("conda-forge::foo[build=py2*]", s.ToString());
        Assert.Throws<InvalidSpecException>(() => MatchSpec.FromFields(new Dictionary<string, string> { ["bogus"] = "1" }));
    }

    [Fact]
    public void FromDistString()
    {
        MatchSpec s = MatchSpec.FromDistString("conda-forge/linux-64::numpy-1.26.4-py312heda63a1_0.conda");
        Assert.Equal("conda-forge/linux-64::numpy==1.26.4=py312heda63a1_0", s.ToString());
        Assert.Throws<InvalidSpecException>(() => MatchSpec.FromDistString("numpy"));
    }
}
