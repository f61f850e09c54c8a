using EnvTools.Fetch;
using EnvTools.Install;
using EnvTools.Tests.Install;
using Xunit;

namespace EnvTools.Tests.Fetch;

/// <summary>
/// What an interrupted download (<c>name.conda.partial</c>) or extraction (<c>.name.partial-*</c> folder) leaves in the
/// package cache is cleaned by the next operation on that entry, not only by Clear-EnvCache.
/// </summary>
public sealed class CachePartialCleanupTests : IDisposable
{
    private readonly ChannelInstallFixture _fx = new();

    public CachePartialCleanupTests()
    {
        _fx.Package("dep", "1.0", null, ("share/dep/a.txt", "a\n"), ("share/dep/b.txt", "b\n"));
        _fx.Package("pa", "1.0", new[] { "dep" });
        _fx.Index();
    }

    public void Dispose() => _fx.Dispose();

    private string[] Leftovers() => Directory.EnumerateFileSystemEntries(_fx.Pkgs)
        .Select(Path.GetFileName)
        .Where(n => n!.EndsWith(".partial", StringComparison.Ordinal) || (n.StartsWith('.') && n.Contains(".partial-", StringComparison.Ordinal)))
        .Select(n => n!)
        .Order(StringComparer.Ordinal)
        .ToArray();

    private static void KilledExtraction(string pkgs, string entry)
    {
        string partial = Path.Combine(pkgs, $".{entry}.partial-0123456789ab");
        Directory.CreateDirectory(Path.Combine(partial, "share", "dep"));
        File.WriteAllText(Path.Combine(partial, "share", "dep", "a.txt"), "a\n");
    }

    [Fact]
    public void Leftovers_of_an_entry_that_must_be_fetched_again_are_cleaned_by_the_fetch()
    {
        _fx.Run(_fx.PrefixOf("one"), EnvironmentAction.Create, "pa");
        // killed while the archive was downloaded again (half of it there) and while it was extracted
        string archive = Path.Combine(_fx.Pkgs, "dep-1.0-0.conda");
        byte[] bytes = File.ReadAllBytes(archive);
        File.Delete(archive);
        Directory.Delete(Path.Combine(_fx.Pkgs, "dep-1.0-0"), true);
        File.WriteAllBytes(archive + ".partial", bytes[..(bytes.Length / 2)]);
        KilledExtraction(_fx.Pkgs, "dep-1.0-0");
        Assert.Equal(2, Leftovers().Length);

        _fx.Run(_fx.PrefixOf("two"), EnvironmentAction.Create, "pa");
        Assert.Empty(Leftovers());
        Assert.DoesNotContain(new PackageCache(new[] { _fx.Pkgs }).List(), e => e.Kind == PackageCacheEntryKind.Partial);
    }

    [Fact]
    public void Leftovers_of_an_entry_that_is_complete_are_cleaned_by_the_next_operation_on_it()
    {
        _fx.Run(_fx.PrefixOf("one"), EnvironmentAction.Create, "pa");
        // a second process killed while it re-extracted and re-downloaded an entry that is complete
        KilledExtraction(_fx.Pkgs, "dep-1.0-0");
        File.WriteAllBytes(Path.Combine(_fx.Pkgs, "dep-1.0-0.conda.partial"), new byte[100]);
        Assert.Equal(2, Leftovers().Length);

        _fx.Run(_fx.PrefixOf("two"), EnvironmentAction.Create, "pa");
        Assert.Empty(Leftovers());
        Assert.Equal("a\n", File.ReadAllText(Path.Combine(_fx.PrefixOf("two"), "share", "dep", "a.txt")));
    }
}
