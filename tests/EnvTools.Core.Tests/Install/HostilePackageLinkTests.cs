using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.Install;
using EnvTools.Packages;
using EnvTools.Tests.Packages;
using Xunit;
using EnvTools.IO;
using EnvTools.Environments;

namespace EnvTools.Tests.Install;

/// <summary>
/// Hostile packages at link time (issue 16, items 1, 2 and 4): package folders whose metadata names paths outside the
/// prefix, links that lead out of the prefix only together with another package's links, writes and removals
/// through such links, and a rollback that cannot restore a path. Nothing outside the prefix is ever written or
/// deleted, and the environment stays usable (or removable).
/// </summary>
[Collection(TransactionHookCollection.Name)]
public sealed class HostilePackageLinkTests
{
    [Theory]
    [InlineData("../../escaped-dir", "directory")]
    [InlineData("../sibling/etc/x", "hardlink")]
    public void PackageFolderWithAPathOutsideThePrefixIsRefusedBeforeAnythingIsLinked(string path, string type)
    {
        using var fx = new InstallFixture();
        var pkg = fx.Build("evil", "1.0", new[] { new FixtureFile("lib/ok.txt", "ok") });
        // The source of "../sibling/etc/x" exists next to the package folder, as it would for a planted cache.
        string sibling = Path.Combine(fx.Pkgs, "sibling", "etc");
        Directory.CreateDirectory(sibling);
        File.WriteAllText(Path.Combine(sibling, "x"), "outside");
        File.WriteAllText(Path.Combine(pkg.ExtractedDirectory, "info", "paths.json"),
            HostileArchiveTests.PathsJson(("lib/ok.txt", "hardlink", null, 2), (path, type, null, null)));

        var ex = Assert.Throws<UnsafeArchiveException>(() => fx.Install(pkg));
        Assert.Equal("UnsafeArchive", ex.ErrorId);
        Assert.Equal(path, ex.Entry);
        Assert.False(Directory.Exists(Path.Combine(fx.Root, "escaped-dir")));
        Assert.False(Directory.Exists(Path.Combine(fx.Root, "envs", "sibling")));
        Assert.False(File.Exists(Path.Combine(fx.Prefix, "lib", "ok.txt")));
    }

    [Fact]
    public void NoarchTargetOutsideThePrefixFromTheRepodataIsRefused()
    {
        using var fx = new InstallFixture();
        var python = fx.Build("python", "3.11.0", new[] { new FixtureFile("bin/python3.11", "#!/bin/sh\n") });
        python = python with { Record = new RepoDataRecord(python.Record) { PythonSitePackagesPath = "../../escaped-site" } };
        var pkg = fx.Build("purelib", "1.0", new[] { new FixtureFile("site-packages/purelib/__init__.py", "") }, noarch: "python");

        var ex = Assert.Throws<UnsafeArchiveException>(() => fx.Install(fx.Options(compile: false), python, pkg));
        Assert.Contains("escaped-site", ex.Entry, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(fx.Root, "escaped-site")));
    }

    [Fact]
    public void UninstallNeverRemovesAPathOutsideThePrefixThatARecordNames()
    {
        // A record written by an older version (or planted) names a file outside the prefix.
        using var fx = new InstallFixture();
        fx.Install(fx.Build("holder", "1.0", new[] { new FixtureFile("lib/ok.txt", "ok") }));
        string outside = Path.Combine(fx.Root, "envs", "keep", "user-file.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(outside)!);
        File.WriteAllText(outside, "the user's");
        string meta = Directory.GetFiles(Path.Combine(fx.Prefix, "conda-meta"), "holder-*.json").Single();
        var json = JsonNode.Parse(File.ReadAllText(meta))!;
        json["files"]!.AsArray().Add("../keep/user-file.txt");
        json["paths_data"]!["paths"]!.AsArray().Add(new JsonObject { ["_path"] = "../keep/user-file.txt", ["path_type"] = "hardlink" });
        File.WriteAllText(meta, json.ToJsonString());

        fx.Remove(fx.Options(), "holder");

        Assert.Equal("the user's", File.ReadAllText(outside));
        Assert.False(File.Exists(Path.Combine(fx.Prefix, "lib", "ok.txt")));
        Assert.Empty(PrefixState.ReadInstalled(fx.Prefix));
    }

    [Fact]
    public void UninstallNeverRemovesAFileBehindALinkThatLeadsOut()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // What an older version let a package leave behind: "l" leads to a folder of the user's, and a record names l/x.txt.
        using var fx = new InstallFixture();
        fx.Install(fx.Build("holder", "1.0", new[] { new FixtureFile("lib/ok.txt", "ok") }));
        string victim = Path.Combine(fx.Root, "envs", "victim");
        Directory.CreateDirectory(victim);
        File.WriteAllText(Path.Combine(victim, "x.txt"), "the user's");
        File.CreateSymbolicLink(Path.Combine(fx.Prefix, "l"), "../victim");
        string meta = Directory.GetFiles(Path.Combine(fx.Prefix, "conda-meta"), "holder-*.json").Single();
        var json = JsonNode.Parse(File.ReadAllText(meta))!;
        json["files"]!.AsArray().Add("l/x.txt");
        json["paths_data"]!["paths"]!.AsArray().Add(new JsonObject { ["_path"] = "l/x.txt", ["path_type"] = "hardlink" });
        File.WriteAllText(meta, json.ToJsonString());

        var result = fx.Remove(fx.Options(), "holder");

        Assert.Equal("the user's", File.ReadAllText(Path.Combine(victim, "x.txt")));
        Assert.Contains(result.Messages, m => m.Contains("l/x.txt", StringComparison.Ordinal));
        Assert.Empty(PrefixState.ReadInstalled(fx.Prefix));
    }

    [Fact]
    public void LinkThatLeadsOutOnlyWithAnotherPackagesLinkIsRefused()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // symlinks need privileges there
        }

        using var fx = new InstallFixture();
        // a: "a/b -> ." (inside a). b: "l -> a/b/../.." is b's own root in its folder, but the prefix's parent once a is linked.
        var a = fx.Build("a", "1.0", new[] { new FixtureFile("a/keep.txt", "a"), new FixtureFile("a/b", Array.Empty<byte>()) { LinkTarget = "." } });
        var b = fx.Build("b", "1.0", new[] { new FixtureFile("l", Array.Empty<byte>()) { LinkTarget = "a/b/../.." } });
        fx.Install(a);

        var ex = Assert.Throws<UnsafeArchiveException>(() => fx.Install(b));
        Assert.Equal("l", ex.Entry);
        Assert.False(FileOps.Exists(Path.Combine(fx.Prefix, "l")));
        Assert.Equal("a", Assert.Single(PrefixState.ReadInstalled(fx.Prefix)).Name);
    }

    [Fact]
    public void FileIsNeverWrittenThroughALinkThatLeadsOutOfThePrefix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fx = new InstallFixture();
        fx.Install(fx.Build("a", "1.0", new[] { new FixtureFile("a/keep.txt", "a"), new FixtureFile("a/b", Array.Empty<byte>()) { LinkTarget = "." } }));
        // What an older version let a package leave behind: l leads to the envs folder.
        File.CreateSymbolicLink(Path.Combine(fx.Prefix, "l"), "a/b/../..");
        var c = fx.Build("c", "1.0", new[] { new FixtureFile("l/x.txt", "escaped") });

        var ex = Assert.Throws<UnsafeArchiveException>(() => fx.Install(c));
        Assert.Equal("l/x.txt", ex.Entry);
        Assert.False(File.Exists(Path.Combine(fx.Root, "envs", "x.txt")));
        Assert.Equal("a", Assert.Single(PrefixState.ReadInstalled(fx.Prefix)).Name);
        Assert.False(File.Exists(PrefixJournal.PathOf(fx.Prefix)));
    }

    [Fact]
    public void FailedRollbackStillLeavesAnEnvironmentThatCanBeRemoved()
    {
        using var fx = new InstallFixture();
        fx.Install(fx.Build("lib", "1.0", new[] { new FixtureFile("share/lib/data.txt", "1") }));
        var lib2 = fx.Build("lib", "2.0", new[] { new FixtureFile("bin/lib", "2") });
        string shareLib = Path.Combine(fx.Prefix, "share", "lib");
        PrefixTransaction.TestHook = (point, _) =>
        {
            if (point == "link")
            {
                // The old file is in the trash; its folder becomes a file, so the rollback cannot put it back.
                Directory.Delete(shareLib);
                File.WriteAllText(shareLib, "in the way");
                throw new InvalidOperationException("link failed");
            }
        };
        try
        {
            var ex = Assert.Throws<InvalidOperationException>(() => fx.Install(lib2));
            Assert.Equal("link failed", ex.Message);
        }
        finally
        {
            PrefixTransaction.TestHook = null;
        }

        Assert.False(File.Exists(PrefixJournal.PathOf(fx.Prefix)));
        Assert.False(PrefixJournal.RecoverIfNeeded(fx.Prefix));
        PrefixRemoval.RemoveEnvironment(fx.Prefix, CancellationToken.None, fx.Options());
        Assert.False(Directory.Exists(fx.Prefix));
    }

    [Fact]
    public void SoftlinkDeclaredFileWithAPlaceholderIsRewrittenNotIgnored()
    {
        // paths.json says softlink with a placeholder; the package holds a regular file: it is linked as the file it
        // is, and its placeholder rewritten (it used to be copied with the build prefix left in it).
        using var fx = new InstallFixture();
        const string placeholder = "/opt/anaconda1anaconda2anaconda3";
        var pkg = fx.Build("ph", "1.0", new[] { new FixtureFile("etc/conf", $"prefix={placeholder}\n") { Placeholder = placeholder } });
        string paths = Path.Combine(pkg.ExtractedDirectory, "info", "paths.json");
        File.WriteAllText(paths, File.ReadAllText(paths).Replace("\"hardlink\"", "\"softlink\"", StringComparison.Ordinal));

        fx.Install(pkg);
        Assert.Equal($"prefix={fx.TextPrefix}\n", fx.ReadText("etc/conf"));
        Assert.Empty(EnvTools.Environments.PrefixVerifier.Verify(fx.Prefix));
    }

    [ConformanceTheory]
    [InlineData("zlib-1.2.11-h1de35cc_3.tar.bz2")]
    [InlineData("zlib-1.2.11-h1de35cc_3.conda")]
    public void RealPackageDeclaringPlaceholdersOnSoftlinksStillInstalls(string file)
    {
        // conda-build declared osx-64 zlib's libz.dylib and libz.1.dylib as softlinks with a binary placeholder (the
        // archives hold them as empty files or links to ""): no false refusal.
        using var fx = new InstallFixture();
        var pkg = fx.Extract(ConformanceData.PathOf("packages/conda-tests/conda_format_repo/osx-64/" + file)!);
        var options = new InstallOptions
        {
            EnvironmentsFile = fx.EnvironmentsTxt,
            LockTimeout = TimeSpan.FromSeconds(5),
            HistoryCommand = "envtools test",
            TargetPlatform = Platform.Osx64,
        };
        fx.Install(options, pkg);
        Assert.True(File.Exists(Path.Combine(fx.Prefix, "lib", "libz.1.2.11.dylib")));
        Assert.Equal("zlib", Assert.Single(PrefixState.ReadInstalled(fx.Prefix)).Name);
        Assert.Empty(EnvTools.Environments.PrefixVerifier.Verify(fx.Prefix).Select(i => $"{i.Path} {i.Kind} {i.Expected} {i.Actual}"));
    }
}
