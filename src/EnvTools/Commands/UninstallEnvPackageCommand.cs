using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Removes packages from an environment.</para>
/// <para type="description">Uninstall-EnvPackage removes the packages matching the specs, and the installed packages
/// that depend on them, as conda remove does. Packages piped from Get-EnvPackage are removed from their own environment, one change per environment. Channels are not read: it works offline. It returns one
/// EnvTools.PackageChange per removed (or changed) package.</para>
/// </summary>
/// <example><code>Uninstall-EnvPackage numpy -Name ml</code></example>
/// <example><code>Get-EnvPackage numpy, scipy -Name ml | Uninstall-EnvPackage</code></example>
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
            var outcome = Execute(LoadSettings(prefix), prefix, EnvironmentAction.Remove, Spec.Select(MatchSpec.Parse).ToArray());
            if (outcome is { } o)
            {
                WriteChanges(o.Plan);
            }
        }, Spec);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        EndPiped(EnvironmentAction.Remove);
        base.EndProcessing();
    }
}
