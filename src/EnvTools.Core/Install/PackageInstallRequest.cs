using EnvTools.Conda;

namespace EnvTools.Install;

/// <summary>
/// What Install-EnvPackage is asked to do: conda specs (those given and the exact builds of piped records), pip
/// requirements after them, and the options of the solve; <see cref="Customize"/> lays the options over the request.
/// </summary>
public sealed record PackageInstallRequest
{
    private PackageInstallRequest(IReadOnlyList<string> specs, IReadOnlyList<string> pip)
    {
        Specs = specs;
        Pip = pip;
    }

    /// <summary>The conda specs as given.</summary>
    public IReadOnlyList<string> Specs { get; }

    /// <summary>The pip requirements (and options), installed after the conda specs by the environment's pip.</summary>
    public IReadOnlyList<string> Pip { get; }

    /// <summary>Relink requested packages that are installed already.</summary>
    public bool Force { get; init; }

    /// <summary>Only the requested packages, not their dependencies.</summary>
    public bool NoDeps { get; init; }

    /// <summary>Keep every installed package that does not conflict as it is.</summary>
    public bool FreezeInstalled { get; init; }

    /// <summary>Also update the requested packages' dependencies.</summary>
    public bool UpdateDependencies { get; init; }

    /// <summary>Only the requested packages' dependencies.</summary>
    public bool OnlyDependencies { get; init; }

    /// <summary>Nothing is changed in the environment (a dry run, or a download into the package cache): no pip either.</summary>
    public bool ChangesNothing { get; init; }

    /// <summary>A request of <paramref name="specs"/> and <paramref name="pip"/> requirements.</summary>
    /// <exception cref="EnvToolsException">NothingToInstall: neither specs nor pip requirements.</exception>
    public static PackageInstallRequest Create(IReadOnlyList<string> specs, IReadOnlyList<string>? pip)
    {
        ArgumentNullException.ThrowIfNull(specs);
        if (specs.Count == 0 && pip is not { Count: > 0 })
        {
            throw new EnvToolsException("NothingToInstall", ErrorKind.InvalidArgument, "Give the MatchSpecs to install, or pip requirements with -Pip.");
        }

        return new PackageInstallRequest(specs, pip ?? Array.Empty<string>());
    }

    /// <summary><paramref name="specs"/> followed by the exact build (<c>name==version=build</c>) of each record, once each.</summary>
    public static string[] WithExactBuilds(IEnumerable<string> specs, IEnumerable<RepoDataRecord> records) =>
        specs.Concat(records.Select(r => $"{r.Name}=={r.Version}={r.Build}").Distinct(StringComparer.Ordinal)).ToArray();

    /// <summary>The conda specs parsed.</summary>
    /// <exception cref="InvalidSpecException">A spec is not valid.</exception>
    public MatchSpec[] ParseSpecs() => Specs.Select(MatchSpec.Parse).ToArray();

    /// <summary>The environment request with this request's options.</summary>
    public EnvironmentRequest Customize(EnvironmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request with
        {
            Force = Force,
            NoDeps = NoDeps,
            FreezeInstalled = FreezeInstalled,
            UpdateDependencies = UpdateDependencies,
            OnlyDependencies = OnlyDependencies,
        };
    }

    /// <summary>
    /// The pip requirements to install now: all of them when the call changes the environment and the conda part (when
    /// there is one) was applied (<paramref name="condaResult"/>; null: declined, or nothing to change); else none.
    /// </summary>
    public IReadOnlyList<string> PipToInstall(EnvironmentResult? condaResult) =>
        !ChangesNothing && (Specs.Count == 0 || condaResult is not null) ? Pip : Array.Empty<string>();
}
