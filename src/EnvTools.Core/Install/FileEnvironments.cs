using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Environments;

namespace EnvTools.Install;

/// <summary>
/// conda env create and conda env update from an environment file (environment.yml, an explicit file, conda-lock,
/// pixi.lock, a mambajs lock): which prefix a file creates, the request a file makes, and what follows its packages
/// (the file's variables into conda-meta/state, its pip requirements installed by the environment's python). The
/// cmdlets and any other .NET host share these rules.
/// </summary>
public static class FileEnvironments
{
    /// <summary>
    /// The prefix a file creates: the given prefix; else the given name, else the file's <c>name:</c>, in the first
    /// writable envs dir; else the file's <c>prefix:</c>.
    /// </summary>
    /// <exception cref="EnvToolsException">EnvironmentNameMissing: neither the caller nor the file names the environment.</exception>
    public static string PrefixForCreate(EnvironmentSource source, EnvironmentLocator locator, string? name, string? prefix)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(locator);
        return prefix is { Length: > 0 } ? Path.GetFullPath(prefix)
            : name is { Length: > 0 } ? locator.PrefixForNewName(name)
            : source.Name is { Length: > 0 } fileName ? locator.PrefixForNewName(fileName)
            : source.Prefix is { Length: > 0 } filePrefix ? filePrefix
            : throw new EnvToolsException("EnvironmentNameMissing", ErrorKind.InvalidArgument,
                $"{source.FilePath} names no environment ({source.Kind} files have no name: key); give -Name or -Prefix.");
    }

    /// <summary>The environment a file updates: the given name or prefix, else the file's <c>name:</c>, else the active one.</summary>
    /// <exception cref="EnvironmentNotFoundException">No such environment.</exception>
    /// <exception cref="NoActiveEnvironmentException">Nothing names it and none is active.</exception>
    public static string PrefixForUpdate(EnvironmentSource source, EnvironmentLocator locator, string? name, string? prefix)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(locator);
        if (string.IsNullOrEmpty(name) && string.IsNullOrEmpty(prefix) && !string.IsNullOrEmpty(source.Name))
        {
            name = source.Name;
        }

        return locator.ResolveTarget(name, prefix);
    }

    /// <summary>
    /// The request for the file: its specs after <paramref name="extraSpecs"/> (given besides the file), or its exact
    /// packages installed without a solve (with what the environment has besides them, unless <paramref name="prune"/>);
    /// its channels after <paramref name="channels"/> (conda's rule, <see cref="RequestChannels"/>), or the request's
    /// channels when neither names any.
    /// </summary>
    /// <param name="request">The request so far (prefix, action, platform, options); its specs and channels are replaced.</param>
    /// <param name="source">The file.</param>
    /// <param name="extraSpecs">Specs given besides the file (not with exact packages).</param>
    /// <param name="prune">Drop installed packages the file does not need (an update only).</param>
    /// <param name="settings">The settings (configured channels, alias).</param>
    /// <param name="channels">Channels given besides the file's, first.</param>
    /// <param name="overrideChannels">Only the given and the file's channels, not the configured ones.</param>
    /// <param name="workingDirectory">Relative channel paths are taken from here.</param>
    /// <exception cref="EnvToolsException">SpecsWithExactFile: specs given with a file of exact packages.</exception>
    public static EnvironmentRequest Request(EnvironmentRequest request, EnvironmentSource source, IReadOnlyList<MatchSpec> extraSpecs, bool prune,
        Settings settings, IReadOnlyList<string>? channels, bool overrideChannels, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(extraSpecs);
        IReadOnlyList<RepoDataRecord>? exact = source.ExplicitRecords;
        if (exact is not null && extraSpecs.Count > 0)
        {
            throw new EnvToolsException("SpecsWithExactFile", ErrorKind.InvalidArgument,
                $"{source.FilePath} lists exact packages ({source.Kind}); specs cannot be added to it. Install them afterwards with Install-EnvPackage.");
        }

        if (exact is not null && request.Action != EnvironmentAction.Create && !prune)
        {
            // Without prune, what the environment has besides the file's packages stays.
            var named = new HashSet<string>(exact.Select(r => r.Name), StringComparer.Ordinal);
            exact = exact.Concat(PrefixState.ReadInstalled(request.Prefix).Where(r => !named.Contains(r.Name))).ToArray();
        }

        string[] names = (channels ?? Array.Empty<string>()).Concat(source.Channels).Distinct(StringComparer.Ordinal).ToArray();
        return request with
        {
            Specs = source.Specs.Concat(extraSpecs).ToArray(),
            ExplicitRecords = exact,
            Prune = prune && exact is null,
            Channels = names.Length > 0 ? RequestChannels.Resolve(settings, names, overrideChannels, workingDirectory) : request.Channels,
        };
    }

    /// <summary>
    /// What follows the file's packages: its variables into conda-meta/state, then (with <paramref name="installPip"/>)
    /// its pip requirements installed by the environment's python, from the file's folder.
    /// </summary>
    /// <exception cref="PipInstallFailedException">pip failed (the conda packages stay installed).</exception>
    public static void Finish(string prefix, EnvironmentSource source, bool installPip, Action<string>? pipOutput = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Variables.Count > 0)
        {
            EnvironmentConfigVariables.Set(prefix, source.Variables);
        }

        if (installPip && source.PipRequirements.Count > 0)
        {
            PipInstaller.Install(prefix, source.PipRequirements, source.Directory, pipOutput, cancellationToken);
        }
    }
}
