using System.Text;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Install;
using Xunit;

namespace EnvTools.Tests.Install;

public class LinkerTests
{
    [ConformanceTheory]
    [InlineData("zlib-1.2.11-h7b6447c_3.tar.bz2")]
    [InlineData("zlib-1.2.11-h7b6447c_3.conda")]
    public void Zlib_links_rewrites_pkgconfig_and_writes_conda_meta(string file)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var fx = new InstallFixture();
        var pkg = fx.Extract(ConformanceData.PathOf("packages/conda-tests/conda_format_repo/linux-64/" + file)!, requestedSpec: "zlib");
        var result = fx.Install(pkg);

        Assert.Single(result.Linked);
        string pc = fx.ReadText("lib/pkgconfig/zlib.pc");
        Assert.Contains("prefix=" + fx.Prefix, pc, StringComparison.Ordinal);
        Assert.DoesNotContain("anaconda1anaconda2anaconda3", pc, StringComparison.Ordinal);

        // a plain file is a hard link to the cache; the rewritten one is a copy
        var (links, inode) = InstallFixture.Stat(Path.Combine(fx.Prefix, "lib/libz.so.1.2.11"));
        Assert.Equal(InstallFixture.Stat(Path.Combine(pkg.ExtractedDirectory, "lib/libz.so.1.2.11")).Inode, inode);
        Assert.True(links >= 2);
        Assert.NotEqual(InstallFixture.Stat(Path.Combine(pkg.ExtractedDirectory, "lib/pkgconfig/zlib.pc")).Inode,
            InstallFixture.Stat(Path.Combine(fx.Prefix, "lib/pkgconfig/zlib.pc")).Inode);

        // the .conda holds libz.so as symlinks: they are recreated with the same target
        var so = new FileInfo(Path.Combine(fx.Prefix, "lib/libz.so"));
        var cached = new FileInfo(Path.Combine(pkg.ExtractedDirectory, "lib/libz.so"));
        Assert.Equal(cached.LinkTarget, so.LinkTarget);

        var rec = fx.Record("zlib");
        Assert.Equal("zlib", rec.RequestedSpec);
        Assert.Equal(pkg.ExtractedDirectory, rec.ExtractedPackageDir);
        Assert.Equal(pkg.ExtractedDirectory, rec.Link!.Source);
        Assert.Equal(1, rec.Link.Type);
        Assert.Equal(Path.Combine(fx.Pkgs, file), rec.PackageTarballFullPath);
        Assert.Equal(pkg.Record.Url, rec.Url);
        Assert.Equal(pkg.Record.Channel, rec.Channel);
        Assert.Equal(file, rec.FileName);
        Assert.Equal(pkg.Record.Sha256, rec.Sha256);
        Assert.Equal(rec.Files, rec.PathsData!.Paths.Select(p => p.Path));
        Assert.Equal(1, rec.PathsData.PathsVersion);
        var pcEntry = rec.PathsData.Paths.Single(p => p.Path == "lib/pkgconfig/zlib.pc");
        Assert.Equal("/opt/anaconda1anaconda2anaconda3", pcEntry.PrefixPlaceholder);
        Assert.Equal("text", pcEntry.FileMode);
        Assert.Equal(InstallFixture.Sha256(File.ReadAllBytes(Path.Combine(fx.Prefix, "lib/pkgconfig/zlib.pc"))), pcEntry.Sha256InPrefix);
        Assert.Equal(InstallFixture.Sha256(File.ReadAllBytes(Path.Combine(pkg.ExtractedDirectory, "lib/pkgconfig/zlib.pc"))), pcEntry.Sha256);
        var plain = rec.PathsData.Paths.Single(p => p.Path == "include/zlib.h");
        Assert.Equal(InstallFixture.Sha256(File.ReadAllBytes(Path.Combine(fx.Prefix, "include/zlib.h"))), plain.Sha256);
        Assert.Equal(96239, plain.SizeInBytes);

        // as conda does, every file (linked unchanged or rewritten) has sha256_in_prefix, so that conda doctor checks it;
        // symbolic links have none
        Assert.Equal(plain.Sha256, plain.Sha256InPrefix);
        Assert.All(rec.PathsData.Paths.Where(p => p.PathType == "hardlink"), p => Assert.Equal(
            InstallFixture.Sha256(File.ReadAllBytes(Path.Combine(fx.Prefix, p.Path))), p.Sha256InPrefix));
        Assert.All(rec.PathsData.Paths.Where(p => p.PathType == "softlink"), p => Assert.Null(p.Sha256InPrefix));

        // conda's field forms: constrains present when empty, no package_type for a platform package
        string json = File.ReadAllText(Path.Combine(fx.Prefix, "conda-meta", "zlib-1.2.11-h7b6447c_3.json"));
        Assert.Contains("\"constrains\": []", json, StringComparison.Ordinal);
        Assert.DoesNotContain("package_type", json, StringComparison.Ordinal);

        // conda-meta/created_at: Unix seconds, as conda 25.11 writes it with the first revision
        double created = double.Parse(File.ReadAllText(Path.Combine(fx.Prefix, "conda-meta", "created_at")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(created, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);

        // history and environments.txt
        var history = PrefixHistory.Load(PrefixHistory.PathFor(fx.Prefix));
        var rev = Assert.Single(history.Revisions);
        Assert.Equal("envtools test", rev.Command);
        Assert.Equal(PrefixHistory.CondaCompatibleVersion, rev.CondaVersion); // a version conda can parse
        Assert.Equal(InstallOptions.DefaultToolVersion, rev.EnvToolsVersion);
        Assert.Contains("\n# conda version: 3.8.0\n# envtools version: ", File.ReadAllText(PrefixHistory.PathFor(fx.Prefix)), StringComparison.Ordinal);
        Assert.Equal("test-channel/linux-64::zlib-1.2.11-h7b6447c_3", Assert.Single(rev.Added).Text);
        Assert.Contains(fx.Prefix, new EnvironmentsFile(fx.EnvironmentsTxt).Read());

        // nothing of the transaction is left behind
        Assert.False(File.Exists(Path.Combine(fx.Prefix, "conda-meta", PrefixJournal.FileName)));
        Assert.False(Directory.Exists(Path.Combine(fx.Prefix, PrefixJournal.TrashDirectoryName)));
    }

    [ConformanceFact]
    public void Legacy_noarch_true_is_recorded_as_conda_does_generic_with_its_package_type()
    {
        using var fx = new InstallFixture();
        var pkg = fx.Extract(ConformanceData.PathOf("packages/conda-tests/test-recipes/noarch/font-ttf-inconsolata-23.12.6-0.tar.bz2")!);
        Assert.Contains("\"noarch\": true", File.ReadAllText(Path.Combine(pkg.ExtractedDirectory, "info", "index.json")), StringComparison.Ordinal);
        fx.Install(pkg);
        string json = File.ReadAllText(Path.Combine(fx.Prefix, "conda-meta", "font-ttf-inconsolata-23.12.6-0.json"));
        Assert.Contains("\"noarch\": \"generic\"", json, StringComparison.Ordinal);
        Assert.Contains("\"package_type\": \"noarch_generic\"", json, StringComparison.Ordinal);
        Assert.Contains("\"constrains\": []", json, StringComparison.Ordinal);
    }

    [ConformanceFact]
    public void A_change_repairs_the_history_lines_EnvTools_0_1_wrote_which_conda_cannot_parse()
    {
        using var fx = new InstallFixture();
        fx.Install(fx.Extract(ConformanceData.PathOf("packages/conda-tests/test-recipes/noarch/dependency-1.0-0.conda")!));
        string history = PrefixHistory.PathFor(fx.Prefix);
        File.WriteAllText(history, File.ReadAllText(history).Replace("# conda version: 3.8.0\n# envtools version: " + InstallOptions.DefaultToolVersion, "# conda version: envtools 0.1.0", StringComparison.Ordinal));
        Assert.Contains("# conda version: envtools 0.1.0", File.ReadAllText(history), StringComparison.Ordinal);

        var result = fx.Install(fx.Extract(ConformanceData.PathOf("packages/conda-tests/test-recipes/noarch/another_dependent-1.0-0.conda")!));
        string text = File.ReadAllText(history);
        Assert.DoesNotContain("conda version: envtools", text, StringComparison.Ordinal);
        var revisions = PrefixHistory.Load(history).Revisions;
        Assert.Equal(new (string?, string?)[] { ("3.8.0", "0.1.0"), ("3.8.0", InstallOptions.DefaultToolVersion) }, revisions.Select(r => (r.CondaVersion, r.EnvToolsVersion)));
        Assert.Contains(result.Messages, m => m.Contains("conda-meta/history", StringComparison.Ordinal));
    }

    [ConformanceFact]
    public void Conda_meta_record_round_trips_through_PrefixRecord()
    {
        using var fx = new InstallFixture();
        var pkg = fx.Extract(ConformanceData.PathOf("packages/conda-tests/conda_format_repo/linux-64/zlib-1.2.11-h7b6447c_3.conda")!);
        fx.Install(pkg);
        string file = Path.Combine(fx.Prefix, "conda-meta", "zlib-1.2.11-h7b6447c_3.json");
        var rec = PrefixRecord.Read(file);
        using var ms = new MemoryStream();
        rec.Write(ms);
        Assert.Equal(File.ReadAllText(file).TrimEnd(), Encoding.UTF8.GetString(ms.ToArray()).TrimEnd());
        Assert.Contains("\"paths_data\"", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.Null(rec.RequestedSpec);
    }

    [Fact]
    public void Compiled_program_with_binary_placeholder_prints_its_new_prefix()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/gcc"))
        {
            return;
        }

        using var fx = new InstallFixture();
        string placeholder = "/opt/placeholder_" + new string('p', 200);
        string src = Path.Combine(fx.Root, "hello.c");
        File.WriteAllText(src, "#include <stdio.h>\nstatic const char p[] = \"" + placeholder + "\";\nint main(void) { printf(\"%s\\n\", p); return 0; }\n");
        string exe = Path.Combine(fx.Root, "hello");
        var (code, output) = InstallFixture.RunProcess("/usr/bin/gcc", "-O0", "-o", exe, src);
        Assert.True(code == 0, output);
        Assert.Equal(placeholder, InstallFixture.RunProcess(exe).Output.Trim());

        var pkg = fx.Build("hello", "1.0", new[]
        {
            new FixtureFile("bin/hello", File.ReadAllBytes(exe)) { Placeholder = placeholder, Binary = true, Mode = (UnixFileMode)0b111_101_101 },
            new FixtureFile("share/hello/prefix.txt", "installed at " + placeholder + "\n") { Placeholder = placeholder },
        });
        fx.Install(pkg);

        string installed = Path.Combine(fx.Prefix, "bin", "hello");
        Assert.Equal(new FileInfo(exe).Length, new FileInfo(installed).Length);
        Assert.True(InstallFixture.ModeOf(installed).HasFlag(UnixFileMode.UserExecute));
        var run = InstallFixture.RunProcess(installed);
        Assert.Equal(0, run.Code);
        Assert.Equal(fx.Prefix, run.Output.Trim());
        Assert.Equal("installed at " + fx.Prefix + "\n", fx.ReadText("share/hello/prefix.txt"));

        var entry = fx.Record("hello").PathsData!.Paths.Single(p => p.Path == "bin/hello");
        Assert.Equal("binary", entry.FileMode);
        Assert.Equal(InstallFixture.Sha256(File.ReadAllBytes(installed)), entry.Sha256InPrefix);
        Assert.NotEqual(entry.Sha256, entry.Sha256InPrefix);
    }

    [Fact]
    public void Binary_placeholder_shorter_than_the_prefix_fails_and_leaves_nothing()
    {
        using var fx = new InstallFixture();
        var pkg = fx.Build("short", "1.0", new[]
        {
            new FixtureFile("lib/a.txt", "plain\n"),
            new FixtureFile("lib/short.bin", Encoding.UTF8.GetBytes("/opt/x\0rest")) { Placeholder = "/opt/x", Binary = true },
        });
        var ex = Assert.Throws<PrefixTooLongException>(() => fx.Install(pkg));
        Assert.Equal("PrefixTooLong", ex.ErrorId);
        Assert.False(Directory.Exists(fx.Prefix));
    }

    [ConformanceFact]
    public void Ros2_elf_binaries_get_the_new_prefix_padded_with_nuls()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var fx = new InstallFixture();
        var pkg = fx.Extract(ConformanceData.PathOf("packages/clfml-ros2-jazzy/linux-64/ros-jazzy-audio-tools-2.5-h738df08_0.tar.bz2")!);
        fx.Install(pkg);
        var rec = fx.Record("ros-jazzy-audio-tools");
        var binaries = rec.PathsData!.Paths.Where(p => p.FileMode == "binary").ToList();
        Assert.Equal(3, binaries.Count);
        foreach (var b in binaries)
        {
            string installed = Path.Combine(fx.Prefix, b.Path);
            byte[] data = File.ReadAllBytes(installed);
            byte[] original = File.ReadAllBytes(Path.Combine(pkg.ExtractedDirectory, b.Path));
            Assert.Equal(original.Length, data.Length);
            Assert.Equal(-1, data.AsSpan().IndexOf(Encoding.UTF8.GetBytes(b.PrefixPlaceholder!)));
            Assert.True(data.AsSpan().IndexOf(Encoding.UTF8.GetBytes(fx.Prefix)) >= 0);
            Assert.Equal(InstallFixture.Sha256(data), b.Sha256InPrefix);
            Assert.Equal(InstallFixture.ModeOf(Path.Combine(pkg.ExtractedDirectory, b.Path)), InstallFixture.ModeOf(installed));
            Assert.Equal(0x7f, data[0]); // still an ELF file
        }
    }

    [NotUnderWineFact("Wine has no symbolic links (CreateSymbolicLink succeeds and leaves nothing usable)")]
    public void Options_copy_softlink_no_link_and_directories()
    {
        using var fx = new InstallFixture();
        var pkg = fx.Build("opts", "1.0", new[]
        {
            new FixtureFile("share/opts/a.txt", "a\n"),
            new FixtureFile("share/opts/nolink.txt", "n\n") { NoLink = true },
            new FixtureFile("share/opts/link.txt", Array.Empty<byte>()) { LinkTarget = "a.txt" },
            new FixtureFile("bin/tool", "#!/bin/sh\necho hi\n") { Mode = (UnixFileMode)0b111_101_101 },
        });
        File.WriteAllText(Path.Combine(pkg.ExtractedDirectory, "info", "paths.json"),
            File.ReadAllText(Path.Combine(pkg.ExtractedDirectory, "info", "paths.json")).Replace("{\"paths\":[", "{\"paths\":[{\"_path\":\"share/empty\",\"path_type\":\"directory\"},", StringComparison.Ordinal));
        Directory.CreateDirectory(Path.Combine(pkg.ExtractedDirectory, "share", "empty"));
        fx.Install(pkg);

        string Cache(string rel) => Path.Combine(pkg.ExtractedDirectory, rel);
        string Env(string rel) => Path.Combine(fx.Prefix, rel);
        Assert.Equal(InstallFixture.Stat(Cache("share/opts/a.txt")).Inode, InstallFixture.Stat(Env("share/opts/a.txt")).Inode);
        Assert.NotEqual(InstallFixture.Stat(Cache("share/opts/nolink.txt")).Inode, InstallFixture.Stat(Env("share/opts/nolink.txt")).Inode);
        Assert.Equal("a.txt", new FileInfo(Env("share/opts/link.txt")).LinkTarget);
        Assert.True(Directory.Exists(Env("share/empty")));
        Assert.Equal((UnixFileMode)0b111_101_101, InstallFixture.ModeOf(Env("bin/tool")) & (UnixFileMode)0b111_111_111);
        var types = fx.Record("opts").PathsData!.Paths.ToDictionary(p => p.Path, p => p.PathType);
        Assert.Equal("directory", types["share/empty"]);
        Assert.Equal("softlink", types["share/opts/link.txt"]);
        Assert.True(fx.Record("opts").PathsData!.Paths.Single(p => p.Path == "share/opts/nolink.txt").NoLink);

        // always_copy: no hard links; the record says copy (3)
        using var fx2 = new InstallFixture();
        var pkg2 = fx2.Build("opts", "1.0", new[] { new FixtureFile("share/opts/a.txt", "a\n") });
        fx2.Install(new InstallOptions { EnvironmentsFile = fx2.EnvironmentsTxt, AlwaysCopy = true }, pkg2);
        Assert.NotEqual(InstallFixture.Stat(Path.Combine(pkg2.ExtractedDirectory, "share/opts/a.txt")).Inode, InstallFixture.Stat(Path.Combine(fx2.Prefix, "share/opts/a.txt")).Inode);
        Assert.Equal(3, fx2.Record("opts").Link!.Type);

        // always_softlink: a symbolic link to the cache file
        using var fx3 = new InstallFixture();
        var pkg3 = fx3.Build("opts", "1.0", new[] { new FixtureFile("share/opts/a.txt", "a\n") });
        fx3.Install(new InstallOptions { EnvironmentsFile = fx3.EnvironmentsTxt, AlwaysSoftlink = true }, pkg3);
        Assert.Equal(Path.Combine(pkg3.ExtractedDirectory, "share/opts/a.txt"), new FileInfo(Path.Combine(fx3.Prefix, "share/opts/a.txt")).LinkTarget);
        Assert.Equal(2, fx3.Record("opts").Link!.Type);
    }

    [ConformanceFact]
    public void Legacy_info_files_package_without_paths_json_is_linked_and_hashed()
    {
        using var fx = new InstallFixture();
        var pkg = fx.Extract(ConformanceData.PathOf("packages/conda-tests/conda_format_repo/linux-64/zlib-1.2.11-h7b6447c_3.tar.bz2")!);
        File.Delete(Path.Combine(pkg.ExtractedDirectory, "info", "paths.json"));
        fx.Install(pkg);
        Assert.Contains("prefix=" + fx.TextPrefix, fx.ReadText("lib/pkgconfig/zlib.pc"), StringComparison.Ordinal);
        var rec = fx.Record("zlib");
        var h = rec.PathsData!.Paths.Single(p => p.Path == "include/zlib.h");
        Assert.Equal(InstallFixture.Sha256(File.ReadAllBytes(Path.Combine(fx.Prefix, "include/zlib.h"))), h.Sha256);
        Assert.Equal(96239, h.SizeInBytes);
    }
}
