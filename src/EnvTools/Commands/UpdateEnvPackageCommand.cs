using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Updates installed packages of an environment.</para>
/// <para type="description">Update-EnvPackage updates the named packages (which must be installed) to the newest
/// versions the environment's other constraints allow, or with -All every package. It returns one EnvTools.PackageChange
/// per changed package.</para>
/// </summary>
/// <example><code>Update-EnvPackage numpy -Name ml</code></example>
/// <example><code>Update-EnvPackage -All -Name ml -DryRun</code></example>
[Cmdlet(VerbsData.Update, "EnvPackage", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(PackageChange))]
public sealed class UpdateEnvPackageCommand : ExistingEnvChangeCmdlet
{
    #region Parameters

    /// <summary>The packages (MatchSpecs) to update.</summary>
    [Parameter(Position = 0, ValueFromRemainingArguments = true)]
    [ArgumentCompleter(typeof(InstalledPackageNameCompleter))]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>Updates every installed package.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
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
}
