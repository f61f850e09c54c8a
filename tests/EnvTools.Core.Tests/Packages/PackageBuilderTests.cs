using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EnvTools.Packages;
using EnvTools.RepoData;
using Xunit;

namespace EnvTools.Tests.Packages;

public sealed class PackageBuilderTests : IDisposable
{
    private const string Placeholder = "/opt/build_placeholder_placehold_placehold_placehold_placehold";
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "envtools-build-" + Guid.NewGuid().ToString("N")[..8]);

    public PackageBuilderTests() => Directory.CreateDirectory(_tmp);

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

    /// <summary>A folder with a text file and a binary file holding the placeholder, plain files, a symlink and an empty folder.</summary>
    private string MakeSource()
    {
        string src = Path.Combine(_tmp, "src");
        Directory.CreateDirectory(Path.Combine(src, "bin"));
        Directory.CreateDirectory(Path.Combine(src, "lib"));
        Directory.CreateDirectory(Path.Combine(src, "share", "empty"));
        File.WriteAllText(Path.Combine(src, "bin", "tool"), $"#!{Placeholder}/bin/sh\necho hi\n");
        byte[] binary = Encoding.UTF8.GetBytes("\x7f" + "ELF\0\0" + Placeholder + "/lib\0more");
        File.WriteAllBytes(Path.Combine(src, "lib", "libdemo.so.1.0"), binary);
        File.WriteAllText(Path.Combine(src, "README"), "no placeholder here\n");
        // a long (> 100 bytes) non-ASCII name needs a pax header
        string deep = Path.Combine(src, "share", string.Concat(Enumerable.Repeat("verylongfoldername", 5)), "dätä.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(deep)!);
        File.WriteAllText(deep, "long");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(src, "bin", "tool"), (UnixFileMode)0x1ED);
            File.CreateSymbolicLink(Path.Combine(src, "lib", "libdemo.so"), "libdemo.so.1.0");
        }

        return src;
    }

    private static PackageDefinition Definition() => new()
    {
        Name = "demo",
        Version = "1.2.3",
        Build = "h123_0",
        Subdir = "linux-64",
        Depends = new[] { "libzlib >=1.2", "python >=3.8" },
        Constrains = new[] { "other <2" },
        License = "MIT",
        Timestamp = 1700000000123,
        PrefixPlaceholder = Placeholder,
        InfoFiles = new Dictionary<string, string> { ["about.json"] = "{\"summary\": \"demo\"}" },
    };

    [Fact]
    public void BuiltArchivesExtractToTheFilesPathsJsonDescribes()
    {
        string src = MakeSource();
        var built = PackageBuilder.Build(src, Definition(), Path.Combine(_tmp, "out"), PackageFormats.Both);
        Assert.Equal(new[] { "demo-1.2.3-h123_0.conda", "demo-1.2.3-h123_0.tar.bz2" }, built.Select(b => b.FileName));

        foreach (BuiltPackage b in built)
        {
            Assert.Equal(new FileInfo(b.Path).Length, b.Size);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(b.Path))).ToLowerInvariant(), b.Sha256);
            string dir = Path.Combine(_tmp, "x-" + b.FileName);
            PackageArchive.Extract(b.Path, dir);

            PackagePaths paths = PackageArchive.ReadPathsJson(dir);
            Assert.Equal(1, paths.PathsVersion);
            foreach (PackagePath p in paths.Paths.Where(p => p.PathType == PathType.HardLink))
            {
                byte[] content = File.ReadAllBytes(Path.Combine(dir, p.Path));
                Assert.Equal(Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant(), p.Sha256);
                Assert.Equal(content.Length, p.SizeInBytes);
                Assert.Equal(File.ReadAllBytes(Path.Combine(src, p.Path)), content);
            }

            var byPath = paths.Paths.ToDictionary(p => p.Path);
            Assert.Equal(PrefixFileMode.Text, byPath["bin/tool"].FileMode);
            Assert.Equal(Placeholder, byPath["bin/tool"].PrefixPlaceholder);
            Assert.Equal(PrefixFileMode.Binary, byPath["lib/libdemo.so.1.0"].FileMode);
            Assert.Null(byPath["README"].PrefixPlaceholder);
            Assert.Equal(PathType.Directory, byPath["share/empty"].PathType);
            Assert.True(Directory.Exists(Path.Combine(dir, "share", "empty")));
            Assert.Contains(byPath.Keys, k => k.EndsWith("/dätä.txt", StringComparison.Ordinal) && k.Length > 100);
            Assert.Equal("{\"summary\": \"demo\"}", File.ReadAllText(Path.Combine(dir, "info", "about.json")));
            Assert.Equal($"{Placeholder} text bin/tool\n{Placeholder} binary lib/libdemo.so.1.0\n",
                File.ReadAllText(Path.Combine(dir, "info", "has_prefix")));
            Assert.Contains("bin/tool\n", File.ReadAllText(Path.Combine(dir, "info", "files")));
            Assert.DoesNotContain("share/empty", File.ReadAllText(Path.Combine(dir, "info", "files")));

            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(PathType.SoftLink, byPath["lib/libdemo.so"].PathType);
                Assert.Equal(byPath["lib/libdemo.so.1.0"].Sha256, byPath["lib/libdemo.so"].Sha256);
                Assert.Equal("libdemo.so.1.0", new FileInfo(Path.Combine(dir, "lib", "libdemo.so")).LinkTarget);
                Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(dir, "bin", "tool")));
            }

            PackageIndex index = PackageArchive.ReadIndexJson(dir);
            Assert.Equal(("demo", "1.2.3", "h123_0", "linux-64", "MIT", 1700000000123L), (index.Name, index.Version, index.Build, index.Subdir, index.License, index.Timestamp));
            Assert.Equal(new[] { "libzlib >=1.2", "python >=3.8" }, index.Depends);
            Assert.Equal(new[] { "other <2" }, index.Constrains);
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "info", "index.json")));
            Assert.Equal("x86_64", doc.RootElement.GetProperty("arch").GetString());
            Assert.Equal("linux", doc.RootElement.GetProperty("platform").GetString());
        }
    }

    [Fact]
    public void CondaArchiveHasCondaPackageHandlingsLayout()
    {
        var built = PackageBuilder.Build(MakeSource(), Definition(), _tmp, PackageFormats.Conda).Single();
        using var zip = ZipFile.OpenRead(built.Path);
        Assert.Equal(new[] { "metadata.json", "pkg-demo-1.2.3-h123_0.tar.zst", "info-demo-1.2.3-h123_0.tar.zst" }, zip.Entries.Select(e => e.FullName));
        Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength)); // stored, not deflated
        using var reader = new StreamReader(zip.Entries[0].Open());
        Assert.Equal(2, JsonDocument.Parse(reader.ReadToEnd()).RootElement.GetProperty("conda_pkg_format_version").GetInt32());
    }

    [Fact]
    public void TheSameDefinitionAndFilesGiveTheSameBytes()
    {
        // the .conda members are dated by the build timestamp (2023-11-14 22:13:20 UTC), not by the clock
        string src = MakeSource();
        var first = PackageBuilder.Build(src, Definition(), Path.Combine(_tmp, "one"), PackageFormats.Both);
        using (var zip = ZipFile.OpenRead(first[0].Path))
        {
            Assert.All(zip.Entries, e => Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 20), e.LastWriteTime.DateTime));
        }

        Thread.Sleep(2100); // past zip's two-second resolution: a clock date would differ now
        var second = PackageBuilder.Build(src, Definition(), Path.Combine(_tmp, "two"), PackageFormats.Both);
        Assert.Equal(first.Select(b => b.Sha256), second.Select(b => b.Sha256));
    }

    [Fact]
    public void NoarchPythonGetsLinkJsonAndNoArchOrPlatform()
    {
        string src = Path.Combine(_tmp, "py");
        Directory.CreateDirectory(Path.Combine(src, "site-packages", "demo"));
        File.WriteAllText(Path.Combine(src, "site-packages", "demo", "__init__.py"), "def main():\n    pass\n");
        var def = new PackageDefinition { Name = "demo-py", Version = "0.1", Noarch = "python", EntryPoints = new[] { "demo = demo:main" } };
        var built = PackageBuilder.Build(src, def, _tmp, PackageFormats.TarBz2).Single();
        Assert.Equal("demo-py-0.1-0.tar.bz2", built.FileName);
        using var link = JsonDocument.Parse(PackageArchive.ReadMember(built.Path, "info/link.json")!);
        Assert.Equal("python", link.RootElement.GetProperty("noarch").GetProperty("type").GetString());
        Assert.Equal("demo = demo:main", link.RootElement.GetProperty("noarch").GetProperty("entry_points")[0].GetString());
        using var index = JsonDocument.Parse(PackageArchive.ReadMember(built.Path, "info/index.json")!);
        Assert.Equal("noarch", index.RootElement.GetProperty("subdir").GetString());
        Assert.Equal("python", index.RootElement.GetProperty("noarch").GetString());
        Assert.False(index.RootElement.TryGetProperty("arch", out _));
    }

    [Fact]
    public void RefusesInfoFolderAndAbsoluteSymlinks()
    {
        string src = Path.Combine(_tmp, "bad");
        Directory.CreateDirectory(Path.Combine(src, "info"));
        Assert.Throws<ArgumentException>(() => PackageBuilder.Build(src, Definition(), _tmp));
        Directory.Delete(Path.Combine(src, "info"));
        if (!OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(Path.Combine(src, "abs"), "/etc/passwd");
            var ex = Assert.Throws<ArgumentException>(() => PackageBuilder.Build(src, Definition(), _tmp));
            Assert.Contains("abs", ex.Message);
        }

        Assert.Throws<ArgumentException>(() => PackageBuilder.Build(src, new PackageDefinition { Name = "x", Version = "1" }, _tmp));
        Assert.Empty(Directory.EnumerateFiles(_tmp));
    }

    [Fact]
    public void IndexedChannelParsesWithRepoDataParser()
    {
        string channel = Path.Combine(_tmp, "channel");
        string src = MakeSource();
        var built = PackageBuilder.Build(src, Definition(), Path.Combine(channel, "linux-64"), PackageFormats.Both).ToList();
        var def2 = Definition();
        def2.Version = "2.0";
        def2.Build = "h123_1";
        def2.BuildNumber = 1;
        built.AddRange(PackageBuilder.Build(src, def2, Path.Combine(channel, "linux-64"), PackageFormats.Conda));

        IReadOnlyList<string> written = ChannelIndexer.Index(channel);
        Assert.Equal(new[] { Path.Combine(channel, "linux-64", "repodata.json"), Path.Combine(channel, "noarch", "repodata.json") }, written);

        RepoDataFile repo = RepoDataParser.ParseFile(written[0]);
        Assert.Equal("linux-64", repo.Subdir);
        Assert.Single(repo.Packages);
        Assert.Equal(2, repo.PackagesConda.Count);
        foreach (BuiltPackage b in built)
        {
            var r = repo.Records.Single(x => x.FileName == b.FileName);
            Assert.Equal((b.Md5, b.Sha256, (long?)b.Size), (r.Md5, r.Sha256, r.Size));
            Assert.Equal("demo", r.Name);
            Assert.Equal(new[] { "libzlib >=1.2", "python >=3.8" }, r.Depends);
            Assert.Equal(new[] { "other <2" }, r.Constrains);
            Assert.Equal(1700000000123L, r.Timestamp);
            Assert.Equal("linux-64", r.Subdir);
        }

        Assert.Equal(0, RepoDataParser.ParseFile(written[1]).Count);
        Assert.Equal("noarch", RepoDataParser.ParseFile(written[1]).Subdir);
    }

    [ConformanceFact]
    public void IndexerReadsRealCondaAndTarBz2Archives()
    {
        string channel = Path.Combine(_tmp, "real");
        Directory.CreateDirectory(Path.Combine(channel, "linux-64"));
        string dir = ConformanceData.PathOf("packages/conda-tests/conda_format_repo/linux-64")!;
        foreach (string f in Directory.GetFiles(dir))
        {
            File.Copy(f, Path.Combine(channel, "linux-64", Path.GetFileName(f)));
        }

        RepoDataFile repo = RepoDataParser.ParseFile(ChannelIndexer.IndexSubdir(channel, "linux-64"));
        Assert.Equal(2, repo.Count);
        Assert.All(repo.Records, r => Assert.Equal(("zlib", "1.2.11", "h7b6447c_3", 1542814864621L), (r.Name, r.Version, r.Build, r.Timestamp)));
        Assert.All(repo.Records, r => Assert.Equal(new FileInfo(Path.Combine(dir, r.FileName)).Length, r.Size));
    }
}
