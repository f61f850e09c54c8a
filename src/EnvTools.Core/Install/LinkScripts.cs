using System.Diagnostics;
using System.Text;
using EnvTools.Conda;

namespace EnvTools.Install;

/// <summary>Runs a package's <c>pre-link</c>, <c>post-link</c> and <c>pre-unlink</c> scripts as conda does.</summary>
internal static class LinkScripts
{
    /// <summary>The script's path (<c>bin/.&lt;name&gt;-&lt;action&gt;.sh</c>, <c>Scripts/.&lt;name&gt;-&lt;action&gt;.bat</c> on Windows) under <paramref name="root"/>.</summary>
    public static string ScriptPath(string root, string name, string action, Platform platform) =>
        platform.IsWindows
            ? Path.Combine(root, "Scripts", $".{name}-{action}.bat")
            : Path.Combine(root, "bin", $".{name}-{action}.sh");

    /// <summary>
    /// Runs the script when it exists. It gets PREFIX, PKG_NAME, PKG_VERSION, PKG_BUILDNUM and ROOT_PREFIX, and PATH
    /// with the prefix's bin folder first. What it appends to <c>$PREFIX/.messages.txt</c> is added to
    /// <paramref name="messages"/> (and the file removed).
    /// </summary>
    /// <returns>Null when the package has no such script, else the exit code and output.</returns>
    public static (int ExitCode, string Output)? Run(string prefix, string root, PackageRecord rec, string action, Platform platform, List<string> messages, CancellationToken ct)
    {
        string script = ScriptPath(root, rec.Name, action, platform);
        if (!File.Exists(script))
        {
            return null;
        }

        if (platform.IsWindows != OperatingSystem.IsWindows())
        {
            // a win-* package installed from Linux (or the reverse): its .bat would run in bash (.sh in cmd)
            messages.Add($"The {action} script of {rec} was not run: '{Path.GetFileName(script)}' is a {(platform.IsWindows ? "Windows" : "Unix")} script, "
                + $"and this is {(OperatingSystem.IsWindows() ? "Windows" : "not Windows")}; run it on the target system if the package needs it.");
            return null;
        }

        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = prefix,
        };
        if (OperatingSystem.IsWindows())
        {
            psi.FileName = Environment.GetEnvironmentVariable("COMSPEC") ?? "cmd.exe";
            psi.ArgumentList.Add("/d");
            psi.ArgumentList.Add("/c");
            psi.ArgumentList.Add(script);
        }
        else
        {
            psi.FileName = File.Exists("/bin/bash") ? "/bin/bash" : "/bin/sh";
            psi.ArgumentList.Add(script);
        }

        string bin = platform.IsWindows ? Path.Combine(prefix, "Scripts") + Path.PathSeparator + Path.Combine(prefix, "Library", "bin") + Path.PathSeparator + prefix : Path.Combine(prefix, "bin");
        psi.Environment["PREFIX"] = prefix;
        psi.Environment["ROOT_PREFIX"] = prefix;
        psi.Environment["PKG_NAME"] = rec.Name;
        psi.Environment["PKG_VERSION"] = rec.Version;
        psi.Environment["PKG_BUILDNUM"] = rec.BuildNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["PATH"] = bin + Path.PathSeparator + (Environment.GetEnvironmentVariable("PATH") ?? string.Empty);

        var output = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using (ct.Register(() => { try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
        {
            p.WaitForExit();
        }

        ct.ThrowIfCancellationRequested();
        string messagesFile = Path.Combine(prefix, ".messages.txt");
        if (File.Exists(messagesFile))
        {
            string text = File.ReadAllText(messagesFile).TrimEnd();
            if (text.Length > 0)
            {
                messages.Add(text);
            }

            File.Delete(messagesFile);
        }

        return (p.ExitCode, output.ToString().TrimEnd());
    }
}
