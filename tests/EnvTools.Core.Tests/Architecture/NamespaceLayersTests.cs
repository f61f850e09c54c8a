using Xunit;
using Xunit.Abstractions;

namespace EnvTools.Tests.Architecture;

/// <summary>
/// The engine's namespaces are layers: each may use the ones below it, never one above (so no two use each other,
/// directly or around a circle). The test fails on any use that goes up a layer, naming one place that makes it, and on
/// any circle between namespaces.
/// </summary>
public sealed class NamespaceLayersTests
{
    /// <summary>Bottom to top (docs/concepts.md says what each holds). Environments is what is on disk (records, history,
    /// journal, lock, environment files) and sits below Install, which plans and carries out the changes.</summary>
    internal static readonly string[] Layers =
    {
        "EnvTools", "EnvTools.IO", "EnvTools.Conda", "EnvTools.Solve", "EnvTools.Config", "EnvTools.Platforms", "EnvTools.Packages", "EnvTools.Fetch",
        "EnvTools.RepoData", "EnvTools.Environments", "EnvTools.Install", "EnvTools.Activation", "EnvTools.Publish",
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

        Assert.True(upward.Count == 0, "uses that go up a layer (move the type down, or the use up):\n" + string.Join("\n", upward.Select(e =>
        {
            string[] p = e.Split(" -> ");
            return $"  {e} ({graph.Witness(p[0], p[1])})";
        })));
        Assert.Empty(graph.Cycles());
    }
}
