using System.Security.Cryptography;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Packages;
using EnvTools.IO;

namespace EnvTools.Install;

// .pyc compilation, conda-meta records, link scripts, history and environments.txt.
internal sealed partial class TransactionRunner
{
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
            }.ForPrefix(w.Package.RequestedSpec, w.NoarchPython);
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

    private static PrefixRecordPath PathEntry(PlannedPath p)
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
            // conda records the hash of every file as it is in the prefix (conda doctor checks only files that have it):
            // a rewritten file's own hash, else the package's hash of the file linked or copied unchanged
            Sha256InPrefix = p.Sha256InPrefix ?? (p.Kind == Kind.File ? sha : null),
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

    /// <summary>Heals the <c># conda version: envtools …</c> lines EnvTools 0.1 wrote, on which conda fails; before the
    /// journal records the history's length, so that a rollback keeps the repaired file.</summary>
    private void RepairHistory()
    {
        try
        {
            if (PrefixHistory.RepairLegacyVersionLines(PrefixHistory.PathFor(_prefix)))
            {
                _messages.Add("conda-meta/history: the '# conda version: envtools' lines, which conda cannot read, were rewritten as '# conda version: "
                    + PrefixHistory.CondaCompatibleVersion + "' and '# envtools version:'.");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _messages.Add($"conda-meta/history could not be repaired for conda ({ex.Message}).");
        }
    }

    /// <summary>conda's <c>conda-meta/created_at</c>: the creation time as Unix seconds, written with the first history
    /// revision (conda 25.11 reads it where the file system has no birth time).</summary>
    private void WriteCreatedAt()
    {
        string path = Path.Combine(_prefix, "conda-meta", "created_at");
        if (!File.Exists(path))
        {
            double seconds = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;
            File.WriteAllText(path, seconds.ToString("0.0#####", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private void FinishHistoryAndRegistration(IReadOnlyList<PackageWork> works, List<PrefixRecord> unlink)
    {
        string history = PrefixHistory.PathFor(_prefix);
        if (!File.Exists(history))
        {
            WriteCreatedAt();
        }

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
}
