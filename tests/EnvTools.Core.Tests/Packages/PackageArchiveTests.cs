using System.Security.Cryptography;
using EnvTools.Packages;
using Xunit;

namespace EnvTools.Tests.Packages;

public sealed class PackageArchiveTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "envtools-pkg-" + Guid.NewGuid().ToString("N")[..8]);

    public PackageArchiveTests() => Directory.CreateDirectory(_tmp);

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

    public static IEnumerable<object[]> TraversalArchives() =>
        new[] { "absolute1", "absolute2", "dirsymlink", "dirsymlink2a", "dirsymlink2b", "relative0", "relative2", "symlink" }
            .Select(n => new object[] { n + ".tar" });

    [ConformanceTheory]
    [MemberData(nameof(TraversalArchives))]
    public void CondaTarTraversalArchivesAreRefused(string name)
    {
        string archive = ConformanceData.PathOf("packages/conda-tests/tar_traversal/" + name)!;
        Assert.True(File.Exists(archive), archive);
        string parent = Path.Combine(_tmp, "a", "b");
        string target = Path.Combine(parent, "pkg");
        var ex = Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(archive, target, CancellationToken.None));
        Assert.Equal("UnsafeArchive", ex.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, ex.Kind);
        Assert.Contains(name, ex.Message);
        Assert.False(string.IsNullOrEmpty(ex.Entry));
        Assert.Contains(ex.Entry, ex.Message);
        AssertNothingLeft(parent);
        Assert.False(File.Exists(Path.Combine(_tmp, "a", "moo")));
        Assert.False(File.Exists(Path.Combine(_tmp, "moo")));
    }

    [ConformanceFact]
    public void ZlibCondaAndTarBz2ExtractToIdenticalTrees()
    {
        string dir = ConformanceData.PathOf("packages/conda-tests/conda_format_repo/linux-64")!;
        string a = Path.Combine(_tmp, "bz2");
        string b = Path.Combine(_tmp, "conda");
        PackageArchive.Extract(Path.Combine(dir, "zlib-1.2.11-h7b6447c_3.tar.bz2"), a, CancellationToken.None);
        PackageArchive.Extract(Path.Combine(dir, "zlib-1.2.11-h7b6447c_3.conda"), b, CancellationToken.None);

        var treeA = Tree(a);
        var treeB = Tree(b);
        Assert.Empty(treeA.Except(treeB).Concat(treeB.Except(treeA)).Select(kv => kv.Key + " " + kv.Value));
        Assert.Contains("info/has_prefix", treeA.Keys);
        Assert.Contains("info/index.json", treeA.Keys);
        Assert.False(File.Exists(Path.Combine(b, "metadata.json")));
        Assert.StartsWith("file:", treeA["lib/libz.so.1.2.11"]);
        // The .conda stores lib/libz.so and lib/libz.so.1 as symlinks with an EMPTY target (tarfile: linkname ''),
        // the .tar.bz2 as empty regular files; no file system holds a link to "", so both give empty files.
        foreach (var link in new[] { "lib/libz.so", "lib/libz.so.1" })
        {
            Assert.Equal(0, new FileInfo(Path.Combine(b, link)).Length);
            Assert.Null(new FileInfo(Path.Combine(b, link)).LinkTarget);
        }

        var index = PackageArchive.ReadIndexJson(a);
        Assert.Equal(("zlib", "1.2.11", "h7b6447c_3", 3L, "linux-64"), (index.Name, index.Version, index.Build, index.BuildNumber, index.Subdir));
        Assert.Equal(new[] { "libgcc-ng >=7.3.0" }, index.Depends);

        var paths = PackageArchive.ReadPathsJson(b);
        var pc = Assert.Single(paths.Paths, p => p.Path == "lib/pkgconfig/zlib.pc");
        Assert.Equal(PackageArchive.LegacyPlaceholder, pc.PrefixPlaceholder);
        Assert.Equal(PrefixFileMode.Text, pc.FileMode);
        Assert.Equal(PathType.SoftLink, Assert.Single(paths.Paths, p => p.Path == "lib/libz.so").PathType);
        // paths.json checksums match the extracted files
        foreach (var p in paths.Paths.Where(p => p.PathType == PathType.HardLink))
        {
            string full = Path.Combine(a, p.Path);
            Assert.Equal(p.SizeInBytes, new FileInfo(full).Length);
            Assert.Equal(p.Sha256, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(full))).ToLowerInvariant());
        }

        // The legacy files give the same placeholder information.
        File.Delete(Path.Combine(a, "info", "paths.json"));
        var legacy = PackageArchive.ReadPathsJson(a);
        Assert.Equal(0, legacy.PathsVersion);
        // (path types come from the disk there; the archive holds lib/libz.so* as empty files, see above)
        Assert.Equal(paths.Paths.Select(p => (p.Path, p.PrefixPlaceholder, p.FileMode)), legacy.Paths.Select(p => (p.Path, p.PrefixPlaceholder, p.FileMode)));
    }

    public static IEnumerable<object[]> AllSharedArchives()
    {
        string? root = ConformanceData.PathOf("packages");
        if (root is null || !Directory.Exists(root))
        {
            return new[] { new object[] { "" } };
        }

        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".conda", StringComparison.Ordinal) || f.EndsWith(".tar.bz2", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { f });
    }

    /// <summary>Every real package of the shared data extracts, with info/index.json, and paths.json agrees with the files.</summary>
    [ConformanceSkippableTheory]
    [MemberData(nameof(AllSharedArchives))]
    public void EverySharedPackageExtractsAndMatchesItsPathsJson(string relative)
    {
        string archive = ConformanceData.PathOf("packages/" + relative)!;
        string target = Path.Combine(_tmp, "all");
        PackageArchive.Extract(archive, target, CancellationToken.None);
        if (!File.Exists(Path.Combine(target, "info", "paths.json")))
        {
            return; // a few shared archives are plain tarballs (conda-index/archives/a.tar.bz2) or sparse test files
        }

        Assert.Equal(Path.GetFileName(relative), IndexFileName(PackageArchive.ReadIndexJson(target), relative));
        if (Directory.EnumerateFileSystemEntries(target).All(e => Path.GetFileName(e) == "info"))
        {
            return; // info-only test archives (conda-index's spiffy-test-app lists files it does not carry)
        }

        var paths = PackageArchive.ReadPathsJson(target).Paths;
        Skip.If(TestPlatform.IsWine && paths.Any(p => p.PathType == PathType.SoftLink),
            TestPlatform.UnderWine("the package holds symbolic links, which Wine does not have"));
        foreach (var p in paths)
        {
            string full = Path.Combine(target, p.Path);
            var fi = new FileInfo(full);
            switch (p.PathType)
            {
                case PathType.HardLink:
                    Assert.True(fi.Exists && fi.LinkTarget is null, p.Path);
                    if (p.SizeInBytes is long size) Assert.Equal(size, fi.Length);
                    if (p.Sha256 is string sha) Assert.Equal(sha, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(full))).ToLowerInvariant());
                    break;
                case PathType.SoftLink:
                    Assert.True(fi.LinkTarget is not null || (fi.Exists && fi.Length == 0), p.Path);
                    break;
                case PathType.Directory:
                    Assert.True(Directory.Exists(full), p.Path);
                    break;
            }
        }
    }

    private static string IndexFileName(PackageIndex index, string relative) =>
        $"{index.Name}-{index.Version}-{index.Build}" + (relative.EndsWith(".conda", StringComparison.Ordinal) ? ".conda" : ".tar.bz2");

    [NotUnderWineFact("Wine has no symbolic links (CreateSymbolicLink succeeds and leaves nothing usable)", NeedsConformanceData = true)]
    public void CphTestDataKeepsItsSymlinksIncludingDirectorySymlinks()
    {
        string archive = ConformanceData.PathOf("packages/conda-package-handling/cph_test_data-0.0.1-0.tar.bz2")!;
        string target = Path.Combine(_tmp, "cph");
        PackageArchive.Extract(archive, target, CancellationToken.None);
        var links = Tree(target).Where(kv => kv.Value.StartsWith("link:", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["lib/alib"] = "link:alibrary",
                ["lib/terminfo"] = "link:../share/terminfo",
                ["lib/python3.1"] = "link:python3.10",
                ["share/termcap"] = "link:terminfo",
                ["lib/libdangle.lib"] = "link:libdangle.lib.1",
                ["bin/hello"] = "link:hello-1.0",
                ["libexec/greetings"] = "link:../bin/hello",
            }.OrderBy(k => k.Key),
            links.OrderBy(k => k.Key));
        Assert.True(Directory.Exists(Path.Combine(target, "lib", "terminfo")), "directory symlink resolves to a directory");
        var paths = PackageArchive.ReadPathsJson(target);
        Assert.Equal(links.Keys.Order(), paths.Paths.Where(p => p.PathType == PathType.SoftLink).Select(p => p.Path).Order());
        File.Delete(Path.Combine(target, "info", "paths.json"));
        var legacy = PackageArchive.ReadPathsJson(target);
        Assert.Equal(paths.Paths.Select(p => (p.Path, p.PathType)).OrderBy(p => p.Path), legacy.Paths.Select(p => (p.Path, p.PathType)).OrderBy(p => p.Path));
    }

    [NotUnderWineFact("Wine has no symbolic links (CreateSymbolicLink succeeds and leaves nothing usable)")]
    public void OwnTarBz2AndCondaExtractWithModesAndLinks()
    {
        var info = new[]
        {
            new TarItem("info/index.json", Content: "{\"name\":\"demo\",\"version\":\"1.0\",\"build\":\"0\",\"build_number\":0,\"depends\":[],\"noarch\":\"python\",\"track_features\":\"a b\"}"),
            new TarItem("info/paths.json", Content: "{\"paths\":[{\"_path\":\"bin/tool\",\"path_type\":\"hardlink\",\"prefix_placeholder\":\"/ph\",\"file_mode\":\"binary\",\"sha256\":\"00\",\"size_in_bytes\":3,\"no_link\":true},{\"_path\":\"bin/alias\",\"path_type\":\"softlink\"},{\"_path\":\"empty\",\"path_type\":\"directory\"}],\"paths_version\":1}"),
        };
        string longName = "share/" + new string('d', 60) + "/" + new string('f', 60) + ".txt";
        var pkg = new[]
        {
            new TarItem("bin/", Type: '5', Mode: 0x1ED),
            new TarItem("bin/tool", Content: "#!/bin/sh\necho hi\n", Mode: 0x1ED /* 0755 */),
            new TarItem("bin/alias", Type: '2', Link: "tool"),
            new TarItem("bin/copy", Type: '1', Link: "bin/tool"),
            new TarItem("empty/", Type: '5', Mode: 0x1ED),
            new TarItem(longName, Content: "long"),
            new TarItem("olddir/", Type: '0'),
        };
        string bz2 = Path.Combine(_tmp, "demo-1.0-0.tar.bz2");
        string conda = Path.Combine(_tmp, "demo-1.0-0.conda");
        TarFixture.WriteTarBz2(bz2, info.Concat(pkg));
        TarFixture.WriteConda(conda, info, pkg);

        foreach (var archive in new[] { bz2, conda })
        {
            string target = Path.Combine(_tmp, "x", Path.GetFileName(archive));
            PackageArchive.Extract(archive, target, CancellationToken.None);
            Assert.Equal("#!/bin/sh\necho hi\n", File.ReadAllText(Path.Combine(target, "bin", "tool")));
            Assert.Equal("#!/bin/sh\necho hi\n", File.ReadAllText(Path.Combine(target, "bin", "copy")));
            Assert.Equal("tool", new FileInfo(Path.Combine(target, "bin", "alias")).LinkTarget);
            Assert.True(Directory.Exists(Path.Combine(target, "empty")));
            Assert.Equal("long", File.ReadAllText(Path.Combine(target, longName)));
            Assert.True(Directory.Exists(Path.Combine(target, "olddir")));
            if (!OperatingSystem.IsWindows())
            {
                Assert.True(File.GetUnixFileMode(Path.Combine(target, "bin", "tool")).HasFlag(UnixFileMode.UserExecute));
                Assert.False(File.GetUnixFileMode(Path.Combine(target, longName)).HasFlag(UnixFileMode.UserExecute));
            }

            var index = PackageArchive.ReadIndexJson(target);
            Assert.Equal("python", index.Noarch);
            Assert.Equal(new[] { "a", "b" }, index.TrackFeatures);
            var paths = PackageArchive.ReadPathsJson(target).Paths;
            Assert.Equal(new PackagePath("bin/tool", PathType.HardLink, "/ph", PrefixFileMode.Binary, "00", 3, true), paths[0]);
            Assert.Equal(PathType.SoftLink, paths[1].PathType);
            Assert.Equal(PathType.Directory, paths[2].PathType);
            AssertNothingLeft(Path.Combine(_tmp, "x"), except: Path.GetFileName(archive), allowOthers: true);
        }

        // Extracting again replaces the previous folder.
        string again = Path.Combine(_tmp, "x", Path.GetFileName(bz2));
        File.WriteAllText(Path.Combine(again, "stale"), "x");
        PackageArchive.Extract(bz2, again, CancellationToken.None);
        Assert.False(File.Exists(Path.Combine(again, "stale")));
    }

    public static IEnumerable<object[]> EvilEntries() => new[]
    {
        new object[] { "dotdot", new[] { new TarItem("ok.txt", Content: "ok"), new TarItem("../evil", Content: "pwned") }, "../evil" },
        new object[] { "dotdot-inner", new[] { new TarItem("a/b/../../../evil", Content: "pwned") }, "a/b/../../../evil" },
        new object[] { "absolute", new[] { new TarItem("/tmp/envtools-evil", Content: "pwned") }, "/tmp/envtools-evil" },
        new object[] { "symlink-up", new[] { new TarItem("lib/", Type: '5'), new TarItem("lib/up", Type: '2', Link: "../../evil") }, "lib/up" },
        new object[] { "symlink-abs", new[] { new TarItem("etc", Type: '2', Link: "/etc") }, "etc" },
        new object[] { "symlink-then-write", new[] { new TarItem("a", Type: '2', Link: "."), new TarItem("a/b", Type: '2', Link: "../x") }, "a/b" },
        new object[] { "write-through-chain", new[] { new TarItem("d", Type: '5'), new TarItem("d/l", Type: '2', Link: ".."), new TarItem("d/l/l2", Type: '2', Link: "..") }, "d/l/l2" },
        new object[] { "hardlink-up", new[] { new TarItem("h", Type: '1', Link: "../outside") }, "h" },
        new object[] { "hardlink-abs", new[] { new TarItem("h", Type: '1', Link: "/etc/passwd") }, "h" },
        new object[] { "fifo", new[] { new TarItem("p", Type: '6') }, "p" },
        new object[] { "chardev", new[] { new TarItem("c", Type: '3') }, "c" },
    };

    [Theory]
    [MemberData(nameof(EvilEntries))]
    public void OwnMaliciousArchivesAreRefusedInBothFormats(string label, TarItem[] items, string entry)
    {
        string bz2 = Path.Combine(_tmp, label + "-1-0.tar.bz2");
        string conda = Path.Combine(_tmp, label + "-1-0.conda");
        TarFixture.WriteTarBz2(bz2, items);
        TarFixture.WriteConda(conda, new[] { new TarItem("info/index.json", Content: "{}") }, items);
        foreach (var archive in new[] { bz2, conda })
        {
            string parent = Path.Combine(_tmp, "out", "deep", label + Path.GetExtension(archive));
            var ex = Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(archive, Path.Combine(parent, "pkg"), CancellationToken.None));
            Assert.Equal("UnsafeArchive", ex.ErrorId);
            Assert.Equal(entry, ex.Entry);
            Assert.Contains(Path.GetFileName(archive), ex.Message);
            AssertNothingLeft(parent);
            Assert.False(File.Exists(Path.Combine(_tmp, "out", "deep", "evil")));
            Assert.False(File.Exists(Path.Combine(_tmp, "out", "evil")));
        }
    }

    [Fact]
    public void SymlinkWithEmptyTargetBecomesEmptyFile()
    {
        string bz2 = Path.Combine(_tmp, "empty-link-1-0.tar.bz2");
        TarFixture.WriteTarBz2(bz2, new[] { new TarItem("lib/real", Content: "r"), new TarItem("lib/link", Type: '2', Link: "") });
        string target = Path.Combine(_tmp, "el");
        PackageArchive.Extract(bz2, target, CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(target, "lib", "real")));
        Assert.Equal(0, new FileInfo(Path.Combine(target, "lib", "link")).Length);
        Assert.Null(new FileInfo(Path.Combine(target, "lib", "link")).LinkTarget);
    }

    [NotUnderWineFact("Wine has no symbolic links (CreateSymbolicLink succeeds and leaves nothing usable)")]
    public void SymlinkGoingUpButStayingInsideIsAccepted()
    {
        string bz2 = Path.Combine(_tmp, "fine-1-0.tar.bz2");
        TarFixture.WriteTarBz2(bz2, new[]
        {
            new TarItem("share/data/x.txt", Content: "x"),
            new TarItem("lib/sub/data", Type: '2', Link: "../../share/data"),
            new TarItem("lib/sub/data/y.txt", Content: "y"),
        });
        string target = Path.Combine(_tmp, "fine");
        PackageArchive.Extract(bz2, target, CancellationToken.None);
        Assert.Equal("y", File.ReadAllText(Path.Combine(target, "share", "data", "y.txt")));
        Assert.Equal("../../share/data", new DirectoryInfo(Path.Combine(target, "lib", "sub", "data")).LinkTarget);
    }

    [Fact]
    public void CorruptArchivesAreReported()
    {
        string good = Path.Combine(_tmp, "good-1-0.tar.bz2");
        TarFixture.WriteTarBz2(good, Enumerable.Range(0, 50).Select(i => new TarItem($"f{i}", Content: new string((char)('a' + (i % 26)), 3000 + i))));
        byte[] bytes = File.ReadAllBytes(good);

        string truncated = Path.Combine(_tmp, "trunc-1-0.tar.bz2");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        string garbage = Path.Combine(_tmp, "garbage-1-0.tar.bz2");
        File.WriteAllBytes(garbage, "this is not bzip2 data at all, not at all"u8.ToArray());
        string badConda = Path.Combine(_tmp, "bad-1-0.conda");
        File.WriteAllBytes(badConda, bytes);
        string emptyConda = Path.Combine(_tmp, "empty-1-0.conda");
        TarFixture.WriteConda(emptyConda, Array.Empty<TarItem>(), Array.Empty<TarItem>());
        byte[] conda = File.ReadAllBytes(emptyConda);
        string truncConda = Path.Combine(_tmp, "trunc-1-0.conda");
        File.WriteAllBytes(truncConda, conda[..(conda.Length - 30)]);

        byte[] tar = TarFixture.Tar(new[] { new TarItem("a.txt", Content: "a") });
        tar[0] = (byte)'b'; // header changed after its checksum was computed
        string badSum = Path.Combine(_tmp, "badsum-1-0.tar.bz2");
        TarFixture.WriteBz2(badSum, tar);

        foreach (var archive in new[] { truncated, garbage, badConda, truncConda, badSum })
        {
            string parent = Path.Combine(_tmp, "c", Path.GetFileName(archive));
            var ex = Assert.Throws<CorruptArchiveException>(() => PackageArchive.Extract(archive, Path.Combine(parent, "pkg"), CancellationToken.None));
            Assert.Equal("CorruptArchive", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidData, ex.Kind);
            AssertNothingLeft(parent);
        }
    }

    [NotUnderWineFact("Wine has no symbolic links (CreateSymbolicLink succeeds and leaves nothing usable)")]
    public void ManySmallFilesReplacementsAndHardLinksComeOutAsWritten()
    {
        // Small files are created on writer threads: later entries that replace or link to them must still see them whole.
        var items = new List<TarItem>();
        for (int i = 0; i < 400; i++)
        {
            items.Add(new TarItem($"d{i % 17}/f{i}.txt", Content: new string((char)('a' + i % 26), i * 37), Mode: i % 3 == 0 ? 0x1B4 /* 0664 */ : i % 3 == 1 ? 0x1ED /* 0755 */ : 0x180 /* 0600 */));
        }

        items.Add(new TarItem("d1/f1.txt", Content: "second", Mode: 0x1A4));
        items.Add(new TarItem("d2/f2.txt/", Type: '5', Mode: 0x1ED));
        items.Add(new TarItem("d2/f2.txt/inner", Content: "inner"));
        items.Add(new TarItem("d3/hard", Type: '1', Link: "d3/f3.txt"));
        items.Add(new TarItem("d4/f4.txt", Type: '2', Link: "f21.txt"));
        items.Add(new TarItem("big.bin", Content: new string('z', 3 << 20)));
        string bz2 = Path.Combine(_tmp, "many-1.0-0.tar.bz2");
        string conda = Path.Combine(_tmp, "many-1.0-0.conda");
        TarFixture.WriteTarBz2(bz2, items);
        TarFixture.WriteConda(conda, new[] { new TarItem("info/index.json", Content: "{}") }, items);
        foreach (string archive in new[] { bz2, conda })
        {
            string target = Path.Combine(_tmp, "many", Path.GetFileName(archive));
            PackageArchive.Extract(archive, target, CancellationToken.None);
            for (int i = 0; i < 400; i++)
            {
                if (i is 1 or 2 or 4) continue;
                string f = Path.Combine(target, $"d{i % 17}", $"f{i}.txt");
                Assert.Equal(i * 37, new FileInfo(f).Length);
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(i % 3 == 0 ? (UnixFileMode)0x1B4 : i % 3 == 1 ? (UnixFileMode)0x1ED : (UnixFileMode)0x180, File.GetUnixFileMode(f));
                }
            }

            Assert.Equal("second", File.ReadAllText(Path.Combine(target, "d1", "f1.txt")));
            Assert.Equal("inner", File.ReadAllText(Path.Combine(target, "d2", "f2.txt", "inner")));
            Assert.Equal(new string('d', 3 * 37), File.ReadAllText(Path.Combine(target, "d3", "hard")));
            Assert.Equal("f21.txt", new FileInfo(Path.Combine(target, "d4", "f4.txt")).LinkTarget);
            Assert.Equal(3 << 20, new FileInfo(Path.Combine(target, "big.bin")).Length);
        }
    }

    [Fact]
    public void CancellationLeavesNothing()
    {
        string bz2 = Path.Combine(_tmp, "c-1-0.tar.bz2");
        TarFixture.WriteTarBz2(bz2, new[] { new TarItem("a", Content: "a") });
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        string parent = Path.Combine(_tmp, "cancel");
        Assert.ThrowsAny<OperationCanceledException>(() => PackageArchive.Extract(bz2, Path.Combine(parent, "pkg"), cts.Token));
        AssertNothingLeft(parent);
    }

    private static void AssertNothingLeft(string parent, string? except = null, bool allowOthers = false)
    {
        if (!Directory.Exists(parent))
        {
            return;
        }

        var left = Directory.EnumerateFileSystemEntries(parent).Select(Path.GetFileName).Where(n => n != except).ToList();
        if (allowOthers)
        {
            Assert.DoesNotContain(left, n => n!.Contains(".partial-", StringComparison.Ordinal));
        }
        else
        {
            Assert.Empty(left);
        }
    }

    /// <summary>Relative path → "dir", "link:&lt;target&gt;" or "file:&lt;mode&gt;:&lt;sha256&gt;".</summary>
    private static SortedDictionary<string, string> Tree(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            foreach (var e in new DirectoryInfo(stack.Pop()).EnumerateFileSystemInfos())
            {
                string rel = Path.GetRelativePath(root, e.FullName).Replace('\\', '/');
                if (e.LinkTarget is not null)
                {
                    result[rel] = "link:" + e.LinkTarget;
                }
                else if (e is DirectoryInfo)
                {
                    result[rel] = "dir";
                    stack.Push(e.FullName);
                }
                else
                {
                    string mode = OperatingSystem.IsWindows() ? "" : Convert.ToString((int)File.GetUnixFileMode(e.FullName), 8);
                    result[rel] = $"file:{mode}:" + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(e.FullName)));
                }
            }
        }

        return result;
    }
}
