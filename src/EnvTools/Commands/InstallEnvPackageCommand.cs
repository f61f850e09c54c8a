using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Installs packages into an environment.</para>
/// <para type="description">Install-EnvPackage solves the specs together with what the environment has (its history
/// and pinned specs keep constraining it), fetches what is missing, and links it; packages that need not change stay.
/// It returns one EnvTools.PackageChange per package installed, updated, downgraded or removed. The target is -Name,
/// -Prefix, or the active environment. -Pip installs pip requirements with the environment's own pip
/// (python -m pip install), after the conda specs; pip's output comes as verbose messages, and a failure is a
/// PipInstallFailed error. The modifiers follow conda's: -FreezeInstalled (--freeze-installed) keeps every installed
/// package that does not conflict with the request as it is (and solves again without freezing when that has no
/// solution); -UpdateDependencies (--update-deps) also updates the dependencies of the requested packages to the newest
/// versions the request allows; -OnlyDependencies (--only-deps) installs the dependencies of the requested packages but
/// not the packages themselves; -NoDeps (--no-deps) the packages without their dependencies. -UpdateDependencies
/// combines with -OnlyDependencies; the others are exclusive (a ConflictingModifiers error). -DownloadOnly
/// (--download-only) solves and fills the package cache with what the change would link, and leaves the environment as
/// it is: it returns the changes it prepared, as -DryRun does.</para>
/// </summary>
/// <example><code>Install-EnvPackage numpy "scipy>=1.11" -Name ml</code>
/// <para>Installs numpy and scipy 1.11 or newer into the environment ml, with what they need (conda install -n ml numpy
/// "scipy>=1.11"), and returns the changes.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Install    libopenblas            0.3.27                   0                      conda-forge          940 B
/// Install    numpy                  2.1.3                    py311_0                conda-forge        1.0 KiB
/// Install    scipy                  1.14.1                   py311_0                conda-forge        1.0 KiB
/// </output></example>
/// <example><code>Get-Env ml | Install-EnvPackage pandas -DryRun</code>
/// <para>Shows what installing pandas into the environment piped from Get-Env would change (conda install --dry-run),
/// and changes nothing.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Install    pytz                   2024.1                   pyhd8ed1ab_0           conda-forge        1.1 KiB
/// Install    pandas                 2.2.2                    py311_0                conda-forge        1.0 KiB
/// </output></example>
/// <example><code>Install-EnvPackage -Name ml -Pip '--no-index', '--find-links ./wheels', 'mytool==1.0'</code>
/// <para>Installs a pip requirement from a local wheel folder with the environment's own pip (python -m pip install);
/// each value is a line of a requirements file. Prints nothing: pip's lines come as verbose messages (-Verbose), and
/// Get-EnvPackage lists mytool afterwards with Source Pypi.</para></example>
/// <example><code>Install-EnvPackage app -Name web -FreezeInstalled</code>
/// <para>Installs app without changing any installed package (conda install --freeze-installed): web has libdemo 1.0, so
/// app 1.0 is chosen, as app 2.0 would need libdemo 2.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Install    app                    1.0                      0                      conda-forge          903 B
/// </output></example>
/// <example><code>Install-EnvPackage app -Name web -OnlyDependencies</code>
/// <para>Installs what app needs but not app itself (conda install --only-deps), to develop app from source in the
/// environment; with -UpdateDependencies those dependencies also move to their newest versions.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Install    libdemo                2.0                      0                      conda-forge          917 B
/// </output></example>
/// <example><code>Install-EnvPackage numpy -Name ml -DownloadOnly; Install-EnvPackage numpy -Name ml -Offline</code>
/// <para>The first command downloads the packages the install needs into the package cache and leaves ml as it is
/// (conda install --download-only); the second installs them later without the network. Each returns the same changes.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Install    libopenblas            0.3.27                   0                      conda-forge          940 B
/// Install    numpy                  2.1.3                    py311_0                conda-forge        1.0 KiB
/// Install    libopenblas            0.3.27                   0                      conda-forge          940 B
/// Install    numpy                  2.1.3                    py311_0                conda-forge        1.0 KiB
/// </output></example>
/// <seealso cref="UpdateEnvPackageCommand"/>
/// <seealso cref="UninstallEnvPackageCommand"/>
/// <seealso cref="FindEnvPackageCommand"/>
/// <seealso cref="GetEnvPackageCommand"/>
/// <seealso cref="GetEnvHistoryCommand"/>
[Cmdlet(VerbsLifecycle.Install, "EnvPackage", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(PackageChange))]
public sealed class InstallEnvPackageCommand : ExistingEnvChangeCmdlet
{
    private readonly List<string> _piped = new();

    #region Parameters

    /// <summary>The MatchSpecs to install (optional with -Pip).</summary>
    [Parameter(Position = 0, ValueFromRemainingArguments = true)]
    [ArgumentCompleter(typeof(CachedPackageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>Package records piped from Find-EnvPackage or Resolve-EnvPackage: each is installed in exactly that version and
    /// build (<c>name==version=build</c>), from the channels of -Channel or the configuration, all in one change.</summary>
    [Parameter(ValueFromPipeline = true)]
    public RepoDataRecord[]? InputObject { get; set; }

    /// <summary>Relinks the requested packages even when they are installed already.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Installs only the requested packages, not their dependencies (conda's --no-deps).</summary>
    [Parameter]
    public SwitchParameter NoDeps { get; set; }

    /// <summary>Keeps every installed package that does not conflict with the request exactly as it is (conda's
    /// --freeze-installed); solves again without freezing when that has no solution.</summary>
    [Parameter]
    public SwitchParameter FreezeInstalled { get; set; }

    /// <summary>Also updates the dependencies of the requested packages to the newest versions the request allows
    /// (conda's --update-deps); pinned packages keep their pins and an installed python its major.minor version.</summary>
    [Parameter]
    public SwitchParameter UpdateDependencies { get; set; }

    /// <summary>Installs only the dependencies of the requested packages, not the packages themselves (conda's
    /// --only-deps); a requested package that is installed already stays.</summary>
    [Parameter]
    public SwitchParameter OnlyDependencies { get; set; }

    /// <summary>Solves and downloads the packages the change needs into the package cache, and changes nothing in the
    /// environment (conda's --download-only); returns the prepared changes.</summary>
    [Parameter]
    public SwitchParameter DownloadOnly { get; set; }

    /// <summary>pip requirements (and pip options such as --no-index, --find-links DIR) installed by the environment's
    /// own pip, after the conda specs if any.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Pip { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (InputObject is { Length: > 0 } records)
        {
            _piped.AddRange(records.Select(r => $"{r.Name}=={r.Version}={r.Build}"));
            return;
        }

        Install(Spec);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_piped.Count > 0)
        {
            Install(Spec.Concat(_piped.Distinct(StringComparer.Ordinal)).ToArray());
        }

        base.EndProcessing();
    }

    private void Install(string[] specs)
    {
        TryRun(() =>
        {
            if (specs.Length == 0 && Pip is not { Length: > 0 })
            {
                throw new EnvToolsException("NothingToInstall", ErrorKind.InvalidArgument, "Give the MatchSpecs to install, or pip requirements with -Pip.");
            }

            var settings = LoadSettings(null);
            string prefix = ResolveTarget(settings);
            if (specs.Length > 0)
            {
                var outcome = Execute(LoadSettings(prefix), prefix, EnvironmentAction.Install, specs.Select(MatchSpec.Parse).ToArray(),
                    r => r with
                    {
                        Force = Force,
                        NoDeps = NoDeps,
                        FreezeInstalled = FreezeInstalled,
                        UpdateDependencies = UpdateDependencies,
                        OnlyDependencies = OnlyDependencies,
                    }, DownloadOnly);
                if (outcome is not { } o)
                {
                    return;
                }

                WriteChanges(o.Plan);
                if (o.Result is null)
                {
                    return; // -DryRun
                }
            }

            if (Pip is { Length: > 0 } && !DryRun && !DownloadOnly)
            {
                InstallPip(prefix, Pip, SessionState.Path.CurrentFileSystemLocation.ProviderPath);
            }
        }, specs);
    }
}
