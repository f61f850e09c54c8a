using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>
/// A pixi / rattler lock file (<c>pixi.lock</c>, formats 4 to 7): <c>environments</c>, each with channels, PyPI indexes
/// and per platform a list of package references, and a <c>packages</c> list with each package's metadata once. Format
/// 7 adds a <c>platforms</c> list (names mapped to subdirs, virtual packages) and <c>conda_source</c> source packages.
/// The binary conda packages of one environment and platform install exactly, without a solve. (Formats 1 to 3 are
/// conda-lock files: <see cref="CondaLockFile"/>.)
/// </summary>
public sealed partial class PixiLockFile
{
    /// <summary>The oldest format this class reads (older ones are conda-lock files).</summary>
    public const int MinVersion = 4;

    /// <summary>The newest format this class reads.</summary>
    public const int MaxVersion = 7;

    /// <summary>The environment installed when none is named.</summary>
    public const string DefaultEnvironment = "default";

    /// <summary>The file read, or null for text parsed from memory.</summary>
    public string? FilePath { get; init; }

    /// <summary>The format version (4 to 7).</summary>
    public int Version { get; init; }

    /// <summary>The platforms: format 7's <c>platforms</c> list, or (before) every platform an environment uses.</summary>
    public IReadOnlyList<PixiLockPlatform> Platforms { get; init; } = Array.Empty<PixiLockPlatform>();

    /// <summary>The environments in file order.</summary>
    public IReadOnlyList<PixiLockEnvironment> Environments { get; init; } = Array.Empty<PixiLockEnvironment>();

    /// <summary>Every package of the <c>packages</c> list, in file order.</summary>
    public IReadOnlyList<PixiLockPackage> Packages { get; init; } = Array.Empty<PixiLockPackage>();

    /// <summary>An environment by name.</summary>
    /// <exception cref="InvalidEnvironmentFileException">The lock has no such environment.</exception>
    public PixiLockEnvironment GetEnvironment(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Environments.FirstOrDefault(e => e.Name == name)
            ?? throw new InvalidEnvironmentFileException(FilePath ?? "pixi.lock", 0, "environments",
                $"has no environment '{name}' (it has {(Environments.Count == 0 ? "none" : string.Join(", ", Environments.Select(e => e.Name)))})");
    }

    /// <summary>The platform name an environment uses for a conda platform: the platform of that name, else the only one
    /// with that subdir.</summary>
    /// <exception cref="InvalidEnvironmentFileException">The environment is not locked for the platform.</exception>
    public string PlatformNameFor(string environment, string subdir)
    {
        ArgumentNullException.ThrowIfNull(subdir);
        PixiLockEnvironment env = GetEnvironment(environment);
        if (env.Packages.ContainsKey(subdir))
        {
            return subdir;
        }

        string[] bySubdir = Platforms.Where(p => p.Subdir == subdir && env.Packages.ContainsKey(p.Name)).Select(p => p.Name).ToArray();
        return bySubdir.Length == 1 ? bySubdir[0]
            : throw new InvalidEnvironmentFileException(FilePath ?? "pixi.lock", 0, $"environments.{environment}.packages",
                bySubdir.Length == 0
                    ? $"the environment is locked for {(env.Packages.Count == 0 ? "no platform" : string.Join(", ", env.Packages.Keys))}, not {subdir}"
                    : $"several platforms ({string.Join(", ", bySubdir)}) use the subdir {subdir}: name one");
    }

    /// <summary>The packages of one environment and platform (name or subdir), in file order.</summary>
    /// <exception cref="InvalidEnvironmentFileException">No such environment, or it is not locked for the platform.</exception>
    public IReadOnlyList<PixiLockPackage> PackagesFor(string environment, string platform) =>
        GetEnvironment(environment).Packages[PlatformNameFor(environment, platform)];

    /// <summary>The binary conda packages of one environment and platform as records to install, in file order.</summary>
    /// <exception cref="InvalidEnvironmentFileException">No such environment or platform.</exception>
    public IReadOnlyList<RepoDataRecord> RecordsFor(string environment, string platform) =>
        PackagesFor(environment, platform).OfType<PixiCondaPackage>().Where(p => !p.IsSource).Select(p => p.Record).ToArray();

    /// <summary>The PyPI packages of one environment and platform, in file order.</summary>
    /// <exception cref="InvalidEnvironmentFileException">No such environment or platform.</exception>
    public IReadOnlyList<PixiPypiPackage> PypiPackagesFor(string environment, string platform) =>
        PackagesFor(environment, platform).OfType<PixiPypiPackage>().ToArray();

    /// <summary>The conda source packages (built by pixi, not downloadable) of one environment and platform.</summary>
    /// <exception cref="InvalidEnvironmentFileException">No such environment or platform.</exception>
    public IReadOnlyList<PixiCondaPackage> SourcePackagesFor(string environment, string platform) =>
        PackagesFor(environment, platform).OfType<PixiCondaPackage>().Where(p => p.IsSource).ToArray();

    /// <summary>Whether a location is a URL (has a scheme of two or more letters, so that <c>C:\x</c> is a path).</summary>
    internal static bool IsUrl(string location)
    {
        int colon = location.IndexOf(':', StringComparison.Ordinal);
        return colon > 1 && location[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');
    }
}
