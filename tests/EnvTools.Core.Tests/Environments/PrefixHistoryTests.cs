using EnvTools.Environments;
using Xunit;

namespace EnvTools.Tests.Environments;

public sealed class PrefixHistoryTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "envtools-hist-" + Guid.NewGuid().ToString("N")[..8]);

    public PrefixHistoryTests() => Directory.CreateDirectory(_tmp);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_tmp, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Parse_CommentsAndDists()
    {
        const string text = "==> 2024-01-31 12:34:56 <==\n# cmd: conda install -n x numpy\n# conda version: 23.1.0\n"
            + "-conda-forge::numpy-1.25.0-py311h0_0\n+conda-forge::numpy-1.26.4-py311h64a7726_0\n"
            + "# update specs: ['numpy']\n# remove specs: ['scipy']\n# neutered specs: ['python=3.11']\n";
        HistoryRevision r = Assert.Single(PrefixHistory.Parse(text).Revisions);
        Assert.Equal(new DateTime(2024, 1, 31, 12, 34, 56), r.Timestamp);
        Assert.Equal("conda install -n x numpy", r.Command);
        Assert.Equal("23.1.0", r.CondaVersion);
        Assert.Equal(new[] { "numpy" }, r.UpdateSpecs);
        Assert.Equal(new[] { "scipy" }, r.RemoveSpecs);
        Assert.Equal(new[] { "python=3.11" }, r.NeuteredSpecs);
        Assert.Equal("1.25.0", Assert.Single(r.Removed).Version);
        HistoryDist a = Assert.Single(r.Added);
        Assert.Equal(("conda-forge", "numpy", "1.26.4", "py311h64a7726_0"), (a.Channel, a.Name, a.Version, a.Build));
    }

    [Fact]
    public void Parse_OldFormsWithoutChannelAndOldSpecs()
    {
        const string text = "==> 2013-07-01 10:00:00 <==\n+python-2.7.5-0\n+numpy-1.7.1-py27_0.tar.bz2\n"
            + "# cmd: conda create -n old python\n# install specs: python>=2.7,<3,numpy >=1.7,<2.0,pandas\n";
        HistoryRevision r = Assert.Single(PrefixHistory.Parse(text).Revisions);
        Assert.Equal(new[] { "python-2.7.5-0", "numpy-1.7.1-py27_0.tar.bz2" }, r.Added.Select(d => d.Text));
        Assert.All(r.Added, d => Assert.Null(d.Channel));
        Assert.Equal("py27_0", r.Added[1].Build);
        Assert.Equal(new[] { "python>=2.7,<3", "numpy >=1.7,<2.0", "pandas" }, r.UpdateSpecs);
    }

    [Fact]
    public void Parse_SkipsMalformedLines()
    {
        const string text = "garbage before any revision\n+conda-forge::early-1-0\n==> 2024-01-01 00:00:00 <==\n"
            + "# cmd: conda install a\n+notadist\n-conda-forge::\n+::-\n?weird line\n# update specs: ['a', 'unterminated\n"
            + "# remove specs: [1, 2]\n# update specs: \n+conda-forge::a-1.0-0\n==> 2024-01-02 00:00:00 <==\n==><==\n";
        PrefixHistory h = PrefixHistory.Parse(text);
        Assert.Equal(2, h.Revisions.Count);
        HistoryRevision r = h.Revisions[0];
        Assert.Equal("a", Assert.Single(r.Added).Name);
        Assert.Empty(r.Removed);
        Assert.Empty(r.UpdateSpecs);
        Assert.Empty(r.RemoveSpecs);
        Assert.Empty(h.GetRequestedSpecs());
    }

    [Fact]
    public void RequestedSpecs_LaterUpdateOverridesByName()
    {
        const string text = "==> 2024-01-01 00:00:00 <==\n# cmd: c\n# update specs: ['numpy=1.20', 'python']\n"
            + "==> 2024-01-02 00:00:00 <==\n# cmd: c\n# update specs: ['conda-forge::numpy>=1.26']\n";
        IReadOnlyDictionary<string, string> specs = PrefixHistory.Parse(text).GetRequestedSpecs();
        Assert.Equal("conda-forge::numpy>=1.26", specs["numpy"]);
        Assert.Equal("python", specs["python"]);
        Assert.Equal(2, specs.Count);
    }

    [Fact]
    public void RequestedSpecs_RemoveDropsNameAndNeuteredOverrides()
    {
        const string text = "==> 2024-01-01 00:00:00 <==\n# cmd: c\n# update specs: ['numpy', 'scipy=1.10', 'python=3.11']\n"
            + "==> 2024-01-02 00:00:00 <==\n# cmd: c\n# remove specs: ['scipy']\n# neutered specs: ['python=3.11.*']\n";
        IReadOnlyDictionary<string, string> specs = PrefixHistory.Parse(text).GetRequestedSpecs();
        Assert.Equal(new[] { "numpy", "python" }, specs.Keys);
        Assert.Equal("python=3.11.*", specs["python"]);
    }

    [Fact]
    public void RequestedSpecs_IgnoreRevisionsWithoutCmd()
    {
        const string text = "==> 2024-01-01 00:00:00 <==\n# update specs: ['numpy']\n"
            + "==> 2024-01-02 00:00:00 <==\n# cmd: c\n# update specs: ['python']\n";
        Assert.Equal(new[] { "python" }, PrefixHistory.Parse(text).GetRequestedSpecs().Keys);
    }

    [Fact]
    public void AppendRevision_WritesCondaFormatExactly()
    {
        string path = Path.Combine(_tmp, "p", "conda-meta", "history");
        PrefixHistory.AppendRevision(
            path,
            new DateTimeOffset(2024, 1, 31, 12, 34, 56, TimeSpan.Zero),
            "envtools install numpy",
            "0.1.0",
            new[] { "numpy", "it's" },
            new[] { "scipy" },
            new[] { "conda-forge::numpy-1.26.4-py311h0_0", "conda-forge::libblas-3.9.0-20_openblas" },
            new[] { "conda-forge::scipy-1.11.0-py311h0_0" });
        string expected = "==> 2024-01-31 12:34:56 <==\n# cmd: envtools install numpy\n# conda version: 3.8.0\n# envtools version: 0.1.0\n"
            + "-conda-forge::scipy-1.11.0-py311h0_0\n+conda-forge::libblas-3.9.0-20_openblas\n+conda-forge::numpy-1.26.4-py311h0_0\n"
            + "# update specs: ['numpy', \"it's\"]\n# remove specs: ['scipy']\n";
        Assert.Equal(expected, File.ReadAllText(path));
    }

    [Fact]
    public void LegacyEnvToolsVersionLine_IsReadAsEnvToolsVersion_AndRepaired()
    {
        // EnvTools 0.1 wrote its name on the conda version line; conda then fails with InvalidVersionSpec
        string path = Path.Combine(_tmp, "legacy-history");
        const string legacy = "==> 2024-01-31 12:34:56 <==\r\n# cmd: New-Env demo hello\r\n# conda version: envtools 0.1.0\r\n+chan::hello-1.0-0\r\n"
            + "# update specs: ['hello']\r\n==> 2024-02-01 08:00:00 <==\n# cmd: conda install tools\n# conda version: 25.11.1\n+chan::tools-0.5-0\n";
        File.WriteAllText(path, legacy);
        var before = PrefixHistory.Load(path).Revisions;
        Assert.Equal(("0.1.0", (string?)null), (before[0].EnvToolsVersion, before[0].CondaVersion));
        Assert.Equal(("25.11.1", (string?)null), (before[1].CondaVersion, before[1].EnvToolsVersion));

        Assert.True(PrefixHistory.RepairLegacyVersionLines(path));
        string repaired = File.ReadAllText(path);
        Assert.Equal(legacy.Replace("# conda version: envtools 0.1.0", "# conda version: 3.8.0\n# envtools version: 0.1.0", StringComparison.Ordinal), repaired);
        var after = PrefixHistory.Load(path).Revisions;
        Assert.Equal(("0.1.0", "3.8.0"), (after[0].EnvToolsVersion, after[0].CondaVersion));
        Assert.Equal(new[] { "hello" }, after[0].UpdateSpecs);
        Assert.False(PrefixHistory.RepairLegacyVersionLines(path)); // nothing left to repair: the file is not rewritten
        Assert.False(PrefixHistory.RepairLegacyVersionLines(Path.Combine(_tmp, "absent")));
    }

    [Fact]
    public void AppendRevision_RoundTrips()
    {
        string path = Path.Combine(_tmp, "history");
        PrefixHistory.AppendRevision(path, new DateTimeOffset(2024, 2, 1, 8, 0, 0, TimeSpan.Zero), "envtools create -n a python", "0.1",
            new[] { "python=3.12", "numpy[version='>=1.26']" }, Array.Empty<string>(), new[] { "conda-forge::python-3.12.1-h0_0" }, Array.Empty<string>());
        PrefixHistory.AppendRevision(path, new DateTimeOffset(2024, 2, 2, 9, 30, 15, TimeSpan.Zero), "envtools remove numpy", "0.1",
            Array.Empty<string>(), new[] { "numpy" }, Array.Empty<string>(), new[] { "conda-forge::numpy-1.26.4-py312h0_0" },
            new[] { "python=3.12.*" });

        PrefixHistory h = PrefixHistory.Load(path);
        Assert.Equal(2, h.Revisions.Count);
        Assert.Equal(new DateTime(2024, 2, 2, 9, 30, 15), h.Revisions[1].Timestamp);
        Assert.Equal("envtools create -n a python", h.Revisions[0].Command);
        Assert.Equal(new[] { "python=3.12", "numpy[version='>=1.26']" }, h.Revisions[0].UpdateSpecs);
        Assert.Equal("python", Assert.Single(h.Revisions[0].Added).Name);
        Assert.Equal("numpy", Assert.Single(h.Revisions[1].Removed).Name);
        Assert.Equal(new[] { "numpy" }, h.Revisions[1].RemoveSpecs);
        Assert.Equal(new[] { "python=3.12.*" }, h.Revisions[1].NeuteredSpecs);
        Assert.Equal(new[] { "python=3.12.*" }, h.GetRequestedSpecs().Values);
    }

    [Fact]
    public void PythonList_FormatAndParseAgree()
    {
        string[] items = { "a", "it's", "say \"hi\"", "both ' and \"", "back\\slash" };
        string repr = PrefixHistory.FormatPythonList(items);
        Assert.Equal("['a', \"it's\", 'say \"hi\"', 'both \\' and \"', 'back\\\\slash']", repr);
        Assert.Equal(items, PrefixHistory.ParseStringList(repr));
        Assert.Equal("[]", PrefixHistory.FormatPythonList(Array.Empty<string>()));
        Assert.Null(PrefixHistory.ParseStringList("['a'"));
        Assert.Null(PrefixHistory.ParseStringList("['a'] trailing"));
    }

    [Fact]
    public void Load_MissingFileIsEmpty()
    {
        Assert.Empty(PrefixHistory.Load(Path.Combine(_tmp, "nope")).Revisions);
    }
    [Fact]
    public void GetStates_FollowsCondaConstructStates_DiffsFullListingsAndEmptyRevisions()
    {
        // conda's History.construct_states: a full listing (old conda) replaces the set, diffs apply to it, a revision
        // with no package line reads as an empty set
        const string text = "==> 2016-01-01 10:00:00 <==\nconda-3.19.0-py27_0\npython-2.7.11-0\n"
            + "==> 2016-02-01 10:00:00 <==\n# cmd: conda install zlib\n+defaults::zlib-1.2.8-0\n-python-2.7.11-0\n+defaults::python-2.7.12-0\n"
            + "==> 2016-03-01 10:00:00 <==\n# cmd: conda remove --all\n";
        PrefixHistory h = PrefixHistory.Parse(text);
        IReadOnlyList<IReadOnlyList<HistoryDist>> states = h.GetStates();
        Assert.Equal(3, states.Count);
        Assert.Equal(new[] { "conda-3.19.0-py27_0", "python-2.7.11-0" }, states[0].Select(d => d.Text));
        Assert.Equal(new[] { "conda-3.19.0-py27_0", "defaults::python-2.7.12-0", "defaults::zlib-1.2.8-0" }, states[1].Select(d => d.Text));
        Assert.Empty(states[2]);
        Assert.False(h.Revisions[0].IsDiff);
        Assert.Equal(2, h.Revisions[0].Listed.Count);
    }

    [Fact]
    public void ResolveRevision_CountsNegativeFromTheEnd_AndNamesTheRange()
    {
        PrefixHistory h = PrefixHistory.Parse("==> 2024-01-01 00:00:00 <==\n+a-1-0\n==> 2024-01-02 00:00:00 <==\n+b-1-0\n");
        Assert.Equal(1, h.ResolveRevision(-1));
        Assert.Equal(0, h.ResolveRevision(-2));
        Assert.Equal(1, h.ResolveRevision(1));
        var ex = Assert.Throws<RevisionNotFoundException>(() => h.ResolveRevision(2, "/envs/x"));
        Assert.Equal("RevisionNotFound", ex.ErrorId);
        Assert.Contains("0 to 1", ex.Message, StringComparison.Ordinal);
        Assert.Throws<RevisionNotFoundException>(() => h.ResolveRevision(-3));
    }

    [Fact]
    public void GetRequestedSpecs_ThroughRevision_IgnoresLaterRequests()
    {
        const string text = "==> 2024-01-01 00:00:00 <==\n# cmd: create\n+a-1-0\n# update specs: ['a=1']\n"
            + "==> 2024-01-02 00:00:00 <==\n# cmd: install b\n+b-1-0\n# update specs: ['b']\n"
            + "==> 2024-01-03 00:00:00 <==\n# cmd: install a=2\n-a-1-0\n+a-2-0\n# update specs: ['a=2']\n";
        PrefixHistory h = PrefixHistory.Parse(text);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "a=1" }, h.GetRequestedSpecs(throughRevision: 0));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "a=1", ["b"] = "b" }, h.GetRequestedSpecs(throughRevision: 1));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "a=2", ["b"] = "b" }, h.GetRequestedSpecs());
    }

    [Fact]
    public void EnvironmentRevision_SplitsUpgradesAndDowngradesByCondaVersionOrder()
    {
        // conda's object_log pairs a name removed and added; 1.10 > 1.9 in conda's order (not as strings)
        string prefix = Path.Combine(_tmp, "env");
        Directory.CreateDirectory(Path.Combine(prefix, "conda-meta"));
        File.WriteAllText(PrefixHistory.PathFor(prefix),
            "==> 2024-01-01 00:00:00 <==\n# cmd: create\n+c::a-1.9-0\n+c::b-2.0-0\n+c::old-1-0\n# update specs: ['a', 'b', 'old']\n"
            + "==> 2024-01-02 00:00:00 <==\n# cmd: change\n-c::a-1.9-0\n+c::a-1.10-0\n-c::b-2.0-0\n+c::b-1.5-0\n-c::old-1-0\n+c::new-1-0\n# remove specs: ['old']\n");
        IReadOnlyList<EnvironmentRevision> revs = EnvironmentRevision.Read(prefix);
        Assert.Equal(2, revs.Count);
        Assert.Equal(new[] { "a", "b", "old" }, revs[0].Added.Select(p => p.Name));
        Assert.Equal(new[] { "a", "b", "old" }, revs[0].RequestedSpecs);
        EnvironmentRevision r = revs[1];
        Assert.Equal(1, r.Revision);
        Assert.Equal("change", r.Command);
        Assert.Equal(("a", "1.9", "1.10"), (r.Upgraded.Single().Name, r.Upgraded.Single().OldVersion, r.Upgraded.Single().Version));
        Assert.Equal(("b", "2.0", "1.5"), (r.Downgraded.Single().Name, r.Downgraded.Single().OldVersion, r.Downgraded.Single().Version));
        Assert.Equal("new", r.Added.Single().Name);
        Assert.Equal("c", r.Added.Single().Channel);
        Assert.Equal("old", r.Removed.Single().Name);
        Assert.Equal(new[] { "old" }, r.RemovedSpecs);
        Assert.Equal(3, r.PackageCount);
    }
}
