using EnvTools.Conda;

namespace EnvTools.Solve;

/// <summary>conda's install order: level by level, every record whose dependencies are all placed, sorted by name;
/// a cycle is broken by placing the alphabetically first remaining record.</summary>
internal static class Toposort
{
    public static List<RepoDataRecord> Sort(IReadOnlyList<RepoDataRecord> records)
    {
        var byName = new Dictionary<string, RepoDataRecord>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            byName[r.Name] = r;
        }

        var deps = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var r in byName.Values)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var d in r.Depends)
            {
                string name = DependencyName(d);
                if (name != r.Name && byName.ContainsKey(name))
                {
                    set.Add(name);
                }
            }

            deps[r.Name] = set;
        }

        var result = new List<RepoDataRecord>(byName.Count);
        while (deps.Count > 0)
        {
            var ready = deps.Where(kv => kv.Value.Count == 0).Select(kv => kv.Key).ToList();
            if (ready.Count == 0)
            {
                ready.Add(deps.Keys.Min(StringComparer.Ordinal)!);
            }

            ready.Sort(StringComparer.Ordinal);
            foreach (var n in ready)
            {
                result.Add(byName[n]);
                deps.Remove(n);
            }

            foreach (var set in deps.Values)
            {
                set.ExceptWith(ready);
            }
        }

        return result;
    }

    private static string DependencyName(string dep)
    {
        int end = 0;
        while (end < dep.Length && dep[end] != ' ' && dep[end] != '=' && dep[end] != '<' && dep[end] != '>' && dep[end] != '!'
            && dep[end] != '~' && dep[end] != '[')
        {
            end++;
        }

        string name = dep[..end];
        int colon = name.LastIndexOf("::", StringComparison.Ordinal);
        return colon >= 0 ? name[(colon + 2)..] : name;
    }
}
