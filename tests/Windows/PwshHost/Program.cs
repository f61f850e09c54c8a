// pwsh.exe of the Windows lane: PowerShell 7.6.9 running one script in a runspace, its output streamed to stdout.
//
//   pwsh.exe -File <script.ps1> [-Name value | -Name:value | -Switch]...
//   pwsh.exe -Command <script text>
//   (-NoProfile, -NonInteractive and -NoLogo before them are accepted and ignored)
//
// Exit code: the script's `exit N`; else 1 when it wrote an error record, 2 when it stopped on a terminating error.
// Why not the console host: Wine gives a process whose output is redirected no Windows console, and
// Microsoft.PowerShell.ConsoleShell needs one. A runspace needs none; Write-Host reaches it as information records.
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace EnvTools.Windows.PwshHost;

internal static class Program
{
    private static int Main(string[] args)
    {
        // pwsh's session switches mean nothing to a runspace: accepted and ignored
        args = args.SkipWhile(a => a is "-NoProfile" or "-NonInteractive" or "-NoLogo").ToArray();
        if (args.Length < 2 || (args[0] is not ("-File" or "-Command")))
        {
            Console.Error.WriteLine("usage: pwsh.exe -File <script.ps1> [-Name value]... | -Command <text>");
            return 64;
        }

        var state = InitialSessionState.CreateDefault2();
        state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        using var runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
        using var ps = PowerShell.Create(runspace);
        if (args[0] == "-File")
        {
            ps.AddCommand(Path.GetFullPath(args[1]));
            BindArguments(ps, args.AsSpan(2));
        }
        else
        {
            ps.AddScript(string.Join(' ', args.Skip(1)));
        }

        ps.AddCommand("Out-String").AddParameter("Stream");

        int errors = 0;
        var stdout = Console.Out;
        var stderr = Console.Error;
        ps.Streams.Error.DataAdded += (_, e) => { errors++; Write(stderr, "ERROR: " + Describe(ps.Streams.Error[e.Index])); };
        ps.Streams.Warning.DataAdded += (_, e) => Write(stderr, "WARNING: " + ps.Streams.Warning[e.Index].Message);
        ps.Streams.Information.DataAdded += (_, e) => Write(stdout, ps.Streams.Information[e.Index].ToString());
        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, e) => Write(stdout, output[e.Index]?.ToString() ?? string.Empty);

        try
        {
            ps.Invoke(null, output);
        }
        catch (ExitException e)
        {
            return e.Argument is int code ? code : 0;
        }
        catch (RuntimeException e)
        {
            Write(stderr, "TERMINATING ERROR: " + Describe(e.ErrorRecord));
            return 2;
        }

        // `exit N` in a script file sets $LASTEXITCODE for its caller
        if (runspace.SessionStateProxy.GetVariable("LASTEXITCODE") is int last && last != 0)
        {
            return last;
        }

        return errors > 0 ? 1 : 0;
    }

    /// <summary>Binds PowerShell-style arguments: <c>-Name value</c>, <c>-Name:value</c>, a bare <c>-Switch</c>, or a positional value.</summary>
    private static void BindArguments(PowerShell ps, ReadOnlySpan<string> args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a.Length > 1 && a[0] == '-' && !char.IsDigit(a[1]))
            {
                int colon = a.IndexOf(':');
                if (colon > 0)
                {
                    ps.AddParameter(a[1..colon], a[(colon + 1)..]);
                }
                else if (i + 1 < args.Length && !(args[i + 1].Length > 1 && args[i + 1][0] == '-' && !char.IsDigit(args[i + 1][1])))
                {
                    ps.AddParameter(a[1..], args[++i]);
                }
                else
                {
                    ps.AddParameter(a[1..]);
                }
            }
            else
            {
                ps.AddArgument(a);
            }
        }
    }

    private static string Describe(ErrorRecord r) =>
        r.InvocationInfo?.PositionMessage is { Length: > 0 } where ? $"{r}\n{where}" : r.ToString();

    private static void Write(TextWriter w, string line)
    {
        lock (w)
        {
            w.WriteLine(line);
            w.Flush();
        }
    }
}
