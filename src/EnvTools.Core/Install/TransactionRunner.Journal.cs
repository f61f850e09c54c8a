using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.IO;

namespace EnvTools.Install;

// The journal written before the first change, so that a killed transaction can be rolled back.
internal sealed partial class TransactionRunner
{
    private void BuildJournal(List<PrefixRecord> unlink, List<PackageWork> works, bool newEnvironment)
    {
        string history = PrefixHistory.PathFor(_prefix);
        var journal = new JournalData
        {
            HistoryLength = File.Exists(history) ? new FileInfo(history).Length : -1,
            NewEnvironment = newEnvironment,
            IgnoreCase = ReferenceEquals(_paths, StringComparer.OrdinalIgnoreCase),
        };
        void Removed(string rel)
        {
            if (_removedSet.Add(rel))
            {
                journal.Removed.Add(rel);
            }
        }

        foreach (var r in unlink)
        {
            Removed("conda-meta/" + PrefixState.MetaFileName(r));
            foreach (string p in PathsOf(r))
            {
                Removed(p);
            }
        }

        foreach (var rel in _relocations)
        {
            Removed(rel.From);
            journal.Created.Add(rel.To);
        }

        foreach (var r in _rewritten)
        {
            Removed("conda-meta/" + PrefixState.MetaFileName(r));
            journal.Created.Add("conda-meta/" + PrefixState.MetaFileName(r));
        }

        var dirExists = new Dictionary<string, bool>(StringComparer.Ordinal);
        var newDirs = new HashSet<string>(StringComparer.Ordinal);
        bool DirExists(string relDir)
        {
            if (relDir.Length == 0)
            {
                return true;
            }

            if (!dirExists.TryGetValue(relDir, out bool exists))
            {
                int slash = relDir.LastIndexOf('/');
                exists = DirExists(slash < 0 ? string.Empty : relDir[..slash]) && Directory.Exists(PrefixJournal.Abs(_prefix, relDir));
                dirExists[relDir] = exists;
                if (!exists && newDirs.Add(relDir))
                {
                    journal.NewDirs.Add(relDir);
                }
            }

            return exists;
        }

        var relocatedTo = new HashSet<string>(_relocations.Select(r => r.To), _paths);
        foreach (var w in works)
        {
            foreach (var p in w.Paths)
            {
                journal.Created.Add(p.Target);
                int slash = p.Target.LastIndexOf('/');
                bool parentExists = DirExists(slash < 0 ? string.Empty : p.Target[..slash]);
                if (p.Kind == Kind.Directory)
                {
                    DirExists(p.Target);
                }
                else if (parentExists && !_removedSet.Contains(p.Target) && !relocatedTo.Contains(p.Target)
                    && FileOps.Exists(PrefixJournal.Abs(_prefix, p.Target)))
                {
                    _strays.Add(p.Target);
                    Removed(p.Target);
                }
            }

            journal.Created.Add("conda-meta/" + PrefixState.MetaFileName(w.Package.Record));
        }

        foreach (var rel in _relocations)
        {
            int slash = rel.To.LastIndexOf('/');
            DirExists(slash < 0 ? string.Empty : rel.To[..slash]);
        }

        _journal = journal;
        _trash = PrefixJournal.TrashRoot(_prefix, journal);
    }
}
