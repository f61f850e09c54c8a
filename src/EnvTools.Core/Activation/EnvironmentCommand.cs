using System.Collections.Concurrent;
using System.Diagnostics;

namespace EnvTools.Activation;

/// <summary>The stream a line of a child process came on.</summary>
public enum OutputStream
{
    /// <summary>Standard output.</summary>
    StandardOutput,

    /// <summary>Standard error.</summary>
    StandardError,
}

/// <summary>A line a child process wrote (without its line ending).</summary>
/// <param name="Stream">Where it came from.</param>
/// <param name="Text">The line.</param>
public readonly record struct OutputLine(OutputStream Stream, string Text);

/// <summary>A program that cannot be found on the activated environment's PATH (or at the path given).</summary>
public sealed class CommandNotFoundException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public CommandNotFoundException(string command, string prefix)
        : base("CommandNotFound", ErrorKind.ObjectNotFound,
            $"'{command}' is not a program in the environment {prefix} or on its activated PATH.", command)
    {
        Command = command;
    }

    /// <summary>The program asked for.</summary>
    public string Command { get; }
}

/// <summary>
/// Runs a program in an environment, as <c>conda run</c> does: the child gets the variables the environment's
/// activation gives (the activation plan, its <c>conda-meta/state</c> variables, and what its <c>activate.d</c>
/// shell scripts set: <c>.sh</c> on Unix, <c>.bat</c> on Windows), the calling process keeps its own. Its output
/// is read line by line as it is written (<see cref="ReadLines"/>).
/// </summary>
public sealed class EnvironmentCommand : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<OutputLine> _lines = new();
    private int _open = 2;

    private EnvironmentCommand(Process process)
    {
        _process = process;
    }

    /// <summary>The child's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// What Invoke-EnvCommand runs: <paramref name="command"/> resolved on the activated PATH of <paramref name="prefix"/>
    /// (see <see cref="Resolve"/>), with the variables of the environment activated over this process's
    /// (<see cref="ActivatedVariables"/>), in <paramref name="workingDirectory"/>.
    /// </summary>
    /// <exception cref="EnvToolsException">WorkingDirectoryNotFound: the working folder does not exist.</exception>
    public static (string File, EnvironmentVariableMap Variables) Prepare(string prefix, string? name, string command, string workingDirectory,
        CancellationToken ct = default)
    {
        if (!Directory.Exists(workingDirectory))
        {
            throw new EnvToolsException("WorkingDirectoryNotFound", ErrorKind.ObjectNotFound, $"The working folder '{workingDirectory}' does not exist.", workingDirectory);
        }

        EnvironmentVariableMap variables = ActivatedVariables(prefix, name, ProcessEnvironmentVariables.Instance, new EnvironmentActivator(changePrompt: false), ct);
        return (Resolve(command, variables, workingDirectory, prefix), variables);
    }

    /// <summary>The error of a command that exited with a non-zero <paramref name="exitCode"/>, when the caller treats that as one.</summary>
    public static EnvToolsException ExitCodeError(string command, int exitCode) =>
        new("NativeCommandExitCode", ErrorKind.NotSpecified, $"{command} exited with code {exitCode}.", command);

    /// <summary>
    /// The variables a child started in <paramref name="prefix"/> gets: <paramref name="current"/> with the
    /// environment activated on top (not stacked: an active environment's PATH entries and variables give way, as
    /// with <c>conda run</c>), then the environment's activate.d shell scripts run against them.
    /// </summary>
    /// <exception cref="ActivationScriptFailedException">An activation script failed.</exception>
    public static EnvironmentVariableMap ActivatedVariables(string prefix, string? name, IEnvironmentVariables current, EnvironmentActivator activator,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(activator);
        var map = new EnvironmentVariableMap(current.GetAll(), current.IgnoreCase);
        ActivationPlan plan = activator.Plan(prefix, name, map, new ActivationStack(), stacked: false);
        activator.Begin(plan, map);
        map.Set("CONDA_PROMPT_MODIFIER", null); // no prompt in a child
        foreach (ActivationScript script in plan.ActivateScripts)
        {
            // PowerShell scripts belong to a PowerShell session; a child runs the shell scripts, as conda run does
            if (script.Kind is ActivationScriptKind.Bash or ActivationScriptKind.Cmd)
            {
                ct.ThrowIfCancellationRequested();
                ShellScriptRunner.Apply(ShellScriptRunner.Run(script, map, cancellationToken: ct).Changes, map);
            }
        }

        return map;
    }

    /// <summary>
    /// The full path of <paramref name="command"/>: as given when it names a folder (relative to
    /// <paramref name="workingDirectory"/>), else the first match on <paramref name="environment"/>'s PATH (with
    /// PATHEXT's extensions on Windows), so that the environment's own programs come first.
    /// </summary>
    /// <exception cref="CommandNotFoundException">There is no such program.</exception>
    public static string Resolve(string command, IEnvironmentVariables environment, string workingDirectory, string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        ArgumentNullException.ThrowIfNull(environment);
        bool windows = OperatingSystem.IsWindows();
        string[] extensions = windows && !Path.HasExtension(command)
            ? (environment.Get("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").Split(';', StringSplitOptions.RemoveEmptyEntries).Prepend(string.Empty).ToArray()
            : new[] { string.Empty };
        IEnumerable<string> folders = command.IndexOfAny(new[] { '/', Path.DirectorySeparatorChar }) >= 0
            ? new[] { workingDirectory }
            : PathList.Split(environment.Get(EnvironmentActivator.PathVariable), windows ? ';' : ':').Where(Path.IsPathFullyQualified);
        foreach (string folder in folders)
        {
            foreach (string ext in extensions)
            {
                string candidate = Path.GetFullPath(Path.Combine(folder, command + ext));
                if (File.Exists(candidate) && (windows || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
                {
                    return candidate;
                }
            }
        }

        throw new CommandNotFoundException(command, prefix);
    }

    /// <summary>Starts <paramref name="fileName"/> (a full path) with exactly <paramref name="environment"/>'s variables;
    /// standard input is the caller's, output and error are read as they are written.</summary>
    public static EnvironmentCommand Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var psi = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Clear();
        foreach (var (k, v) in environment.GetAll())
        {
            psi.Environment[k] = v;
        }

        var process = new Process { StartInfo = psi };
        var command = new EnvironmentCommand(process);
        process.OutputDataReceived += (_, e) => command.Receive(OutputStream.StandardOutput, e.Data);
        process.ErrorDataReceived += (_, e) => command.Receive(OutputStream.StandardError, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return command;
    }

    /// <summary>The lines of standard output and standard error in the order they arrive, each as soon as it is written;
    /// ends when the child has closed both.</summary>
    public IEnumerable<OutputLine> ReadLines(CancellationToken ct = default) => _lines.GetConsumingEnumerable(ct);

    /// <summary>Waits for the child to end and returns its exit code.</summary>
    public int WaitForExit()
    {
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Ends the child and the processes it started.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // it ended meanwhile
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _process.Dispose();
        _lines.Dispose();
    }

    private void Receive(OutputStream stream, string? data)
    {
        if (data is not null)
        {
            _lines.Add(new OutputLine(stream, data));
        }
        else if (Interlocked.Decrement(ref _open) == 0)
        {
            _lines.CompleteAdding();
        }
    }
}
