using System.Security.Cryptography;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Packages;
using EnvTools.IO;

namespace EnvTools.Install;

// Unlinking, relocating and linking files.
internal sealed partial class TransactionRunner
{
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

            EnsureParentInside(rel.To, to);
            var fi = new FileInfo(from);
            if (fi.LinkTarget is { } target)
            {
                CreateLinkOrCopy(rel.To, to, target, from);
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
            _currentPackage = name;
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
                LinkOne(p);
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

    private void LinkOne(PlannedPath p)
    {
        string abs = PrefixJournal.Abs(_prefix, p.Target);
        switch (p.Kind)
        {
            case Kind.Directory:
                if (!FileOps.StaysInside(_prefix, p.Target))
                {
                    throw new UnsafeArchiveException(_currentPackage ?? _prefix, p.Target, "is a folder behind a symbolic link that leads out of the environment");
                }

                EnsureParentInside(p.Target, abs);
                Directory.CreateDirectory(abs);
                _knownDirs.Add(abs);
                return;
            case Kind.EntryPoint:
            {
                EnsureParentInside(p.Target, abs);
                byte[] bytes = p.Content!;
                Place(p.Target, abs, () => WriteNew(abs, bytes, OperatingSystem.IsWindows() ? null : (UnixFileMode)0b111_101_101));
                p.Sha256InPrefix = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
                p.SizeInPrefix = bytes.Length;
                return;
            }

            case Kind.SoftLink:
            {
                EnsureParentInside(p.Target, abs);
                string? target = new FileInfo(p.Source!).LinkTarget;
                if (target is null)
                {
                    Place(p.Target, abs, () => File.Copy(p.Source!, abs));
                }
                else
                {
                    // A relative link stayed inside its package folder (the extractor checks that); in the prefix the links
                    // of other packages may make it lead out (b's "l -> a/b/../.." once a's "a/b -> ." is there): resolve
                    // it against the disk now. (Absolute links come from no archive; the linker makes them itself into
                    // the cache with AlwaysSoftlink, and writes never go through any link that leads out.)
                    string parent = FileOps.ParentOf(p.Target);
                    if (!Path.IsPathRooted(target) && !FileOps.StaysInside(_prefix, parent.Length == 0 ? target : parent + "/" + target))
                    {
                        throw new UnsafeArchiveException(_currentPackage ?? _prefix, p.Target, $"is a symlink to '{target}', which leads out of the environment");
                    }

                    Place(p.Target, abs, () => CreateLinkOrCopy(p.Target, abs, target, p.Source!));
                    _insideDirs.Clear(); // a link may now stand where a checked folder was
                }

                return;
            }
        }

        EnsureParentInside(p.Target, abs);
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
            Place(p.Target, abs, () => CreateLinkOrCopy(p.Target, abs, p.Source!, p.Source!));
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
            Place(p.Target, abs, () => CreateLinkOrCopy(p.Target, abs, p.Source!, p.Source!));
        }
        else
        {
            Place(p.Target, abs, () => File.Copy(p.Source!, abs));
        }
    }

    /// <summary>
    /// Creates the symbolic link <paramref name="abs"/> → <paramref name="target"/> (on Windows with '\' separators, and as a
    /// folder link when it leads to a folder). Where the OS refuses the link itself — Windows without the symbolic-link
    /// privilege or Developer Mode, a file system without links — the file the link leads to (<paramref name="copyFrom"/>,
    /// followed) is copied instead, with a warning, as rattler does (a link to a folder fails with <see cref="LinkFailedException"/>).
    /// Something in the way is left to <see cref="Place"/>.
    /// </summary>
    private void CreateLinkOrCopy(string rel, string abs, string target, string copyFrom)
    {
        bool folder = Directory.Exists(copyFrom);
        try
        {
            Hook("symlink", 0);
            string text = FileOps.LinkTargetText(target, OperatingSystem.IsWindows());
            if (folder && OperatingSystem.IsWindows())
            {
                Directory.CreateSymbolicLink(abs, text);
            }
            else
            {
                File.CreateSymbolicLink(abs, text);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && !FileOps.Exists(abs))
        {
            if (folder || !File.Exists(copyFrom))
            {
                // a copied folder would be no record's files (uninstall removes a link, not a tree); a dangling link has nothing to copy
                throw new LinkFailedException(rel, $"The symbolic link to '{target}' could not be created ({ex.Message.TrimEnd('.')}) and leads to "
                    + (folder ? "a folder" : "nothing") + ", which is not copied instead (on Windows, enable Developer Mode or run elevated)", ex);
            }

            File.Copy(copyFrom, abs);
            _warnings.Add($"'{rel}' was copied from what it links to ('{target}'): the symbolic link could not be created ({ex.Message.TrimEnd('.')}). "
                + "On Windows, enable Developer Mode or run elevated to get links.");
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
        _insideDirs.Clear();
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
}
