using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands.Internal;

/// <content>Environment files (New-Env -File, Update-Env) and pip requirements.</content>
public abstract partial class EnvChangeCmdlet
{
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

        bool pip = ConfirmPip(prefix, source.PipRequirements);
        FileEnvironments.Finish(prefix, source, pip, line => WriteVerbose("pip: " + line), CancellationToken);
        return outcome;
    }

    /// <summary>Installs pip requirements with the environment's python, pip's output as verbose messages.</summary>
    /// <exception cref="PipInstallFailedException">pip failed (the conda part stays installed).</exception>
    protected void InstallPip(string prefix, IReadOnlyList<string> requirements, string? workingDirectory)
    {
        if (ConfirmPip(prefix, requirements))
        {
            PipInstaller.Install(prefix, requirements, workingDirectory, line => WriteVerbose("pip: " + line), CancellationToken);
        }
    }

    /// <summary>Whether pip is to run (there are requirements, and -WhatIf/-Confirm allow it); says how it runs when so.</summary>
    private bool ConfirmPip(string prefix, IReadOnlyList<string> requirements)
    {
        string command = $"pip install {string.Join(" ", requirements)}";
        if (requirements.Count == 0 || !ShouldProcess(prefix, command))
        {
            return false;
        }

        WriteVerbose($"{PipInstaller.PythonOf(prefix)} -m {command}");
        return true;
    }
}
