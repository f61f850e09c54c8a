using EnvTools.Conda;
using EnvTools.Environments;
using Xunit;

namespace EnvTools.Tests.Environments;

public sealed class ExplicitFileTests
{
    private const string Md5 = "d7c89558ba9fa0495403155b64376d81";
    private const string Sha = "fe51de6107f9edc7aa4f786a70f4a883943bc9d39b3bb7307c04c41410990726";

    [Fact]
    public void Parse_ReadsUrlsHashesAndPlatform()
    {
        string text = $"""
            # This file may be used to create an environment using:
            # platform: linux-64
            @EXPLICIT
            # a comment between packages
            https://conda.anaconda.org/conda-forge/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2#{Md5}
            https://conda.anaconda.org/conda-forge/noarch/tzdata-2024a-h0c530f3_0.conda#sha256:{Sha}
            https://conda.anaconda.org/conda-forge/linux-64/zlib-1.3.1-h4ab18f5_1.conda#{Sha.ToUpperInvariant()}
            https://repo.example/main/linux-64/ca-certificates-2025.2.25-h06a4308_0.conda
            """;
        ExplicitFile f = ExplicitFile.Parse(text, "e.txt");
        Assert.Equal("linux-64", f.Platform);
        Assert.Equal(4, f.Packages.Count);
        Assert.Equal((Md5, (string?)null), (f.Packages[0].Md5, f.Packages[0].Sha256));
        Assert.Equal(((string?)null, Sha), (f.Packages[1].Md5, f.Packages[1].Sha256));
        Assert.Equal(Sha, f.Packages[2].Sha256);
        Assert.Null(f.Packages[3].Md5 ?? f.Packages[3].Sha256);

        RepoDataRecord r = f.Packages[1].ToRecord();
        Assert.Equal(("tzdata", "2024a", "h0c530f3_0", "noarch"), (r.Name, r.Version, r.Build, r.Subdir));
        Assert.Equal("tzdata-2024a-h0c530f3_0.conda", r.FileName);
        Assert.Equal("https://conda.anaconda.org/conda-forge/noarch", r.Channel);
        Assert.Equal(Sha, r.Sha256);
        Assert.Equal(1L, ExplicitFile.Parse($"@EXPLICIT\nhttps://h/c/linux-64/zlib-1.3.1-h4ab18f5_1.conda\n").Packages[0].ToRecord().BuildNumber);
    }

    [Theory]
    [InlineData("@EXPLICIT\nhttps://h/c/linux-64/a-1-0.conda#abc\n", 2, "is no package hash")]
    [InlineData("@EXPLICIT\nhttps://h/c/linux-64/a-1-0.conda#sha256:abc\n", 2, "is not a SHA-256")]
    [InlineData("@EXPLICIT\n\nhttps://h/c/linux-64/readme.txt\n", 3, "is not a package archive")]
    [InlineData("@EXPLICIT\nnumpy=1.26\n", 2, "is not a package URL")]
    [InlineData("numpy\n@EXPLICIT\n", 1, "comes before the @EXPLICIT line")]
    [InlineData("# only comments\n", 0, "has no @EXPLICIT line")]
    public void Parse_BadLines_NameTheLine(string text, int line, string reason)
    {
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => ExplicitFile.Parse(text, "bad.txt"));
        Assert.Equal(line, ex.Line);
        Assert.Contains(reason, ex.Message);
        Assert.StartsWith(line > 0 ? $"bad.txt:{line}:" : "bad.txt:", ex.Message);
    }

    [Fact]
    public void Write_UsesSha256AndStripsCredentials_AndParsesBack()
    {
        var records = new[]
        {
            new RepoDataRecord { Name = "a", Version = "1", Build = "0", FileName = "a-1-0.conda", Url = "https://conda.anaconda.org/t/tk-123-abc/private/linux-64/a-1-0.conda", Sha256 = Sha, Md5 = Md5 },
            new RepoDataRecord { Name = "b", Version = "2", Build = "h1_0", FileName = "b-2-h1_0.tar.bz2", Url = "https://user:secret@host.example/ch/noarch/b-2-h1_0.tar.bz2", Md5 = Md5 },
        };
        string text = ExplicitFile.Write(records, "linux-64");
        Assert.DoesNotContain("tk-123-abc", text);
        Assert.DoesNotContain("secret", text);
        Assert.DoesNotContain("user", text);
        Assert.Contains($"https://conda.anaconda.org/private/linux-64/a-1-0.conda#sha256:{Sha}\n", text);
        Assert.Contains($"https://host.example/ch/noarch/b-2-h1_0.tar.bz2#{Md5}\n", text);
        ExplicitFile back = ExplicitFile.Parse(text);
        Assert.Equal("linux-64", back.Platform);
        Assert.Equal(new[] { "a", "b" }, back.ToRecords().Select(r => r.Name));
    }

    [Fact]
    public void Parse_LocalPathBecomesFileUrl()
    {
        string path = Path.Combine(Path.GetTempPath(), "ch", "linux-64", "a-1-0.conda");
        ExplicitFile f = ExplicitFile.Parse($"@EXPLICIT\n{path}\n");
        Assert.StartsWith("file://", f.Packages[0].Url);
        Assert.Equal("linux-64", f.Packages[0].Subdir);
    }
}
