using System.Management.Automation;
using EnvTools.Activation;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Environments;
using EnvTools.Install;
using EnvTools.Solve;
using EnvTools.Platforms;

namespace EnvTools.Commands.Internal;

/// <summary>
/// Base of the cmdlets that change an environment (New-Env, Install-, Update-, Uninstall-EnvPackage): the shared
/// parameters, the target environment, and plan → confirm → apply with progress. The work itself is the engine's
/// <see cref="EnvironmentInstaller"/>.
/// </summary>
public abstract class EnvChangeCmdlet : EnvCmdlet
{
    private static readonly string[] StepNames = { "Loading channels", "Solving", "Downloading and extracting packages", "Linking" };

    #region Parameters

    /// <summary>Channels in priority order (names, URLs or local folders), read before the configured channels as
    /// conda's -c; with -OverrideChannels, instead of them.</summary>
    [Parameter]
    [Alias("c")]
    [ArgumentCompleter(typeof(ChannelNameCompleter))]
    public string[]? Channel { get; set; }

    /// <summary>Reads only the -Channel channels, not the configured ones (conda's --override-channels).</summary>
    [Parameter]
    public SwitchParameter OverrideChannels { get; set; }

    /// <summary>The target platform (subdir); the host's by default.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string? Platform { get; set; }

    /// <summary>Virtual packages (__cuda=12.4, __glibc=2.28 …) over the host's.</summary>
    [Parameter]
    public string[]? VirtualPackage { get; set; }

    /// <summary>Channel priority: Flexible, Strict or Disabled; the configured channel_priority when omitted.</summary>
    [Parameter]
    public ChannelPriority? ChannelPriority { get; set; }

    /// <summary>Returns the planned changes and changes nothing.</summary>
    [Parameter]
    public SwitchParameter DryRun { get; set; }

    /// <summary>Uses only the repodata and packages already in the caches (conda's --offline).</summary>
    [Parameter]
    public SwitchParameter Offline { get; set; }

    /// <summary>Runs the pre-link, post-link and pre-unlink scripts of the packages, which are skipped otherwise.</summary>
    [Parameter]
    public SwitchParameter AllowLinkScripts { get; set; }

    /// <summary>Stops the solve after this many seconds.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; }

    #endregion

    /// <summary>The settings for a prefix, with this call's options (offline) over the configuration.</summary>
    protected Settings LoadSettings(string? prefix)
    {
        var options = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (Offline)
        {
            options["offline"] = true;
        }

        return ChannelArguments.LoadSettings(this, prefix, options);
    }

    /// <summary>The prefix named by -Name or -Prefix (a PowerShell path), else the active environment (CONDA_PREFIX).</summary>
    protected string ResolveExisting(Settings settings, string? name, string? prefix) =>
        new EnvironmentLocator(settings).ResolveTarget(name, FullPath(prefix));

    /// <summary>A PowerShell path (relative to the current location, provider-qualified) as a file-system path; null stays null.</summary>
    protected string? FullPath(string? path) =>
        string.IsNullOrEmpty(path) ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    private string WorkingDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

    /// <summary>The bound change options, for the engine's <see cref="EnvironmentRequestFactory"/>.</summary>
    private EnvironmentChangeArguments ChangeArguments => new()
    {
        WorkingDirectory = WorkingDirectory,
        Channels = Channel,
        OverrideChannels = OverrideChannels,
        Platform = Platform,
        VirtualPackages = VirtualPackage,
        ChannelPriority = ChannelPriority,
        TimeoutSeconds = TimeoutSec,
        AllowLinkScripts = AllowLinkScripts,
        HistoryCommand = InvocationText.Of(this),
    };

    /// <summary>Builds the request's common part and runs it: plan, then (unless -DryRun or declined) apply; with
    /// <paramref name="downloadOnly"/> the plan's packages are fetched into the package cache instead of applied.</summary>
    /// <returns>The planned changes (-DryRun, download only), the applied ones, or null when declined or nothing changed.</returns>
    protected (EnvironmentPlan Plan, EnvironmentResult? Result)? Execute(Settings settings, string prefix, EnvironmentAction action,
        IReadOnlyList<MatchSpec> specs, Func<EnvironmentRequest, EnvironmentRequest>? customize = null, bool downloadOnly = false)
    {
        EnvironmentRequest request = EnvironmentRequestFactory.Create(settings, prefix, action, specs, ChangeArguments);
        request = customize?.Invoke(request) ?? request;

        var installer = new EnvironmentInstaller(settings);
        var progress = new SyncProgress<OperationProgress>(ReportStep);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        EnvironmentPlan plan = RunWithProgress(() => installer.Plan(request, progress, CancellationToken));
        WriteVerbose($"Planning: {watch.ElapsedMilliseconds:N0} ms");
        WriteVerbose(plan.Summary);
        if (DryRun)
        {
            return (plan, null);
        }

        if (downloadOnly)
        {
            if (plan.IsEmpty || !ShouldProcess(prefix, plan.DownloadDescription))
            {
                return plan.IsEmpty ? (plan, null) : null;
            }

            foreach (Fetch.CachedPackage p in RunWithProgress(() => installer.Download(plan, progress, CancellationToken)))
            {
                WriteVerbose($"In the package cache: {p.ExtractedDirectory}");
            }

            return (plan, null);
        }

        if (plan.IsEmpty || !ShouldProcess(prefix, plan.Description))
        {
            return plan.IsEmpty ? (plan, new EnvironmentResult(plan, null, Array.Empty<Fetch.CachedPackage>())) : null;
        }

        watch.Restart();
        EnvironmentResult result = RunWithProgress(() => installer.Apply(plan, progress, CancellationToken));
        WriteVerbose($"Applying (fetch and link): {watch.ElapsedMilliseconds:N0} ms");
        if (result.Transaction is { } t)
        {
            foreach (ClobberWarning c in t.Clobbers)
            {
                WriteWarning(c.ToString());
            }

            foreach (string m in t.Messages)
            {
                WriteVerbose(m);
            }

            foreach (string w in t.Warnings)
            {
                WriteWarning(w);
            }
        }

        return (result.Plan, result);
    }

    /// <summary>
    /// Brings <paramref name="prefix"/> to an environment file: its specs are solved (against -Channel, then the file's
    /// channels, else the configured ones), or its exact packages installed without a solve; then, unless -DryRun,
    /// its variables go into conda-meta/state and its pip requirements are installed by the environment's python.
    /// </summary>
    /// <param name="settings">The settings.</param>
    /// <param name="prefix">The environment.</param>
    /// <param name="action">Create or Install.</param>
    /// <param name="source">The file.</param>
    /// <param name="extraSpecs">Specs given on the command line besides the file (not with exact packages).</param>
    /// <param name="prune">Drop installed packages the file does not need (Install only).</param>
    /// <param name="customize">Further changes to the request.</param>
    /// <param name="downloadOnly">Fill the package cache with what the change needs instead of applying it (no variables, no pip).</param>
    protected (EnvironmentPlan Plan, EnvironmentResult? Result)? ExecuteFile(Settings settings, string prefix, EnvironmentAction action,
        EnvironmentSource source, IReadOnlyList<MatchSpec> extraSpecs, bool prune, Func<EnvironmentRequest, EnvironmentRequest>? customize = null,
        bool downloadOnly = false)
    {
        var outcome = Execute(settings, prefix, action, source.Specs.Concat(extraSpecs).ToArray(), r =>
        {
            r = FileEnvironments.Request(r, source, extraSpecs, prune, settings, Channel, OverrideChannels, WorkingDirectory);
            return customize?.Invoke(r) ?? r;
        }, downloadOnly);
        if (outcome is not { Result: not null } || DryRun)
        {
            return outcome;
        }

        bool pip = source.PipRequirements.Count > 0 && ShouldProcess(prefix, $"pip install {string.Join(" ", source.PipRequirements)}");
        if (pip)
        {
            WriteVerbose($"{PipInstaller.PythonOf(prefix)} -m pip install {string.Join(" ", source.PipRequirements)}");
        }

        FileEnvironments.Finish(prefix, source, pip, line => WriteVerbose("pip: " + line), CancellationToken);
        return outcome;
    }

    /// <summary>Installs pip requirements with the environment's python, pip's output as verbose messages.</summary>
    /// <exception cref="PipInstallFailedException">pip failed (the conda part stays installed).</exception>
    protected void InstallPip(string prefix, IReadOnlyList<string> requirements, string? workingDirectory)
    {
        if (requirements.Count == 0 || !ShouldProcess(prefix, $"pip install {string.Join(" ", requirements)}"))
        {
            return;
        }

        WriteVerbose($"{PipInstaller.PythonOf(prefix)} -m pip install {string.Join(" ", requirements)}");
        PipInstaller.Install(prefix, requirements, workingDirectory, line => WriteVerbose("pip: " + line), CancellationToken);
    }

    /// <summary>Writes the changes of an outcome of <see cref="Execute"/> (none when it is null).</summary>
    protected void WriteChanges((EnvironmentPlan Plan, EnvironmentResult? Result)? outcome)
    {
        if (outcome is { } o)
        {
            WriteChanges(o.Plan);
        }
    }

    /// <summary>Writes the changes as EnvTools.PackageChange objects.</summary>
    protected void WriteChanges(EnvironmentPlan plan)
    {
        foreach (PackageChange change in plan.Changes)
        {
            WriteObject(OutputObjects.Of(change, "EnvTools.PackageChange"));
        }
    }

    private void ReportStep(OperationProgress p)
    {
        if (p.Detail is { } detail)
        {
            QueueVerbose(detail);
        }

        int id = 10 + (int)p.Step;
        var record = new ProgressRecord(id, StepNames[(int)p.Step], string.IsNullOrEmpty(p.Status) ? "…" : p.Status)
        {
            PercentComplete = p.Completed ? 100 : p.Percent,
            RecordType = p.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        QueueProgress(record);
    }
}

/// <summary>
/// Base of the cmdlets that change an existing environment (Install-, Update-, Uninstall-EnvPackage): the target is
/// -Name, -Prefix (bound by property name from Get-Env output), or the active environment.
/// </summary>
public abstract class ExistingEnvChangeCmdlet : EnvChangeCmdlet
{
    /// <summary>The environment's name; the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(ParameterSetName = "Name")]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder (binds from Get-Env output).</summary>
    [Parameter(ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>The prefix of the target environment.</summary>
    protected string ResolveTarget(Settings settings) => ResolveExisting(settings, Name, Prefix);

    /// <summary>The parameter set of packages piped from Get-EnvPackage.</summary>
    protected const string InputSet = "InputObject";

    private readonly List<InstalledPackage> _piped = new();

    /// <summary>Keeps packages piped from Get-EnvPackage; they are acted on together, one change per environment, at the end.</summary>
    protected void Collect(IEnumerable<InstalledPackage> packages) => _piped.AddRange(packages);

    /// <summary>
    /// Runs <paramref name="action"/> once per environment of the collected packages (in the order first seen) with their
    /// names as specs, then ends the cmdlet.
    /// </summary>
    protected void EndPiped(EnvironmentAction action, Func<EnvironmentRequest, EnvironmentRequest>? customize = null, bool downloadOnly = false)
    {
        foreach (IGrouping<string, InstalledPackage> g in _piped.GroupBy(p => p.Prefix, StringComparer.Ordinal))
        {
            TryRun(() =>
            {
                var specs = g.Select(p => p.Name).Distinct(StringComparer.Ordinal).Select(MatchSpec.Parse).ToArray();
                if (Execute(LoadSettings(g.Key), g.Key, action, specs, customize, downloadOnly) is { } o)
                {
                    WriteChanges(o.Plan);
                }
            }, g.Key);
        }
    }
}
