using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace EnvTools.Tests.Oci;

/// <summary>How a <see cref="RegistryServer"/> authenticates clients.</summary>
public enum RegistryAuth
{
    /// <summary>Open to everyone.</summary>
    None,
    /// <summary>Basic auth against an htpasswd file (bcrypt entries).</summary>
    Htpasswd,
    /// <summary>Bearer tokens from a token service (RS256 JWTs signed by the trusted certificate).</summary>
    Token,
}

/// <summary>How to start a <see cref="RegistryServer"/>.</summary>
/// <param name="Auth">The authentication.</param>
/// <param name="HtpasswdFile">For <see cref="RegistryAuth.Htpasswd"/>: the htpasswd file.</param>
/// <param name="TokenRealm">For <see cref="RegistryAuth.Token"/>: the token service URL.</param>
/// <param name="TokenCertificate">For <see cref="RegistryAuth.Token"/>: the PEM file of the certificate the tokens are signed with.</param>
/// <param name="TlsCertificate">Serve HTTPS with this PEM certificate …</param>
/// <param name="TlsKey">… and this PEM private key.</param>
public sealed record RegistryOptions(RegistryAuth Auth = RegistryAuth.None, string? HtpasswdFile = null, string? TokenRealm = null,
    string? TokenCertificate = null, string? TlsCertificate = null, string? TlsKey = null)
{
    public const string TokenService = "envtools-test-registry";
    public const string TokenIssuer = "envtools-test-issuer";
}

/// <summary>One line of the registry's access log.</summary>
public sealed record RegistryRequest(string Method, string Path, int Status, long Bytes);

/// <summary>
/// Debian's <c>docker-registry</c> (distribution 2.8) started on a free 127.0.0.1 port with its storage, configuration and
/// log in a temp folder, and stopped by its process id. Its access log tells the tests which requests it served.
/// </summary>
public sealed partial class RegistryServer : IDisposable
{
    public const string DebianPackage = "docker-registry";

    private readonly Process _process;
    private readonly StreamWriter _log;

    private RegistryServer(Process process, StreamWriter log, string root, int port, bool tls)
    {
        _process = process;
        _log = log;
        Root = root;
        Port = port;
        Scheme = tls ? "https" : "http";
    }

    /// <summary>The temp folder (storage, config.yml, registry.log).</summary>
    public string Root { get; }

    public int Port { get; }

    /// <summary><c>http</c> or <c>https</c>.</summary>
    public string Scheme { get; }

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Authority => $"127.0.0.1:{Port}";

    /// <summary><c>http(s)://127.0.0.1:PORT</c>.</summary>
    public string Url => $"{Scheme}://{Authority}";

    public string LogFile => Path.Combine(Root, "registry.log");

    /// <summary>The registry program on PATH, or null.</summary>
    public static string? Executable { get; } = FindOnPath("docker-registry");

    /// <summary>Why a registry test cannot run here (null: it runs; under CI=true a missing package fails the test instead).</summary>
    public static string? SkipReason =>
        TestPlatform.OnWindows("the tests start Debian's docker-registry, a Linux program")
        ?? (Executable is null && !ConformanceData.IsCI ? $"needs the Debian package {DebianPackage} (apt-get install --no-install-recommends {DebianPackage})" : null);

    /// <summary>Starts a registry in a new temp folder.</summary>
    public static RegistryServer Start(RegistryOptions options)
    {
        string exe = Executable ?? throw new InvalidOperationException(
            $"docker-registry is not installed (Debian package {DebianPackage}); CI=true: the OCI tests fail instead of skipping");
        string root = Path.Combine(Path.GetTempPath(), "envtools-registry-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path.Combine(root, "data"));
        for (int attempt = 0; ; attempt++)
        {
            int port = FreePort();
            string config = Path.Combine(root, "config.yml");
            File.WriteAllText(config, Config(options, root, port));
            var psi = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            psi.ArgumentList.Add("serve");
            psi.ArgumentList.Add(config);
            foreach (string name in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("REGISTRY_", StringComparison.Ordinal)))
            {
                psi.Environment.Remove(name); // REGISTRY_* variables override the file
            }

            var process = Process.Start(psi)!;
            var log = new StreamWriter(Path.Combine(root, "registry.log"), append: true, Encoding.UTF8) { AutoFlush = true };
            var sync = new object();
            DataReceivedEventHandler write = (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (sync)
                    {
                        try
                        {
                            log.WriteLine(e.Data);
                        }
                        catch (ObjectDisposedException)
                        {
                            // a last line after the server was stopped
                        }
                    }
                }
            };
            process.OutputDataReceived += write;
            process.ErrorDataReceived += write;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new RegistryServer(process, log, root, port, options.TlsCertificate is not null);
            if (server.WaitUntilListening(TimeSpan.FromSeconds(20)))
            {
                return server;
            }

            string why = server.ReadLog();
            server.Stop(deleteRoot: attempt >= 2);
            if (attempt >= 2 || !why.Contains("address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"docker-registry did not start on port {port}:\n{why}");
            }
        }
    }

    private static string Config(RegistryOptions o, string root, int port)
    {
        var sb = new StringBuilder();
        sb.AppendLine("version: 0.1");
        sb.AppendLine("log:\n  level: info\n  accesslog:\n    disabled: false");
        sb.AppendLine($"storage:\n  filesystem:\n    rootdirectory: {Path.Combine(root, "data")}\n  delete:\n    enabled: true");
        sb.AppendLine($"http:\n  addr: 127.0.0.1:{port}\n  secret: envtools-test-only");
        if (o.TlsCertificate is not null)
        {
            sb.AppendLine($"  tls:\n    certificate: {o.TlsCertificate}\n    key: {o.TlsKey}");
        }

        switch (o.Auth)
        {
            case RegistryAuth.Htpasswd:
                sb.AppendLine($"auth:\n  htpasswd:\n    realm: envtools-test\n    path: {o.HtpasswdFile}");
                break;
            case RegistryAuth.Token:
                sb.AppendLine($"auth:\n  token:\n    realm: {o.TokenRealm}\n    service: {RegistryOptions.TokenService}\n" +
                    $"    issuer: {RegistryOptions.TokenIssuer}\n    rootcertbundle: {o.TokenCertificate}");
                break;
        }

        return sb.ToString();
    }

    private bool WaitUntilListening(TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < limit && !_process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        return false;
    }

    /// <summary>The access log so far: every request the registry answered, in order.</summary>
    public IReadOnlyList<RegistryRequest> Requests()
    {
        var list = new List<RegistryRequest>();
        foreach (Match m in AccessLine().Matches(ReadLog()))
        {
            list.Add(new RegistryRequest(m.Groups["m"].Value, m.Groups["p"].Value, int.Parse(m.Groups["s"].Value, System.Globalization.CultureInfo.InvariantCulture),
                long.Parse(m.Groups["b"].Value, System.Globalization.CultureInfo.InvariantCulture)));
        }

        return list;
    }

    /// <summary>
    /// The number of access-log lines once the log has stopped growing (a mark for <see cref="RequestsSince"/>): the lines
    /// of requests answered before the mark are written after their responses, and a loaded machine writes them late.
    /// </summary>
    public int Mark() => Settled().Count;

    /// <summary>The requests after <paramref name="mark"/>.</summary>
    public IReadOnlyList<RegistryRequest> RequestsSince(int mark) => Settled().Skip(mark).ToArray();

    /// <summary>The access log once it has stopped growing (or after 5 s).</summary>
    private IReadOnlyList<RegistryRequest> Settled()
    {
        // the registry writes a request's line after the response: wait until the log stops growing
        IReadOnlyList<RegistryRequest> seen = Requests();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(150);
            IReadOnlyList<RegistryRequest> now = Requests();
            if (now.Count == seen.Count)
            {
                break;
            }

            seen = now;
        }

        return seen;
    }

    public string ReadLog()
    {
        try
        {
            using var s = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var r = new StreamReader(s);
            return r.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return string.Empty;
        }
    }

    [GeneratedRegex(@"""(?<m>[A-Z]+) (?<p>\S+) HTTP/[0-9.]+"" (?<s>\d{3}) (?<b>\d+)")]
    private static partial Regex AccessLine();

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    internal static string? FindOnPath(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(new[] { "/usr/bin", "/usr/sbin" }))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private void Stop(bool deleteRoot)
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(); // by its own process id
                if (_process.WaitForExit(10_000))
                {
                    _process.WaitForExit(); // and the last lines of its output
                }
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        _log.Dispose();
        if (deleteRoot)
        {
            try
            {
                Directory.Delete(Root, true);
            }
            catch (IOException)
            {
            }
        }
    }

    public void Dispose() => Stop(deleteRoot: true);
}

/// <summary>A fact that needs Debian's docker-registry (skipped without it, and on Windows; failing under CI=true).</summary>
public sealed class RegistryFactAttribute : FactAttribute
{
    public RegistryFactAttribute() => Skip = RegistryServer.SkipReason;

    /// <summary>Also needs <c>htpasswd</c> (Debian package apache2-utils) to write bcrypt entries.</summary>
    public bool NeedsHtpasswd
    {
        get => false;
        set => Skip ??= value && RegistryServer.FindOnPath("htpasswd") is null && !ConformanceData.IsCI
            ? "needs htpasswd from the Debian package apache2-utils (apt-get install --no-install-recommends apache2-utils)"
            : null;
    }
}
