using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Brings an existing environment to an environment file (conda env update).</para>
/// <para type="description">Update-Env reads an environment.yml, an @EXPLICIT file or a conda-lock file and changes the
/// environment to match: an environment.yml's specs are solved together with what the environment has (-Prune drops the
/// packages that neither the file nor a kept package needs); an explicit or lock file's exact packages replace the
/// installed ones of the same names (-Prune also removes every package the file does not list). The file's variables go
/// into conda-meta/state and its pip: list is installed by the environment's pip. The environment is -Name (a name or a
/// path), -Prefix, the file's name:, or the active one. It returns one EnvTools.PackageChange per change.</para>
/// </summary>
/// <example><code>Update-Env -File environment.yml</code>
/// <para>Brings the environment named by the file's name: (here ds) to the file (conda env update -f environment.yml):
/// scipy was added to the file, so scipy is installed.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Install    scipy                  1.14.1                   py311_0                conda-forge        1.0 KiB
/// </output></example>
/// <example><code>Update-Env ml -File environment.yml -Prune</code>
/// <para>Brings the environment ml to the file and removes what the file no longer needs (conda env update --prune):
/// scipy was taken out of the file.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Remove     scipy                  1.14.1                   py311_0                conda-forge        1.0 KiB
/// </output></example>
/// <example><code>Update-Env -Prefix ./env -File conda-lock.yml -Prune</code>
/// <para>Makes the environment at ./env exactly what the lock file locks for this platform: the locked versions replace
/// the installed ones and the packages it does not list go.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Remove     pandas                 2.2.2                    py311_0                conda-forge        1.0 KiB
/// Remove     pytz                   2024.1                   pyhd8ed1ab_0           conda-forge        1.1 KiB
/// Downgrade  numpy                  2.1.3 -&gt; 1.26.4          py311_0                conda-forge
/// </output></example>
/// <seealso cref="ExportEnvCommand"/>
/// <seealso cref="NewEnvCommand"/>
/// <seealso cref="InstallEnvPackageCommand"/>
[Cmdlet(VerbsData.Update, "Env", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(PackageChange))]
public sealed class UpdateEnvCommand : EnvChangeCmdlet
{
    #region Parameters

    /// <summary>The environment: a name from the envs dirs, or a path; the file's name (or the active environment) when omitted.</summary>
    [Parameter(Position = 0, ParameterSetName = "Name")]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder (binds from Get-Env output).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>The environment file: environment.yml, an @EXPLICIT file, a conda-lock, pixi.lock or mambajs JSON lock file.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string File { get; set; } = string.Empty;

    /// <summary>With a pixi lock file (<c>pixi.lock</c>): the environment to install (<c>default</c> when not given).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LockEnvironment { get; set; }

    /// <summary>Removes the packages the file does not need (environment.yml) or does not list (explicit and lock files).</summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var settings = LoadSettings(null);
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(File);
            EnvironmentSource source = EnvironmentSource.Load(path, RequestPlatform.Resolve(Platform, settings), settings.Environment.GetEnvironmentVariable, LockEnvironment);
            string prefix = FileEnvironments.PrefixForUpdate(source, new EnvironmentLocator(settings), Name, FullPath(Prefix));
            var outcome = ExecuteFile(LoadSettings(prefix), prefix, EnvironmentAction.Install, source, Array.Empty<MatchSpec>(), Prune);
            if (outcome is { } o)
            {
                WriteChanges(o.Plan);
            }
        }, File);
    }
}
