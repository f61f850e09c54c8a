using EnvTools.Conda;
using EnvTools.Solve;

namespace EnvTools.Install;

// Paths that two packages ship: who wins, where the losers' copies go.
internal sealed partial class TransactionRunner
{
    /// <summary>
    /// rattler's clobber rule over the final state: a path shipped by several packages belongs to the first of
    /// them in dependency order (then name order); the others' copies live under <c>__clobbers__/&lt;name&gt;/</c>
    /// with <c>original_path</c> recorded, so removing the owner restores the next one's file.
    /// </summary>
    private void ResolveClobbers(List<PrefixRecord> kept, List<PackageWork> works)
    {
        var final = kept.Cast<RepoDataRecord>().Concat(works.Select(w => w.Package.Record)).ToList();
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in Toposort.Sort(final))
        {
            rank[r.Name] = rank.Count;
        }

        var owners = new Dictionary<string, List<string>>(_paths);
        void Own(string path, string name)
        {
            if (!owners.TryGetValue(path, out var list))
            {
                owners[path] = list = new List<string>(1);
            }

            if (!list.Contains(name))
            {
                list.Add(name);
            }
        }

        var keptEntries = new Dictionary<string, List<PrefixRecordPath>>(StringComparer.Ordinal);
        foreach (var k in kept)
        {
            var entries = EntriesOf(k);
            keptEntries[k.Name] = entries;
            foreach (var e in entries)
            {
                if (e.PathType != "directory")
                {
                    Own(e.OriginalPath ?? e.Path, k.Name);
                }
            }
        }

        foreach (var w in works)
        {
            foreach (var p in w.Paths)
            {
                if (p.Kind != Kind.Directory)
                {
                    Own(p.Target, w.Package.Record.Name);
                }
            }
        }

        string Winner(List<string> list) => list.OrderBy(n => rank.TryGetValue(n, out int i) ? i : int.MaxValue).ThenBy(n => n, StringComparer.Ordinal).First();
        var touched = new HashSet<string>(_paths);
        foreach (var w in works)
        {
            string name = w.Package.Record.Name;
            foreach (var p in w.Paths)
            {
                if (p.Kind == Kind.Directory || owners[p.Target].Count < 2)
                {
                    continue;
                }

                touched.Add(p.Target);
                if (Winner(owners[p.Target]) != name)
                {
                    p.OriginalPath = p.Target;
                    p.Target = $"{ClobbersDir}/{name}/{p.Target}";
                }
            }
        }

        foreach (var k in kept)
        {
            bool changed = false;
            var newEntries = new List<PrefixRecordPath>();
            var moved = new Dictionary<string, string>(_paths);
            foreach (var e in keptEntries[k.Name])
            {
                string original = e.OriginalPath ?? e.Path;
                string desired = original;
                if (e.PathType != "directory" && owners[original].Count > 1 && Winner(owners[original]) != k.Name)
                {
                    desired = $"{ClobbersDir}/{k.Name}/{original}";
                }

                if (desired == e.Path)
                {
                    newEntries.Add(e);
                    continue;
                }

                changed = true;
                touched.Add(original);
                moved[e.Path] = desired;
                _relocations.Add(new Relocation(e.Path, desired));
                newEntries.Add(new PrefixRecordPath
                {
                    Path = desired,
                    OriginalPath = desired == original ? null : original,
                    PathType = e.PathType,
                    Sha256 = e.Sha256,
                    Sha256InPrefix = e.Sha256InPrefix,
                    SizeInBytes = e.SizeInBytes,
                    PrefixPlaceholder = e.PrefixPlaceholder,
                    FileMode = e.FileMode,
                    NoLink = e.NoLink,
                });
            }

            if (changed)
            {
                var files = (k.Files.Count > 0 ? k.Files : keptEntries[k.Name].Select(e => e.Path).ToList())
                    .Select(f => moved.TryGetValue(Normalize(f), out var to) ? to : Normalize(f)).ToList();
                var pathsData = k.PathsData is null ? null : new PrefixRecordPathsData { PathsVersion = k.PathsData.PathsVersion ?? 1, Paths = newEntries };
                _rewritten.Add(k.WithPaths(files, pathsData));
            }
        }

        foreach (string path in touched.Order(StringComparer.Ordinal))
        {
            var list = owners[path].OrderBy(n => rank.TryGetValue(n, out int i) ? i : int.MaxValue).ThenBy(n => n, StringComparer.Ordinal).ToList();
            _clobbers.Add(new ClobberWarning(path, list[0], list));
        }
    }
}
