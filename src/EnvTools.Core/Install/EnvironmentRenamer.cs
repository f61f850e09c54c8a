using System.Text;
using EnvTools.Config;
using EnvTools.Conda;
using EnvTools.Environments;

namespace EnvTools.Install;

/// <summary>A checked rename: the environment and where it goes.</summary>
/// <param name="Source">The environment's prefix.</param>
/// <param name="Destination">The new prefix.</param>
/// <param name="ReplacesExisting">The destination is an environment that the rename replaces (conda's rename --yes).</param>
public sealed record RenamePlan(string Source, string Destination, bool ReplacesExisting = false);

/// <summary>
/// Renames environments as <c>conda rename</c> does: the environment is cloned to its new prefix (its exact packages
/// linked again from the package cache, so that every prefix written into a file is the new one), the files no package
/// owns are copied with the old prefix replaced in text files, and then the old environment is removed (and
/// environments.txt updated by both steps). Unlike conda, which starts the clone's history afresh and drops the
/// environment's variables and pins (it skips conda-meta), the renamed environment keeps its conda-meta/history (the
/// clone adds one revision), conda-meta/state and conda-meta/pinned. A failure before the old environment is removed
/// leaves it untouched and removes the clone.
/// </summary>
public sealed class EnvironmentRenamer
{
    private readonly Settings _settings;
    private readonly EnvironmentLocator _locator;

    /// <summary>Creates a renamer over the settings and the environments the locator knows.</summary>
    public EnvironmentRenamer(Settings settings, EnvironmentLocator locator)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(locator);
        _settings = settings;
        _locator = locator;
    }

    /// <summary>
    /// Checks a rename before anything changes (and before the user is asked to confirm): the source is an environment,
    /// neither the active one, nor base (a prefix named base or root, or one that holds envs dirs or other
    /// environments); the destination (a name: in the first writable envs dir; or a path) is a valid, unreserved name
    /// that does not exist yet and lies outside the source.
    /// </summary>
    /// <exception cref="EnvironmentNotFoundException">The source is no environment.</exception>
    /// <exception cref="EnvironmentActiveException">The source is the active environment.</exception>
    /// <exception cref="EnvToolsException">ReservedEnvironmentName for base/root (source or destination).</exception>
    /// <exception cref="EnvironmentExistsException">The destination exists (with <paramref name="replaceExisting"/>: and is
    /// no environment).</exception>
    /// <param name="source">The environment's prefix.</param>
    /// <param name="destination">The new name, or a path.</param>
    /// <param name="destinationIsPath">Whether <paramref name="destination"/> is a path.</param>
    /// <param name="replaceExisting">An environment at the destination is replaced (conda's <c>rename --yes</c>); it must be
    /// removable (not active, not base, holding no other environment).</param>
    public RenamePlan Check(string source, string destination, bool destinationIsPath, bool replaceExisting = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        string src = EnvironmentLocator.NormalizePrefix(source);
        if (!EnvironmentLocator.IsEnvironment(src))
        {
            throw new EnvironmentNotFoundException(source, Array.Empty<string>());
        }

        if (IsBase(src))
        {
            throw new EnvToolsException("ReservedEnvironmentName", ErrorKind.InvalidArgument,
                $"The base environment ('{src}') cannot be renamed.", src);
        }

        if (_locator.IsActive(src))
        {
            throw new EnvironmentActiveException(src, "renaming");
        }

        new EnvironmentRemover(_locator).CheckRemovable(src);
        string dest = destinationIsPath ? EnvironmentLocator.NormalizePrefix(destination) : _locator.PrefixForNewName(ReservedChecked(destination));
        ReservedChecked(Path.GetFileName(dest));
        if (dest.StartsWith(src + Path.DirectorySeparatorChar, StringComparison.Ordinal) || EnvironmentLocator.SamePrefix(src, dest))
        {
            throw new EnvToolsException("InvalidDestination", ErrorKind.InvalidArgument,
                $"'{dest}' lies inside the environment '{src}' that is renamed; choose a place outside it.", dest);
        }

        if (Directory.Exists(dest) || File.Exists(dest))
        {
            if (!replaceExisting || !EnvironmentLocator.IsEnvironment(dest))
            {
                throw new EnvironmentExistsException(dest, EnvironmentLocator.IsEnvironment(dest));
            }

            if (IsBase(dest))
            {
                throw new EnvToolsException("ReservedEnvironmentName", ErrorKind.InvalidArgument, $"The base environment ('{dest}') cannot be replaced.", dest);
            }

            new EnvironmentRemover(_locator).CheckRemovable(dest);
            return new RenamePlan(src, dest, ReplacesExisting: true);
        }

        return new RenamePlan(src, dest);
    }

    /// <summary>Clones the environment to its new prefix, then removes the old one.</summary>
    /// <param name="plan">A checked rename (<see cref="Check"/>).</param>
    /// <param name="historyCommand">The command recorded in the new environment's history.</param>
    /// <param name="progress">Progress of the clone.</param>
    /// <param name="ct">Cancels the clone (the old environment stays).</param>
    public void Rename(RenamePlan plan, string? historyCommand, IProgress<OperationProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        IReadOnlyList<PrefixRecord> records = PrefixState.ReadInstalled(plan.Source);
        var installer = new EnvironmentInstaller(_settings);
        var request = new EnvironmentRequest
        {
            Prefix = plan.Destination,
            Action = EnvironmentAction.Create,
            ExplicitRecords = records,
            NoDefaultPackages = true,
            Platform = records.Select(r => r.Subdir).FirstOrDefault(s => s is not null and not "noarch") is { } subdir && Platform.TryParse(subdir, out Platform p) ? p : Platform.Current,
            HistoryCommand = historyCommand,
        };
        var remover = new EnvironmentRemover(_locator);
        string? replaced = plan.ReplacesExisting ? remover.MoveAside(plan.Destination) : null;
        try
        {
            installer.Apply(installer.Plan(request, progress, ct), progress, ct);
            try
            {
                CopyUnowned(plan.Source, plan.Destination, records, ct);
                CarryMeta(plan.Source, plan.Destination);
            }
            catch
            {
                remover.Remove(plan.Destination, CancellationToken.None);
                throw;
            }
        }
        catch when (replaced is not null && !Directory.Exists(plan.Destination))
        {
            EnvironmentRemover.MoveBack(replaced, plan.Destination); // the replaced environment comes back
            throw;
        }

        if (replaced is not null)
        {
            EnvironmentRemover.PurgeTrash(Path.GetDirectoryName(replaced)!, CancellationToken.None);
        }

        remover.Remove(plan.Source, ct);
    }

    private bool IsBase(string prefix)
    {
        if (Path.GetFileName(prefix) is "base" or "root")
        {
            return true;
        }

        string envs = Path.Combine(prefix, "envs");
        if (_locator.EnvsDirs.Any(d => EnvironmentLocator.SamePrefix(d, envs)))
        {
            return true;
        }

        return _settings.Environment.GetEnvironmentVariable("CONDA_ROOT") is { Length: > 0 } root && EnvironmentLocator.SamePrefix(root, prefix);
    }

    private static string ReservedChecked(string name)
    {
        if (name is "base" or "root")
        {
            throw new EnvToolsException("ReservedEnvironmentName", ErrorKind.InvalidArgument,
                $"'{name}' is a reserved environment name (conda's base environment): choose another name.", name);
        }

        return name;
    }

    /// <summary>conda's clone copies the files no package owns (outside conda-meta), replacing the old prefix in text files.</summary>
    private static void CopyUnowned(string source, string destination, IReadOnlyList<PrefixRecord> records, CancellationToken ct)
    {
        var owned = new HashSet<string>(records.SelectMany(r => r.Files).Select(f => f.Replace('\\', '/')), OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true };
        var pending = new Stack<string>();
        pending.Push(source);
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            string dir = pending.Pop();
            foreach (string path in Directory.EnumerateFileSystemEntries(dir, "*", options))
            {
                string rel = Path.GetRelativePath(source, path).Replace('\\', '/');
                if (rel is "conda-meta" or ".conda_lock" || rel.StartsWith(".envtools", StringComparison.Ordinal))
                {
                    continue;
                }

                var info = new FileInfo(path);
                bool isDir = Directory.Exists(path);
                if (isDir && info.LinkTarget is null)
                {
                    pending.Push(path);
                    continue;
                }

                if (owned.Contains(rel) || rel.EndsWith('~') || (rel.EndsWith(".pyc", StringComparison.Ordinal) && owned.Contains(rel[..^1])))
                {
                    continue;
                }

                string target = Path.Combine(destination, rel);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (File.Exists(target) || Directory.Exists(target))
                {
                    continue;
                }

                if (info.LinkTarget is { } link)
                {
                    File.CreateSymbolicLink(target, link);
                    continue;
                }

                byte[] data = File.ReadAllBytes(path);
                if (TryReplacePrefix(data, source, destination) is { } replaced)
                {
                    data = replaced;
                }

                File.WriteAllBytes(target, data);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(target, File.GetUnixFileMode(path));
                }

                File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(path));
            }
        }
    }

    /// <summary>The text with the old prefix replaced, or null for binary (not UTF-8) data or no occurrence (conda's clone).</summary>
    private static byte[]? TryReplacePrefix(byte[] data, string oldPrefix, string newPrefix)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        return text.Contains(oldPrefix, StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(text.Replace(oldPrefix, newPrefix, StringComparison.Ordinal)) : null;
    }

    /// <summary>The environment's variables and pins go with it; its history goes before the clone's revision.</summary>
    private static void CarryMeta(string source, string destination)
    {
        foreach (string name in new[] { "state", "pinned" })
        {
            string from = Path.Combine(source, "conda-meta", name);
            if (File.Exists(from))
            {
                File.Copy(from, Path.Combine(destination, "conda-meta", name), overwrite: true);
            }
        }

        string oldHistory = PrefixHistory.PathFor(source);
        if (File.Exists(oldHistory))
        {
            string newHistory = PrefixHistory.PathFor(destination);
            string before = File.ReadAllText(oldHistory, Encoding.UTF8);
            if (before.Length > 0 && !before.EndsWith('\n'))
            {
                before += "\n";
            }

            string after = File.Exists(newHistory) ? File.ReadAllText(newHistory, Encoding.UTF8) : string.Empty;
            string tmp = newHistory + ".envtools-rename";
            File.WriteAllText(tmp, before + after, new UTF8Encoding(false));
            File.Move(tmp, newHistory, overwrite: true);
        }
    }
}
