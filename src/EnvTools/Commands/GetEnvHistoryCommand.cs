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
/// <para>Lists every revision of the environment ml, one row each: revision, date, changes and the command.</para></example>
/// <example><code>Get-EnvHistory -Name ml -Revision 2 | Select-Object -ExpandProperty Upgraded</code>
/// <para>Shows the packages that revision 2 upgraded, with their old and new versions.</para></example>
/// <example><code>Get-Env ml | Get-EnvHistory | Where-Object { $_.Removed.Name -contains 'numpy' }</code>
/// <para>Finds the revisions that removed numpy.</para></example>
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
