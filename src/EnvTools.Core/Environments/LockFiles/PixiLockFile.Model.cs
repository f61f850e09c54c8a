using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>One package of a pixi lock file's <c>packages</c> list: a conda package (binary or source) or a PyPI one.</summary>
public abstract record PixiLockPackage
{
    /// <summary>Where the package is: a URL, or a path (relative paths are relative to the lock file's folder).</summary>
    public required string Location { get; init; }

    /// <summary>The package name.</summary>
    public required string Name { get; init; }

    /// <summary>The 1-based line of the entry in the file.</summary>
    public int Line { get; init; }
}

/// <summary>A conda package of a pixi lock file: a binary archive (<see cref="IsSource"/> false), or a source package
/// pixi builds itself (a folder, a git or URL source).</summary>
public sealed record PixiCondaPackage : PixiLockPackage
{
    /// <summary>Whether this is a source package (a folder or repository pixi builds), not an archive to download.</summary>
    public bool IsSource { get; init; }

    /// <summary>The package record: name, version, build, subdir, hashes, depends, constrains, size … as locked. For
    /// a binary package <see cref="RepoDataRecord.Url"/> is the archive's absolute URL (<c>file://</c> for a path).</summary>
    public required RepoDataRecord Record { get; init; }
}

/// <summary>A PyPI package of a pixi lock file: a wheel, sdist, VCS URL or local path.</summary>
public sealed record PixiPypiPackage : PixiLockPackage
{
    /// <summary>The version, or null (a path or VCS package may have none).</summary>
    public string? Version { get; init; }

    /// <summary>The SHA-256 of the distribution, or null.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The MD5 of the distribution, or null.</summary>
    public string? Md5 { get; init; }

    /// <summary>The PEP 508 requirements (<c>requires_dist</c>).</summary>
    public IReadOnlyList<string> RequiresDist { get; init; } = Array.Empty<string>();

    /// <summary>The <c>requires_python</c> specifier, or null.</summary>
    public string? RequiresPython { get; init; }

    /// <summary>Whether the package is installed in editable mode.</summary>
    public bool Editable { get; init; }
}

/// <summary>A platform of a pixi lock file: its name (as the environments use it) and conda subdir. Before format 7
/// the name is always the subdir.</summary>
/// <param name="Name">The name the environments' <c>packages</c> use.</param>
/// <param name="Subdir">The conda platform (subdir).</param>
/// <param name="VirtualPackages">The virtual packages the lock was solved for (format 7), e.g. <c>__glibc &gt;= 2.17</c>.</param>
public sealed record PixiLockPlatform(string Name, string Subdir, IReadOnlyList<string> VirtualPackages);

/// <summary>One environment of a pixi lock file.</summary>
public sealed class PixiLockEnvironment
{
    /// <summary>The environment's name (<c>default</c> for the main one).</summary>
    public required string Name { get; init; }

    /// <summary>The conda channels (URLs or names), priority order.</summary>
    public IReadOnlyList<string> Channels { get; init; } = Array.Empty<string>();

    /// <summary>The PyPI indexes (<c>indexes</c>), first is the primary one.</summary>
    public IReadOnlyList<string> Indexes { get; init; } = Array.Empty<string>();

    /// <summary>The PyPI find-links locations (<c>find-links</c>: URLs or paths).</summary>
    public IReadOnlyList<string> FindLinks { get; init; } = Array.Empty<string>();

    /// <summary>The solve options (<c>options</c>: strategy, channel-priority, exclude-newer …) as written.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>Platform name → the environment's packages for it, in file order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PixiLockPackage>> Packages { get; init; } = new Dictionary<string, IReadOnlyList<PixiLockPackage>>();
}
