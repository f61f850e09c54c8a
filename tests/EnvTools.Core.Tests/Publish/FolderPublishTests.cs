using EnvTools.Conda;
using EnvTools.Fetch;
using EnvTools.Install;
using EnvTools.Packages;
using EnvTools.Publish;
using EnvTools.RepoData;
using EnvTools.Solve;
using Xunit;
using EnvTools.Environments;

namespace EnvTools.Tests.Publish;

/// <summary>
/// <see cref="ChannelPublisher"/> into a folder: a channel built with <see cref="PackageBuilder"/> and indexed with
/// <see cref="ChannelIndexer"/> is mirrored, and environments created from the mirror and from the source are compared.
/// </summary>
public sealed class FolderPublishTests : IDisposable
{
    private readonly PublishFixture _f = new();

    private static string Sub => PublishFixture.Sub;

    public void Dispose() => _f.Dispose();

    private static string[] Archives(string channel) => Directory.EnumerateFiles(channel, "*", SearchOption.AllDirectories)
        .Where(f => f.EndsWith(".conda", StringComparison.Ordinal) || f.EndsWith(".tar.bz2", StringComparison.Ordinal))
        .Select(f => Path.GetRelativePath(channel, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void AWholeChannelIsMirroredByteForByteAndAnEnvironmentFromItIsTheSame()
    {
        _f.Packages();
        PublishResult result = _f.Publish(new FolderChannelDestination(_f.Mirror));

        // every archive copied, byte for byte; the repodata is the indexer's own (the same records give the same bytes)
        string[] archives = Archives(_f.Source);
        Assert.Equal(4, archives.Length);
        Assert.Equal(archives, Archives(_f.Mirror));
        Assert.All(archives, a => Assert.Equal(File.ReadAllBytes(Path.Combine(_f.Source, a)), File.ReadAllBytes(Path.Combine(_f.Mirror, a))));
        foreach (string subdir in new[] { Sub, "noarch" })
        {
            byte[] json = File.ReadAllBytes(Path.Combine(_f.Mirror, subdir, "repodata.json"));
            Assert.Equal(File.ReadAllBytes(Path.Combine(_f.Source, subdir, "repodata.json")), json);
            using var d = new ZstdSharp.Decompressor();
            Assert.Equal(json, d.Unwrap(File.ReadAllBytes(Path.Combine(_f.Mirror, subdir, "repodata.json.zst"))).ToArray());
        }

        Assert.Empty(result.Failures);
        Assert.All(result.Packages, p => Assert.Equal(PublishAction.Copied, p.Action));
        Assert.Equal(archives.Select(a => a.Split('/')[1]).Order(StringComparer.Ordinal), result.Packages.Select(p => p.FileName).Order(StringComparer.Ordinal));
        Assert.All(result.Packages, p => Assert.Equal((new FileInfo(Path.Combine(_f.Mirror, p.Subdir, p.FileName)).Length, p.Size), (p.Bytes, p.Size)));
        Assert.All(result.Packages, p => Assert.Equal(PublishFixture.Sha256(Path.Combine(_f.Source, p.Subdir, p.FileName)), p.Sha256));
        Assert.Equal((4, 0, 0), (result.Summary.Copied, result.Summary.Skipped, result.Summary.Failed));
        Assert.Equal(new[] { Sub, "noarch" }, result.Summary.RepodataWritten);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_f.Root, "staging"))); // nothing left behind

        // an environment from the mirror (its own package cache) is the environment from the source
        string fromSource = _f.Create("from-source", _f.Source, null, "tool");
        string fromMirror = _f.Create("from-mirror", _f.Mirror, null, "tool");
        Assert.Equal(new[] { "_mutex", "docs", "pyx", "tool" }, PrefixState.ReadInstalled(fromMirror).Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.All(PrefixState.ReadInstalled(fromMirror), r => Assert.StartsWith(new Uri(_f.Mirror).AbsoluteUri, r.Url));
        Assert.True(Directory.EnumerateFiles(Path.Combine(_f.Root, "pkgs-from-mirror")).Any(), "the mirror's archives were fetched into their own cache");
        PublishFixture.AssertSameEnvironment(fromSource, fromMirror);
    }

    [Fact]
    public void ASpecWithDependenciesTakesTheClosureAndAddsToWhatIsThere()
    {
        _f.Package("app", "1.0", new[] { "lib >=2", "helper" });
        _f.Package("lib", "1.0");
        _f.Package("lib", "2.0", new[] { "zlib" });
        _f.Package("lib", "3.0");
        _f.Package("zlib", "1.3");
        _f.Package("helper", "1.0", new[] { "zlib" }, subdir: "noarch");
        _f.Package("other", "1.0");
        ChannelIndexer.Index(_f.Source);

        // the spec alone
        PublishResult only = _f.Publish(new FolderChannelDestination(_f.Mirror), null, r => r with { Specs = new[] { MatchSpec.Parse("app") } });
        Assert.Equal(new[] { "app-1.0-0.conda" }, only.Packages.Select(p => p.FileName));
        Assert.Equal(new[] { $"{Sub}/app-1.0-0.conda" }, Archives(_f.Mirror));

        // with dependencies: every version a solve may pick (lib 2.0 and 3.0, not 1.0), across the platform and noarch
        PublishResult closure = _f.Publish(new FolderChannelDestination(_f.Mirror), null,
            r => r with { Specs = new[] { MatchSpec.Parse("app") }, WithDependencies = true });
        Assert.Equal(new[] { $"{Sub}/app-1.0-0.conda", $"{Sub}/lib-2.0-0.conda", $"{Sub}/lib-3.0-0.conda", $"{Sub}/zlib-1.3-0.conda", "noarch/helper-1.0-0.conda" }
            .Order(StringComparer.Ordinal), Archives(_f.Mirror)); // ordinal: noarch sorts before win-64, after linux-64
        Assert.Equal(("app-1.0-0.conda", PublishAction.Skipped), closure.Packages.Where(p => p.Name == "app").Select(p => (p.FileName, p.Action)).Single());
        Assert.Equal(4, closure.Summary.Copied);

        // publishing another subset adds to the mirror's repodata, it does not replace it
        _f.Publish(new FolderChannelDestination(_f.Mirror), null, r => r with { Specs = new[] { MatchSpec.Parse("other") } });
        using RepoDataIndex index = RepoDataIndex.Create(File.ReadAllBytes(Path.Combine(_f.Mirror, Sub, "repodata.json")), "mirror");
        Assert.Equal(new[] { "app", "lib", "other", "zlib" }, index.Names.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "2.0", "3.0" }, index.GetRecords("lib").Select(r => r.Version).Order(StringComparer.Ordinal));

        // and the mirror solves as the source does for those specs
        string prefix = _f.Create("app", _f.Mirror, null, "app");
        Assert.Equal(new[] { "app=1.0", "helper=1.0", "lib=3.0", "zlib=1.3" },
            PrefixState.ReadInstalled(prefix).Select(r => $"{r.Name}={r.Version}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ARerunSkipsEverythingAndWritesNothingThenCopiesOnlyWhatIsNew()
    {
        _f.Packages();
        _f.Publish(new FolderChannelDestination(_f.Mirror));
        var before = Directory.EnumerateFiles(_f.Mirror, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        foreach (string f in before.Keys)
        {
            File.SetLastWriteTimeUtc(f, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc)); // any rewrite would show
        }

        var recording = new RecordingDestination(new FolderChannelDestination(_f.Mirror));
        PublishResult again = _f.Publish(recording);
        Assert.All(again.Packages, p => Assert.Equal((PublishAction.Skipped, 0L), (p.Action, p.Bytes)));
        Assert.Equal((0, 4, 0L), (again.Summary.Copied, again.Summary.Skipped, again.Summary.Bytes));
        Assert.Empty(again.Summary.RepodataWritten);
        Assert.Equal(new[] { Sub, "noarch" }, again.Summary.RepodataUnchanged);
        Assert.DoesNotContain(recording.Calls, c => c.StartsWith("put", StringComparison.Ordinal));
        Assert.All(recording.Calls.Where(c => c.StartsWith("has ", StringComparison.Ordinal)), c => Assert.EndsWith("verify=False", c)); // listed: no hashing
        Assert.All(before.Keys, f => Assert.Equal(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(f)));
        Assert.Equal(before.Keys.Order(), Directory.EnumerateFiles(_f.Mirror, "*", SearchOption.AllDirectories).Order());

        // a new package: only it is copied, only its subdir's repodata is written
        _f.Package("extra", "1.0");
        ChannelIndexer.Index(_f.Source);
        recording = new RecordingDestination(new FolderChannelDestination(_f.Mirror));
        PublishResult third = _f.Publish(recording);
        Assert.Equal(new[] { "extra-1.0-0.conda" }, third.Packages.Where(p => p.Action == PublishAction.Copied).Select(p => p.FileName));
        Assert.Equal(new[] { $"put {Sub}/extra-1.0-0.conda", $"put-repodata {Sub}" }, recording.Calls.Where(c => c.StartsWith("put", StringComparison.Ordinal)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_f.Source, Sub, "repodata.json")), File.ReadAllBytes(Path.Combine(_f.Mirror, Sub, "repodata.json")));
    }

    [Fact]
    public void RepodataIsWrittenAfterEveryArchive()
    {
        _f.Packages();
        var recording = new RecordingDestination(new FolderChannelDestination(_f.Mirror));
        _f.Publish(recording);
        IReadOnlyList<string> calls = recording.Calls;
        int lastArchive = calls.ToList().FindLastIndex(c => c.StartsWith("put ", StringComparison.Ordinal));
        int firstRepodata = calls.ToList().FindIndex(c => c.StartsWith("put-repodata ", StringComparison.Ordinal));
        Assert.Equal(4, calls.Count(c => c.StartsWith("put ", StringComparison.Ordinal)));
        Assert.True(lastArchive >= 0 && firstRepodata > lastArchive, string.Join("\n", calls));
        Assert.Equal(new[] { $"put-repodata {Sub}", "put-repodata noarch" }, calls.Skip(firstRepodata));
        // the destination was read before anything was written
        Assert.True(calls.ToList().FindLastIndex(c => c.StartsWith("get-repodata", StringComparison.Ordinal)) < calls.ToList().FindIndex(c => c.StartsWith("put", StringComparison.Ordinal)));
    }

    [Fact]
    public void ACorruptedSourceArchiveIsRefusedAndLeftOut()
    {
        _f.Packages();
        string pyx = Path.Combine(_f.Source, Sub, "pyx-1.0+local-0.conda");
        byte[] bytes = File.ReadAllBytes(pyx);
        bytes[bytes.Length / 2] ^= 0x5A; // same size, other sha256
        File.WriteAllBytes(pyx, bytes);

        PublishResult result = _f.Publish(new FolderChannelDestination(_f.Mirror));
        PublishFailure failure = Assert.Single(result.Failures);
        Assert.Equal("pyx-1.0+local-0.conda", failure.Item.FileName);
        var mismatch = Assert.IsType<ChecksumMismatchException>(failure.Error);
        Assert.Equal(("ChecksumMismatch", "sha256"), (mismatch.ErrorId, mismatch.Algorithm));
        Assert.Contains("pyx-1.0+local-0.conda", mismatch.Message);
        Assert.Equal(1, result.Summary.Failed);
        Assert.Equal(3, result.Summary.Copied);

        // not in the mirror, not in its repodata; the rest is
        Assert.False(File.Exists(Path.Combine(_f.Mirror, Sub, "pyx-1.0+local-0.conda")));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(_f.Mirror, Sub)), f => f.Contains("pyx", StringComparison.Ordinal));
        using RepoDataIndex index = RepoDataIndex.Create(File.ReadAllBytes(Path.Combine(_f.Mirror, Sub, "repodata.json")), "mirror");
        Assert.Equal(new[] { "_mutex", "tool" }, index.Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AFileOfTheSameNameButOtherBytesIsReplaced()
    {
        _f.Packages();
        string target = Path.Combine(_f.Mirror, Sub, "tool-2.0-0.conda");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        byte[] wrong = File.ReadAllBytes(Path.Combine(_f.Source, Sub, "tool-2.0-0.conda"));
        wrong[10] ^= 1;
        File.WriteAllBytes(target, wrong); // the right size, not listed by any repodata: its content is checked

        var recording = new RecordingDestination(new FolderChannelDestination(_f.Mirror));
        PublishResult result = _f.Publish(recording);
        Assert.Contains($"has {Sub}/tool-2.0-0.conda verify=True", recording.Calls);
        Assert.Equal(PublishAction.Copied, result.Packages.Single(p => p.Name == "tool").Action);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_f.Source, Sub, "tool-2.0-0.conda")), File.ReadAllBytes(target));
    }

    [Fact]
    public async Task PlanningWritesNothingAndDecliningLeavesPackagesAndRepodataOut()
    {
        _f.Packages();
        var publisher = new ChannelPublisher(_f.Settings(), new FolderChannelDestination(_f.Mirror));
        using PublishPlan plan = await publisher.PlanAsync(new PublishRequest { Source = _f.SourceChannel });
        Assert.Equal(4, plan.ToCopy.Count);
        Assert.Equal(new[] { Sub, "noarch" }, plan.Subdirs);
        Assert.Equal(new[] { Sub, "noarch" }, plan.RepodataChanges);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_f.Mirror)); // a plan (what -WhatIf shows) writes nothing

        plan.Decline(plan.Items.Single(i => i.Record.Name == "tool"));
        plan.DeclineRepodata("noarch");
        PublishResult result = await publisher.PublishAsync(plan);
        Assert.Equal(3, result.Summary.Copied);
        Assert.False(File.Exists(Path.Combine(_f.Mirror, Sub, "tool-2.0-0.conda")));
        Assert.False(File.Exists(Path.Combine(_f.Mirror, "noarch", "repodata.json")));
        Assert.True(File.Exists(Path.Combine(_f.Mirror, "noarch", "docs-3.0-0.conda")));
        using RepoDataIndex index = RepoDataIndex.Create(File.ReadAllBytes(Path.Combine(_f.Mirror, Sub, "repodata.json")), "mirror");
        Assert.Equal(new[] { "_mutex", "pyx" }, index.Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PlatformsAreCheckedAndNoarchIsAlwaysPublished()
    {
        _f.Packages();
        string other = Sub == "win-64" ? "osx-arm64" : "win-64"; // a platform that is not this machine's
        _f.Package("otheronly", "1.0", subdir: other);
        ChannelIndexer.Index(_f.Source);
        PublishResult result = _f.Publish(new FolderChannelDestination(_f.Mirror), null, r => r with { Subdirs = new[] { other } });
        Assert.Equal(new[] { other, "noarch" }, result.Summary.Subdirs);
        Assert.Equal(new[] { "noarch/docs-3.0-0.conda", $"{other}/otheronly-1.0-0.conda" }, Archives(_f.Mirror));
        Assert.False(Directory.Exists(Path.Combine(_f.Mirror, Sub)));

        var publisher = new ChannelPublisher(_f.Settings(), new FolderChannelDestination(_f.Mirror));
        var bad = await Assert.ThrowsAsync<UnknownPlatformException>(() => publisher.PlanAsync(new PublishRequest { Source = _f.SourceChannel, Subdirs = new[] { "linux-65" } }));
        Assert.Contains("linux-64", bad.Message); // the suggestion
    }

    [Fact]
    public async Task ASpecThatMatchesNothingIsPackagesNotFound()
    {
        _f.Packages();
        var publisher = new ChannelPublisher(_f.Settings(), new FolderChannelDestination(_f.Mirror));
        var ex = await Assert.ThrowsAsync<PackagesNotFoundException>(() => publisher.PlanAsync(new PublishRequest
        {
            Source = _f.SourceChannel,
            Specs = new[] { MatchSpec.Parse("tool"), MatchSpec.Parse("tol") },
        }));
        Assert.Equal("PackagesNotFound", ex.ErrorId);
        Assert.Equal("tol", Assert.Single(ex.Missing).Spec.Name);
        Assert.Contains("tool", ex.Missing[0].CloseMatches);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_f.Mirror));
    }

    [Fact]
    public void AnUnwritableOrUnknownDestinationIsATypedError()
    {
        _f.Packages();
        string file = Path.Combine(_f.Root, "a-file");
        File.WriteAllText(file, "not a folder");
        var ex = Assert.Throws<PublishDestinationUnavailableException>(() => _f.Publish(new FolderChannelDestination(Path.Combine(file, "mirror"))));
        Assert.Equal("PublishDestinationUnavailable", ex.ErrorId);
        Assert.Contains(Path.Combine(file, "mirror"), ex.Message);

        foreach (string url in new[] { "https://user:hunter2@example.invalid/chan", "s3:///chan", "ftp://example.invalid/chan", "oci://127.0.0.1:5000/onlyone" })
        {
            var invalid = Assert.Throws<InvalidPublishDestinationException>(() => ChannelDestinations.Open(url, _f.Settings(), _f.Root));
            Assert.Equal("InvalidPublishDestination", invalid.ErrorId);
            Assert.DoesNotContain("hunter2", invalid.Message);
        }

        Assert.Equal(Path.Combine(_f.Root, "rel", "mirror"), Assert.IsType<FolderChannelDestination>(ChannelDestinations.Open("rel/mirror", _f.Settings(), _f.Root)).Root);
        Assert.Equal(Path.Combine(_f.Home, "m"), Assert.IsType<FolderChannelDestination>(ChannelDestinations.Open("~/m", _f.Settings(), _f.Root)).Root);
    }
}
