using System.IO.Compression;
using System.Text;
using System.Text.Json;
using EnvTools.Packages;
using Xunit;
using ZstdSharp;

namespace EnvTools.Tests.Packages;

/// <summary>
/// Hostile packages at extraction (issue 16, items 1–4): metadata paths that leave the prefix, a symlink that escapes
/// only after a later link, decompression bombs, placeholders declared where none can be. Each is refused with its
/// ErrorId and leaves nothing next to the target (no folder, no partial folder).
/// </summary>
public sealed class HostileArchiveTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "envtools-hostile-" + Guid.NewGuid().ToString("N")[..8]);

    public HostileArchiveTests() => Directory.CreateDirectory(_tmp);

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

    // ------------------------------------------------------------------ item 1: paths in the metadata

    public static IEnumerable<object[]> EscapingPaths() => new[]
    {
        new object[] { "../../dir" },
        new object[] { "../sibling/etc/x" },
        new object[] { "/tmp/envtools-absolute-dir" },
        new object[] { "lib/../../x" },
        new object[] { "C:/Windows/x" },
        new object[] { "lib/a\0b" },
        new object[] { "..\\..\\x" },
    };

    [Theory]
    [MemberData(nameof(EscapingPaths))]
    public void PathsJsonNamingAPathOutsideThePackageIsRefused(string path)
    {
        string archive = Path.Combine(_tmp, "evil-1.0-0.tar.bz2");
        TarFixture.WriteTarBz2(archive, new[]
        {
            Index("evil"),
            new TarItem("info/paths.json", Content: PathsJson((path, "directory", null, null))),
            new TarItem("lib/ok.txt", Content: "ok"),
        });

        var ex = Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(archive, Target, CancellationToken.None));
        Assert.Equal("UnsafeArchive", ex.ErrorId);
        Assert.Equal(path, ex.Entry);
        Assert.Contains(archive, ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Theory]
    [InlineData("files", "../../etc/passwd")]
    [InlineData("has_prefix", "/opt/anaconda1anaconda2anaconda3 text ../outside.txt")]
    [InlineData("no_link", "/etc/passwd")]
    public void LegacyMetadataNamingAPathOutsideThePackageIsRefused(string file, string line)
    {
        string archive = Path.Combine(_tmp, "legacy-1.0-0.tar.bz2");
        var items = new List<TarItem> { Index("legacy"), new("lib/ok.txt", Content: "ok") };
        items.Add(new TarItem("info/files", Content: file == "files" ? line + "\n" : "lib/ok.txt\n"));
        if (file != "files")
        {
            items.Add(new TarItem("info/" + file, Content: line + "\n"));
        }

        TarFixture.WriteTarBz2(archive, items);
        var ex = Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(archive, Target, CancellationToken.None));
        Assert.Equal("UnsafeArchive", ex.ErrorId);
        AssertNothingLeft();
    }

    [Theory]
    [InlineData("Library/bin/CON")]
    [InlineData("Library/bin/nul.txt")]
    [InlineData("Library/COM1.dll")]
    [InlineData("Library/aux .txt")]
    [InlineData("Library/bin/a:stream")]
    [InlineData("Lib/aux.py")]
    [InlineData("con")]
    [InlineData("Scripts/tool.")]
    [InlineData("Lib/site-packages/pkg./x.py")]
    public void WindowsReservedNamesAreRefusedForWindowsPackages(string path)
    {
        string archive = Path.Combine(_tmp, "win-1.0-0.tar.bz2");
        TarFixture.WriteTarBz2(archive, new[]
        {
            Index("win", subdir: "win-64"),
            new TarItem("info/paths.json", Content: PathsJson((path, "hardlink", null, null))),
        });

        var ex = Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(archive, Target, CancellationToken.None));
        Assert.Equal(path, ex.Entry);
        AssertNothingLeft();

        // The same name is a plain file name on Linux and macOS: a linux-64 package may hold it there (a Windows host
        // cannot write a device name whatever the package's platform, so it refuses it too).
        if (!OperatingSystem.IsWindows())
        {
            Assert.Null(PackagePathValidator.Problem(path.Replace(":", "_", StringComparison.Ordinal), windowsTarget: false));
        }
    }

    [Theory]
    [InlineData("lib/libz.so.1", false, null)]
    [InlineData("site-packages/pkg/__init__.py", false, null)]
    [InlineData("Library/bin/zlib.dll", true, null)]
    [InlineData("Library/bin/console.dll", true, null)] // CONsole is no device
    [InlineData("Lib\\site-packages\\x.py", true, null)]
    [InlineData("a//b", false, "not normalised")]
    [InlineData("./a", false, "not normalised")]
    [InlineData("", false, "empty")]
    [InlineData("a/..", false, "'..'")]
    [InlineData("\\\\server\\share\\x", false, "absolute")]
    [InlineData("LPT9.txt", true, "device 'LPT9'")]
    [InlineData("dir./x", true, "dot or a space")]
    public void ValidatorAcceptsRealPathsAndNamesTheProblem(string path, bool windows, string? problem)
    {
        string? found = PackagePathValidator.Problem(path, windows);
        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.NotNull(found);
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EntryPointNameWithAPathIsRefused()
    {
        string archive = Path.Combine(_tmp, "ep-1.0-0.tar.bz2");
        TarFixture.WriteTarBz2(archive, new[]
        {
            Index("ep", subdir: "noarch"),
            new TarItem("info/paths.json", Content: PathsJson(("site-packages/ep/__init__.py", "hardlink", null, 0))),
            new TarItem("info/link.json", Content: "{\"noarch\": {\"type\": \"python\", \"entry_points\": [\"../../evil = ep:main\"]}, \"package_metadata_version\": 1}"),
            new TarItem("site-packages/ep/__init__.py", Content: ""),
        });

        var ex = Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(archive, Target, CancellationToken.None));
        Assert.Equal("../../evil", ex.Entry);
        AssertNothingLeft();
    }

    // ------------------------------------------------------------------ item 2: a link that escapes after it was checked

    [Fact]
    public void LinkThatLeavesTheRootOnlyAfterALaterLinkIsRefused()
    {
        // l -> a/b/../.. is the root when it is written; once a/b -> . exists it is the root's parent.
        string archive = Path.Combine(_tmp, "late-1.0-0.tar");
        File.WriteAllBytes(archive, TarFixture.Tar(new[]
        {
            new TarItem("a/", '5'),
            new TarItem("a/b/", '5'),
            new TarItem("l", '2', Link: "a/b/../.."),
            new TarItem("a/b", '2', Link: "."),
        }));

        var ex = Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(archive, Target, CancellationToken.None));
        Assert.Equal("UnsafeArchive", ex.ErrorId);
        Assert.Equal("l", ex.Entry);
        AssertNothingLeft();
    }

    [NotUnderWineFact("Wine has no symbolic links (CreateSymbolicLink succeeds and leaves nothing usable)")]
    public void LinksReplacedInsideARemovedFolderAreForgotten()
    {
        // d/l -> .. is fine; d is then replaced by "d -> .": d/l went with the folder, so nothing is refused for it
        // (followed through the new d it would lead out).
        string archive = Path.Combine(_tmp, "gone-1.0-0.tar");
        File.WriteAllBytes(archive, TarFixture.Tar(new[]
        {
            new TarItem("d/", '5'),
            new TarItem("d/l", '2', Link: ".."),
            new TarItem("d", '2', Link: "."),
        }));

        PackageArchive.Extract(archive, Target, CancellationToken.None);
        Assert.Equal(".", new FileInfo(Path.Combine(Target, "d")).LinkTarget);
    }

    // ------------------------------------------------------------------ item 3: decompression bombs

    [Fact]
    public void CondaExpandingBeyondItsDeclaredSizesIsRefusedBeforeThePayloadIsWritten()
    {
        const long bomb = 64L << 20;
        string archive = Path.Combine(_tmp, "bomb-1.0-0.conda");
        WriteBombConda(archive, declared: 1024, actual: bomb, infoLast: true);
        Assert.True(new FileInfo(archive).Length < 64 << 10, $"the bomb is {new FileInfo(archive).Length} bytes");

        var ex = Assert.Throws<ArchiveTooLargeException>(() => PackageArchive.Extract(archive, Target, CancellationToken.None));
        Assert.Equal("ArchiveTooLarge", ex.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, ex.Kind);
        Assert.Equal(1024 + ExpansionBudget.Slack(1024), ex.Limit);
        Assert.Equal(bomb, ex.Expanded); // refused at the entry's header: none of it written
        AssertNothingLeft();
    }

    [Fact]
    public void HonestlyDeclaredBombIsRefusedByTheRatioCap()
    {
        long bomb = ExpansionBudget.Floor + (16L << 20);
        string archive = Path.Combine(_tmp, "honest-1.0-0.conda");
        WriteBombConda(archive, declared: bomb, actual: bomb, infoLast: false);

        var ex = Assert.Throws<ArchiveTooLargeException>(() => PackageArchive.Extract(archive, Target, CancellationToken.None));
        Assert.Equal(ExpansionBudget.Floor, ex.Limit);
        Assert.Contains("times the archive's size", ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Fact]
    public void TarBz2WithPathsJsonAfterThePayloadIsCheckedWhenItArrives()
    {
        string archive = Path.Combine(_tmp, "late-decl-1.0-0.tar.bz2");
        var tar = new MemoryStream();
        var w = new TarWriter(tar, 0);
        w.AddFile("lib/big.bin", new byte[4 << 20], 0x1A4);
        w.AddFile("info/index.json", Encoding.UTF8.GetBytes(IndexJson("late-decl", "linux-64")), 0x1A4);
        w.AddFile("info/paths.json", Encoding.UTF8.GetBytes(PathsJson(("lib/big.bin", "hardlink", null, 10))), 0x1A4);
        w.Finish();
        TarFixture.WriteBz2(archive, tar.ToArray());

        var ex = Assert.Throws<ArchiveTooLargeException>(() => PackageArchive.Extract(archive, Target, CancellationToken.None));
        Assert.Equal(4L << 20, ex.Expanded);
        AssertNothingLeft();
    }

    [Fact]
    public void PackageWithinItsDeclaredSizesExtracts()
    {
        string archive = Path.Combine(_tmp, "fine-1.0-0.conda");
        WriteBombConda(archive, declared: 1 << 20, actual: 1 << 20, infoLast: true);
        PackageArchive.Extract(archive, Target, CancellationToken.None);
        Assert.Equal(1 << 20, new FileInfo(Path.Combine(Target, "lib", "bomb.bin")).Length);
    }

    // ------------------------------------------------------------------ item 4: placeholders where none can be

    [Fact]
    public void PlaceholderOnADirectoryIsRefused()
    {
        string archive = Path.Combine(_tmp, "phdir-1.0-0.tar.bz2");
        TarFixture.WriteTarBz2(archive, new[]
        {
            Index("phdir"),
            new TarItem("info/paths.json", Content: PathsJson(("etc/conf", "directory", "/opt/anaconda1anaconda2anaconda3", null))),
            new TarItem("etc/conf", Content: "prefix=/opt/anaconda1anaconda2anaconda3\n"),
        });

        var ex = Assert.Throws<MalformedDataException>(() => PackageArchive.Extract(archive, Target, CancellationToken.None));
        Assert.Equal("MalformedPackageMetadata", ex.ErrorId);
        Assert.Contains("etc/conf", ex.Message, StringComparison.Ordinal);
        Assert.Contains(archive, ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Fact]
    public void DirectoryDeclaredWhereTheArchiveHoldsAFileIsRefused()
    {
        string archive = Path.Combine(_tmp, "dirfile-1.0-0.tar.bz2");
        TarFixture.WriteTarBz2(archive, new[]
        {
            Index("dirfile"),
            new TarItem("info/paths.json", Content: PathsJson(("etc/conf", "directory", null, null))),
            new TarItem("etc/conf", Content: "a file"),
        });

        var ex = Assert.Throws<MalformedDataException>(() => PackageArchive.Extract(archive, Target, CancellationToken.None));
        Assert.Equal("MalformedPackageMetadata", ex.ErrorId);
        AssertNothingLeft();
    }

    [NotUnderWineFact("Wine has no symbolic links (CreateSymbolicLink succeeds and leaves nothing usable)")]
    public void PlaceholderOnARealSymlinkIsRefused()
    {
        string archive = Path.Combine(_tmp, "phlink-1.0-0.tar.bz2");
        TarFixture.WriteTarBz2(archive, new[]
        {
            Index("phlink"),
            new TarItem("info/paths.json", Content: PathsJson(
                ("lib/libx.so.1", "hardlink", null, 1),
                ("lib/libx.so", "softlink", "/opt/anaconda1anaconda2anaconda3", null))),
            new TarItem("lib/libx.so.1", Content: "x"),
            new TarItem("lib/libx.so", '2', Link: "libx.so.1"),
        });

        var ex = Assert.Throws<MalformedDataException>(() => PackageArchive.Extract(archive, Target, CancellationToken.None));
        Assert.Equal("MalformedPackageMetadata", ex.ErrorId);
        Assert.Contains("lib/libx.so", ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [ConformanceFact]
    public void RealPackagesOfTheConformanceDataPassTheChecks()
    {
        // No false positives: every real .conda/.tar.bz2 of the shared data extracts (bar the deliberately broken ones).
        string root = ConformanceData.PathOf("packages")!;
        int n = 0;
        foreach (string archive in Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".conda", StringComparison.Ordinal) || f.EndsWith(".tar.bz2", StringComparison.Ordinal)))
        {
            string target = Path.Combine(_tmp, "real", (n++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                PackageArchive.Extract(archive, target, CancellationToken.None);
            }
            catch (CorruptArchiveException)
            {
                continue; // the deliberately damaged fixtures
            }
            catch (Exception ex) when (ex is UnsafeArchiveException or ArchiveTooLargeException or MalformedDataException)
            {
                Assert.Fail($"{archive}: {ex.Message}");
            }

            Directory.Delete(target, recursive: true);
        }

        Assert.True(n > 50, $"only {n} archives found under {root}");
    }

    // ------------------------------------------------------------------ helpers

    private string Target => Path.Combine(_tmp, "pkgs", "pkg");

    private void AssertNothingLeft()
    {
        string pkgs = Path.Combine(_tmp, "pkgs");
        Assert.True(!Directory.Exists(pkgs) || !Directory.EnumerateFileSystemEntries(pkgs).Any(),
            "left in the cache: " + string.Join(", ", Directory.Exists(pkgs) ? Directory.EnumerateFileSystemEntries(pkgs) : Array.Empty<string>()));
        Assert.False(Directory.Exists("/tmp/envtools-absolute-dir"));
        Assert.False(Directory.Exists(Path.Combine(_tmp, "dir")));
        Assert.False(Directory.Exists(Path.Combine(_tmp, "sibling")));
    }

    internal static string IndexJson(string name, string subdir) =>
        JsonSerializer.Serialize(new { name, version = "1.0", build = "0", build_number = 0, depends = Array.Empty<string>(), subdir });

    private static TarItem Index(string name, string subdir = "linux-64") => new("info/index.json", Content: IndexJson(name, subdir));

    internal static string PathsJson(params (string Path, string Type, string? Placeholder, long? Size)[] entries) =>
        JsonSerializer.Serialize(new
        {
            paths = entries.Select(e =>
            {
                var d = new Dictionary<string, object> { ["_path"] = e.Path, ["path_type"] = e.Type };
                if (e.Placeholder is not null)
                {
                    d["prefix_placeholder"] = e.Placeholder;
                    d["file_mode"] = "text";
                }

                if (e.Size is { } s)
                {
                    d["size_in_bytes"] = s;
                }

                return d;
            }),
            paths_version = 1,
        });

    /// <summary>A .conda whose pkg member holds <c>lib/bomb.bin</c>, <paramref name="actual"/> zero bytes, declared as <paramref name="declared"/>.</summary>
    internal static void WriteBombConda(string path, long declared, long actual, bool infoLast)
    {
        string stem = Path.GetFileName(path)[..^".conda".Length];
        using var fs = File.Create(path);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        using (var w = new StreamWriter(zip.CreateEntry("metadata.json", CompressionLevel.NoCompression).Open()))
        {
            w.Write("{\"conda_pkg_format_version\": 2}");
        }

        void Info()
        {
            using var entry = zip.CreateEntry("info-" + stem + ".tar.zst", CompressionLevel.NoCompression).Open();
            using var zst = new CompressionStream(entry, 19);
            var tw = new TarWriter(zst, 0);
            tw.AddFile("info/index.json", Encoding.UTF8.GetBytes(IndexJson(stem.Split('-')[0], "linux-64")), 0x1A4);
            tw.AddFile("info/paths.json", Encoding.UTF8.GetBytes(PathsJson(("lib/bomb.bin", "hardlink", null, declared))), 0x1A4);
            tw.Finish();
        }

        if (!infoLast)
        {
            Info();
        }

        using (var entry = zip.CreateEntry("pkg-" + stem + ".tar.zst", CompressionLevel.NoCompression).Open())
        using (var zst = new CompressionStream(entry, 3))
        {
            var tw = new TarWriter(zst, 0);
            tw.AddFile("lib/bomb.bin", new ZeroStream(), actual, 0x1A4);
            tw.Finish();
        }

        if (infoLast)
        {
            Info();
        }
    }

    /// <summary>An endless stream of zero bytes.</summary>
    internal sealed class ZeroStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
