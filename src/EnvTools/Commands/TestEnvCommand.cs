using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Verifies an environment's files against its conda-meta records (conda doctor).</para>
/// <para type="description">Test-Env checks every file each installed package recorded: that it exists, its size and its
/// SHA-256 (sha256_in_prefix when recorded, else sha256; files whose prefix placeholder was rewritten only against
/// sha256_in_prefix; soft links for existence only). It returns one EnvTools.FileIssue per problem (Package, Path,
/// Kind Missing, Modified or SizeMismatch, Expected, Actual) and nothing for a healthy environment; -Quiet returns
/// $true or $false instead. Files are hashed in parallel, with progress. The environment is -Name (a name or a path),
/// -Prefix (bound from piped Get-Env output), or the active one.</para>
/// </summary>
/// <example><code>Test-Env ml</code>
/// <para>Checks every file of the environment ml against what its packages installed (conda doctor -n ml): here one
/// file was deleted and one edited.</para>
/// <output>
/// Kind         Package              Path                                     Expected         Actual
/// ----         -------              ----                                     --------         ------
/// Missing      libopenblas          lib/libopenblas.so.0
/// SizeMismatch numpy                lib/python3.11/site-packages/numpy/__in… 22               31
/// </output></example>
/// <example><code>Get-Env | Where-Object { -not (Test-Env -Prefix $_.Prefix -Quiet) }</code>
/// <para>Lists the environments that have a missing or changed file.</para>
/// <output>
/// Name                 Active Packages Python   CUDA     LastModified     Prefix
/// ----                 ------ -------- ------   ----     ------------     ------
/// ml                                 5 3.11.2            2026-12-07 16:43 …/envs/ml
/// </output></example>
/// <example><code>Test-Env | Group-Object Package</code>
/// <para>Checks the active environment and counts the problems per package, to see which packages to reinstall
/// (Install-EnvPackage -Force).</para>
/// <output>
/// Count Name                      Group
/// ----- ----                      -----
///     1 libopenblas               {FileIssue { Package = libopenblas, Path = lib/libopenblas.so.0, Kind = Missing, Expect…
///     1 numpy                     {FileIssue { Package = numpy, Path = lib/python3.11/site-packages/numpy/__init__.py, Ki…
/// </output></example>
/// <returns type="EnvTools.Environments.FileIssue">One EnvTools.FileIssue per missing or changed file; nothing for a
/// healthy environment.</returns>
/// <returns type="System.Boolean">With -Quiet: $true when every file is intact, else $false.</returns>
/// <seealso cref="GetEnvPackageCommand"/>
/// <seealso cref="GetEnvCommand"/>
/// <seealso cref="InstallEnvPackageCommand"/>
[Cmdlet(VerbsDiagnostic.Test, "Env", DefaultParameterSetName = NameSet)]
[OutputType(typeof(FileIssue), typeof(bool))]
public sealed class TestEnvCommand : EnvCmdlet
{
    private const string NameSet = "Name";
    private const string PrefixSet = "Prefix";

    #region Parameters

    /// <summary>The environment: a name from the envs dirs, or a path; the active environment when omitted.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's prefix; bound from the Prefix property of piped objects (Get-Env output).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PrefixSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>Returns $true when every file is intact, else $false, instead of the issues.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            EnvironmentLocator locator = EnvironmentArguments.Locator(this);
            string prefix = EnvironmentArguments.ResolveTarget(this, locator, Name, Prefix);
            if (PrefixJournal.IsPending(prefix))
            {
                WriteWarning(PrefixJournal.PendingMessage(prefix));
            }

            const int activityId = 1;
            string activity = $"Verifying {prefix}";
            var progress = new SyncProgress<VerifyProgress>(p => QueueProgress(
                new ProgressRecord(activityId, activity, $"{p.Completed} of {p.Total} files") { PercentComplete = 100 * p.Completed / Math.Max(1, p.Total) }));
            CancellationToken ct = CancellationToken;
            Task<IReadOnlyList<FileIssue>> work = Task.Run(() => PrefixVerifier.Verify(prefix, progress, ct), ct);
            while (Task.WaitAny(new Task[] { work }, 100) < 0) // WaitAny does not throw; GetResult gives the engine's own exception
            {
                DrainProgress();
            }

            IReadOnlyList<FileIssue> issues = work.GetAwaiter().GetResult();
            QueueProgress(new ProgressRecord(activityId, activity, "done") { RecordType = ProgressRecordType.Completed });
            if (Quiet)
            {
                WriteObject(issues.Count == 0);
                return;
            }

            foreach (FileIssue issue in issues)
            {
                WriteObject(EnvironmentArguments.ToOutput(issue, "EnvTools.FileIssue"));
            }
        }, (object?)Name ?? Prefix);
    }
}
