using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Brings an environment back to the packages of an earlier revision (conda install --revision).</para>
/// <para type="description">Restore-Env reads the environment's conda-meta/history, takes the package set of revision
/// -Revision (as Get-EnvHistory numbers them: 0 is the first; a negative number counts from the last), and changes the
/// environment to exactly that set, without a solve, as conda's --revision does. Each package is taken from the
/// environment itself, else from the package cache, else from the channels (-Channel or the configured ones), which are
/// read only when some package is neither installed nor cached: a restore whose packages are all cached works offline.
/// A package the history names that is found nowhere is a PackagesNotFound error, and a revision the history lacks is
/// RevisionNotFound. The change runs as every install does: under the environment's lock, with a journal (an
/// interrupted restore is rolled back), and as a new revision in conda-meta/history, whose update specs are the
/// requested specs as of the restored revision (specs asked for later are written as remove specs, so that
/// Export-Env -FromHistory matches the restored revision; conda instead re-records the current ones). It returns one
/// EnvTools.PackageChange per package changed; -DryRun returns them and changes nothing.</para>
/// </summary>
/// <example><code>Get-EnvHistory -Name ml | Where-Object Revision -eq 3 | Restore-Env</code>
/// <para>Brings ml back to revision 3, piped from Get-EnvHistory (Revision and Prefix bind from it), like conda install
/// --revision 3 -n ml.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Remove     libopenblas            0.3.27                   0                      conda-forge          940 B
/// Remove     numpy                  2.1.3                    py311_0                conda-forge        1.0 KiB
/// Remove     pandas                 2.2.2                    py311_0                conda-forge        1.0 KiB
/// Remove     pytz                   2024.1                   pyhd8ed1ab_0           conda-forge        1.1 KiB
/// </output></example>
/// <example><code>Restore-Env -Name ml -Revision 1 -DryRun</code>
/// <para>Shows what going back to revision 1 of ml would install, remove, upgrade or downgrade, and changes nothing.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Remove     pandas                 2.2.2                    py311_0                conda-forge        1.0 KiB
/// Remove     pytz                   2024.1                   pyhd8ed1ab_0           conda-forge        1.1 KiB
/// Downgrade  numpy                  2.1.3 -&gt; 1.26.4          py311_0                conda-forge        1.0 KiB
/// Install    scipy                  1.14.1                   py311_0                conda-forge        1.0 KiB
/// </output></example>
/// <example><code>Restore-Env -Name ml -Revision 1 -Offline</code>
/// <para>Restores revision 1 from the package cache only; fails with PackagesNotFound if a package is not cached.</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Install    libopenblas            0.3.27                   0                      conda-forge          940 B
/// Install    numpy                  1.26.4                   py311_0                conda-forge        1.0 KiB
/// Install    scipy                  1.14.1                   py311_0                conda-forge        1.0 KiB
/// </output></example>
/// <example><code>Restore-Env -Revision -2</code>
/// <para>Undoes the last change of the active environment: brings it to the revision before the last one (here the last
/// change had installed numpy and scipy).</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Remove     libopenblas            0.3.27                   0                      conda-forge          940 B
/// Remove     numpy                  1.26.4                   py311_0                conda-forge        1.0 KiB
/// Remove     scipy                  1.14.1                   py311_0                conda-forge        1.0 KiB
/// </output></example>
/// <seealso cref="GetEnvHistoryCommand"/>
/// <seealso cref="InstallEnvPackageCommand"/>
[Cmdlet(VerbsData.Restore, "Env", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(PackageChange))]
public sealed class RestoreEnvCommand : ExistingEnvChangeCmdlet
{
    #region Parameters

    /// <summary>The revision to go back to (Get-EnvHistory's Revision; negative numbers count from the last, -1 being the last).</summary>
    // From the pipeline only in the Prefix set: bound by property name in the default set too, it would keep the binder
    // there and leave the piped revision's Prefix unbound.
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Name")]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    public int Revision { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            string prefix = ResolveTarget(LoadSettings(null));
            var outcome = Execute(LoadSettings(prefix), prefix, EnvironmentAction.Install, Array.Empty<Conda.MatchSpec>(), r => r with { Revision = Revision });
            if (outcome is { } o)
            {
                WriteChanges(o.Plan);
            }
        }, Revision);
    }
}
