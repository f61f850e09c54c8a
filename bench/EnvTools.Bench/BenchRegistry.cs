using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EnvTools.Bench;

/// <summary>
/// Debian's <c>docker-registry</c> (distribution) for the Mirrors suite: open (no auth), plain HTTP on a free 127.0.0.1
/// port, storage in a temp folder, stopped by its process id. The minimal start logic of the tests' RegistryServer
/// (which needs xunit), without its access log.
/// </summary>
internal sealed class BenchRegistry : IDisposable
{
    internal const string DebianPackage = "docker-registry";

    private readonly Process _process;

    private BenchRegistry(Process process, string root, int port)
    {
        _process = process;
        Root = root;
        Authority = $"127.0.0.1:{port}";
    }

    internal string Root { get; }

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    internal string Authority { get; }

    /// <summary>The program, or null when the package is not installed.</summary>
    internal static string? Executable => new[] { "/usr/bin/docker-registry", "/usr/sbin/docker-registry" }.FirstOrDefault(File.Exists)
        ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "docker-registry")).FirstOrDefault(File.Exists);

    internal static BenchRegistry Start()
    {
        string exe = Executable ?? throw new InvalidOperationException($"docker-registry is not installed (apt-get install {DebianPackage})");
        string root = Path.Combine(Path.GetTempPath(), "envtools-bench-registry-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path.Combine(root, "data"));
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        string config = Path.Combine(root, "config.yml");
        File.WriteAllText(config, $"version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {Path.Combine(root, "data")}\n" +
            $"http:\n  addr: 127.0.0.1:{port}\n  secret: envtools-bench-only\n");
        var psi = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(config);
        foreach (string name in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("REGISTRY_", StringComparison.Ordinal)))
        {
            psi.Environment.Remove(name);
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new BenchRegistry(process, root, port);
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(20) && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return registry;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        registry.Dispose();
        throw new InvalidOperationException($"docker-registry did not start on port {port}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(); // by its own process id
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
