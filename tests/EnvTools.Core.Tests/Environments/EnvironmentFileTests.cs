using EnvTools.Environments;
using Xunit;

namespace EnvTools.Tests.Environments;

public sealed class EnvironmentFileTests
{
    [Fact]
    public void Parse_ReadsEverySection()
    {
        const string text = """
            name: ml
            channels:
              - ${MY_CHANNEL}/stable
              - conda-forge
            dependencies:
              - python=3.11
              - numpy >=1.26,<2
              - conda-forge::scipy
              - pip:
                  - --index-url https://example.invalid/simple
                  - -e ./src
                  - requests==2.31.0
            variables:
              A: one
              B: 2
            prefix: /opt/envs/ml
            """;
        EnvironmentFile f = EnvironmentFile.Parse(text, "env.yml", n => n == "MY_CHANNEL" ? "https://host/t/abc" : null);
        Assert.Equal("ml", f.Name);
        Assert.Equal(new[] { "https://host/t/abc/stable", "conda-forge" }, f.Channels);
        Assert.Equal(new[] { "python=3.11", "numpy >=1.26,<2", "conda-forge::scipy" }, f.Dependencies);
        Assert.Equal(new[] { "--index-url https://example.invalid/simple", "-e ./src", "requests==2.31.0" }, f.Pip);
        Assert.Equal(new[] { new KeyValuePair<string, string>("A", "one"), new("B", "2") }, f.Variables);
        Assert.Equal("/opt/envs/ml", f.Prefix);
        Assert.Equal(new[] { "python", "numpy", "scipy" }, f.GetSpecs().Select(s => s.Name));
    }

    [Fact]
    public void Parse_UnsetVariableStaysAsWritten()
    {
        EnvironmentFile f = EnvironmentFile.Parse("channels:\n  - https://h/t/${NOPE}/x\n  - $ALSO_NOT\n", "e.yml", _ => null);
        Assert.Equal(new[] { "https://h/t/${NOPE}/x", "$ALSO_NOT" }, f.Channels);
    }

    [Fact]
    public void Parse_UnknownKey_NamesFileLineAndKey()
    {
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFile.Parse("name: x\nchanels:\n  - a\n", "bad.yml"));
        Assert.Equal("InvalidEnvironmentFile", ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(2, ex.Line);
        Assert.Equal("chanels", ex.Key);
        Assert.StartsWith("bad.yml:2: 'chanels': is not a valid key (did you mean 'channels'?)", ex.Message);
    }

    [Fact]
    public void Parse_WrongType_NamesLine()
    {
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFile.Parse("name: x\nchannels: conda-forge\n", "t.yml"));
        Assert.Equal((2, "channels"), (ex.Line, ex.Key));
        Assert.Contains("must be a list", ex.Message);

        ex = Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFile.Parse("variables:\n  - A\n", "t.yml"));
        Assert.Equal((2, "variables"), (ex.Line, ex.Key));
        Assert.Contains("must be a mapping", ex.Message);
    }

    [Fact]
    public void Parse_DependencyThatIsNoMatchSpec_NamesEntry()
    {
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFile.Parse("dependencies:\n  - numpy\n  - 'numpy >=>1'\n", "d.yml"));
        Assert.Equal((3, "dependencies[1]"), (ex.Line, ex.Key));
        Assert.Contains("'numpy >=>1' is not a valid MatchSpec", ex.Message);
    }

    [Fact]
    public void Parse_OnlyPipMayHoldAList()
    {
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFile.Parse("dependencies:\n  - conda:\n    - x\n", "d.yml"));
        Assert.Equal((2, "dependencies[0].conda"), (ex.Line, ex.Key));
    }

    [Fact]
    public void Parse_InvalidYaml_NamesLine()
    {
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFile.Parse("name: x\ndependencies:\n  - [a\n", "y.yml"));
        Assert.True(ex.Line >= 3, ex.Message);
        Assert.Contains("invalid YAML", ex.Message);
    }

    [Fact]
    public void ToYaml_RoundTrips_WithQuotingWhereNeeded()
    {
        var f = new EnvironmentFile
        {
            Name = "yes",
            Channels = new[] { "conda-forge", "https://h:8443/c" },
            Dependencies = new[] { "python=3.11.8=h955ad1f_0", "numpy >=1.26", "1.0", "zlib" },
            Pip = new[] { "-e .", "--find-links ./wheels", "foo @ file:///x#egg=foo", "bar==1.0" },
            Variables = new[] { new KeyValuePair<string, string>("X", "a: b # c"), new("EMPTY", ""), new("N", "08") },
            Prefix = "/tmp/env with space",
        };
        string yaml = f.ToYaml();
        Assert.Contains("  - python=3.11.8=h955ad1f_0\n", yaml);
        Assert.Contains("  - pip:\n      - '-e .'\n", yaml);
        EnvironmentFile back = EnvironmentFile.Parse(yaml, "rt.yml", _ => null);
        Assert.Equal(f.Name, back.Name);
        Assert.Equal(f.Channels, back.Channels);
        Assert.Equal(f.Dependencies, back.Dependencies);
        Assert.Equal(f.Pip, back.Pip);
        Assert.Equal(f.Variables, back.Variables);
        Assert.Equal(f.Prefix, back.Prefix);
    }

    [Fact]
    public void ToTree_KeepsKeyOrderAndPipMap()
    {
        var f = new EnvironmentFile { Name = "n", Dependencies = new[] { "a" }, Pip = new[] { "b" } };
        IReadOnlyDictionary<string, object> tree = f.ToTree();
        Assert.Equal(new[] { "name", "dependencies" }, tree.Keys);
        object[] deps = (object[])tree["dependencies"];
        Assert.Equal("a", deps[0]);
        Assert.Equal(new[] { "b" }, ((IReadOnlyDictionary<string, object>)deps[1])["pip"]);
    }

    [Fact]
    public void Detect_TellsKindsApart()
    {
        Assert.Equal(EnvironmentFileKind.Explicit, EnvironmentFiles.Detect("# c\n@EXPLICIT\nhttps://h/c/linux-64/a-1-0.conda\n", "x.txt"));
        Assert.Equal(EnvironmentFileKind.CondaLock, EnvironmentFiles.Detect("version: 1\nmetadata: {}\npackage: []\n", "conda-lock.yml"));
        Assert.Equal(EnvironmentFileKind.EnvironmentYaml, EnvironmentFiles.Detect("name: a\n", "environment.yml"));
        Assert.Equal(EnvironmentFileKind.EnvironmentYaml, EnvironmentFiles.Detect("# x\nchannels:\n - a\n", "env.txt"));
        Assert.Equal(EnvironmentFileKind.SpecList, EnvironmentFiles.Detect("numpy>=1\nscipy\n", "specs.txt"));
    }

    [Fact]
    public void SpecList_ReadsSpecsAndRejectsBadLines()
    {
        SpecListFile f = SpecListFile.Parse("# comment\nnumpy >=1.20  # trailing\n\nscipy=1.11\n", "s.txt");
        Assert.Equal(new[] { "numpy >=1.20", "scipy=1.11" }, f.Specs);
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => SpecListFile.Parse("numpy\nfoo >=>2\n", "s.txt"));
        Assert.Equal(2, ex.Line);
    }
}

public sealed class EnvironmentFileSelectorTests
{
    [Fact]
    public void Selectors_ApplyPerPlatform_AndRoundTrip()
    {
        EnvironmentFile f = EnvironmentFile.Parse("dependencies:\n  - a\n  - sel(win): b\n  - sel(unix): c\n  - sel(osx-arm64): d\n", "s.yml");
        Assert.Equal(new[] { "a", "b" }, f.GetSpecs(EnvTools.Conda.Platform.Win64).Select(s => s.Name));
        Assert.Equal(new[] { "a", "c" }, f.GetSpecs(EnvTools.Conda.Platform.Linux64).Select(s => s.Name));
        Assert.Equal(new[] { "a", "c", "d" }, f.GetSpecs(EnvTools.Conda.Platform.OsxArm64).Select(s => s.Name));
        Assert.Equal(f.SelectedDependencies, EnvironmentFile.Parse(f.ToYaml(), "rt.yml").SelectedDependencies);
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFile.Parse("dependencies:\n  - sel(amiga): x\n", "s.yml"));
        Assert.Equal((2, "dependencies[0].sel(amiga)"), (ex.Line, ex.Key));
    }
}
