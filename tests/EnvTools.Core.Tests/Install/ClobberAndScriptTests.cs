using EnvTools.Conda;
using EnvTools.Install;
using Xunit;

namespace EnvTools.Tests.Install;

public class ClobberAndScriptTests
{
    private const string Snapshots = "prefix-replacement/rattler-install-snapshots/rattler__install__clobber_registry__tests__transaction_with_clobber";

    /// <summary>The <c>files</c> list or <c>paths_data</c> of one of rattler's YAML snapshots, as comparable strings.</summary>
    private static List<string> Snapshot(string suffix)
    {
        var lines = File.ReadAllLines(ConformanceData.PathOf(Snapshots + suffix + ".snap")!);
        int start = Array.IndexOf(lines, "---", 1) + 1;
        var body = lines.Skip(start).Where(l => l.Trim().Length > 0 && !l.StartsWith("paths_version", StringComparison.Ordinal) && l != "paths:").ToList();
        var items = new List<string>();
        foreach (string l in body)
        {
            string t = l.Trim();
            if (t.StartsWith("- ", StringComparison.Ordinal))
            {
                items.Add(t[2..]);
            }
            else
            {
                items[^1] += ";" + t;
            }
        }

        return items;
    }

    private static List<string> Files(PrefixRecord r) => r.Files.ToList();

    private static List<string> PathsData(PrefixRecord r) => r.PathsData!.Paths.Select(p =>
        string.Join(";", new[]
        {
            "_path: " + p.Path,
            p.OriginalPath is null ? null : "original_path: " + p.OriginalPath,
            "path_type: " + p.PathType,
            "sha256: " + p.Sha256,
            "size_in_bytes: " + p.SizeInBytes,
        }.Where(x => x is not null))).ToList();

    [ConformanceFact]
    public void Rattler_clobber_packages_match_rattlers_conda_meta_and_removal_restores_the_next_owner()
    {
        using var fx = new InstallFixture();
        string dir = ConformanceData.PathOf("packages/rattler/clobber")!;
        var p1 = fx.Extract(Path.Combine(dir, "clobber-1-0.1.0-h4616a5c_0.tar.bz2"));
        var p2 = fx.Extract(Path.Combine(dir, "clobber-2-0.1.0-h4616a5c_0.tar.bz2"));
        var p3 = fx.Extract(Path.Combine(dir, "clobber-3-0.1.0-h4616a5c_0.tar.bz2"));
        var result = fx.Install(p3, p1, p2);

        Assert.Equal("clobber-1\n", fx.ReadText("clobber.txt"));
        Assert.True(File.Exists(Path.Combine(fx.Prefix, "__clobbers__/clobber-2/clobber.txt")));
        Assert.True(File.Exists(Path.Combine(fx.Prefix, "__clobbers__/clobber-3/another-clobber.txt")));
        Assert.Equal(Snapshot(""), Files(fx.Record("clobber-1")));
        Assert.Equal(Snapshot("-2"), PathsData(fx.Record("clobber-1")));
        Assert.Equal(Snapshot("-3"), Files(fx.Record("clobber-2")));
        Assert.Equal(Snapshot("-4"), PathsData(fx.Record("clobber-2")));
        var warning = result.Clobbers.Single(c => c.Path == "clobber.txt");
        Assert.Equal("clobber-1", warning.Winner);
        Assert.Equal(new[] { "clobber-1", "clobber-2", "clobber-3" }, warning.Packages);

        // removing the winner moves the next owner's files into place and rewrites its record
        fx.Remove(fx.Options(), "clobber-1");
        Assert.Equal("clobber-2\n", fx.ReadText("clobber.txt"));
        Assert.Equal("clobber-2\n", fx.ReadText("another-clobber.txt"));
        Assert.Equal(Snapshot("-5"), Files(fx.Record("clobber-2")));
        Assert.Equal(Snapshot("-6"), PathsData(fx.Record("clobber-2")));
        Assert.Equal(Snapshot("-7"), PathsData(fx.Record("clobber-3")));
        Assert.False(Directory.Exists(Path.Combine(fx.Prefix, "__clobbers__/clobber-2")));
        Assert.Equal(
            new[] { "__clobbers__/clobber-3/another-clobber.txt", "__clobbers__/clobber-3/clobber.txt", "another-clobber.txt", "clobber.txt" },
            InstallFixture.Snapshot(fx.Prefix).Where(kv => kv.Value.StartsWith("file", StringComparison.Ordinal) && !kv.Key.StartsWith("conda-meta", StringComparison.Ordinal))
                .Select(kv => kv.Key));

        // and removing the rest leaves nothing behind
        fx.Remove(fx.Options(), "clobber-2", "clobber-3");
        Assert.Equal(new[] { "conda-meta" }, Directory.GetFileSystemEntries(fx.Prefix).Select(Path.GetFileName));
    }

    [ConformanceFact]
    public void Conda_test_recipe_clobber_pair_warns_and_keeps_both_files()
    {
        using var fx = new InstallFixture();
        string dir = ConformanceData.PathOf("packages/conda-tests/test-recipes/noarch")!;
        var a = fx.Extract(Path.Combine(dir, "clobber-a-1.0-0.conda"));
        var b = fx.Extract(Path.Combine(dir, "clobber-b-1.0-0.conda"));
        var result = fx.Install(a, b);
        var w = Assert.Single(result.Clobbers);
        Assert.Equal("clobber-a", w.Winner);
        string loserCopy = Path.Combine(fx.Prefix, "__clobbers__", "clobber-b", w.Path);
        Assert.True(File.Exists(loserCopy));
        string winnerText = fx.ReadText(w.Path);

        fx.Remove(fx.Options(), "clobber-a");
        Assert.Equal(File.ReadAllText(Path.Combine(b.ExtractedDirectory, w.Path)), fx.ReadText(w.Path));
        Assert.NotEqual(winnerText, fx.ReadText(w.Path));
        Assert.Equal(w.Path, Assert.Single(fx.Record("clobber-b").Files));
    }

    [ConformanceFact]
    public void Link_scripts_run_only_when_allowed_and_report_their_messages()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string archive = ConformanceData.PathOf("packages/rattler/link-scripts/link-scripts-0.1.0-h4616a5c_0.conda")!;
        using (var fx = new InstallFixture())
        {
            var result = fx.Install(fx.Options(scripts: false), fx.Extract(archive));
            Assert.False(File.Exists(Path.Combine(fx.Prefix, "i-was-post-linked")));
            Assert.Contains(result.Messages, m => m.Contains("post-link script of link-scripts", StringComparison.Ordinal));
        }

        using (var fx = new InstallFixture())
        {
            var result = fx.Install(fx.Options(scripts: true), fx.Extract(archive));
            Assert.True(File.Exists(Path.Combine(fx.Prefix, "i-was-post-linked")));
            Assert.Contains("This is a post-link script that just ran for the recipe package.", result.Messages);
            Assert.False(File.Exists(Path.Combine(fx.Prefix, ".messages.txt")));

            fx.Remove(fx.Options(scripts: true), "link-scripts");
            Assert.False(File.Exists(Path.Combine(fx.Prefix, "i-was-post-linked"))); // the pre-unlink script removed it
        }
    }

    [Fact]
    public void Scripts_see_PREFIX_PKG_NAME_PKG_VERSION_PKG_BUILDNUM_and_bin_first_on_PATH()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fx = new InstallFixture();
        var pkg = fx.Build("envcheck", "2.5", new[]
        {
            new FixtureFile("bin/.envcheck-post-link.sh",
                "echo \"$PREFIX|$PKG_NAME|$PKG_VERSION|$PKG_BUILDNUM|$(command -v envcheck-tool)\" >> \"$PREFIX/.messages.txt\"\n"),
            new FixtureFile("bin/envcheck-tool", "#!/bin/sh\n") { Mode = (UnixFileMode)0b111_101_101 },
        });
        var result = fx.Install(fx.Options(scripts: true), pkg);
        Assert.Contains($"{fx.Prefix}|envcheck|2.5|0|{fx.Prefix}/bin/envcheck-tool", result.Messages);
    }

    [Fact]
    public void Remove_environment_runs_pre_unlink_only_when_allowed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fx = new InstallFixture();
        string marker = Path.Combine(fx.Root, "pre-unlink-ran");
        var pkg = fx.Build("tidy", "1.0", new[] { new FixtureFile("bin/.tidy-pre-unlink.sh", $"touch '{marker}'\n") });
        fx.Install(pkg);
        PrefixRemoval.RemoveEnvironment(fx.Prefix, CancellationToken.None, fx.Options(scripts: false));
        Assert.False(File.Exists(marker));

        fx.Install(pkg);
        PrefixRemoval.RemoveEnvironment(fx.Prefix, CancellationToken.None, fx.Options(scripts: true));
        Assert.True(File.Exists(marker));
        Assert.False(Directory.Exists(fx.Prefix));
    }
}
