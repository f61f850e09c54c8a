using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace EnvTools.Environments;

/// <summary>
/// Installs the pip part of an environment with the environment's own interpreter
/// (<c>&lt;prefix&gt;/bin/python -m pip install …</c>; <c>python.exe</c> on Windows), as conda does for the <c>pip:</c>
/// section of an environment.yml: the requirement lines (pip's own options such as <c>-r</c>, <c>-e</c>,
/// <c>--index-url</c>, <c>--find-links</c>, <c>--no-index</c> included) go into a requirements file next to the
/// environment file, so that relative paths resolve from there.
/// </summary>
public static class PipInstaller
{
    /// <summary>The interpreter of a prefix: <c>python.exe</c> at its root on Windows, <c>bin/python</c> elsewhere.</summary>
    public static string PythonOf(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return OperatingSystem.IsWindows() ? Path.Combine(prefix, "python.exe") : Path.Combine(prefix, "bin", "python");
    }

    /// <summary>
    /// Runs <c>python -m pip install -U -r &lt;requirements&gt;</c> in the environment. pip's output lines are handed to
    /// <paramref name="output"/> on the calling thread as they come.
    /// </summary>
    /// <param name="prefix">The environment (its conda part installed).</param>
    /// <param name="requirements">The requirement lines.</param>
    /// <param name="workingDirectory">Where relative paths resolve (the environment file's folder); the current folder when null.</param>
    /// <param name="output">Receives pip's output lines.</param>
    /// <param name="ct">Kills pip when cancelled.</param>
    /// <exception cref="PipInstallFailedException">The environment has no python, or pip failed.</exception>
    public static void Install(string prefix, IReadOnlyList<string> requirements, string? workingDirectory = null,
        Action<string>? output = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(requirements);
        if (requirements.Count == 0)
        {
            return;
        }

        string python = PythonOf(prefix);
        if (!File.Exists(python))
        {
            throw new PipInstallFailedException(prefix, -1,
                $"The environment has no Python interpreter ({python}); add python and pip to its conda dependencies.");
        }

        string dir = workingDirectory ?? Directory.GetCurrentDirectory();
        string file = WriteRequirements(dir, requirements);
        try
        {
            var psi = new ProcessStartInfo(python)
            {
                WorkingDirectory = dir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            foreach (string a in new[] { "-m", "pip", "install", "-U", "-r", file, "--disable-pip-version-check", "--no-input" })
            {
                psi.ArgumentList.Add(a);
            }

            psi.Environment["PYTHONNOUSERSITE"] = "1";
            psi.Environment["PYTHONIOENCODING"] = "utf-8";
            psi.Environment.Remove("PYTHONPATH");
            psi.Environment.Remove("PYTHONHOME");
            psi.Environment.Remove("PIP_USER");
            Run(prefix, psi, output, ct);
        }
        finally
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // best effort: a temp file
            }
        }
    }

    private static void Run(string prefix, ProcessStartInfo psi, Action<string>? output, CancellationToken ct)
    {
        using var lines = new BlockingCollection<string>();
        var all = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        int open = 2;
        void OnLine(DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                if (Interlocked.Decrement(ref open) == 0)
                {
                    lines.CompleteAdding();
                }

                return;
            }

            lines.Add(e.Data, CancellationToken.None); // an event handler: the reader below observes the token
        }

        process.OutputDataReceived += (_, e) => OnLine(e);
        process.ErrorDataReceived += (_, e) => OnLine(e);
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException)
        {
            throw new PipInstallFailedException(prefix, -1, $"{psi.FileName} could not be started: {ex.Message}", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (ct.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // exited already
            }
        }))
        {
            foreach (string line in lines.GetConsumingEnumerable(CancellationToken.None))
            {
                all.AppendLine(line);
                output?.Invoke(line);
            }

            process.WaitForExit();
        }

        ct.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
        {
            throw new PipInstallFailedException(prefix, process.ExitCode, all.ToString());
        }
    }

    private static string WriteRequirements(string dir, IReadOnlyList<string> requirements)
    {
        string text = string.Join('\n', requirements) + "\n";
        string name = $"envtools-pip-{Guid.NewGuid():N}.requirements.txt";
        foreach (string folder in new[] { dir, Path.GetTempPath() })
        {
            try
            {
                string path = Path.Combine(folder, name);
                File.WriteAllText(path, text, new UTF8Encoding(false));
                return path;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // a read-only folder: fall back to the temp folder (relative -r paths then resolve from the working directory)
            }
        }

        throw new IOException("no folder to write the pip requirements file to");
    }
}
