using EnvTools.Environments;
using Xunit;

namespace EnvTools.Tests.Environments;

public sealed class PrefixVerifierTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private TestPrefix Layout()
    {
        var p = new TestPrefix(_tmp.Sub("env"));
        p.File("bin/tool", "#!/bin/sh\necho tool\n")
         .File("lib/libtool.so", "ELF....")
         .Softlink("lib/libtool.so.1", "libtool.so")
         .Record("tool", "1.0", "h0_0");
        p.File("share/doc/readme.txt", "read me")
         .File("etc/tool.conf", "prefix=/the/env", placeholder: "/opt/build_placeholder", fileMode: "text", sha256InPrefix: TestPrefix.Sha("prefix=/the/env"))
         .File("etc/legacy.conf", "prefix=/the/env", placeholder: "/opt/build_placeholder", fileMode: "text")
         .Record("tool-doc", "1.0", "0");
        return p;
    }

    [NotUnderWineFact("Wine has no symbolic links (CreateSymbolicLink succeeds and leaves nothing usable)")]
    public void CleanPrefix_HasNoIssues()
    {
        TestPrefix p = Layout();
        var reports = new List<VerifyProgress>();
        Assert.Empty(PrefixVerifier.Verify(p.Prefix, new SyncProgress(reports.Add)));
        Assert.Equal(new VerifyProgress(6, 6), reports[^1]);
    }

    [Fact]
    public void FindsModified_Missing_AndResizedFiles()
    {
        TestPrefix p = Layout();
        File.WriteAllText(p.Full("bin/tool"), "#!/bin/sh\necho evil\n"); // same length, other content
        File.Delete(p.Full("share/doc/readme.txt"));
        File.AppendAllText(p.Full("lib/libtool.so"), "more");
        File.WriteAllText(p.Full("etc/tool.conf"), "prefix=/other/env/longer"); // text rewrite: only the hash counts
        File.Delete(p.Full("lib/libtool.so.1"));

        IReadOnlyList<FileIssue> issues = PrefixVerifier.Verify(p.Prefix);
        Assert.Equal(
            new[]
            {
                ("tool", "bin/tool", FileIssueKind.Modified),
                ("tool", "lib/libtool.so", FileIssueKind.SizeMismatch),
                ("tool", "lib/libtool.so.1", FileIssueKind.Missing),
                ("tool-doc", "etc/tool.conf", FileIssueKind.Modified),
                ("tool-doc", "share/doc/readme.txt", FileIssueKind.Missing),
            },
            issues.Select(i => (i.Package, i.Path, i.Kind)));
        FileIssue modified = issues[0];
        Assert.Equal(TestPrefix.Sha("#!/bin/sh\necho tool\n"), modified.Expected);
        Assert.Equal(TestPrefix.Sha("#!/bin/sh\necho evil\n"), modified.Actual);
        Assert.Equal(p.Prefix, modified.Prefix);
        Assert.Equal(("7", "11"), (issues[1].Expected, issues[1].Actual));
        Assert.Null(issues[2].Expected);
    }

    [NotUnderWineFact("Wine has no symbolic links (CreateSymbolicLink succeeds and leaves nothing usable)")]
    public void SoftlinksAreCheckedForExistenceOnly_AndAFolderIsNoFile()
    {
        TestPrefix p = Layout();
        File.Delete(p.Full("lib/libtool.so.1"));
        File.CreateSymbolicLink(p.Full("lib/libtool.so.1"), "nowhere"); // dangling, but there
        File.Delete(p.Full("bin/tool"));
        Directory.CreateDirectory(p.Full("bin/tool"));
        FileIssue issue = Assert.Single(PrefixVerifier.Verify(p.Prefix));
        Assert.Equal(("bin/tool", FileIssueKind.Missing), (issue.Path, issue.Kind));
    }

    [Fact]
    public void ClobberedPath_MatchingEitherPackage_IsFine()
    {
        var p = new TestPrefix(_tmp.Sub("env"));
        p.File("share/clobbered.txt", "from a").Record("clobber-a", "1.0", "0");
        p.File("share/clobbered.txt", "from b").Record("clobber-b", "1.0", "0");
        Assert.Empty(PrefixVerifier.Verify(p.Prefix));
        File.WriteAllText(p.Full("share/clobbered.txt"), "from c");
        FileIssue issue = Assert.Single(PrefixVerifier.Verify(p.Prefix));
        Assert.Equal(("clobber-b", FileIssueKind.Modified), (issue.Package, issue.Kind));
    }

    [ConformanceFact]
    public void RealRecords_WithoutTheirFiles_ReportEveryPathMissing()
    {
        string prefix = _tmp.Sub("real");
        Directory.CreateDirectory(Path.Combine(prefix, "conda-meta"));
        string from = ConformanceData.PathOf("prefix-records/rattler/conda-meta")!;
        foreach (string f in new[] { "libcxx-17.0.6-h5f092b4_0.json", "tzdata-2024a-h0c530f3_0.json" })
        {
            File.Copy(Path.Combine(from, f), Path.Combine(prefix, "conda-meta", f));
        }

        PrefixData data = PrefixData.Load(prefix);
        int paths = data.Records.Sum(r => r.PathsData!.Paths.Select(x => x.Path).Distinct().Count());
        IReadOnlyList<FileIssue> issues = PrefixVerifier.Verify(data);
        Assert.Equal(paths, issues.Count);
        Assert.All(issues, i => Assert.Equal(FileIssueKind.Missing, i.Kind));
        Assert.Contains(issues, i => i.Package == "tzdata" && i.Path.StartsWith("share/zoneinfo/", StringComparison.Ordinal));
    }

    [Fact]
    public void CondaNoarchPythonRecord_PathsDataAsShipped_IsReadAtTheLinkedPaths()
    {
        // conda writes a noarch: python package's paths_data as the package ships it (site-packages/…, python-scripts/…)
        // and its files list as linked; both name the same files
        string prefix = _tmp.Sub("noarch");
        Directory.CreateDirectory(Path.Combine(prefix, "conda-meta"));
        Directory.CreateDirectory(Path.Combine(prefix, "lib/python3.12/site-packages/sample"));
        Directory.CreateDirectory(Path.Combine(prefix, "bin"));
        File.WriteAllText(Path.Combine(prefix, "lib/python3.12/site-packages/sample/__init__.py"), "x = 1\n");
        File.WriteAllText(Path.Combine(prefix, "bin/sample"), "#!/bin/sh\n");
        string sha = TestPrefix.Sha("x = 1\n");
        File.WriteAllText(Path.Combine(prefix, "conda-meta", "sample-1.0-py_0.json"), $$$"""
            {"name": "sample", "version": "1.0", "build": "py_0", "build_number": 0, "noarch": "python", "package_type": "noarch_python",
             "files": ["lib/python3.12/site-packages/sample/__init__.py", "lib/python3.12/site-packages/sample/__pycache__/__init__.cpython-312.pyc", "bin/sample"],
             "paths_data": {"paths_version": 1, "paths": [
               {"_path": "site-packages/sample/__init__.py", "path_type": "hardlink", "sha256": "{{{sha}}}", "size_in_bytes": 6, "sha256_in_prefix": "{{{sha}}}"},
               {"_path": "lib/python3.12/site-packages/sample/__pycache__/__init__.cpython-312.pyc", "path_type": "pyc_file"},
               {"_path": "python-scripts/sample", "path_type": "unix_python_entry_point"}]}}
            """);

        PrefixData data = PrefixData.Load(prefix);
        Assert.Equal(
            new[] { "lib/python3.12/site-packages/sample/__init__.py", "lib/python3.12/site-packages/sample/__pycache__/__init__.cpython-312.pyc", "bin/sample" },
            data.Records.Single().GetPrefixPaths().Select(e => e.Path));
        // clean: the .pyc was never compiled here (conda lists it all the same, and conda doctor does not check .pyc files)
        Assert.Empty(PrefixVerifier.Verify(data));

        File.WriteAllText(Path.Combine(prefix, "lib/python3.12/site-packages/sample/__init__.py"), "x = 2\n");
        Assert.Contains(PrefixVerifier.Verify(prefix), i => i.Path == "lib/python3.12/site-packages/sample/__init__.py" && i.Kind == FileIssueKind.Modified);
    }

    [ConformanceFact]
    public void RealCondaNoarchPythonRecord_EveryPathsDataEntryNamesAListedFile()
    {
        // a record real conda wrote (pip, noarch: python): 854 files, paths_data un-relocated
        string prefix = _tmp.Sub("pip");
        Directory.CreateDirectory(Path.Combine(prefix, "conda-meta"));
        const string name = "pip-25.0.1-pyh145f28c_0.json";
        File.Copy(ConformanceData.PathOf("prefix-records/conda-tests-env_metadata/envpy313tosx_whl/conda-meta/" + name)!, Path.Combine(prefix, "conda-meta", name));
        var rec = PrefixData.Load(prefix).Records.Single();
        Assert.Contains(rec.PathsData!.Paths, e => e.Path.StartsWith("site-packages/", StringComparison.Ordinal));
        var files = rec.Files.ToHashSet(StringComparer.Ordinal);
        Assert.All(rec.GetPrefixPaths(), e => Assert.Contains(e.Path, files));

        // every listed file in place (empty): nothing is missing, whatever the paths_data spelling
        foreach (string f in rec.Files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(prefix, f))!);
            File.WriteAllBytes(Path.Combine(prefix, f), []);
        }

        Assert.DoesNotContain(PrefixVerifier.Verify(prefix), i => i.Kind == FileIssueKind.Missing);
    }

    [Fact]
    public void Cancellation_Stops()
    {
        TestPrefix p = Layout();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => PrefixVerifier.Verify(p.Prefix, null, cts.Token));
    }

    private sealed class SyncProgress(Action<VerifyProgress> report) : IProgress<VerifyProgress>
    {
        private readonly object _gate = new();

        public void Report(VerifyProgress value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }
}
