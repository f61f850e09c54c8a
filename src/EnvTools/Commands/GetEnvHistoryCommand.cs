using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Lists the revisions of an environment (conda list --revisions) as objects.</para>
/// <para type="description">Get-EnvHistory reads the environment's conda-meta/history, in conda's format (histories
/// written by conda, mamba and EnvTools alike), and returns one EnvTools.EnvironmentRevision per revision, oldest
/// first: Revision (0 is the first, the number Restore-Env -Revision takes), Date, Command, CondaVersion,
/// EnvToolsVersion, Added and Removed (EnvTools.RevisionPackage objects: Name, Version, Build, Channel, Dist),
/// Upgraded and Downgraded (Name, OldVersion, OldBuild, Version, Build, Channel), RequestedSpecs and RemovedSpecs (the
/// specs the user asked for), PackageCount (packages after the revision) and Prefix. A package both removed and added
/// by one revision is an upgrade or a downgrade, as conda's --revisions shows it. The environment is -Name, -Prefix
/// (also bound from Get-Env output), or else the active one. An environment without a history file has no revisions
/// (nothing is written).</para>
/// </summary>
/// <example><code>Get-EnvHistory -Name ml</code>
/// <para>Lists every revision of the environment ml, one row each: revision, date, package count, changes and the
/// command (conda list --revisions -n ml).</para>
/// <output>
/// Revision Date                Packages Changes                                      Command
/// -------- ----                -------- -------                                      -------
///        0 2026-12-07 16:41:55        5 +libffi-3.4.4, +libopenblas-0.3.27, +numpy-… New-Env -Name ml -Spec python=3.11, …
///        1 2026-12-07 16:41:55        6 +scipy-1.14.1                                Install-EnvPackage -Name ml -Spec sc…
///        2 2026-12-07 16:41:55        6 numpy 1.26.4-&gt;2.1.3                          Update-EnvPackage -Name ml -Spec num…
///        3 2026-12-07 16:41:55        3 -libopenblas-0.3.27, -numpy-2.1.3, -scipy-1… Uninstall-EnvPackage -Name ml -Spec …
///        4 2026-12-07 16:41:55        7 +libopenblas-0.3.27, +numpy-2.1.3, +pandas-… Install-EnvPackage -Name ml -Spec pa…
/// </output></example>
/// <example><code>Get-EnvHistory -Name ml -Revision 2 | Select-Object -ExpandProperty Upgraded</code>
/// <para>Shows the packages that revision 2 upgraded, with their old and new versions and builds.</para>
/// <output>
/// Version    : 2.1.3
/// OldVersion : 1.26.4
/// Name       : numpy
/// OldBuild   : py311_0
/// Build      : py311_0
/// Channel    : conda-forge/linux-64
/// </output></example>
/// <example><code>Get-Env ml | Get-EnvHistory | Where-Object { $_.Removed.Name -contains 'numpy' }</code>
/// <para>Finds the revisions that removed numpy, to see when and by which command it went.</para>
/// <output>
/// Revision Date                Packages Changes                                      Command
/// -------- ----                -------- -------                                      -------
///        3 2026-12-07 16:41:55        3 -libopenblas-0.3.27, -numpy-2.1.3, -scipy-1… Uninstall-EnvPackage -Name ml -Spec …
/// </output></example>
/// <seealso cref="RestoreEnvCommand"/>
/// <seealso cref="GetEnvPackageCommand"/>
[Cmdlet(VerbsCommon.Get, "EnvHistory", DefaultParameterSetName = "Name")]
[OutputType(typeof(EnvironmentRevision))]
public sealed class GetEnvHistoryCommand : EnvCmdlet
{
    #region Parameters

    /// <summary>The environment's name (or path); the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(Position = 0, ParameterSetName = "Name")]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder; bound from the Prefix property of piped objects (Get-Env output).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>Only these revisions (negative numbers count from the last, -1 being the last); all when omitted.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    public int[]? Revision { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            string prefix = EnvironmentArguments.ResolveTarget(this, EnvironmentArguments.Locator(this), Name, Prefix);
            IReadOnlyList<EnvironmentRevision> revisions = EnvironmentRevision.Read(prefix);
            IEnumerable<EnvironmentRevision> selected = revisions;
            if (Revision is { Length: > 0 })
            {
                var history = PrefixHistory.Load(PrefixHistory.PathFor(prefix));
                selected = Revision.Select(r => revisions[history.ResolveRevision(r, prefix)]).ToArray();
            }

            foreach (EnvironmentRevision r in selected)
            {
                WriteObject(EnvironmentArguments.ToOutput(r, "EnvTools.EnvironmentRevision"));
            }
        }, (object?)Name ?? Prefix);
    }
}
