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
public sealed class NewEnvCommand : EnvChangeCmdlet
{
    #region Parameters

    /// <summary>The environment's name (a folder in the first writable envs dir); with -File, the file's name: when omitted.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Name")]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "FileName")]
    [ValidateNotNullOrEmpty]
    [Alias("n")]
    public string Name { get; set; } = string.Empty;

    /// <summary>The environment's folder.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Prefix")]
    [Parameter(Mandatory = true, ParameterSetName = "FilePrefix")]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string Prefix { get; set; } = string.Empty;

    /// <summary>Creates the environment from a file: an environment.yml (solved; its pip: list installed by the
    /// environment's pip), an @EXPLICIT file, a conda-lock, pixi.lock (-LockEnvironment) or mambajs JSON lock file (exact packages, no solve), or a spec list.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "File")]
    [Parameter(Mandatory = true, ParameterSetName = "FileName")]
    [Parameter(Mandatory = true, ParameterSetName = "FilePrefix")]
    [ValidateNotNullOrEmpty]
    public string File { get; set; } = string.Empty;

    /// <summary>With a pixi lock file (<c>pixi.lock</c>): the environment to install (<c>default</c> when not given).</summary>
    [Parameter(ParameterSetName = "File")]
    [Parameter(ParameterSetName = "FileName")]
    [Parameter(ParameterSetName = "FilePrefix")]
    [ValidateNotNullOrEmpty]
    public string? LockEnvironment { get; set; }

    /// <summary>The MatchSpecs to install (several may follow each other: python=3.11 numpy).</summary>
    [Parameter(Position = 1, ValueFromRemainingArguments = true)]
    [ArgumentCompleter(typeof(CachedPackageNameCompleter))]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>Copies the exact packages of another environment (a name or a prefix); no solve.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    public string? Clone { get; set; }

    /// <summary>Replaces an existing environment of that name or prefix.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Does not add the configured create_default_packages.</summary>
    [Parameter]
    public SwitchParameter NoDefaultPackages { get; set; }

    /// <summary>Installs only the requested packages, not their dependencies (conda's --no-deps).</summary>
    [Parameter]
    public SwitchParameter NoDeps { get; set; }

    /// <summary>Solves and fills the package cache with what the environment would need, and creates nothing (conda's
    /// create --download-only): returns the changes it prepared, as -DryRun does.</summary>
    [Parameter]
    public SwitchParameter DownloadOnly { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        TryRun(() =>
        {
            var settings = LoadSettings(null);
            var specs = Spec.Select(MatchSpec.Parse).ToArray();
            if (ParameterSetName.StartsWith("File", StringComparison.Ordinal))
            {
                CreateFromFile(settings, specs);
                return;
            }

            string prefix = ParameterSetName == "Prefix"
                ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(Prefix)
                : new EnvironmentLocator(settings).PrefixForNewName(Name);
            IReadOnlyList<RepoDataRecord>? cloned = null;
            if (!string.IsNullOrEmpty(Clone))
            {
                if (specs.Length > 0)
                {
                    throw new EnvToolsException("CloneWithSpecs", ErrorKind.InvalidArgument,
                        $"-Clone copies the exact packages of '{Clone}'; add packages afterwards with Install-EnvPackage (as conda, which expects no packages with --clone).");
                }

                string source = new EnvironmentLocator(settings).Find(Clone);
                cloned = PrefixState.ReadInstalled(source);
            }

            var outcome = Execute(settings, prefix, EnvironmentAction.Create, specs, r => r with { Force = Force, NoDeps = NoDeps, NoDefaultPackages = NoDefaultPackages, ExplicitRecords = cloned }, DownloadOnly);
            WriteOutcome(outcome, settings, prefix);
        }, Spec);
        base.EndProcessing();
    }

    private void CreateFromFile(Settings settings, MatchSpec[] specs)
    {
        if (!string.IsNullOrEmpty(Clone))
        {
            throw new EnvToolsException("CloneWithFile", ErrorKind.InvalidArgument, "-Clone and -File cannot be combined: each gives the whole environment.");
        }

        string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(File);
        EnvironmentSource source = EnvironmentSource.Load(path, ChannelArguments.ResolvePlatform(Platform), settings.Environment.GetEnvironmentVariable, LockEnvironment);
        string prefix = FileEnvironments.PrefixForCreate(source, new EnvironmentLocator(settings), ParameterSetName == "FileName" ? Name : null,
            ParameterSetName == "FilePrefix" ? FullPath(Prefix) : null);
        var outcome = ExecuteFile(settings, prefix, EnvironmentAction.Create, source, specs, prune: false,
            r => r with { Force = Force, NoDeps = NoDeps, NoDefaultPackages = NoDefaultPackages }, DownloadOnly);
        WriteOutcome(outcome, settings, prefix);
    }

    /// <summary>-DryRun, -DownloadOnly: the planned changes; else the new environment (nothing when declined).</summary>
    private void WriteOutcome((EnvironmentPlan Plan, EnvironmentResult? Result)? outcome, Settings settings, string prefix)
    {
        if (outcome is not { } o)
        {
            return;
        }

        if (DryRun || DownloadOnly)
        {
            WriteChanges(o.Plan);
            return;
        }

        var locator = new EnvironmentLocator(settings);
        var info = EnvironmentInfo.Read(prefix, locator.NameInEnvsDirs(prefix), Environment.GetEnvironmentVariable("CONDA_PREFIX"));
        WriteObject(OutputObjects.Of(info, "EnvTools.EnvironmentInfo"));
    }
}
