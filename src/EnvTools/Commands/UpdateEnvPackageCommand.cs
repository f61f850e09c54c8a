using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Updates installed packages of an environment.</para>
/// <para type="description">Update-EnvPackage updates the named packages (which must be installed) to the newest
/// versions the environment's other constraints allow, or with -All every package. Packages piped from Get-EnvPackage
/// are updated in their own environment, one change per environment. It returns one EnvTools.PackageChange
/// per changed package. -DownloadOnly (conda's --download-only) fills the package cache with the updated packages and
/// leaves the environment as it is.</para>
/// </summary>
/// <example><code>Update-EnvPackage numpy -Name ml</code>
/// <para>Updates numpy in the environment ml to the newest version its other packages allow (conda update -n ml numpy).</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Update     numpy                  1.26.4 -&gt; 2.1.3          py311_0                conda-forge        1.0 KiB
/// </output></example>
/// <example><code>Update-EnvPackage -All -Name ml -DryRun</code>
/// <para>Shows what updating every package of ml would change (conda update --all --dry-run), and changes nothing.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Update     zlib                   1.2.13 -&gt; 1.3.1          0                      conda-forge          903 B
/// Update     numpy                  1.26.4 -&gt; 2.1.3          py312_0                conda-forge        1.0 KiB
/// </output></example>
/// <example><code>Update-EnvPackage -All -Name ml -DownloadOnly</code>
/// <para>Downloads the updates into the package cache now (for example before going offline) and leaves ml as it is;
/// a later Update-EnvPackage -All -Offline applies them. Returns the changes it prepared.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Update     zlib                   1.2.13 -&gt; 1.3.1          0                      conda-forge          903 B
/// Update     numpy                  1.26.4 -&gt; 2.1.3          py312_0                conda-forge        1.0 KiB
/// </output></example>
/// <example><code>Get-Env ml | Get-EnvPackage num* | Update-EnvPackage</code>
/// <para>Updates the packages of ml whose names start with num.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Update     numpy                  1.26.4 -&gt; 2.1.3          py311_0                conda-forge        1.0 KiB
/// </output></example>
/// <seealso cref="InstallEnvPackageCommand"/>
/// <seealso cref="UninstallEnvPackageCommand"/>
/// <seealso cref="GetEnvPackageCommand"/>
/// <seealso cref="GetEnvHistoryCommand"/>
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

    /// <summary>Solves and downloads the updated packages into the package cache, and changes nothing in the environment
    /// (conda's --download-only); returns the prepared changes.</summary>
    [Parameter]
    public SwitchParameter DownloadOnly { get; set; }

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
                r => r with { UpdateAll = All }, DownloadOnly);
            if (outcome is { } o)
            {
                WriteChanges(o.Plan);
            }
        }, Spec);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        EndPiped(EnvironmentAction.Update, downloadOnly: DownloadOnly);
        base.EndProcessing();
    }
}
