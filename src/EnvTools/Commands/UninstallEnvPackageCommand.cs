using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Removes packages from an environment.</para>
/// <para type="description">Uninstall-EnvPackage removes the packages matching the specs, and the installed packages
/// that depend on them, as conda remove does. Channels are not read: it works offline. It returns one
/// EnvTools.PackageChange per removed (or changed) package.</para>
/// </summary>
/// <example><code>Uninstall-EnvPackage numpy -Name ml</code></example>
[Cmdlet(VerbsLifecycle.Uninstall, "EnvPackage", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(PackageChange))]
public sealed class UninstallEnvPackageCommand : ExistingEnvChangeCmdlet
{
    #region Parameters

    /// <summary>The packages (MatchSpecs) to remove.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromRemainingArguments = true)]
    [ArgumentCompleter(typeof(InstalledPackageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Spec { get; set; } = Array.Empty<string>();

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
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
}
