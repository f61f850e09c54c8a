using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Updates installed packages of an environment.</para>
/// <para type="description">Update-EnvPackage updates the named packages (which must be installed) to the newest
/// versions the environment's other constraints allow, or with -All every package. Packages piped from Get-EnvPackage are updated in their own environment, one change per environment. It returns one EnvTools.PackageChange
/// per changed package.</para>
/// </summary>
/// <example><code>Update-EnvPackage numpy -Name ml</code></example>
/// <example><code>Get-Env ml | Get-EnvPackage num* | Update-EnvPackage</code></example>
/// <example><code>Update-EnvPackage -All -Name ml -DryRun</code></example>
[Cmdlet(VerbsData.Update, "EnvPackage", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(PackageChange))]
public sealed class UpdateEnvPackageCommand : ExistingEnvChangeCmdlet
{
    #region Parameters

    /// <summary>The packages (MatchSpecs) to update.</summary>
    [Parameter(Position = 0, ValueFromRemainingArguments = true, ParameterSetName = "Name")]
    [Parameter(Position = 0, ValueFromRemainingArguments = true, ParameterSetName = "Prefix")]
    [ArgumentCompleter(typeof(InstalledPackageNameCompleter))]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>Updates every installed package.</summary>
    [Parameter(ParameterSetName = "Name")]
    [Parameter(ParameterSetName = "Prefix")]
    public SwitchParameter All { get; set; }

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
            if (Spec.Length == 0 && !All)
            {
                throw new EnvToolsException("NoPackagesToUpdate", ErrorKind.InvalidArgument, "Name the packages to update, or use -All.");
            }

            var settings = LoadSettings(null);
            string prefix = ResolveTarget(settings);
            var outcome = Execute(LoadSettings(prefix), prefix, EnvironmentAction.Update, Spec.Select(MatchSpec.Parse).ToArray(),
                r => r with { UpdateAll = All });
            if (outcome is { } o)
            {
                WriteChanges(o.Plan);
            }
        }, Spec);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        EndPiped(EnvironmentAction.Update);
        base.EndProcessing();
    }
}
