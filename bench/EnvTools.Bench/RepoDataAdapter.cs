using EnvTools.RepoData;

namespace EnvTools.Bench;

/// <summary>The engine calls the parse benchmark times.</summary>
internal static class RepoDataAdapter
{
    /// <summary>Full parse into records; returns the record count.</summary>
    internal static long FullParse(string file) => RepoDataParser.ParseFile(file).Count;

    /// <summary>Lazy name index (no record decoded); returns the record count.</summary>
    internal static long LazyIndex(string file) => RepoDataIndex.Load(file, null, new RepoDataIndexOptions { UseDiskIndex = false }).Count; // the scan, not the on-disk index
}
