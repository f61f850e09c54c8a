using EnvTools.Conda;
using EnvTools.Environments;

namespace EnvTools.Install;

/// <summary>
/// What New-Env is asked besides the specs: the options laid over the environment request (<see cref="Customize"/>),
/// and an environment to clone (its exact packages, no solve; <see cref="ReadClone"/>).
/// </summary>
public sealed record NewEnvironmentRequest
{
    /// <summary>Replace an existing environment.</summary>
    public bool Force { get; init; }

    /// <summary>Only the requested packages, not their dependencies.</summary>
    public bool NoDeps { get; init; }

    /// <summary>Leave out the configured create_default_packages.</summary>
    public bool NoDefaultPackages { get; init; }

    /// <summary>The environment (a name or a prefix) whose exact packages are copied; null: none.</summary>
    public string? CloneSource { get; init; }

    /// <summary>The packages of <see cref="CloneSource"/>, once read (<see cref="ReadClone"/>).</summary>
    public IReadOnlyList<RepoDataRecord>? ClonedRecords { get; init; }

    /// <summary>This request with the packages of <see cref="CloneSource"/> read (unchanged without one).</summary>
    /// <exception cref="EnvToolsException">CloneWithSpecs: specs were given with a clone.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment to clone.</exception>
    public NewEnvironmentRequest ReadClone(EnvironmentLocator locator, IReadOnlyList<MatchSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(locator);
        ArgumentNullException.ThrowIfNull(specs);
        if (string.IsNullOrEmpty(CloneSource))
        {
            return this;
        }

        if (specs.Count > 0)
        {
            throw new EnvToolsException("CloneWithSpecs", ErrorKind.InvalidArgument,
                $"-Clone copies the exact packages of '{CloneSource}'; add packages afterwards with Install-EnvPackage (as conda, which expects no packages with --clone).");
        }

        return this with { ClonedRecords = PrefixState.ReadInstalled(locator.Find(CloneSource)) };
    }

    /// <summary>Fails when a clone is asked for with a file (each gives the whole environment).</summary>
    /// <exception cref="EnvToolsException">CloneWithFile.</exception>
    public void ThrowIfCloneWithFile()
    {
        if (!string.IsNullOrEmpty(CloneSource))
        {
            throw new EnvToolsException("CloneWithFile", ErrorKind.InvalidArgument, "-Clone and -File cannot be combined: each gives the whole environment.");
        }
    }

    /// <summary>The environment request with these options (and the cloned packages, when read).</summary>
    public EnvironmentRequest Customize(EnvironmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request with
        {
            Force = Force,
            NoDeps = NoDeps,
            NoDefaultPackages = NoDefaultPackages,
            ExplicitRecords = ClonedRecords ?? request.ExplicitRecords,
        };
    }
}
