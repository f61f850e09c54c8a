using System.Diagnostics;

namespace EnvTools.Activation;

/// <summary>A variable a script changed: its value before and after (null: not set).</summary>
/// <param name="Name">The variable.</param>
/// <param name="OldValue">Its value before the script, or null.</param>
/// <param name="NewValue">Its value after the script, or null when the script unset it.</param>
public sealed record VariableChange(string Name, string? OldValue, string? NewValue);

/// <summary>
/// Runs a package's <c>.sh</c> (in bash) or <c>.bat</c> (in cmd) activation script the way its shell would
/// source it, and reports the environment variables it changed, so that PowerShell can take them over. The
/// script gets the given variables; what it prints goes to standard error and is returned as its output.
/// </summary>
public static class ShellScriptRunner
{
    private const string Marker = "__ENVTOOLS_AFTER_SCRIPT__";
    private const string EndMarker = "__ENVTOOLS_END__";

    /// <summary>Variables the shell itself changes, never taken over.</summary>
    private static readonly HashSet<string> ShellOwned = new(StringComparer.OrdinalIgnoreCase)
    {
        "_", "SHLVL", "PWD", "OLDPWD", "BASH_EXECUTION_STRING", "PROMPT", "=ExitCode",
    };

    /// <summary>The default time a script may take.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    /// <summary>The result of a run: the variable changes and what the script printed.</summary>
    /// <param name="Changes">Variables set, changed or unset, in name order.</param>
    /// <param name="Output">What the script wrote (standard output and error).</param>
    public sealed record Result(IReadOnlyList<VariableChange> Changes, string Output);

    /// <summary>
    /// Runs <paramref name="script"/> with the variables of <paramref name="environment"/> and returns what it
    /// changed. Bash is run as <c>bash --noprofile --norc</c>; cmd as <c>cmd /d /c</c>.
    /// </summary>
    /// <exception cref="ActivationScriptFailedException">The shell is missing, the script fails or times out.</exception>
    public static Result Run(ActivationScript script, IEnvironmentVariables environment, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        bool cmd = script.Kind == ActivationScriptKind.Cmd;
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            WorkingDirectory = Path.GetDirectoryName(script.Path) ?? Environment.CurrentDirectory,
        };
        if (cmd)
        {
            // As conda's activate.bat does, the script runs under code page 65001 (in cmd's own windowless console, so the
            // session's console keeps its code page): 'set' then lists every value as UTF-8, whatever the user's OEM code
            // page could have shown (a non-ASCII PATH entry survives), and both streams are decoded as UTF-8.
            psi.FileName = Environment.GetEnvironmentVariable("ComSpec") ?? "cmd.exe";
            psi.Arguments = CmdArguments(script.Path);
            psi.StandardOutputEncoding = Utf8;
            psi.StandardErrorEncoding = Utf8;
        }
        else
        {
            psi.FileName = "bash";
            foreach (string a in new[] { "--noprofile", "--norc", "-c", $"env -0; printf '{Marker}\\0'; . \"$1\" 1>&2; rc=$?; env -0; printf '{EndMarker}\\0'; exit $rc", "envtools", script.Path })
            {
                psi.ArgumentList.Add(a);
            }
        }

        psi.Environment.Clear();
        foreach (var (k, v) in environment.GetAll())
        {
            psi.Environment[k] = v;
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new IOException($"{psi.FileName} did not start");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException)
        {
            throw new ActivationScriptFailedException(script.Path, $"{psi.FileName} could not be started: {ex.Message}", ex);
        }

        using (process)
        {
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            TimeSpan limit = timeout ?? DefaultTimeout;
            bool exited;
            try
            {
                exited = process.WaitForExitAsync(cancellationToken).Wait(limit, CancellationToken.None); // the task itself observes the token
            }
            catch (AggregateException) when (cancellationToken.IsCancellationRequested)
            {
                exited = false;
            }

            if (!exited)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // ended meanwhile
                }

                cancellationToken.ThrowIfCancellationRequested();
                throw new ActivationScriptFailedException(script.Path, $"it did not finish within {limit.TotalSeconds:0.#} s");
            }

            process.WaitForExit();
            string output = stderr.Result;
            if (process.ExitCode != 0)
            {
                throw new ActivationScriptFailedException(script.Path, $"exit code {process.ExitCode}. {output.Trim()}".TrimEnd());
            }

            string listing = stdout.Result;
            if (!listing.Contains(EndMarker, StringComparison.Ordinal))
            {
                throw new ActivationScriptFailedException(script.Path, $"it ended the shell before its variables could be read. {output.Trim()}".TrimEnd());
            }

            (Dictionary<string, string> before, Dictionary<string, string> after) = cmd ? ParseCmd(listing, environment.IgnoreCase) : ParseBash(listing);
            return new Result(Diff(before, after), output);
        }
    }

    private static readonly System.Text.UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>cmd's arguments for a <c>.bat</c> script: code page 65001, the variables, the script (its output to
    /// standard error), the variables again. A script that fails ends cmd with its error level (<c>|| exit /b</c>):
    /// otherwise the exit code would be the last <c>echo</c>'s, and a failing script would pass as done.</summary>
    internal static string CmdArguments(string scriptPath) =>
        $"/d /s /c \"chcp 65001>nul & set & echo {Marker}& call \"{scriptPath}\" 1>&2 || exit /b & set & echo {EndMarker}\"";

    /// <summary>Applies a run's changes to <paramref name="environment"/>.</summary>
    public static void Apply(IEnumerable<VariableChange> changes, IEnvironmentVariables environment)
    {
        foreach (VariableChange c in changes)
        {
            environment.Set(c.Name, c.NewValue);
        }
    }

    private static (Dictionary<string, string>, Dictionary<string, string>) ParseBash(string output)
    {
        var before = new Dictionary<string, string>(StringComparer.Ordinal);
        var after = new Dictionary<string, string>(StringComparer.Ordinal);
        Dictionary<string, string> current = before;
        foreach (string entry in output.Split('\0'))
        {
            if (entry == Marker)
            {
                current = after;
                continue;
            }

            int eq = entry.IndexOf('=');
            if (eq > 0)
            {
                current[entry[..eq]] = entry[(eq + 1)..];
            }
        }

        return (before, after);
    }

    /// <summary>The two <c>set</c> listings of a cmd run (CRLF or LF lines). cmd's per-drive current folders
    /// (<c>=C:=C:\dir</c>) and <c>=ExitCode</c> are no variables a session can hold and are left out.</summary>
    internal static (Dictionary<string, string> Before, Dictionary<string, string> After) ParseCmd(string output, bool ignoreCase)
    {
        StringComparer cmp = ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var before = new Dictionary<string, string>(cmp);
        var after = new Dictionary<string, string>(cmp);
        Dictionary<string, string> current = before;
        foreach (string raw in output.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Trim() == EndMarker)
            {
                break;
            }

            if (line.Trim() == Marker)
            {
                current = after;
                continue;
            }

            if (line.StartsWith('='))
            {
                continue; // =C:=C:\dir, =ExitCode=00000000: cmd's own, not variables
            }

            int eq = line.IndexOf('=');
            if (eq > 0)
            {
                current[line[..eq]] = line[(eq + 1)..];
            }
        }

        return (before, after);
    }

    internal static List<VariableChange> Diff(Dictionary<string, string> before, Dictionary<string, string> after)
    {
        var changes = new List<VariableChange>();
        foreach (var (name, value) in after)
        {
            if (ShellOwned.Contains(name) || name.StartsWith("BASH_FUNC_", StringComparison.Ordinal))
            {
                continue;
            }

            if (!before.TryGetValue(name, out string? old) || old != value)
            {
                changes.Add(new VariableChange(name, old, value));
            }
        }

        foreach (var (name, old) in before)
        {
            if (!after.ContainsKey(name) && !ShellOwned.Contains(name) && !name.StartsWith("BASH_FUNC_", StringComparison.Ordinal))
            {
                changes.Add(new VariableChange(name, old, null));
            }
        }

        changes.Sort((a, b) => StringComparer.Ordinal.Compare(a.Name, b.Name));
        return changes;
    }
}
