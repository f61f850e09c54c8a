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
public sealed class UninstallEnvPackageCommand : EnvChangeCmdlet
{
    #region Parameters

    /// <summary>The packages (MatchSpecs) to remove.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromRemainingArguments = true)]
    [ArgumentCompleter(typeof(InstalledPackageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>The environment's name; the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(ParameterSetName = "Name")]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    public string? Name { get; set; }

    /// <summary>The environment's folder (binds from Get-Env output).</summary>
    [Parameter(ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    public string? Prefix { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var settings = LoadSettings(null);
            string prefix = ResolveExisting(settings, Name, Prefix);
            var outcome = Execute(LoadSettings(prefix), prefix, EnvironmentAction.Remove, Spec.Select(MatchSpec.Parse).ToArray());
            if (outcome is { } o)
            {
                WriteChanges(o.Plan);
            }
        }, Spec);
    }
}
