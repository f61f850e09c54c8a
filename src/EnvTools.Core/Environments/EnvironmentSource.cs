using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>
/// What an environment file asks for, whatever its kind (<see cref="EnvironmentFiles.Detect(string)"/>): specs to
/// solve (environment.yml, spec lists) or exact packages (<c>@EXPLICIT</c>, conda-lock: the target platform's section),
/// channels, variables and the pip requirements to install after the conda packages.
/// </summary>
public sealed class EnvironmentSource
{
    /// <summary>The file's kind.</summary>
    public required EnvironmentFileKind Kind { get; init; }

    /// <summary>The file (full path).</summary>
    public required string FilePath { get; init; }

    /// <summary>The environment name the file gives (<c>name:</c>), or null.</summary>
    public string? Name { get; init; }

    /// <summary>The prefix the file gives (<c>prefix:</c>), or null.</summary>
    public string? Prefix { get; init; }

    /// <summary>The file's channels in priority order (empty: the configured ones).</summary>
    public IReadOnlyList<string> Channels { get; init; } = Array.Empty<string>();

    /// <summary>The specs to solve (empty for explicit and lock files).</summary>
    public IReadOnlyList<MatchSpec> Specs { get; init; } = Array.Empty<MatchSpec>();

    /// <summary>The exact packages, in file order (explicit and lock files); null when the specs are to be solved.</summary>
    public IReadOnlyList<RepoDataRecord>? ExplicitRecords { get; init; }

    /// <summary>The variables to write to <c>conda-meta/state</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Variables { get; init; } = Array.Empty<KeyValuePair<string, string>>();

    /// <summary>The pip requirement lines, installed after the conda packages (empty when none).</summary>
    public IReadOnlyList<string> PipRequirements { get; init; } = Array.Empty<string>();

    /// <summary>The folder relative paths in the file resolve from (the file's folder).</summary>
    public string Directory => Path.GetDirectoryName(FilePath)!;

    /// <summary>Reads an environment file for <paramref name="platform"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="platform">The target platform: selects <c>sel()</c> dependencies and a lock file's section, and must be an explicit file's platform.</param>
    /// <param name="getVariable">Expands variables in channels (the process environment by default).</param>
    /// <param name="lockEnvironment">A pixi lock file's environment to install (<c>default</c> when null); must be null for other kinds.</param>
    /// <exception cref="InvalidEnvironmentFileException">The file is malformed, is for another platform, has no such
    /// environment, or (pixi) locks source packages that must be built.</exception>
    public static EnvironmentSource Load(string path, Platform platform, Func<string, string?>? getVariable = null, string? lockEnvironment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = EnvironmentFile.FullPath(path);
        string text = EnvironmentFile.ReadText(full);
        EnvironmentFileKind kind = EnvironmentFiles.Detect(text, full);
        if (lockEnvironment is not null && kind != EnvironmentFileKind.PixiLock)
        {
            throw new InvalidEnvironmentFileException(full, 0, null, $"is a {kind} file, which has no environments to choose from (-LockEnvironment is for pixi lock files)");
        }

        switch (kind)
        {
            case EnvironmentFileKind.PixiLock:
                return WithoutCredentials(FromPixiLock(PixiLockFile.Parse(text, full, Path.GetDirectoryName(full)), full, platform, lockEnvironment ?? PixiLockFile.DefaultEnvironment));
            case EnvironmentFileKind.MambaJsLock:
                MambaJsLockFile js = MambaJsLockFile.Parse(text, full);
                if (js.Platform != platform.Name)
                {
                    throw new InvalidEnvironmentFileException(full, 0, "platform", $"the lock is for {js.Platform}, not {platform.Name}");
                }

                return WithoutCredentials(new EnvironmentSource
                {
                    Kind = kind,
                    FilePath = full,
                    Channels = js.Channels.Select(c => js.ChannelUrls[c][0]).ToArray(),
                    ExplicitRecords = js.ToRecords(),
                    PipRequirements = js.PipPackages.Select(pp => $"{pp.Name} @ {pp.Url}").ToArray(),
                });
            case EnvironmentFileKind.Explicit:
                ExplicitFile ex = ExplicitFile.Parse(text, full);
                if (ex.Platform is { } p && p != platform.Name)
                {
                    throw new InvalidEnvironmentFileException(full, 0, "platform",
                        $"the file is for {p}, not {platform.Name}: an explicit file installs one platform's exact packages (export a Lock for several platforms)");
                }

                return WithoutCredentials(new EnvironmentSource { Kind = kind, FilePath = full, ExplicitRecords = ex.ToRecords() });
            case EnvironmentFileKind.CondaLock:
                CondaLockFile lf = CondaLockFile.Parse(text, full);
                if (!lf.Platforms.Contains(platform.Name, StringComparer.Ordinal))
                {
                    throw new InvalidEnvironmentFileException(full, 0, "metadata.platforms",
                        $"the lock covers {string.Join(", ", lf.Platforms)}, not {platform.Name}");
                }

                return WithoutCredentials(new EnvironmentSource
                {
                    Kind = kind,
                    FilePath = full,
                    Channels = lf.Channels,
                    ExplicitRecords = lf.RecordsFor(platform.Name),
                    PipRequirements = lf.PipPackagesFor(platform.Name).Select(pp => $"{pp.Name} @ {pp.Url}").ToArray(),
                });
            case EnvironmentFileKind.EnvironmentYaml:
                EnvironmentFile env = EnvironmentFile.Parse(text, full, getVariable);
                return new EnvironmentSource
                {
                    Kind = kind,
                    FilePath = full,
                    Name = env.Name,
                    Prefix = env.Prefix,
                    Channels = env.Channels,
                    Specs = env.GetSpecs(platform),
                    Variables = env.Variables,
                    PipRequirements = env.Pip ?? (IReadOnlyList<string>)Array.Empty<string>(),
                };
            default:
                return new EnvironmentSource
                {
                    Kind = kind,
                    FilePath = full,
                    Specs = SpecListFile.Parse(text, full).Specs.Select(MatchSpec.Parse).ToArray(),
                };
        }
    }

    private static EnvironmentSource FromPixiLock(PixiLockFile lf, string full, Platform platform, string environment)
    {
        PixiLockEnvironment env = lf.GetEnvironment(environment);
        PixiCondaPackage[] sources = lf.SourcePackagesFor(environment, platform.Name).ToArray();
        if (sources.Length > 0)
        {
            throw new InvalidEnvironmentFileException(full, sources[0].Line, $"environments.{environment}",
                $"locks source packages that pixi builds itself ({string.Join(", ", sources.Select(s => $"{s.Name} @ {s.Location}"))}): EnvTools installs built packages only");
        }

        string directory = Path.GetDirectoryName(full)!;
        return new EnvironmentSource
        {
            Kind = EnvironmentFileKind.PixiLock,
            FilePath = full,
            Channels = env.Channels,
            ExplicitRecords = lf.RecordsFor(environment, platform.Name),
            PipRequirements = lf.PypiPackagesFor(environment, platform.Name).Select(p => PipRequirement(p, directory)).ToArray(),
        };
    }

    // A pip requirement line for a locked PyPI package: "name @ url" (pixi's direct+ prefix dropped), "-e path" for an
    // editable folder, "name @ file:///abs" for a relative path.
    private static string PipRequirement(PixiPypiPackage p, string directory)
    {
        string location = p.Location.StartsWith("direct+", StringComparison.Ordinal) ? p.Location["direct+".Length..] : p.Location;
        if (!PixiLockFile.IsUrl(location))
        {
            string full = Path.GetFullPath(Path.Combine(directory, location));
            return p.Editable ? $"-e {full}" : $"{p.Name} @ {new Uri(full).AbsoluteUri}";
        }

        return $"{p.Name} @ {location}";
    }

    /// <summary>
    /// Exact records whose URLs carry a token or password keep them out of the environment (conda-meta, history): the
    /// records get the bare URLs, and the channels they come from are added, with their credentials, to
    /// <see cref="Channels"/> — the package cache sends a channel's credentials with the downloads under it.
    /// </summary>
    private static EnvironmentSource WithoutCredentials(EnvironmentSource source)
    {
        if (source.ExplicitRecords is not { } records || !records.Any(r => ExplicitFile.StripCredentials(r.Url) != r.Url))
        {
            return source;
        }

        var channels = new List<string>(source.Channels);
        var clean = new List<RepoDataRecord>(records.Count);
        foreach (RepoDataRecord r in records)
        {
            string url = ExplicitFile.StripCredentials(r.Url);
            if (url == r.Url)
            {
                clean.Add(r);
                continue;
            }

            // <channel>/<subdir>/<file>: the channel with its credentials is the URL without its last two segments.
            string withCredentials = r.Url[..r.Url.LastIndexOf('/')];
            withCredentials = withCredentials[..Math.Max(0, withCredentials.LastIndexOf('/'))];
            if (withCredentials.Contains("://", StringComparison.Ordinal) && !channels.Contains(withCredentials, StringComparer.Ordinal))
            {
                channels.Add(withCredentials);
            }

            clean.Add(new RepoDataRecord(r) { FileName = r.FileName, Url = url, Channel = r.Channel is null ? null : ExplicitFile.StripCredentials(r.Channel) });
        }

        return new EnvironmentSource
        {
            Kind = source.Kind,
            FilePath = source.FilePath,
            Name = source.Name,
            Prefix = source.Prefix,
            Channels = channels,
            Specs = source.Specs,
            ExplicitRecords = clean,
            Variables = source.Variables,
            PipRequirements = source.PipRequirements,
        };
    }
}
