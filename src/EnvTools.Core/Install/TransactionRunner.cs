using System.Security.Cryptography;
using System.Text;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Packages;
using EnvTools.Solve;

namespace EnvTools.Install;

/// <summary>One run of <see cref="PrefixTransaction.Execute"/> (under the prefix lock): plan the paths, journal, change, commit.</summary>
internal sealed class TransactionRunner
{
    private const string ClobbersDir = "__clobbers__";

    private readonly string _prefix;
    private readonly TransactionPlan _plan;
    private readonly InstallOptions _options;
    private readonly IProgress<LinkProgress>? _progress;
    private readonly CancellationToken _ct;
    private readonly string _platform;
    private readonly List<string> _messages = new();
    private readonly List<ClobberWarning> _clobbers = new();
    private readonly HashSet<string> _knownDirs = new(StringComparer.Ordinal);
    private string? _lastParent;
    private readonly HashSet<string> _removedSet = new(StringComparer.Ordinal);
    private readonly List<Relocation> _relocations = new();
    private readonly List<PrefixRecord> _rewritten = new();
    private readonly List<string> _strays = new();
    private readonly int _crashAfterFiles;
    private JournalData _journal = new();
    private string _trash = string.Empty;
    private int _linkedFiles;
    private PythonLayout? _python;

    public TransactionRunner(string prefix, TransactionPlan plan, InstallOptions options, IProgress<LinkProgress>? progress, CancellationToken ct)
    {
        _prefix = prefix;
        _plan = plan;
        _options = options;
        _progress = progress;
        _ct = ct;
        _platform = options.TargetPlatform.Name;
        _crashAfterFiles = int.TryParse(Environment.GetEnvironmentVariable(PrefixTransaction.CrashAfterFilesVariable), out int n) && n > 0 ? n : 0;
    }

    private enum Kind
    {
        File,
        SoftLink,
        Directory,
        EntryPoint,
    }

    public TransactionResult Run()
    {
        var installed = PrefixState.ReadInstalled(_prefix);
        var byName = installed.ToDictionary(r => r.Name, StringComparer.Ordinal);

        // What is really unlinked: the plan's records as they are on disk now, plus any installed package a linked
        // package of the same name replaces.
        var unlink = new List<PrefixRecord>();
        var unlinkNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in _plan.Unlink)
        {
            if (byName.TryGetValue(r.Name, out var onDisk) && onDisk.Version == r.Version && onDisk.Build == r.Build && unlinkNames.Add(r.Name))
            {
                unlink.Add(onDisk);
            }
        }

        foreach (var p in _plan.Link)
        {
            if (byName.TryGetValue(p.Record.Name, out var onDisk) && unlinkNames.Add(onDisk.Name))
            {
                unlink.Insert(0, onDisk);
            }
        }

        var kept = installed.Where(r => !unlinkNames.Contains(r.Name)).ToList();
        RepoDataRecord? python = _plan.Link.Select(p => p.Record).FirstOrDefault(r => r.Name == "python")
            ?? kept.FirstOrDefault(r => r.Name == "python");
        _python = PythonLayout.From(python, _options.TargetPlatform);

        if (_plan.IsEmpty)
        {
            FinishHistoryAndRegistration(Array.Empty<PackageWork>(), unlink);
            return new TransactionResult(Array.Empty<PrefixRecord>(), Array.Empty<PrefixRecord>(), Array.Empty<ClobberWarning>(), _messages);
        }

        var works = _plan.Link.Select(Prepare).ToList();
        ResolveClobbers(kept, works);
        BuildJournal(unlink, works);

        var linked = new List<PrefixRecord>();
        try
        {
            PrefixJournal.Begin(_prefix, _journal);
            RunPreUnlinkScripts(unlink);
            UnlinkPackages(unlink);
            ApplyRelocations();
            foreach (string stray in _strays)
            {
                MoveToTrash(stray);
                _messages.Add($"The untracked file '{stray}' was replaced.");
            }

            LinkPackages(works);
            CompilePyc(works);
            linked.AddRange(WriteRecords(works));
            RunPostLinkScripts(works);
            Hook("commit", 0);
            FinishHistoryAndRegistration(works, unlink);
            Report(LinkPhase.Commit, null, 0, 1);
            PrefixJournal.MarkCommitted(_prefix, _journal);
        }
        catch (SimulatedCrashException)
        {
            throw;
        }
        catch (Exception)
        {
            PrefixJournal.Rollback(_prefix, _journal);
            File.Delete(PrefixJournal.PathOf(_prefix));
            throw;
        }

        Hook("committed", 0);
        PrefixJournal.Finish(_prefix, _journal);
        if (_options.RegisterEnvironment)
        {
            new EnvironmentsFile(_options.EnvironmentsFilePath).Add(_prefix);
        }

        Report(LinkPhase.Commit, null, 1, 1);
        return new TransactionResult(linked, unlink, _clobbers, _messages);
    }

    // ---------------------------------------------------------------- planning

    private PackageWork Prepare(LinkPackage pkg)
    {
        string dir = Path.GetFullPath(pkg.ExtractedDirectory);
        var paths = PackageArchive.ReadPathsJson(dir);
        bool noarchPython = pkg.Record.NoArch == NoArchKind.Python
            || (pkg.Record.NoArch == NoArchKind.None && PackageArchive.ReadIndexJson(dir).Noarch == "python");
        if (noarchPython && _python is null)
        {
            throw new EnvToolsException("PythonNotInstalled", ErrorKind.InvalidResult,
                $"{pkg.Record} is a noarch: python package, but the environment '{_prefix}' has no python.", pkg.Record.ToString());
        }

        var work = new PackageWork(pkg, dir, noarchPython);
        foreach (var p in paths.Paths)
        {
            string target = noarchPython ? _python!.MapNoarch(p.Path) : p.Path;
            var kind = p.PathType switch
            {
                PathType.SoftLink => Kind.SoftLink,
                PathType.Directory => Kind.Directory,
                _ => Kind.File,
            };
            work.Paths.Add(new PlannedPath(target, kind) { Source = Path.Combine(dir, p.Path.Replace('/', Path.DirectorySeparatorChar)), Info = p });
        }

        if (noarchPython)
        {
            foreach (var (name, module, func) in PythonLayout.ReadEntryPoints(dir))
            {
                if (_options.TargetPlatform.IsWindows)
                {
                    string script = PythonLayout.EntryPointScript(null, module, func);
                    work.Paths.Add(new PlannedPath($"{_python!.BinDir}/{name}-script.py", Kind.EntryPoint) { Content = script, RecordPathType = "windows_python_entry_point_script" });
                    _messages.Add($"{pkg.Record}: the launcher '{_python.BinDir}/{name}.exe' was not created (no launcher executable is bundled); run '{name}-script.py' with python.");
                }
                else
                {
                    string pythonPath = _prefix + "/" + _python!.Executable;
                    string script = PythonLayout.EntryPointScript(pythonPath, module, func);
                    work.Paths.Add(new PlannedPath($"{_python.BinDir}/{name}", Kind.EntryPoint) { Content = script, RecordPathType = "unix_python_entry_point" });
                }
            }
        }

        return work;
    }

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

        var owners = new Dictionary<string, List<string>>(StringComparer.Ordinal);
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
        var touched = new HashSet<string>(StringComparer.Ordinal);
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
            var moved = new Dictionary<string, string>(StringComparer.Ordinal);
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

    private void BuildJournal(List<PrefixRecord> unlink, List<PackageWork> works)
    {
        string history = PrefixHistory.PathFor(_prefix);
        var journal = new JournalData { HistoryLength = File.Exists(history) ? new FileInfo(history).Length : -1 };
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

        var relocatedTo = new HashSet<string>(_relocations.Select(r => r.To), StringComparer.Ordinal);
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

    // ---------------------------------------------------------------- changes

    private void RunPreUnlinkScripts(List<PrefixRecord> unlink)
    {
        foreach (var r in unlink)
        {
            if (!_options.AllowLinkScripts)
            {
                if (File.Exists(LinkScripts.ScriptPath(_prefix, r.Name, "pre-unlink", _options.TargetPlatform)))
                {
                    _messages.Add($"The pre-unlink script of {r} was not run (link scripts are not allowed).");
                }

                continue;
            }

            Report(LinkPhase.Scripts, r.ToString(), 0, 1);
            var res = LinkScripts.Run(_prefix, _prefix, r, "pre-unlink", _options.TargetPlatform, _messages, _ct);
            if (res is { ExitCode: not 0 } failed)
            {
                _messages.Add($"The pre-unlink script of {r} failed with exit code {failed.ExitCode}: {failed.Output}");
            }
        }
    }

    private void UnlinkPackages(List<PrefixRecord> unlink)
    {
        int done = 0;
        int total = unlink.Sum(r => PathsOf(r).Count);
        foreach (var r in unlink)
        {
            _ct.ThrowIfCancellationRequested();
            MoveToTrash("conda-meta/" + PrefixState.MetaFileName(r));
            foreach (string rel in PathsOf(r))
            {
                string abs = PrefixJournal.Abs(_prefix, rel);
                if (!FileOps.IsRealDirectory(abs))
                {
                    MoveToTrash(rel);
                }

                done++;
                Hook("unlink", done);
                if ((done & 1023) == 0)
                {
                    _ct.ThrowIfCancellationRequested();
                    Report(LinkPhase.Unlink, r.ToString(), done, total);
                }
            }

            Report(LinkPhase.Unlink, r.ToString(), done, total);
        }
    }

    private void ApplyRelocations()
    {
        foreach (var rel in _relocations)
        {
            MoveToTrash(rel.From);
            string from = PrefixJournal.Abs(_trash, rel.From);
            string to = PrefixJournal.Abs(_prefix, rel.To);
            if (!FileOps.Exists(from))
            {
                continue; // the file was already missing
            }

            EnsureParent(to);
            var fi = new FileInfo(from);
            if (fi.LinkTarget is { } target)
            {
                File.CreateSymbolicLink(to, target);
            }
            else if (FileOps.TryHardLink(from, to) != FileOps.LinkResult.Done)
            {
                File.Copy(from, to, overwrite: true);
            }
        }

        foreach (var r in _rewritten)
        {
            MoveToTrash("conda-meta/" + PrefixState.MetaFileName(r));
        }
    }

    private void LinkPackages(List<PackageWork> works)
    {
        int total = works.Sum(w => w.Paths.Count);
        foreach (var w in works)
        {
            _ct.ThrowIfCancellationRequested();
            string name = w.Package.Record.ToString();
            Report(LinkPhase.Link, name, _linkedFiles, total);
            if (_options.AllowLinkScripts)
            {
                var res = LinkScripts.Run(_prefix, w.Directory, w.Package.Record, "pre-link", _options.TargetPlatform, _messages, _ct);
                if (res is { ExitCode: not 0 } failed)
                {
                    throw new LinkScriptFailedException(name, "pre-link", failed.ExitCode, failed.Output);
                }
            }

            foreach (var p in w.Paths)
            {
                LinkOne(w, p);
                _linkedFiles++;
                if (_crashAfterFiles > 0 && _linkedFiles >= _crashAfterFiles)
                {
                    Environment.FailFast($"{PrefixTransaction.CrashAfterFilesVariable}={_crashAfterFiles}: simulated crash after {_linkedFiles} files");
                }

                Hook("link", _linkedFiles);
                if ((_linkedFiles & 1023) == 0)
                {
                    _ct.ThrowIfCancellationRequested();
                    Report(LinkPhase.Link, name, _linkedFiles, total);
                }
            }
        }

        Report(LinkPhase.Link, null, _linkedFiles, total);
    }

    private void LinkOne(PackageWork w, PlannedPath p)
    {
        string abs = PrefixJournal.Abs(_prefix, p.Target);
        switch (p.Kind)
        {
            case Kind.Directory:
                Directory.CreateDirectory(abs);
                _knownDirs.Add(abs);
                return;
            case Kind.EntryPoint:
            {
                EnsureParent(abs);
                byte[] bytes = Encoding.UTF8.GetBytes(p.Content!);
                Place(p.Target, abs, () => WriteNew(abs, bytes, OperatingSystem.IsWindows() ? null : (UnixFileMode)0b111_101_101));
                p.Sha256InPrefix = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
                p.SizeInPrefix = bytes.Length;
                return;
            }

            case Kind.SoftLink:
            {
                EnsureParent(abs);
                string? target = new FileInfo(p.Source!).LinkTarget;
                if (target is null)
                {
                    Place(p.Target, abs, () => File.Copy(p.Source!, abs));
                }
                else
                {
                    Place(p.Target, abs, () => File.CreateSymbolicLink(abs, target));
                }

                return;
            }
        }

        EnsureParent(abs);
        var info = p.Info!;
        if (info.PrefixPlaceholder is { Length: > 0 } placeholder && info.FileMode is { } mode)
        {
            byte[] data = File.ReadAllBytes(p.Source!);
            byte[] replaced;
            try
            {
                replaced = PrefixReplacement.Replace(data, mode, placeholder, _prefix, _platform);
            }
            catch (PrefixTooLongException)
            {
                throw new PrefixTooLongException(placeholder, _prefix, p.Target);
            }

            UnixFileMode? unixMode = OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(p.Source!);
            Place(p.Target, abs, () => WriteNew(abs, replaced, unixMode));
            p.Sha256InPrefix = Convert.ToHexString(SHA256.HashData(replaced)).ToLowerInvariant();
            p.SizeInPrefix = replaced.Length;
            return;
        }

        if (info.NoLink || _options.AlwaysCopy)
        {
            Place(p.Target, abs, () => File.Copy(p.Source!, abs));
            return;
        }

        if (_options.AlwaysSoftlink)
        {
            Place(p.Target, abs, () => File.CreateSymbolicLink(abs, p.Source!));
            return;
        }

        var result = FileOps.TryHardLink(p.Source!, abs);
        if (result == FileOps.LinkResult.Exists)
        {
            ClearExisting(p.Target, abs);
            result = FileOps.TryHardLink(p.Source!, abs);
        }

        if (result == FileOps.LinkResult.Done)
        {
            return;
        }

        if (!File.Exists(p.Source!))
        {
            throw new LinkFailedException(p.Target, $"The package file '{p.Source}' is missing from the package cache");
        }

        if (_options.AllowSoftlinks)
        {
            Place(p.Target, abs, () => File.CreateSymbolicLink(abs, p.Source!));
        }
        else
        {
            Place(p.Target, abs, () => File.Copy(p.Source!, abs));
        }
    }

    /// <summary>Runs <paramref name="create"/>; when something is in the way, clears it (see <see cref="ClearExisting"/>) and retries once.</summary>
    private void Place(string rel, string abs, Action create)
    {
        try
        {
            create();
        }
        catch (IOException) when (FileOps.Exists(abs))
        {
            ClearExisting(rel, abs);
            create();
        }
    }

    /// <summary>A path to create is occupied: trash it when the journal knows it (restorable), else refuse.</summary>
    private void ClearExisting(string rel, string abs)
    {
        if (_removedSet.Contains(rel) && !FileOps.Exists(PrefixJournal.Abs(_trash, rel)))
        {
            MoveToTrash(rel);
            return;
        }

        if (FileOps.IsRealDirectory(abs) && !Directory.EnumerateFileSystemEntries(abs).Any())
        {
            Directory.Delete(abs);
            return;
        }

        throw new LinkFailedException(rel, "A file that no package of this transaction owns is in the way");
    }

    private static void WriteNew(string path, byte[] bytes, UnixFileMode? mode)
    {
        var opts = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (mode is { } m && !OperatingSystem.IsWindows())
        {
            opts.UnixCreateMode = m;
        }

        using (var fs = new FileStream(path, opts))
        {
            fs.Write(bytes);
        }

        if (mode is { } m2 && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, m2); // UnixCreateMode is filtered by the umask; the package's mode is wanted
        }
    }

    private void CompilePyc(List<PackageWork> works)
    {
        if (_python is null)
        {
            return;
        }

        var sources = new List<(PackageWork Work, string Rel)>();
        foreach (var w in works.Where(w => w.NoarchPython))
        {
            foreach (var p in w.Paths)
            {
                if (p.Kind == Kind.File && p.OriginalPath is null && p.Target.EndsWith(".py", StringComparison.Ordinal)
                    && p.Target.StartsWith(_python.SitePackages + "/", StringComparison.Ordinal))
                {
                    sources.Add((w, p.Target));
                }
            }
        }

        if (sources.Count == 0)
        {
            return;
        }

        if (!_options.CompilePyc)
        {
            return;
        }

        string? exe = new[] { _python.Executable, _options.TargetPlatform.IsWindows ? "python.exe" : "bin/python", "bin/python3" }
            .Select(r => PrefixJournal.Abs(_prefix, r)).FirstOrDefault(File.Exists);
        if (exe is null)
        {
            _messages.Add($"No python interpreter at '{PrefixJournal.Abs(_prefix, _python.Executable)}': the .pyc files of the noarch: python packages were not compiled.");
            return;
        }

        Report(LinkPhase.Compile, null, 0, sources.Count);
        Directory.CreateDirectory(_trash);
        string list = Path.Combine(_trash, "compile-list.txt");
        File.WriteAllLines(list, sources.Select(s => PrefixJournal.Abs(_prefix, s.Rel)));
        var psi = new System.Diagnostics.ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _prefix,
        };
        foreach (string a in new[] { "-Wi", "-m", "compileall", "-q", "-l", "-i", list, "-j", "0" })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("PYTHONDONTWRITEBYTECODE");
        psi.Environment.Remove("PYTHONPYCACHEPREFIX");
        try
        {
            using var proc = System.Diagnostics.Process.Start(psi)!;
            var stdout = proc.StandardOutput.ReadToEndAsync();
            string stderr = proc.StandardError.ReadToEnd();
            using (_ct.Register(() => { try { proc.Kill(true); } catch (InvalidOperationException) { } }))
            {
                proc.WaitForExit();
            }

            _ct.ThrowIfCancellationRequested();
            if (proc.ExitCode != 0)
            {
                _messages.Add($"Compiling .pyc files failed (exit code {proc.ExitCode}): {(stdout.Result + stderr).Trim()}");
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            _messages.Add($"The environment's python could not be started to compile .pyc files: {ex.Message}");
            return;
        }

        foreach (var (w, rel) in sources)
        {
            int slash = rel.LastIndexOf('/');
            string relDir = rel[..slash] + "/__pycache__";
            string stem = Path.GetFileNameWithoutExtension(rel);
            string absDir = PrefixJournal.Abs(_prefix, relDir);
            if (!Directory.Exists(absDir))
            {
                continue;
            }

            foreach (string pyc in Directory.EnumerateFiles(absDir, stem + ".*.pyc").Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileName(pyc);
                if (name.Length > stem.Length + 1 && name.IndexOf('.', stem.Length + 1) == name.Length - 4)
                {
                    w.Pyc.Add($"{relDir}/{name}");
                }
            }
        }

        Report(LinkPhase.Compile, null, sources.Count, sources.Count);
    }

    private List<PrefixRecord> WriteRecords(List<PackageWork> works)
    {
        var linked = new List<PrefixRecord>();
        int linkType = _options.AlwaysCopy ? 3 : _options.AlwaysSoftlink ? 2 : 1;
        foreach (var w in works)
        {
            _ct.ThrowIfCancellationRequested();
            var files = new List<string>(w.Paths.Count + w.Pyc.Count);
            var entries = new List<PrefixRecordPath>(w.Paths.Count + w.Pyc.Count);
            foreach (var p in w.Paths)
            {
                files.Add(p.Target);
                entries.Add(PathEntry(p));
            }

            foreach (string pyc in w.Pyc)
            {
                files.Add(pyc);
                entries.Add(new PrefixRecordPath { Path = pyc, PathType = "pyc_file" });
            }

            var rec = new PrefixRecord(w.Package.Record)
            {
                Files = files,
                PathsData = new PrefixRecordPathsData { PathsVersion = 1, Paths = entries },
                Link = new PrefixRecordLink { Source = w.Directory, Type = linkType },
                ExtractedPackageDir = w.Directory,
                PackageTarballFullPath = w.Package.TarballFullPath,
            }.WithRequest(w.Package.RequestedSpec, w.NoarchPython ? "noarch_python" : null);
            WriteRecord(rec);
            linked.Add(rec);
        }

        foreach (var r in _rewritten)
        {
            WriteRecord(r);
        }

        Hook("records", linked.Count);
        return linked;
    }

    private PrefixRecordPath PathEntry(PlannedPath p)
    {
        var info = p.Info;
        string? sha = info?.Sha256;
        long? size = info?.SizeInBytes;
        if (info is not null && p.Kind == Kind.File && (sha is null || size is null) && File.Exists(p.Source))
        {
            // legacy info/files packages carry no hashes: hash the package's file once
            using var fs = File.OpenRead(p.Source!);
            sha ??= Convert.ToHexString(SHA256.HashData(fs)).ToLowerInvariant();
            size ??= fs.Length;
        }

        return new PrefixRecordPath
        {
            Path = p.Target,
            OriginalPath = p.OriginalPath,
            PathType = p.RecordPathType ?? p.Kind switch
            {
                Kind.SoftLink => "softlink",
                Kind.Directory => "directory",
                _ => "hardlink",
            },
            Sha256 = sha,
            Sha256InPrefix = p.Sha256InPrefix,
            SizeInBytes = size ?? p.SizeInPrefix,
            PrefixPlaceholder = info?.PrefixPlaceholder,
            FileMode = info?.PrefixPlaceholder is null ? null : info.FileMode == PrefixFileMode.Binary ? "binary" : "text",
            NoLink = info is { NoLink: true } ? true : null,
        };
    }

    private void WriteRecord(PrefixRecord rec)
    {
        FileOps.WriteAtomic(
            Path.Combine(_prefix, "conda-meta", PrefixState.MetaFileName(rec)),
            stream =>
            {
                rec.Write(stream);
                stream.Write("\n"u8);
            },
            flushToDisk: false);
    }

    private void RunPostLinkScripts(List<PackageWork> works)
    {
        foreach (var w in works)
        {
            string name = w.Package.Record.ToString();
            if (!_options.AllowLinkScripts)
            {
                if (File.Exists(LinkScripts.ScriptPath(w.Directory, w.Package.Record.Name, "post-link", _options.TargetPlatform)))
                {
                    _messages.Add($"The post-link script of {name} was not run (link scripts are not allowed).");
                }

                continue;
            }

            Report(LinkPhase.Scripts, name, 0, 1);
            var res = LinkScripts.Run(_prefix, _prefix, w.Package.Record, "post-link", _options.TargetPlatform, _messages, _ct);
            Hook("post-link", 0);
            if (res is { ExitCode: not 0 } failed)
            {
                throw new LinkScriptFailedException(name, "post-link", failed.ExitCode, failed.Output);
            }
        }
    }

    private void FinishHistoryAndRegistration(IReadOnlyList<PackageWork> works, List<PrefixRecord> unlink)
    {
        string history = PrefixHistory.PathFor(_prefix);
        if (works.Count == 0 && unlink.Count == 0)
        {
            if (!File.Exists(history))
            {
                File.WriteAllBytes(history, Array.Empty<byte>()); // conda's empty environment
            }

            if (_options.RegisterEnvironment)
            {
                new EnvironmentsFile(_options.EnvironmentsFilePath).Add(_prefix);
            }

            return;
        }

        PrefixHistory.AppendRevision(
            history,
            DateTimeOffset.Now,
            _options.HistoryCommand ?? "envtools",
            _options.ToolVersion,
            _options.UpdateSpecs,
            _options.RemoveSpecs,
            works.Select(w => DistString(w.Package.Record)),
            unlink.Select(DistString));
    }

    // ---------------------------------------------------------------- helpers

    private void MoveToTrash(string rel)
    {
        string from = PrefixJournal.Abs(_prefix, rel);
        string to = PrefixJournal.Abs(_trash, rel);
        EnsureParent(to);
        FileOps.TryRename(from, to);
    }

    private void EnsureParent(string abs)
    {
        // Most files follow a sibling: compare with the last parent before allocating anything.
        var parent = Path.GetDirectoryName(abs.AsSpan());
        if (parent.IsEmpty || (_lastParent is not null && parent.SequenceEqual(_lastParent)))
        {
            return;
        }

        string dir = parent.ToString();
        if (_knownDirs.Add(dir))
        {
            Directory.CreateDirectory(dir);
        }

        _lastParent = dir;
    }

    private void Hook(string point, int count)
    {
        var hook = PrefixTransaction.TestHook;
        hook?.Invoke(point, count);
    }

    private void Report(LinkPhase phase, string? package, int done, int total) =>
        _progress?.Report(new LinkProgress(phase, package, done, total));

    private static string Normalize(string path) => path.Replace('\\', '/');

    private static List<string> PathsOf(PrefixRecord r)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<string>(r.Files.Count);
        foreach (string f in r.Files)
        {
            if (seen.Add(Normalize(f)))
            {
                list.Add(Normalize(f));
            }
        }

        foreach (var p in r.PathsData?.Paths ?? Array.Empty<PrefixRecordPath>())
        {
            if (seen.Add(Normalize(p.Path)))
            {
                list.Add(Normalize(p.Path));
            }
        }

        return list;
    }

    private static List<PrefixRecordPath> EntriesOf(PrefixRecord r)
    {
        if (r.PathsData is { Paths.Count: > 0 } pd)
        {
            return pd.Paths.Select(p => p.Path.Contains('\\', StringComparison.Ordinal) ? Renamed(p, Normalize(p.Path)) : p).ToList();
        }

        return r.Files.Select(f => new PrefixRecordPath { Path = Normalize(f) }).ToList();
    }

    private static PrefixRecordPath Renamed(PrefixRecordPath p, string path) => new()
    {
        Path = path,
        OriginalPath = p.OriginalPath,
        PathType = p.PathType,
        Sha256 = p.Sha256,
        Sha256InPrefix = p.Sha256InPrefix,
        SizeInBytes = p.SizeInBytes,
        PrefixPlaceholder = p.PrefixPlaceholder,
        FileMode = p.FileMode,
        NoLink = p.NoLink,
    };

    /// <summary>conda's dist string for history: <c>channel/subdir::name-version-build</c>.</summary>
    internal static string DistString(RepoDataRecord r)
    {
        string dist = $"{r.Name}-{r.Version}-{r.Build}";
        string? channel = r.Channel?.TrimEnd('/');
        if (string.IsNullOrEmpty(channel))
        {
            return dist;
        }

        string? subdir = r.Subdir;
        if (subdir is not null && channel.EndsWith("/" + subdir, StringComparison.Ordinal))
        {
            channel = channel[..^(subdir.Length + 1)];
        }

        const string alias = Channel.DefaultChannelAlias + "/";
        if (channel.StartsWith(alias, StringComparison.Ordinal))
        {
            channel = channel[alias.Length..];
        }

        return subdir is null ? $"{channel}::{dist}" : $"{channel}/{subdir}::{dist}";
    }

    private sealed record Relocation(string From, string To);

    private sealed class PackageWork
    {
        public PackageWork(LinkPackage package, string directory, bool noarchPython)
        {
            Package = package;
            Directory = directory;
            NoarchPython = noarchPython;
        }

        public LinkPackage Package { get; }

        public string Directory { get; }

        public bool NoarchPython { get; }

        public List<PlannedPath> Paths { get; } = new();

        public List<string> Pyc { get; } = new();
    }

    private sealed class PlannedPath
    {
        public PlannedPath(string target, Kind kind)
        {
            Target = target;
            Kind = kind;
        }

        public string Target { get; set; }

        public Kind Kind { get; }

        public string? OriginalPath { get; set; }

        public string? Source { get; init; }

        public PackagePath? Info { get; init; }

        public string? Content { get; init; }

        public string? RecordPathType { get; init; }

        public string? Sha256InPrefix { get; set; }

        public long? SizeInPrefix { get; set; }
    }
}
