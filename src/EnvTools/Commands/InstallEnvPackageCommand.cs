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
/// PipInstallFailed error.</para>
/// </summary>
/// <example><code>Install-EnvPackage numpy "scipy>=1.11" -Name ml</code></example>
/// <example><code>Get-Env ml | Install-EnvPackage pandas -DryRun</code></example>
/// <example><code>Install-EnvPackage -Name ml -Pip '--no-index', '--find-links ./wheels', 'mytool==1.0'</code></example>
[Cmdlet(VerbsLifecycle.Install, "EnvPackage", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(PackageChange))]
public sealed class InstallEnvPackageCommand : ExistingEnvChangeCmdlet
{
    private readonly List<string> _specs = new();

    #region Parameters

    /// <summary>The MatchSpecs to install (optional with -Pip).</summary>
    [Parameter(Position = 0, ValueFromRemainingArguments = true)]
    [ArgumentCompleter(typeof(CachedPackageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>Relinks the requested packages even when they are installed already.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Installs only the requested packages, not their dependencies (conda's --no-deps).</summary>
    [Parameter]
    public SwitchParameter NoDeps { get; set; }

    /// <summary>pip requirements (and pip options such as --no-index, --find-links DIR) installed by the environment's
    /// own pip, after the conda specs if any.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Pip { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            if (Spec.Length == 0 && Pip is not { Length: > 0 })
            {
                throw new EnvToolsException("NothingToInstall", ErrorKind.InvalidArgument, "Give the MatchSpecs to install, or pip requirements with -Pip.");
            }

            var settings = LoadSettings(null);
            string prefix = ResolveTarget(settings);
            if (Spec.Length > 0)
            {
                var outcome = Execute(LoadSettings(prefix), prefix, EnvironmentAction.Install, Spec.Select(MatchSpec.Parse).ToArray(),
                    r => r with { Force = Force, NoDeps = NoDeps });
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

            if (Pip is { Length: > 0 } && !DryRun)
            {
                InstallPip(prefix, Pip, SessionState.Path.CurrentFileSystemLocation.ProviderPath);
            }
        }, Spec);
    }
}
