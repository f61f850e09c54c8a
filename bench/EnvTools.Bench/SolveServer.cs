using System.Diagnostics;
using System.Text.Json;
using EnvTools.RepoData;

namespace EnvTools.Bench;

/// <summary>
/// A warm child process of the harness in <c>--solve-server</c> mode, run from a given build folder (the current
/// bench's own, or a copy holding another commit's EnvTools.Core.dll): job files in, one timed run each out.
/// </summary>
internal sealed class SolveServer : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    /// <param name="name">The side's name, for messages.</param>
    /// <param name="binDirectory">The folder holding EnvTools.Bench.dll and the EnvTools.Core.dll to measure.</param>
    /// <param name="indexCache">The on-disk index folder of this side alone (the two engines may write different formats).</param>
    internal SolveServer(string name, string binDirectory, string indexCache)
    {
        Name = name;
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(binDirectory, "EnvTools.Bench.dll"));
        psi.ArgumentList.Add("--solve-server");
        psi.Environment[RepoDataIndexOptions.CacheEnvironmentVariable] = indexCache;
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start the {name} solve server");
        _stderr = _process.StandardError.ReadToEndAsync();
        using JsonDocument hello = JsonDocument.Parse(ReadJsonLine());
        Engine = hello.RootElement.GetProperty("engine").GetString()!;
    }

    internal string Name { get; }

    /// <summary>The module version id of the EnvTools.Core.dll the child loaded.</summary>
    internal string Engine { get; }

    /// <summary>Loads and solves one job in the child; the child's own timings.</summary>
    internal EnvToolsRun Run(string jobFile)
    {
        _process.StandardInput.WriteLine(jobFile);
        _process.StandardInput.Flush();
        return EnvToolsSolveRunner.ParseLine(ReadJsonLine());
    }

    private string ReadJsonLine()
    {
        string? line = _process.StandardOutput.ReadLine();
        while (line is not null && !line.StartsWith('{'))
        {
            line = _process.StandardOutput.ReadLine(); // anything the engine printed itself
        }

        if (line is null)
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"the {Name} solve server ended ({_process.ExitCode}): {ReferenceSolver.First(_stderr.Result)}");
        }

        return line;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>The dotnet host that runs this harness (both sides run under the same one).</summary>
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
