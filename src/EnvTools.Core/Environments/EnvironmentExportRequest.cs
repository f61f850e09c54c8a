using System.Text.Json;
using EnvTools.Conda;
using EnvTools.Config;

namespace EnvTools.Environments;

/// <summary>The file formats an environment exports to (in the order of Export-Env's EnvExportFormat, which maps onto it).</summary>
public enum EnvironmentExportFormat
{
    /// <summary>conda's environment.yml.</summary>
    Yaml,
    /// <summary>The environment.yml content as an object tree, or as indented JSON text.</summary>
    Json,
    /// <summary>An @EXPLICIT file (CEP-23).</summary>
    Explicit,
    /// <summary>A conda-lock (v1) multi-platform lock file.</summary>
    Lock,
}

/// <summary>One export of an environment (Export-Env): its format and options, run by <see cref="Export"/>.</summary>
public sealed record EnvironmentExportRequest
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The environment.</summary>
    public required string Prefix { get; init; }

    /// <summary>The name written into the file (the environment's name in the envs dirs, else its folder's name).</summary>
    public required string Name { get; init; }

    /// <summary>The format.</summary>
    public EnvironmentExportFormat Format { get; init; }

    /// <summary>Yaml and Json: <c>name=version</c> without the build.</summary>
    public bool NoBuilds { get; init; }

    /// <summary>Yaml and Json: only the specs the user asked for.</summary>
    public bool FromHistory { get; init; }

    /// <summary>Lock only: the platforms as given (each may be a comma-separated list); the environment's own when empty.</summary>
    public IReadOnlyList<string>? Platforms { get; init; }

    /// <summary>Json: the object tree instead of JSON text.</summary>
    public bool AsTree { get; init; }

    /// <summary>
    /// The export: the file's text, or for Json with <see cref="AsTree"/> the environment.yml content as a tree of
    /// string-keyed maps, lists and strings.
    /// </summary>
    /// <param name="settings">Loads the settings, for the formats that read them (channels, channel access).</param>
    /// <param name="progress">Reports the platform being locked (Lock).</param>
    /// <param name="ct">Cancels the solves of a lock.</param>
    /// <exception cref="EnvToolsException">PlatformNeedsLock: platforms given for another format than Lock.</exception>
    /// <exception cref="UnknownPlatformException">A platform name is not known.</exception>
    public object Export(Func<Settings> settings, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (Platforms is { Count: > 0 } && Format != EnvironmentExportFormat.Lock)
        {
            throw new EnvToolsException("PlatformNeedsLock", ErrorKind.InvalidArgument,
                "-Platform applies to -Format Lock only: an environment.yml is solved on each platform, and an explicit file holds one platform's packages.");
        }

        switch (Format)
        {
            case EnvironmentExportFormat.Explicit:
                return EnvironmentExport.ToExplicit(Prefix);
            case EnvironmentExportFormat.Lock:
                Platform[] platforms = (Platforms ?? Array.Empty<string>())
                    .SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .Select(p => Platform.TryParse(p, out Platform parsed) ? parsed : throw new UnknownPlatformException(p)).ToArray();
                return EnvironmentExport.ToLock(Prefix, platforms, settings(), Name, progress, ct);
            default:
                EnvironmentFile file = EnvironmentExport.ToEnvironmentFile(Prefix,
                    new EnvironmentExportOptions { Name = Name, NoBuilds = NoBuilds, FromHistory = FromHistory }, settings().Channels);
                return Format == EnvironmentExportFormat.Yaml ? file.ToYaml()
                    : AsTree ? file.ToTree()
                    : JsonSerializer.Serialize<object>(file.ToTree(), Indented) + "\n";
        }
    }
}
