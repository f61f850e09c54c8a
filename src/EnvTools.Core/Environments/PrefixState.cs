using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>Reads what a prefix holds: the conda-meta records and pinned specs.</summary>
public static class PrefixState
{
    /// <summary>The records of <c>conda-meta/*.json</c>, ordered by name; empty when the prefix has no conda-meta. Dot files
    /// (the journal, the lock) are never records; while a transaction is pending these are the last committed ones
    /// (<see cref="PrefixJournal.CommittedRecordFiles"/>).</summary>
    /// <exception cref="MalformedDataException">A record is not valid JSON.</exception>
    public static IReadOnlyList<PrefixRecord> ReadInstalled(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var list = new List<PrefixRecord>();
        foreach (string file in PrefixJournal.CommittedRecordFiles(Path.GetFullPath(prefix), out _))
        {
            list.Add(PrefixRecord.Read(file));
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    /// <summary>The specs of <c>conda-meta/pinned</c> (one per line; blank lines and <c>#</c> comments skipped); empty when absent.</summary>
    public static IReadOnlyList<string> ReadPinned(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        string file = Path.Combine(prefix, "conda-meta", "pinned");
        if (!File.Exists(file))
        {
            return Array.Empty<string>();
        }

        var list = new List<string>();
        foreach (string raw in File.ReadAllLines(file))
        {
            int hash = raw.IndexOf('#', StringComparison.Ordinal);
            string line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length > 0)
            {
                list.Add(line);
            }
        }

        return list;
    }

    /// <summary>The conda-meta file name of a record: <c>name-version-build.json</c>.</summary>
    internal static string MetaFileName(PackageRecord r) => $"{r.Name}-{r.Version}-{r.Build}.json";
}
