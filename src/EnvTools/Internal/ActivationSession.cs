using System.Management.Automation;
using EnvTools.Activation;
using EnvTools.Config;
using EnvTools.Environments;

namespace EnvTools.Commands.Internal;

/// <summary>
/// The session side of activation: the stack of applied activations (kept in the global session variable
/// <c>$EnvToolsActivation</c>), running activate.d/deactivate.d scripts (<c>.ps1</c> dot-sourced in the caller's
/// scope, <c>.sh</c>/<c>.bat</c> through <see cref="ShellScriptRunner"/>) and the prompt wrapper.
/// </summary>
internal static class ActivationSession
{
    /// <summary>The global variable that holds the session's <see cref="ActivationStack"/>.</summary>
    internal const string VariableName = "EnvToolsActivation";

    private static IEnvironmentVariables Env => ProcessEnvironmentVariables.Instance;

    /// <summary>The session's stack; created (in the global scope) when <paramref name="create"/> is set, else null when there is none.</summary>
    internal static ActivationStack? GetStack(PSCmdlet cmdlet, bool create)
    {
        if (cmdlet.SessionState.PSVariable.GetValue("global:" + VariableName) is ActivationStack stack)
        {
            return stack;
        }

        if (!create)
        {
            return null;
        }

        stack = new ActivationStack();
        cmdlet.SessionState.PSVariable.Set("global:" + VariableName, stack);
        return stack;
    }

    /// <summary>
    /// The prefix and display name an environment argument names: <paramref name="prefix"/> (a path), else
    /// <paramref name="name"/> (looked up in the envs dirs), else the active environment when
    /// <paramref name="activeByDefault"/>, else <c>base</c>.
    /// </summary>
    internal static (string Prefix, string? Name) ResolveEnvironment(PSCmdlet cmdlet, Settings settings, string? name, string? prefix, bool activeByDefault)
    {
        EnvironmentLocation found = EnvironmentActivator.ResolveEnvironment(settings, name,
            string.IsNullOrEmpty(prefix) ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(prefix), activeByDefault);
        return (found.Prefix, found.Name);
    }

    /// <summary>Activates an environment in the session and pushes its frame.</summary>
    internal static ActivationFrame Activate(EnvCmdlet cmdlet, Settings settings, string prefix, string? name, bool stacked, bool installPrompt)
    {
        var activator = new EnvironmentActivator(settings.ChangePs1) { EnvPrompt = settings.EnvPrompt };
        ActivationStack stack = GetStack(cmdlet, create: true)!;
        ActivationPlan plan = activator.Plan(prefix, name, Env, stack, stacked);
        cmdlet.WriteVerbose($"Activating {plan.Prefix} as level {plan.Level}{(plan.Stacked ? " (stacked)" : string.Empty)}");
        ActivationFrame frame = activator.Begin(plan, Env);
        try
        {
            foreach (ActivationScript script in plan.ActivateScripts)
            {
                RunScript(cmdlet, script);
                frame.ScriptsRun.Add(script);
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            activator.Restore(frame, Env);
            throw ex is ActivationScriptFailedException ? ex : new ActivationScriptFailedException(frame.ScriptsRun.Count < plan.ActivateScripts.Count
                ? plan.ActivateScripts[frame.ScriptsRun.Count].Path : plan.Prefix, ex.Message, ex);
        }
        catch (PipelineStoppedException)
        {
            activator.Restore(frame, Env);
            throw;
        }

        activator.Complete(frame, Env);
        stack.Push(frame);
        if (stack.Count == 1 && installPrompt && settings.ChangePs1)
        {
            InstallPrompt(cmdlet, stack);
        }

        return frame;
    }

    /// <summary>
    /// Deactivates the top level: runs its deactivate.d scripts (a failing one is reported as a warning, the
    /// restore goes on), restores every variable and PATH, pops it, and puts the user's prompt back after the last.
    /// </summary>
    internal static ActivationFrame Deactivate(EnvCmdlet cmdlet, bool stopping = false)
    {
        ActivationStack? stack = GetStack(cmdlet, create: false);
        ActivationFrame frame = ActivationStack.TopOf(stack, Environment.GetEnvironmentVariable("CONDA_PREFIX"));
        if (!stopping)
        {
            foreach (ActivationScript script in frame.GetPlan().DeactivateScripts)
            {
                try
                {
                    RunScript(cmdlet, script);
                }
                catch (Exception ex) when (ex is not PipelineStoppedException)
                {
                    cmdlet.WriteWarning($"The deactivation script {script.Path} failed: {ex.Message}");
                }
            }
        }

        new EnvironmentActivator().Restore(frame, Env);
        stack!.Pop();
        if (stack.Count == 0 && stack.HostState is not null && !stopping)
        {
            RestorePrompt(cmdlet, stack);
        }

        return frame;
    }

    private static void RunScript(EnvCmdlet cmdlet, ActivationScript script)
    {
        if (script.Kind == ActivationScriptKind.PowerShell)
        {
            cmdlet.WriteVerbose($"Dot-sourcing {script.Path}");
            try
            {
                // dot-sourced as a command, so that the execution policy (AllSigned, RemoteSigned) and the session's
                // language mode apply to it as to any script the user runs; a refusal is an error, never a skip
                cmdlet.SessionState.InvokeCommand.InvokeScript(cmdlet.SessionState, DotSource, script.Path);
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                PSLanguageMode mode = cmdlet.SessionState.LanguageMode;
                string why = Inner(ex) is PSSecurityException security
                    ? $"the execution policy does not allow it ({security.Message.Trim()}); sign the script or run Enable-Env where the policy allows it"
                    : Inner(ex).Message.Trim() + (mode == PSLanguageMode.FullLanguage ? string.Empty : $" (the session runs in {mode})");
                throw new ActivationScriptFailedException(script.Path, why, ex);
            }

            return;
        }

        cmdlet.WriteVerbose($"Running {script.Path} in {(script.Kind == ActivationScriptKind.Bash ? "bash" : "cmd")}");
        ShellScriptRunner.Result result = ShellScriptRunner.Run(script, Env, cancellationToken: cmdlet.StopToken);
        foreach (string line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            cmdlet.WriteVerbose($"{Path.GetFileName(script.Path)}: {line}");
        }

        foreach (VariableChange c in result.Changes)
        {
            cmdlet.WriteVerbose(c.NewValue is null
                ? $"{Path.GetFileName(script.Path)} unset {c.Name}"
                : $"{Path.GetFileName(script.Path)} set {c.Name}={c.NewValue}");
        }

        ShellScriptRunner.Apply(result.Changes, Env);
    }

    // Script blocks are made per use: one is bound to the runspace that first runs it.
    private static ScriptBlock DotSource => ScriptBlock.Create(". $args[0]");

    private static Exception Inner(Exception ex) => ex is ActionPreferenceStopException or CmdletInvocationException && ex.InnerException is { } inner ? Inner(inner) : ex;

    /// <summary>The user's prompt and the wrapper put in its place (<see cref="ActivationStack.HostState"/>). Public
    /// properties: the wrapper reads <c>Original</c> through <c>$EnvToolsActivation</c>.</summary>
    private sealed record PromptState(object? Original, object Wrapper);

    // Every script here holds to ConstrainedLanguage (no method calls, no closures): the session's language mode may be
    // that (AppLocker, WDAC), and the prompt runs in it. The wrapper finds the user's prompt through the stack.
    private static ScriptBlock PromptWrapper => ScriptBlock.Create("""
        $state = $global:EnvToolsActivation.HostState
        $inner = if ($state -and $state.Original) { & $state.Original } else { "PS $($executionContext.SessionState.Path.CurrentLocation)$('>' * ($nestedPromptLevel + 1)) " }
        "$env:CONDA_PROMPT_MODIFIER" + (-join $inner)
        """);

    private const string InstallPromptScript = """
        param($wrapper)
        $original = ${function:global:prompt}
        ${function:global:prompt} = $wrapper
        @{ Original = $original; Wrapper = ${function:global:prompt} }
        """;

    private const string CurrentPromptScript = "${function:global:prompt}";

    private const string SetPromptScript = """
        param($original)
        if ($original) { ${function:global:prompt} = $original }
        else { Remove-Item -Path function:prompt -ErrorAction Ignore }
        """;

    private static void InstallPrompt(PSCmdlet cmdlet, ActivationStack stack)
    {
        var result = cmdlet.SessionState.InvokeCommand.InvokeScript(InstallPromptScript, PromptWrapper);
        if (result.Count == 1 && result[0].BaseObject is System.Collections.IDictionary state && state["Wrapper"] is { } wrapper)
        {
            stack.HostState = new PromptState(Unwrap(state["Original"]), Unwrap(wrapper)!);
        }
    }

    private static object? Unwrap(object? o) => o is PSObject p ? p.BaseObject : o;

    private static void RestorePrompt(PSCmdlet cmdlet, ActivationStack stack)
    {
        if (stack.HostState is PromptState state)
        {
            // put the user's prompt back only when the wrapper is still in place (the user may have set another since)
            var current = cmdlet.SessionState.InvokeCommand.InvokeScript(CurrentPromptScript);
            if (current.Count == 1 && ReferenceEquals(Unwrap(current[0]), state.Wrapper))
            {
                cmdlet.SessionState.InvokeCommand.InvokeScript(SetPromptScript, state.Original);
            }
        }

        stack.HostState = null;
    }
}
