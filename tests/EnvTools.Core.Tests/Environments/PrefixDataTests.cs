using EnvTools.Conda;
using EnvTools.Environments;
using Xunit;

namespace EnvTools.Tests.Environments;

public sealed class PrefixDataTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static void CopyCondaMeta(string sharedEnv, string prefix)
    {
        string from = ConformanceData.PathOf($"prefix-records/conda-tests-env_metadata/{sharedEnv}/conda-meta")!;
        Assert.True(Directory.Exists(from), from);
        Directory.CreateDirectory(Path.Combine(prefix, "conda-meta"));
        foreach (string f in Directory.GetFiles(from))
        {
            File.Copy(f, Path.Combine(prefix, "conda-meta", Path.GetFileName(f)));
        }
    }

    private static void WriteDistInfo(string sitePackages, string folder, string name, string version, string? installer, params (string Path, long Size)[] record)
    {
        string d = Path.Combine(sitePackages, folder);
        Directory.CreateDirectory(d);
        File.WriteAllText(Path.Combine(d, "METADATA"), $"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: x\n\nName: not-this\n");
        if (installer is not null)
        {
            File.WriteAllText(Path.Combine(d, "INSTALLER"), installer + "\n");
        }

        File.WriteAllLines(Path.Combine(d, "RECORD"), record.Select(r => $"{r.Path},sha256=abc,{r.Size}").Append($"{folder}/RECORD,,"));
    }

    [ConformanceFact]
    public void RealCondaMeta_FreeThreadedPython_WithPipPackagesBesideIt()
    {
        string prefix = _tmp.Sub("py313t");
        CopyCondaMeta("envpy313tosx_whl", prefix);
        string sp = Path.Combine(prefix, "lib", "python3.13t", "site-packages");
        // pip's own dist-info belongs to the conda pip package; the others do not.
        WriteDistInfo(sp, "pip-25.0.1.dist-info", "pip", "25.0.1", "conda");
        WriteDistInfo(sp, "Typing_Extensions-4.12.2.dist-info", "Typing_Extensions", "4.12.2", "pip", ("typing_extensions.py", 134451));
        WriteDistInfo(sp, "leftover-1.0.dist-info", "leftover", "1.0", "conda");
        File.WriteAllText(Path.Combine(sp, "zope.interface-5.0-py3.13.egg-info"), "Metadata-Version: 1.1\nName: zope.interface\nVersion: 5.0\n");

        PrefixData data = PrefixData.Load(prefix);
        Assert.Equal(16, data.Records.Count);
        Assert.Equal("lib/python3.13t/site-packages", data.SitePackagesPath);
        IReadOnlyList<InstalledPackage> all = data.GetPackages();
        Assert.Equal(18, all.Count);
        Assert.Equal(all.Select(p => p.Name).Order(StringComparer.Ordinal), all.Select(p => p.Name));

        InstalledPackage python = all.Single(p => p.Name == "python");
        Assert.Equal(("3.13.2", "hfd29fff_1_cp313t", 1L), (python.Version, python.Build, python.BuildNumber));
        Assert.Equal(("conda-forge", "osx-arm64", PackageSource.Conda), (python.Channel, python.Subdir, python.Source));
        Assert.Equal("python=3.13", python.RequestedSpec); // from the history: the record has no requested_spec
        Assert.Equal(python.GetPrefixRecord()!.PathsData!.Paths.Sum(p => p.SizeInBytes ?? 0), python.Size);
        Assert.Same(data.Find("python"), python.GetPrefixRecord());
        Assert.Equal("pip", all.Single(p => p.Name == "pip").RequestedSpec); // from the record
        Assert.Null(all.Single(p => p.Name == "libzlib").RequestedSpec);   // a dependency

        InstalledPackage te = all.Single(p => p.Name == "typing-extensions");
        Assert.Equal(("4.12.2", "pypi_0", "pypi", "pypi", PackageSource.Pypi), (te.Version, te.Build, te.Channel, te.Subdir, te.Source));
        Assert.Equal(134451, te.Size);
        Assert.Null(te.GetRecord());
        Assert.Equal(prefix, te.Prefix);
        InstalledPackage zope = all.Single(p => p.Name == "zope-interface");
        Assert.Equal(("5.0", PackageSource.Pypi), (zope.Version, zope.Source));
        Assert.DoesNotContain(all, p => p.Name is "leftover" or "not-this");

        Assert.Equal(16, data.GetPackages(includePip: false).Count);
    }

    [ConformanceFact]
    public void RealCondaMeta_WindowsDefaults_ChannelNamesAndSitePackages()
    {
        string prefix = _tmp.Sub("py37win");
        CopyCondaMeta("envpy37win", prefix);
        PrefixData data = PrefixData.Load(prefix);
        Assert.Equal("Lib/site-packages", data.SitePackagesPath);
        IReadOnlyList<InstalledPackage> all = data.GetPackages();
        Assert.Equal(8, all.Count);
        Assert.All(all, p => Assert.Equal("pkgs/main", p.Channel));
        Assert.Equal("python=3.7", all.Single(p => p.Name == "python").RequestedSpec);
    }

    [ConformanceFact]
    public void RealRattlerRecords_ShortChannelNames()
    {
        string prefix = _tmp.Sub("rattler");
        Directory.CreateDirectory(Path.Combine(prefix, "conda-meta"));
        string from = ConformanceData.PathOf("prefix-records/rattler/conda-meta")!;
        foreach (string f in new[] { "python-3.11.9-h932a869_0_cpython.json", "pip-23.0-pyhd8ed1ab_0.json", "urllib3-1.26.14-pyhd8ed1ab_0.json" })
        {
            File.Copy(Path.Combine(from, f), Path.Combine(prefix, "conda-meta", f));
        }

        IReadOnlyList<InstalledPackage> all = PrefixData.Load(prefix).GetPackages();
        Assert.Equal(new[] { "pip", "python", "urllib3" }, all.Select(p => p.Name));
        Assert.All(all, p => Assert.Equal("conda-forge", p.Channel));
        Assert.Equal("lib/python3.11/site-packages", PrefixData.Load(prefix).SitePackagesPath);
    }

    [Fact]
    public void LaidOutPrefix_SitePackagesFromTheVersion_AndOwnedDistInfoHidden()
    {
        var p = new TestPrefix(_tmp.Sub("env"));
        p.File("bin/python3.12", "elf").Record("python", "3.12.3", "hab00c5b_0_cpython", requestedSpec: "python=3.12");
        p.File("lib/python3.12/site-packages/numpy/__init__.py", "x")
         .File("lib/python3.12/site-packages/numpy-2.0.0.dist-info/METADATA", "Name: numpy\nVersion: 2.0.0\n")
         .Record("numpy", "2.0.0", "py312h1234567_0");
        WriteDistInfo(Path.Combine(p.Prefix, "lib", "python3.12", "site-packages"), "requests-2.32.3.dist-info", "requests", "2.32.3", null);

        PrefixData data = PrefixData.Load(p.Prefix);
        Assert.Equal("lib/python3.12/site-packages", data.SitePackagesPath);
        IReadOnlyList<InstalledPackage> all = data.GetPackages();
        Assert.Equal(new[] { ("numpy", PackageSource.Conda), ("python", PackageSource.Conda), ("requests", PackageSource.Pypi) },
            all.Select(x => (x.Name, x.Source)));
        Assert.Equal("python=3.12", all[1].RequestedSpec);
        Assert.Null(all[2].Size); // a RECORD without sizes
    }

    [Fact]
    public void NoPython_NoPipScan()
    {
        var p = new TestPrefix(_tmp.Sub("env"));
        p.Record("zlib", "1.3.1", "h4ab18f5_1");
        Directory.CreateDirectory(Path.Combine(p.Prefix, "lib", "python3.12", "site-packages", "x-1.dist-info"));
        PrefixData data = PrefixData.Load(p.Prefix);
        Assert.Null(data.SitePackagesPath);
        Assert.Single(data.GetPackages());
    }

    [Fact]
    public void MalformedRecord_IsATypedError()
    {
        var p = new TestPrefix(_tmp.Sub("env"));
        File.WriteAllText(Path.Combine(p.Prefix, "conda-meta", "bad-1.0-0.json"), "{ not json");
        var ex = Assert.Throws<MalformedDataException>(() => PrefixData.Load(p.Prefix));
        Assert.Equal("MalformedPrefixRecord", ex.ErrorId);
    }
}
