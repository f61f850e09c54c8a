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
/// -Prefix, or the active environment.</para>
/// </summary>
/// <example><code>Install-EnvPackage numpy "scipy>=1.11" -Name ml</code></example>
/// <example><code>Get-Env ml | Install-EnvPackage pandas -DryRun</code></example>
[Cmdlet(VerbsLifecycle.Install, "EnvPackage", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(PackageChange))]
public sealed class InstallEnvPackageCommand : EnvChangeCmdlet
{
    private readonly List<string> _specs = new();

    #region Parameters

    /// <summary>The MatchSpecs to install.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromRemainingArguments = true)]
    [ValidateNotNullOrEmpty]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>The environment's name; the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(ParameterSetName = "Name")]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    public string? Name { get; set; }

    /// <summary>The environment's folder (binds from Get-Env output).</summary>
    [Parameter(ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    public string? Prefix { get; set; }

    /// <summary>Relinks the requested packages even when they are installed already.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Installs only the requested packages, not their dependencies (conda's --no-deps).</summary>
    [Parameter]
    public SwitchParameter NoDeps { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var settings = LoadSettings(null);
            string prefix = ResolveExisting(settings, Name, Prefix);
            var outcome = Execute(LoadSettings(prefix), prefix, EnvironmentAction.Install, Spec.Select(MatchSpec.Parse).ToArray(),
                r => r with { Force = Force, NoDeps = NoDeps });
            if (outcome is { } o)
            {
                WriteChanges(o.Plan);
            }
        }, Spec);
    }
}
