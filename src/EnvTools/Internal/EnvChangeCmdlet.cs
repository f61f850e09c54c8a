using System.Management.Automation;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Environments;
using EnvTools.Fetch;
using EnvTools.Install;

namespace EnvTools.Commands.Internal;

/// <summary>
/// Base of the cmdlets that change an environment (New-Env, Update-Env, Install-, Update-, Uninstall-EnvPackage,
/// Restore-Env): the change parameters (the solve ones come from <see cref="SolveCmdlet"/>), the target environment,
/// and plan → confirm → apply with progress. The work itself is the engine's <see cref="EnvironmentInstaller"/>;
/// environment files and pip are in EnvChangeCmdlet.File.cs.
/// </summary>
public abstract partial class EnvChangeCmdlet : SolveCmdlet
{
    #region Parameters

    /// <summary>Returns the planned changes and changes nothing.</summary>
    [Parameter]
    public SwitchParameter DryRun { get; set; }

    /// <summary>Uses only the repodata and packages already in the caches (conda's --offline).</summary>
    [Parameter]
    public SwitchParameter Offline { get; set; }

    /// <summary>Runs the pre-link, post-link and pre-unlink scripts of the packages, which are skipped otherwise.</summary>
    [Parameter]
    public SwitchParameter AllowLinkScripts { get; set; }

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

    /// <summary>The bound change options, for the engine's <see cref="EnvironmentRequestFactory"/>.</summary>
    private EnvironmentChangeArguments ChangeArguments =>
        SolveArguments with { AllowLinkScripts = AllowLinkScripts, HistoryCommand = InvocationText.Of(this) };

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
        EnvironmentPlan plan = Timed("Planning", () => installer.Plan(request, progress, CancellationToken));
        WriteVerbose(plan.Summary);
        if (DryRun)
        {
            return (plan, null);
        }

        if (plan.IsEmpty)
        {
            return (plan, downloadOnly ? null : new EnvironmentResult(plan, null, Array.Empty<CachedPackage>()));
        }

        if (!ShouldProcess(prefix, downloadOnly ? plan.DownloadDescription : plan.Description))
        {
            return null;
        }

        if (downloadOnly)
        {
            foreach (CachedPackage p in RunWithProgress(() => installer.Download(plan, progress, CancellationToken)))
            {
                WriteVerbose($"In the package cache: {p.ExtractedDirectory}");
            }

            return (plan, null);
        }

        EnvironmentResult result = Timed("Applying (fetch and link)", () => installer.Apply(plan, progress, CancellationToken));
        if (result.Transaction is { } t)
        {
            WriteNotes(t);
        }

        return (result.Plan, result);
    }
}
