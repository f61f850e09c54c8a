using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Removes packages from an environment.</para>
/// <para type="description">Uninstall-EnvPackage removes the packages matching the specs, the installed packages that
/// depend on them, and the dependencies that no requested package needs any more, as conda remove does: a dependency
/// stays when the user asked for it (it is in the environment's history, Get-EnvHistory's RequestedSpecs) or when a
/// package that stays needs it. -DryRun shows exactly that set. With -Force (conda's remove --force) only the packages
/// matching the specs go; what depends on them and what they needed stay, and the environment may be left with unmet
/// dependencies. Packages piped from Get-EnvPackage are removed from their own
/// environment, one change per environment. Channels are not read: it works offline. It returns one EnvTools.PackageChange per removed (or
/// changed) package.</para>
/// </summary>
/// <example><code>Uninstall-EnvPackage app -Name web</code>
/// <para>Removes app and libdemo, the dependency only app needed (libdemo was not asked for by name), as conda remove -n
/// web app does; zlib stays because tool needs it.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Remove     app                    2.0                      0                      conda-forge          903 B
/// Remove     libdemo                2.0                      0                      conda-forge          917 B
/// </output></example>
/// <example><code>Uninstall-EnvPackage libdemo -Name web -Force</code>
/// <para>Removes libdemo alone; app, which depends on it, stays (conda remove --force), and Get-EnvDependency shows the
/// dependency as missing.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Remove     libdemo                2.0                      0                      conda-forge          917 B
/// </output></example>
/// <example><code>Uninstall-EnvPackage numpy -Name ml -DryRun</code>
/// <para>Shows what removing numpy would take out (numpy, what depends on it, and what only it needed), and changes nothing.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Remove     libopenblas            0.3.27                   0                      conda-forge          940 B
/// Remove     numpy                  2.1.3                    py311_0                conda-forge        1.0 KiB
/// Remove     pandas                 2.2.2                    py311_0                conda-forge        1.0 KiB
/// Remove     pytz                   2024.1                   pyhd8ed1ab_0           conda-forge        1.1 KiB
/// Remove     scipy                  1.14.1                   py311_0                conda-forge        1.0 KiB
/// </output></example>
/// <example><code>Get-EnvPackage numpy, scipy -Name ml | Uninstall-EnvPackage</code>
/// <para>Removes the two packages Get-EnvPackage found in ml, in one change, with the packages that need them (pandas)
/// and what only they needed.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Remove     libopenblas            0.3.27                   0                      conda-forge          940 B
/// Remove     numpy                  2.1.3                    py311_0                conda-forge        1.0 KiB
/// Remove     pandas                 2.2.2                    py311_0                conda-forge        1.0 KiB
/// Remove     pytz                   2024.1                   pyhd8ed1ab_0           conda-forge        1.1 KiB
/// Remove     scipy                  1.14.1                   py311_0                conda-forge        1.0 KiB
/// </output></example>
/// <seealso cref="InstallEnvPackageCommand"/>
/// <seealso cref="UpdateEnvPackageCommand"/>
/// <seealso cref="GetEnvPackageCommand"/>
/// <seealso cref="GetEnvDependencyCommand"/>
[Cmdlet(VerbsLifecycle.Uninstall, "EnvPackage", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(PackageChange))]
public sealed class UninstallEnvPackageCommand : ExistingEnvChangeCmdlet
{
    #region Parameters

    /// <summary>The packages (MatchSpecs) to remove.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromRemainingArguments = true, ParameterSetName = "Name")]
    [Parameter(Mandatory = true, Position = 0, ValueFromRemainingArguments = true, ParameterSetName = "Prefix")]
    [ArgumentCompleter(typeof(InstalledPackageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>Removes only the packages that match the specs, leaving the packages that depend on them and their
    /// dependencies in place (conda's remove --force); the environment may be left with unmet dependencies.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Installed packages from Get-EnvPackage (each in its own environment).</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputSet, ValueFromPipeline = true)]
    public InstalledPackage[] InputObject { get; set; } = Array.Empty<InstalledPackage>();

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputSet)
        {
            Collect(InputObject);
            return;
        }

        TryRun(() =>
        {
            var settings = LoadSettings(null);
            string prefix = ResolveTarget(settings);
            var outcome = Execute(LoadSettings(prefix), prefix, EnvironmentAction.Remove, Spec.Select(MatchSpec.Parse).ToArray(),
                r => r with { ForceRemove = Force });
            if (outcome is { } o)
            {
                WriteChanges(o.Plan);
            }
        }, Spec);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        EndPiped(EnvironmentAction.Remove, r => r with { ForceRemove = Force });
        base.EndProcessing();
    }
}
