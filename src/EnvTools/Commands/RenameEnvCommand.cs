using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Renames an environment (conda rename).</para>
/// <para type="description">Rename-Env gives an environment a new name (a folder in the first writable envs dir) or,
/// with a path as -NewName, a new place. As conda rename does, it clones the environment to the new prefix, linking
/// its exact packages again from the package cache (no solve; packages the cache lacks are downloaded from their
/// URLs), so that every file with the old prefix written into it gets the new one; it copies the files no package
/// owns (text files with the old prefix replaced), then removes the old environment, and environments.txt lists the
/// new prefix instead of the old. Unlike conda, the environment keeps its history (one revision is added), its
/// variables (Set-EnvVariable) and its pins. The active environment is refused (EnvironmentActive), and so are base
/// and root (ReservedEnvironmentName), as names of the environment or of the destination; a destination that exists
/// is EnvironmentExists. Every check runs before anything changes and before -WhatIf or -Confirm. With -PassThru the
/// renamed environment is returned as an EnvTools.EnvironmentInfo.</para>
/// </summary>
/// <example><code>Rename-Env -Name ml -NewName ml-2024</code>
/// <para>Renames the environment ml to ml-2024, in the same envs dir (conda rename -n ml ml-2024). Prints nothing;
/// -PassThru returns the renamed environment.</para></example>
/// <example><code>Rename-Env -Prefix ./envs/tmp -NewName ./envs/kept -PassThru</code>
/// <para>Moves the environment at ./envs/tmp to ./envs/kept (a path, as it contains a separator) and returns it.</para>
/// <output>
/// Name                 Active Packages Python   CUDA     LastModified     Prefix
/// ----                 ------ -------- ------   ----     ------------     ------
/// kept                               1                   2026-12-07 16:42 …/envs/kept
/// </output></example>
/// <example><code>Get-Env scratch | Rename-Env -NewName scratch-old -WhatIf</code>
/// <para>Says what would be renamed, after checking that the rename is allowed, and changes nothing.</para>
/// <output>
/// What if: Performing the operation "Rename environment" on target "…/envs/scratch -> …/envs/scratch-old".
/// </output></example>
/// <returns type="EnvTools.Environments.EnvironmentInfo">With -PassThru: the renamed environment
/// (EnvTools.EnvironmentInfo); else nothing.</returns>
/// <seealso cref="GetEnvCommand"/>
/// <seealso cref="NewEnvCommand"/>
/// <seealso cref="RemoveEnvCommand"/>
[Cmdlet(VerbsCommon.Rename, "Env", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(EnvironmentInfo))]
public sealed class RenameEnvCommand : EnvCmdlet
{
    #region Parameters

    /// <summary>The environment's name (or path).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Name")]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [ValidateNotNullOrEmpty]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder; bound from the Prefix property of piped objects (Get-Env output).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>The new name (a folder in the first writable envs dir), or a path (it holds a directory separator).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string NewName { get; set; } = string.Empty;

    /// <summary>Replaces an environment that exists at the destination (conda's rename --yes); it must not be active
    /// or base. It is moved aside first and comes back if the rename fails.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Returns the renamed environment.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var settings = ChannelArguments.LoadSettings(this);
            var locator = new EnvironmentLocator(settings);
            string source = EnvironmentArguments.ResolveTarget(this, locator, Name, Prefix);
            bool isPath = NewName.Contains('/') || NewName.Contains(Path.DirectorySeparatorChar) || Path.IsPathRooted(NewName);
            string destination = isPath ? GetUnresolvedProviderPathFromPSPath(NewName) : NewName;
            var renamer = new EnvironmentRenamer(ChannelArguments.LoadSettings(this, source), locator);
            RenamePlan plan = renamer.Check(source, destination, isPath, Force);
            if (!ShouldProcess($"{plan.Source} -> {plan.Destination}", plan.ReplacesExisting ? "Rename environment, replacing the one at the destination" : "Rename environment"))
            {
                return;
            }

            var progress = new SyncProgress<OperationProgress>(p => QueueProgress(new ProgressRecord(20, "Renaming " + Path.GetFileName(plan.Source), string.IsNullOrEmpty(p.Status) ? "…" : p.Status)
            {
                PercentComplete = p.Completed ? 100 : Math.Clamp(p.Percent, -1, 100),
                RecordType = ProgressRecordType.Processing,
            }));
            RunWithProgress(() =>
            {
                renamer.Rename(plan, InvocationText.Of(this), progress, CancellationToken);
                return true;
            });
            WriteVerbose($"Renamed {plan.Source} to {plan.Destination}.");
            if (PassThru)
            {
                var fresh = new EnvironmentLocator(settings);
                WriteObject(EnvironmentArguments.ToOutput(EnvironmentInfo.Read(plan.Destination, fresh.NameInEnvsDirs(plan.Destination), Environment.GetEnvironmentVariable("CONDA_PREFIX")), "EnvTools.EnvironmentInfo"));
            }
        }, (object?)Name ?? Prefix);
    }
}
