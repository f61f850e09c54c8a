using Xunit;
using Xunit.Abstractions;

namespace EnvTools.Tests.Architecture;

/// <summary>
/// The engine's namespaces are layers: each may use the ones below it, never one above (so no two use each other,
/// directly or around a circle). The uses that still go upwards are listed in <see cref="KnownUpward"/>: the test fails
/// when another appears, and when a listed one is gone (take it off the list: the layers only get cleaner).
/// </summary>
public sealed class NamespaceLayersTests
{
    /// <summary>Bottom to top.</summary>
    internal static readonly string[] Layers =
    {
        "EnvTools", "EnvTools.IO", "EnvTools.Conda", "EnvTools.Solve", "EnvTools.Config", "EnvTools.Platforms", "EnvTools.Packages", "EnvTools.Fetch",
        "EnvTools.RepoData", "EnvTools.Install", "EnvTools.Environments", "EnvTools.Activation", "EnvTools.Publish",
    };

    /// <summary>Uses that go upwards today (from -> to), to be taken out one by one.</summary>
    private static readonly string[] KnownUpward =
    {
        "EnvTools.Install -> EnvTools.Environments",  // plans carry PackageChange; installs register in environments.txt
    };

    private readonly ITestOutputHelper _out;

    public NamespaceLayersTests(ITestOutputHelper output) => _out = output;

    [Fact]
    public void EveryNamespaceUsesOnlyTheLayersBelowIt()
    {
        var graph = NamespaceGraph.Read(typeof(EnvTools.Conda.Version).Assembly.Location, "EnvTools");
        var unknownLayer = graph.Edges.Keys.Concat(graph.Edges.Values.SelectMany(v => v)).Distinct().Where(n => Array.IndexOf(Layers, n) < 0).ToList();
        Assert.True(unknownLayer.Count == 0, $"namespaces without a layer (add them to Layers): {string.Join(", ", unknownLayer)}");

        var upward = graph.Edges
            .SelectMany(e => e.Value.Select(to => (From: e.Key, To: to)))
            .Where(e => Array.IndexOf(Layers, e.To) > Array.IndexOf(Layers, e.From))
            .Select(e => $"{e.From} -> {e.To}")
            .OrderBy(s => s, StringComparer.Ordinal)
            .ToList();
        foreach (string e in upward)
        {
            string[] p = e.Split(" -> ");
            _out.WriteLine($"{e}   ({graph.Witness(p[0], p[1])})");
        }

        var added = upward.Except(KnownUpward).ToList();
        var gone = KnownUpward.Except(upward).ToList();
        Assert.True(added.Count == 0, "uses that go up a layer (move the type down, or the use up):\n" + string.Join("\n", added.Select(e =>
        {
            string[] p = e.Split(" -> ");
            return $"  {e} ({graph.Witness(p[0], p[1])})";
        })));
        Assert.True(gone.Count == 0, "no longer used upwards (take them off KnownUpward):\n  " + string.Join("\n  ", gone));
        if (KnownUpward.Length == 0)
        {
            Assert.Empty(graph.Cycles());
        }
    }
}
