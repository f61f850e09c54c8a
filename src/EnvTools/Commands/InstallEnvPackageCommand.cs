using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
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
[OutputType(typeof(Environments.PackageChange))]
public sealed partial class InstallEnvPackageCommand : ExistingEnvChangeCmdlet
{
    private readonly List<RepoDataRecord> _piped = new();

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (InputObject is { Length: > 0 } records)
        {
            _piped.AddRange(records);
            return;
        }

        Install(Spec);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_piped.Count > 0)
        {
            Install(PackageInstallRequest.WithExactBuilds(Spec, _piped));
        }

        base.EndProcessing();
    }

    private void Install(string[] specs) => TryRun(() =>
    {
        PackageInstallRequest install = PackageInstallRequest.Create(specs, Pip) with
        {
            Force = Force, NoDeps = NoDeps, FreezeInstalled = FreezeInstalled, UpdateDependencies = UpdateDependencies,
            OnlyDependencies = OnlyDependencies, ChangesNothing = DryRun || DownloadOnly,
        };
        string prefix = ResolveTarget(LoadSettings(null));
        var outcome = specs.Length == 0 ? null : Execute(LoadSettings(prefix), prefix, EnvironmentAction.Install, install.ParseSpecs(), install.Customize, DownloadOnly);
        WriteChanges(outcome);
        InstallPip(prefix, install.PipToInstall(outcome?.Result), WorkingDirectory);
    }, specs);
}
