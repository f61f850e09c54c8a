using EnvTools.Conda;
using EnvTools.Environments;
using Xunit;

namespace EnvTools.Tests.Environments;

public sealed class CondaLockFileTests
{
    private const string Lock = """
        version: 1
        metadata:
          content_hash:
            linux-64: abc
          channels:
            - url: conda-forge
              used_env_vars: []
          platforms:
            - linux-64
            - osx-arm64
          sources:
            - environment.yml
        package:
          - name: _openmp_mutex
            version: '4.5'
            manager: conda
            platform: linux-64
            dependencies:
              _libgcc_mutex: '0.1'
              libgomp: '>=7.5.0'
            url: https://conda.anaconda.org/conda-forge/linux-64/_openmp_mutex-4.5-2_gnu.tar.bz2
            hash:
              md5: 73aaf86a425cc6e73fcf236a5a46396d
              sha256: fbe2c5e56a653bebb982eda4876a9178aedfc2b545f25d0ce9c4c0b508253d22
            category: main
            optional: false
          - name: pytest
            version: '8.0'
            manager: conda
            platform: linux-64
            dependencies: {}
            url: https://conda.anaconda.org/conda-forge/noarch/pytest-8.0-pyhd8ed1ab_0.conda
            hash:
              md5: 73aaf86a425cc6e73fcf236a5a46396d
            category: dev
            optional: true
          - name: six
            version: 1.17.0
            manager: pip
            platform: linux-64
            dependencies: {}
            url: https://files.example/six-1.17.0-py2.py3-none-any.whl
            hash:
              sha256: 4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274
            category: main
            optional: false
        """;

    [Fact]
    public void Parse_ReadsMetadataAndPackages()
    {
        CondaLockFile f = CondaLockFile.Parse(Lock, "conda-lock.yml");
        Assert.Equal(new[] { "linux-64", "osx-arm64" }, f.Platforms);
        Assert.Equal(new[] { "conda-forge" }, f.Channels);
        Assert.Equal("abc", f.ContentHash["linux-64"]);
        Assert.Equal(3, f.Packages.Count);

        RepoDataRecord r = Assert.Single(f.RecordsFor("linux-64"));
        Assert.Equal(("_openmp_mutex", "4.5", "2_gnu", "linux-64"), (r.Name, r.Version, r.Build, r.Subdir));
        Assert.Equal(new[] { "_libgcc_mutex 0.1", "libgomp >=7.5.0" }, r.Depends);
        Assert.Equal("fbe2c5e56a653bebb982eda4876a9178aedfc2b545f25d0ce9c4c0b508253d22", r.Sha256);
        Assert.Equal(2, f.RecordsFor("linux-64", new[] { "main", "dev" }).Count);
        Assert.Equal("six", Assert.Single(f.PipPackagesFor("linux-64")).Name);
        Assert.Empty(f.RecordsFor("osx-arm64"));
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => f.RecordsFor("win-64"));
        Assert.Contains("not win-64", ex.Message);
    }

    [Theory]
    [InlineData("version: 9\nmetadata: {}\npackage: []\n", 1, "version", "not a supported conda-lock version")]
    [InlineData("metadata:\n  platforms: [linux-64]\npackage:\n  - name: a\n    version: '1'\n    manager: conda\n    platform: linux-64\n    url: https://h/c/linux-64/a-1-0.conda\n", 4, "package[0].hash", "is missing")]
    [InlineData("metadata:\n  platforms: [linux-64]\npackage:\n  - name: a\n    version: '1'\n    manager: npm\n    platform: linux-64\n    url: u\n    hash: {md5: x}\n", 6, "package[0].manager", "not conda or pip")]
    [InlineData("metadata:\n  platforms: [linux-65]\npackage: []\n", 2, "metadata.platforms", "not a conda platform")]
    [InlineData("metadata: {}\npackage: []\nextra: 1\n", 3, "extra", "not a conda-lock key")]
    public void Parse_Invalid_NamesLineAndKey(string text, int line, string key, string reason)
    {
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => CondaLockFile.Parse(text, "l.yml"));
        Assert.Equal((line, key), (ex.Line, ex.Key));
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void Write_ParsesBack_PerPlatform_WithoutTokens()
    {
        RepoDataRecord Rec(string subdir, string name, params string[] depends) => new()
        {
            Name = name, Version = "1.0", Build = "h0_1", FileName = $"{name}-1.0-h0_1.conda",
            Url = $"https://conda.anaconda.org/t/secret-token/ch/{subdir}/{name}-1.0-h0_1.conda",
            Sha256 = new string('a', 64), Md5 = new string('b', 32), Depends = depends,
        };
        var records = new List<KeyValuePair<string, IReadOnlyList<RepoDataRecord>>>
        {
            new("linux-64", new[] { Rec("linux-64", "libz"), Rec("linux-64", "app", "libz >=1.0", "__glibc >=2.17") }),
            new("win-64", new[] { Rec("win-64", "app", "ucrt") }),
        };
        string text = CondaLockFile.Write(new[] { "https://conda.anaconda.org/t/secret-token/ch" }, records, new[] { "env" });
        Assert.DoesNotContain("secret-token", text);
        CondaLockFile back = CondaLockFile.Parse(text);
        Assert.Equal(new[] { "linux-64", "win-64" }, back.Platforms);
        Assert.Equal(new[] { "https://conda.anaconda.org/ch" }, back.Channels);
        IReadOnlyList<RepoDataRecord> linux = back.RecordsFor("linux-64");
        Assert.Equal(new[] { "libz-1.0-h0_1", "app-1.0-h0_1" }, linux.Select(r => r.ToString()));
        Assert.Equal(new[] { "libz >=1.0", "__glibc >=2.17" }, linux[1].Depends);
        Assert.Equal(new[] { "ucrt" }, back.RecordsFor("win-64")[0].Depends);
        Assert.Equal(64, back.ContentHash["win-64"].Length);
    }
}
