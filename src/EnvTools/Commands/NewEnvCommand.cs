using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Creates a conda environment with the given packages.</para>
/// <para type="description">New-Env solves the specs against the channels, downloads what the package cache lacks
/// (verified by sha256), and links the packages into a new prefix exactly as conda does (conda-meta records, history,
/// environments.txt), so conda, mamba and pixi can use it. -Name puts the environment in the first writable envs dir;
/// -Prefix puts it anywhere. -File creates it from an environment.yml (named by its name: unless -Name or -Prefix is
/// given; its channels follow -Channel; its variables go into conda-meta/state; its pip: list is installed afterwards by
/// the environment's own pip, whose output comes as verbose messages), an @EXPLICIT file or a conda-lock file (the
/// exact packages of the target platform, no solve). -DryRun returns the planned changes and creates nothing.</para>
/// </summary>
/// <example><code>New-Env ml python=3.11 numpy -Channel conda-forge</code>
/// <para>Creates the environment ml with python 3.11 and numpy from conda-forge (conda create -n ml -c conda-forge
/// python=3.11 numpy) and returns it.</para>
/// <output>
/// Name                 Active Packages Python   CUDA     LastModified     Prefix
/// ----                 ------ -------- ------   ----     ------------     ------
/// ml                                 5 3.11.2            2026-12-07 16:41 …/envs/ml
/// </output></example>
/// <example><code>New-Env -Prefix ./env zlib -Channel ./channel -OverrideChannels -DryRun</code>
/// <para>Shows what an environment at ./env with zlib from the local channel folder ./channel (and no other channel)
/// would get, and creates nothing (conda create --dry-run).</para>
/// <output>
/// Action     Name                   Version                  Build                  Channel               Size
/// ------     ----                   -------                  -----                  -------               ----
/// Install    zlib                   1.3.1                    0                      file:///…            903 B
/// </output></example>
/// <example><code>New-Env -File environment.yml</code>
/// <para>Creates the environment an environment.yml describes (conda env create -f environment.yml), named by its name:
/// key, and returns it.</para>
/// <output>
/// Name                 Active Packages Python   CUDA     LastModified     Prefix
/// ----                 ------ -------- ------   ----     ------------     ------
/// ds                                 8 3.11.2            2026-12-07 16:41 …/envs/ds
/// </output></example>
/// <example><code>New-Env ci -File conda-lock.yml</code>
/// <para>Creates the environment ci with exactly the packages a conda-lock file locks for this platform, without a
/// solve, as conda-lock install does.</para>
/// <output>
/// Name                 Active Packages Python   CUDA     LastModified     Prefix
/// ----                 ------ -------- ------   ----     ------------     ------
/// ci                                 5 3.11.2            2026-12-07 16:41 …/envs/ci
/// </output></example>
/// <returns type="EnvTools.Environments.EnvironmentInfo">The new environment (EnvTools.EnvironmentInfo, as Get-Env
/// returns it).</returns>
/// <returns type="EnvTools.Environments.PackageChange">With -DryRun or -DownloadOnly: the planned changes, one
/// EnvTools.PackageChange per package, instead of the environment.</returns>
/// <seealso cref="InstallEnvPackageCommand"/>
/// <seealso cref="ExportEnvCommand"/>
/// <seealso cref="GetEnvCommand"/>
/// <seealso cref="RemoveEnvCommand"/>
/// <seealso cref="ResolveEnvPackageCommand"/>
[Cmdlet(VerbsCommon.New, "Env", DefaultParameterSetName = "Name", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(EnvironmentInfo), typeof(PackageChange))]
public sealed partial class NewEnvCommand : EnvChangeCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        TryRun(() =>
        {
            var settings = LoadSettings(null);
            var specs = Spec.Select(MatchSpec.Parse).ToArray();
            var create = new NewEnvironmentRequest { Force = Force, NoDeps = NoDeps, NoDefaultPackages = NoDefaultPackages, CloneSource = Clone };
            var locator = new EnvironmentLocator(settings);
            if (ParameterSetName.StartsWith("File", StringComparison.Ordinal))
            {
                create.ThrowIfCloneWithFile();
                string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(File);
                EnvironmentSource source = EnvironmentSource.Load(path, RequestPlatform.Resolve(Platform, settings), settings.Environment.GetEnvironmentVariable, LockEnvironment);
                string filePrefix = FileEnvironments.PrefixForCreate(source, locator, ParameterSetName == "FileName" ? Name : null, ParameterSetName == "FilePrefix" ? FullPath(Prefix) : null);
                WriteOutcome(ExecuteFile(settings, filePrefix, EnvironmentAction.Create, source, specs, prune: false, create.Customize, DownloadOnly), locator, filePrefix);
                return;
            }

            string prefix = ParameterSetName == "Prefix" ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(Prefix) : locator.PrefixForNewName(Name);
            create = create.ReadClone(locator, specs);
            WriteOutcome(Execute(settings, prefix, EnvironmentAction.Create, specs, create.Customize, DownloadOnly), locator, prefix);
        }, Spec);
        base.EndProcessing();
    }

    /// <summary>-DryRun, -DownloadOnly: the planned changes; else the new environment (nothing when declined).</summary>
    private void WriteOutcome((EnvironmentPlan Plan, EnvironmentResult? Result)? outcome, EnvironmentLocator locator, string prefix)
    {
        if (DryRun || DownloadOnly)
        {
            WriteChanges(outcome);
        }
        else if (outcome is not null)
        {
            var info = EnvironmentInfo.Read(prefix, locator.NameInEnvsDirs(prefix), Environment.GetEnvironmentVariable("CONDA_PREFIX"));
            WriteObject(OutputObjects.Of(info, "EnvTools.EnvironmentInfo"));
        }
    }
}
