using EnvTools.Config;

namespace EnvTools.Environments;

/// <summary>A known environment: its name (the folder name inside an envs dir, else null) and its prefix.</summary>
public sealed record EnvironmentLocation(string? Name, string Prefix)
{
    /// <summary>The name when the environment lives in an envs dir, else its prefix (as conda lists it).</summary>
    public string DisplayName => Name ?? Prefix;
}

/// <summary>An environment name or prefix that names no environment.</summary>
public sealed class EnvironmentNotFoundException : EnvToolsException
{
    /// <summary>Creates the error; <paramref name="suggestions"/> are close names that do exist.</summary>
    public EnvironmentNotFoundException(string nameOrPrefix, IReadOnlyList<string> suggestions)
        : base("EnvironmentNotFound", ErrorKind.ObjectNotFound, Format(nameOrPrefix, suggestions), nameOrPrefix)
    {
        NameOrPrefix = nameOrPrefix;
        Suggestions = suggestions;
    }

    /// <summary>What was asked for.</summary>
    public string NameOrPrefix { get; }

    /// <summary>Existing environment names close to the one asked for.</summary>
    public IReadOnlyList<string> Suggestions { get; }

    private static string Format(string name, IReadOnlyList<string> suggestions) =>
        suggestions.Count == 0
            ? $"No environment named '{name}' was found."
            : $"No environment named '{name}' was found. Did you mean: {string.Join(", ", suggestions)}?";
}

/// <summary>
/// Finds environments as conda does: a name is a folder under one of the <c>envs_dirs</c> (the first that
/// holds it wins) that has a <c>conda-meta</c> folder; the known environments are those folders plus the
/// prefixes listed in <c>~/.conda/environments.txt</c> that still exist.
/// </summary>
public sealed class EnvironmentLocator
{
    private static readonly char[] InvalidNameChars = { '/', '\\', ':', '#', ' ', '\t' };

    /// <summary>Creates a locator over the settings' envs dirs and the given (or default) environments.txt.</summary>
    /// <remarks>The active environment is the settings environment's <c>CONDA_PREFIX</c>.</remarks>
    public EnvironmentLocator(Settings settings, string? environmentsFilePath = null)
        : this(settings.EnvsDirs, environmentsFilePath ?? Path.Combine(settings.Environment.HomeDirectory, ".conda", "environments.txt"),
            settings.Environment.GetEnvironmentVariable("CONDA_PREFIX"))
    {
    }

    /// <summary>Creates a locator over explicit envs dirs and an environments.txt path.</summary>
    /// <param name="envsDirs">The envs dirs, in search order.</param>
    /// <param name="environmentsFilePath">The environments.txt registry.</param>
    /// <param name="activePrefix">The active environment's prefix (<c>CONDA_PREFIX</c>), if any.</param>
    public EnvironmentLocator(IReadOnlyList<string> envsDirs, string environmentsFilePath, string? activePrefix = null)
    {
        EnvsDirs = envsDirs;
        EnvironmentsFile = new EnvironmentsFile(environmentsFilePath);
        ActivePrefix = string.IsNullOrWhiteSpace(activePrefix) ? null : NormalizePrefix(activePrefix);
    }

    /// <summary>The active environment's prefix (from <c>CONDA_PREFIX</c>, made absolute), or null.</summary>
    public string? ActivePrefix { get; }

    /// <summary>The envs dirs searched, in order.</summary>
    public IReadOnlyList<string> EnvsDirs { get; }

    /// <summary>The environments.txt registry.</summary>
    public EnvironmentsFile EnvironmentsFile { get; }

    private static StringComparer PathComparer => OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>A prefix made absolute, without a trailing separator: the form prefixes are compared in.</summary>
    public static string NormalizePrefix(string prefix) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(prefix));

    /// <summary>Whether two prefixes name the same folder (ordinal; ignoring case on Windows).</summary>
    public static bool SamePrefix(string a, string b) => PathComparer.Equals(NormalizePrefix(a), NormalizePrefix(b));

    /// <summary>Whether <paramref name="prefix"/> is the active environment.</summary>
    public bool IsActive(string prefix) => ActivePrefix is not null && SamePrefix(prefix, ActivePrefix);

    /// <summary>
    /// The environment a command works on: <paramref name="name"/> (a name, or a path) when given, else
    /// <paramref name="prefix"/> (which must be an environment), else the active one.
    /// </summary>
    /// <exception cref="EnvironmentNotFoundException">The name or prefix names no environment.</exception>
    /// <exception cref="NoActiveEnvironmentException">Neither was given and no environment is active.</exception>
    public string ResolveTarget(string? name, string? prefix)
    {
        if (!string.IsNullOrEmpty(name))
        {
            return Find(name);
        }

        if (!string.IsNullOrEmpty(prefix))
        {
            string full = NormalizePrefix(prefix);
            return IsEnvironment(full) ? full : throw new EnvironmentNotFoundException(prefix, Array.Empty<string>());
        }

        return ActivePrefix is not null && IsEnvironment(ActivePrefix) ? ActivePrefix : throw new NoActiveEnvironmentException();
    }

    /// <summary>True when <paramref name="prefix"/> is an environment: it has a conda-meta folder, and is not what a
    /// create that never committed leaves (a killed or running <c>New-Env</c>: only the lock, or an uncommitted journal).</summary>
    public static bool IsEnvironment(string prefix) =>
        Directory.Exists(Path.Combine(prefix, "conda-meta")) && !PrefixJournal.IsUncommittedCreate(prefix);

    /// <summary>True when <paramref name="prefix"/> holds only the remains of a create that never committed.</summary>
    internal static bool IsUncommittedCreate(string prefix) =>
        Directory.Exists(Path.Combine(prefix, "conda-meta")) && PrefixJournal.IsUncommittedCreate(prefix);

    /// <summary>Throws <see cref="InvalidEnvironmentNameException"/> when <paramref name="name"/> cannot name an environment.</summary>
    public static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.IndexOfAny(InvalidNameChars) >= 0)
        {
            throw new InvalidEnvironmentNameException(name);
        }
    }

    /// <summary>The prefix a new environment called <paramref name="name"/> gets: in the first envs dir that is writable.</summary>
    public string PrefixForNewName(string name)
    {
        ValidateName(name);
        foreach (string dir in EnvsDirs)
        {
            if (IsWritableDirectory(dir))
            {
                return Path.Combine(dir, name);
            }
        }

        throw new EnvToolsException("NoWritableEnvsDir", ErrorKind.ResourceUnavailable,
            $"None of the envs dirs is writable: {string.Join(", ", EnvsDirs)}", EnvsDirs);
    }

    /// <summary>The prefix of the environment called <paramref name="name"/>, or null.</summary>
    public string? TryFindByName(string name)
    {
        foreach (string dir in EnvsDirs)
        {
            string candidate = Path.Combine(dir, name);
            if (IsEnvironment(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }

    /// <summary>
    /// The prefix for a name or a path (a value with a directory separator is a path). Throws
    /// <see cref="EnvironmentNotFoundException"/> with close names when nothing matches.
    /// </summary>
    public string Find(string nameOrPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameOrPrefix);
        bool isPath = nameOrPrefix.Contains('/') || nameOrPrefix.Contains(Path.DirectorySeparatorChar) || Path.IsPathRooted(nameOrPrefix);
        if (isPath)
        {
            string full = NormalizePrefix(nameOrPrefix);
            if (IsEnvironment(full))
            {
                return full;
            }
        }
        else if (TryFindByName(nameOrPrefix) is { } found)
        {
            return found;
        }

        throw new EnvironmentNotFoundException(nameOrPrefix, Suggest(nameOrPrefix));
    }

    /// <summary>Every known environment: envs dir folders first (in envs dir order), then the other registered prefixes.</summary>
    public IReadOnlyList<EnvironmentLocation> List()
    {
        var seen = new HashSet<string>(PathComparer);
        var result = new List<EnvironmentLocation>();
        foreach (string dir in EnvsDirs)
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (string child in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
            {
                string full = Path.GetFullPath(child);
                if (!EnvironmentRemover.IsTrashName(Path.GetFileName(full)) && IsEnvironment(full) && seen.Add(full))
                {
                    result.Add(new EnvironmentLocation(Path.GetFileName(full), full));
                }
            }
        }

        foreach (string prefix in EnvironmentsFile.Read())
        {
            string full = NormalizePrefix(prefix);
            if (!EnvironmentRemover.IsTrashName(Path.GetFileName(full)) && IsEnvironment(full) && seen.Add(full))
            {
                result.Add(new EnvironmentLocation(NameInEnvsDirs(full), full));
            }
        }

        return result;
    }

    /// <summary>The environment's name when <paramref name="prefix"/> is directly inside an envs dir, else null.</summary>
    public string? NameInEnvsDirs(string prefix)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(prefix));
        string? parent = Path.GetDirectoryName(full);
        if (parent is null)
        {
            return null;
        }

        foreach (string dir in EnvsDirs)
        {
            if (PathComparer.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)), parent))
            {
                return Path.GetFileName(full);
            }
        }

        return null;
    }

    /// <summary>Known environment names within a small edit distance of <paramref name="name"/>, closest first.</summary>
    public IReadOnlyList<string> Suggest(string name)
    {
        string lower = name.ToLowerInvariant();
        return List()
            .Where(e => e.Name is not null)
            .Select(e => (e.Name!, Distance: Conda.TextDistance.EditDistance(lower, e.Name!.ToLowerInvariant())))
            .Where(t => t.Distance <= Math.Max(2, name.Length / 3) || t.Item1.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            .OrderBy(t => t.Distance).ThenBy(t => t.Item1, StringComparer.Ordinal)
            .Select(t => t.Item1)
            .Take(3)
            .ToArray();
    }

    private static bool IsWritableDirectory(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, $".envtools-write-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, Array.Empty<byte>());
            File.Delete(probe);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>A name that cannot name an environment (empty, with a path separator, a space, ':' or '#').</summary>
public sealed class InvalidEnvironmentNameException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public InvalidEnvironmentNameException(string name)
        : base("InvalidEnvironmentName", ErrorKind.InvalidArgument,
            $"'{name}' is not a valid environment name: it must be non-empty and hold no '/', '\\', ':', '#' or spaces.", name)
    {
    }
}
