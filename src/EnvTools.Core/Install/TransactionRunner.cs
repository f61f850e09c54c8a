using System.Text;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Packages;
using EnvTools.IO;

namespace EnvTools.Install;

/// <summary>One run of <see cref="PrefixTransaction.Execute"/> (under the prefix lock): plan the paths, journal, change, commit.</summary>
internal sealed partial class TransactionRunner
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
    // Prefix-relative folders found to resolve inside the prefix; cleared whenever something is moved away or replaced.
    private readonly HashSet<string> _insideDirs = new(StringComparer.Ordinal);
    private string? _currentPackage;
    private string? _lastParent;
    // How prefix-relative paths compare: case-insensitively for a win-* target (or on Windows), where 'Lib/x' and 'lib/x'
    // are one file: the clobber owners, the removed set and the journal use it.
    private readonly StringComparer _paths;
    private readonly HashSet<string> _removedSet;
    private readonly List<Relocation> _relocations = new();
    private readonly List<PrefixRecord> _rewritten = new();
    private readonly List<string> _strays = new();
    private readonly int _crashAfterFiles;
    private readonly string? _crashAtPoint;
    private readonly int _crashAtCount;
    private JournalData _journal = new();
    private string _trash = string.Empty;
    private int _linkedFiles;
    private PythonLayout? _python;

    private readonly List<string> _warnings;

    public TransactionRunner(string prefix, TransactionPlan plan, InstallOptions options, IProgress<LinkProgress>? progress, CancellationToken ct,
        List<string>? warnings = null)
    {
        _warnings = warnings ?? new List<string>();
        _prefix = prefix;
        _plan = plan;
        _options = options;
        _progress = progress;
        _ct = ct;
        _platform = options.TargetPlatform.Name;
        _paths = PathComparer(options.TargetPlatform);
        _removedSet = new HashSet<string>(_paths);
        _crashAfterFiles = int.TryParse(Environment.GetEnvironmentVariable(PrefixTransaction.CrashAfterFilesVariable), out int n) && n > 0 ? n : 0;
        if (Environment.GetEnvironmentVariable(PrefixTransaction.CrashAtVariable) is { Length: > 0 } at && at.Split(':') is [var point, var count]
            && int.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int c))
        {
            _crashAtPoint = point;
            _crashAtCount = c;
        }
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
        RepairHistory();
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
            return new TransactionResult(Array.Empty<PrefixRecord>(), Array.Empty<PrefixRecord>(), Array.Empty<ClobberWarning>(), _messages) { Warnings = _warnings };
        }

        var works = _plan.Link.Select(Prepare).ToList();
        ResolveClobbers(kept, works);
        BuildJournal(unlink, works, newEnvironment: installed.Count == 0 && !File.Exists(PrefixHistory.PathFor(_prefix)));

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
        PrefixJournal.Finish(_prefix, _journal, _warnings);
        if (_options.RegisterEnvironment)
        {
            new EnvironmentsFile(_options.EnvironmentsFilePath).Add(_prefix);
        }

        Report(LinkPhase.Commit, null, 1, 1);
        return new TransactionResult(linked, unlink, _clobbers, _messages) { Warnings = _warnings };
    }

    // ---------------------------------------------------------------- planning

    private PackageWork Prepare(LinkPackage pkg)
    {
        string dir = Path.GetFullPath(pkg.ExtractedDirectory);
        bool windows = _options.TargetPlatform.IsWindows;
        string source = pkg.Record.ToString();
        // Every path is checked (and matched against the folder) before anything is linked.
        var paths = PackageArchive.ValidateExtracted(dir, source, windows) ?? PackageArchive.ReadPathsJson(dir);
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
            PackagePathValidator.Validate(target, source, windows); // noarch targets too (python_site_packages_path comes from repodata)
            var kind = p.PathType switch
            {
                // conda-build has declared regular files with a placeholder as softlinks (osx-64 zlib 1.2.11): the file
                // is what the package holds, so it is linked as one and its placeholder rewritten, never ignored.
                // (A real link with a placeholder was refused above.)
                PathType.SoftLink when p.PrefixPlaceholder is { Length: > 0 } => Kind.File,
                PathType.SoftLink => Kind.SoftLink,
                PathType.Directory => Kind.Directory,
                _ => Kind.File,
            };
            // A softlink-declared file is recorded as the file it is: the declared hash and size describe the link's
            // target (and are recomputed from the file when the record is written).
            var info = kind == Kind.File && p.PathType == PathType.SoftLink ? p with { PathType = PathType.HardLink, Sha256 = null, SizeInBytes = null } : p;
            work.Paths.Add(new PlannedPath(target, kind) { Source = Path.Combine(dir, p.Path.Replace('/', Path.DirectorySeparatorChar)), Info = info });
        }

        if (noarchPython)
        {
            var entryPoints = Packages.PackageArchive.ReadEntryPoints(dir);
            foreach (var (name, module, func) in entryPoints)
            {
                PackageArchive.ValidateEntryPointName(name, source, windows);
                if (windows)
                {
                    string script = PythonLayout.EntryPointScript(null, module, func);
                    work.Paths.Add(new PlannedPath($"{_python!.BinDir}/{name}-script.py", Kind.EntryPoint) { Content = Encoding.UTF8.GetBytes(script), RecordPathType = "windows_python_entry_point_script" });
                }
                else
                {
                    string pythonPath = _prefix + "/" + _python!.Executable;
                    string script = PythonLayout.EntryPointScript(pythonPath, module, func);
                    work.Paths.Add(new PlannedPath($"{_python.BinDir}/{name}", Kind.EntryPoint) { Content = Encoding.UTF8.GetBytes(script), RecordPathType = "unix_python_entry_point" });
                }
            }

            if (windows && entryPoints.Count > 0)
            {
                // conda's order: every script, then every launcher (CreatePythonEntryPointAction.create_actions)
                byte[]? launcher = EntryPointLauncher.For(_options.TargetPlatform);
                foreach (var (name, _, _) in entryPoints)
                {
                    if (launcher is null)
                    {
                        _messages.Add($"{pkg.Record}: the launcher '{_python!.BinDir}/{name}.exe' was not created ({EntryPointLauncher.MissingReason(_options.TargetPlatform)}); run '{name}-script.py' with python.");
                        continue;
                    }

                    work.Paths.Add(new PlannedPath($"{_python!.BinDir}/{name}.exe", Kind.EntryPoint) { Content = launcher, RecordPathType = "windows_python_entry_point_exe" });
                }
            }
        }

        return work;
    }

    private void MoveToTrash(string rel)
    {
        string parent = FileOps.ParentOf(rel);
        if (parent.Length > 0 && !_insideDirs.Contains(parent))
        {
            if (!FileOps.StaysInside(_prefix, parent))
            {
                // Only a link planted by a package can lead there; what is behind it is not the environment's to move.
                _messages.Add($"'{rel}' was left alone: its folder is a link that leads out of the environment.");
                return;
            }

            _insideDirs.Add(parent);
        }

        string from = PrefixJournal.Abs(_prefix, rel);
        var attributes = new FileInfo(from).Attributes; // not followed; -1 when nothing is there
        if ((int)attributes != -1 && (attributes & (FileAttributes.ReparsePoint | FileAttributes.Directory)) != 0)
        {
            _insideDirs.Clear(); // a link or folder moves away: where other paths lead may change
        }

        string to = PrefixJournal.Abs(_trash, rel);
        EnsureParent(to);
        FileOps.TryRename(from, to);
    }

    /// <summary>
    /// Refuses to write <paramref name="rel"/> through a folder that, following the links on disk now (those of packages
    /// linked before, in this transaction or earlier), leads out of the prefix; then creates its parent.
    /// </summary>
    private void EnsureParentInside(string rel, string abs)
    {
        string parent = FileOps.ParentOf(rel);
        if (parent.Length > 0 && !_insideDirs.Contains(parent))
        {
            if (!FileOps.StaysInside(_prefix, parent))
            {
                throw new UnsafeArchiveException(_currentPackage ?? _prefix, rel, "would be written through a symbolic link that leads out of the environment");
            }

            _insideDirs.Add(parent);
        }

        EnsureParent(abs);
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
        if (_crashAtPoint == point && count >= _crashAtCount)
        {
            Environment.FailFast($"{PrefixTransaction.CrashAtVariable}={_crashAtPoint}:{_crashAtCount}: simulated crash at {point} {count}");
        }

        var hook = PrefixTransaction.TestHook;
        hook?.Invoke(point, count);
    }

    private void Report(LinkPhase phase, string? package, int done, int total) =>
        _progress?.Report(new LinkProgress(phase, package, done, total));

    private static string Normalize(string path) => path.Replace('\\', '/');

    /// <summary>How prefix-relative paths compare for <paramref name="target"/>: ignoring case for win-* targets and on
    /// Windows (NTFS's default), else ordinally.</summary>
    internal static StringComparer PathComparer(Platform target) =>
        target.IsWindows || OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

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

        foreach (var p in r.GetPrefixPaths())
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
        if (r.GetPrefixPaths() is { Count: > 0 } paths)
        {
            return paths.Select(p => p.Path.Contains('\\', StringComparison.Ordinal) ? p.WithPath(Normalize(p.Path)) : p).ToList();
        }

        return r.Files.Select(f => new PrefixRecordPath { Path = Normalize(f) }).ToList();
    }

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

        /// <summary>What an entry point's file holds (its script, or the launcher's bytes).</summary>
        public byte[]? Content { get; init; }

        public string? RecordPathType { get; init; }

        public string? Sha256InPrefix { get; set; }

        public long? SizeInPrefix { get; set; }
    }
}
