using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EnvTools.Tests.S3;

/// <summary>
/// OpenStack Swift (Debian's <c>swift</c>, <c>swift-proxy</c>, <c>swift-account</c>, <c>swift-container</c>,
/// <c>swift-object</c>) as a one-node, one-replica object store with the <c>s3api</c> middleware (SigV4 checked) and
/// <c>tempauth</c>, on free 127.0.0.1 ports, everything (configuration, rings, data, logs) in a temp folder: four
/// processes, stopped by their PIDs. S3 users: <c>test:tester</c>/<c>testing</c> (admin of account <c>test</c>) and
/// <c>test:reader</c>/<c>reading</c> (authenticated, without rights on test's buckets). Region <c>us-east-1</c>, path style.
/// </summary>
internal sealed class SwiftS3Server : IAsyncDisposable
{
    internal const string DebianPackages = "swift swift-proxy swift-account swift-container swift-object";
    internal const string AccessKey = "test:tester";
    internal const string SecretKey = "testing";
    internal const string ReaderAccessKey = "test:reader";
    internal const string ReaderSecretKey = "reading";

    private static readonly string[] Binaries = { "swift-ring-builder", "swift-proxy-server", "swift-account-server", "swift-container-server", "swift-object-server" };

    private readonly List<Process> _processes = new();
    private readonly List<StreamWriter> _logs = new();
    private bool _stopped;

    private SwiftS3Server(string root, int port)
    {
        Root = root;
        Endpoint = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>The S3 endpoint (the proxy).</summary>
    public Uri Endpoint { get; }

    /// <summary>The folder holding the configuration, rings, data and logs.</summary>
    public string Root { get; }

    /// <summary>The first Swift program that is not installed, or null when all are.</summary>
    public static string? Missing() => Binaries.FirstOrDefault(b => Which(b) is null);

    /// <summary>Starts the four servers and waits until the proxy's health check answers and the storage servers listen.</summary>
    /// <exception cref="InvalidOperationException">A program is missing, or the servers did not come up (the logs' tails are in the message).</exception>
    public static async Task<SwiftS3Server> StartAsync(TimeSpan timeout)
    {
        if (Missing() is { } missing)
        {
            throw new InvalidOperationException($"OpenStack Swift is not installed ({missing} is missing): apt-get install -y --no-install-recommends {DebianPackages}");
        }

        string root = Path.Combine(Path.GetTempPath(), "envtools-swift-" + Guid.NewGuid().ToString("N")[..10]);
        int[] ports = FreePorts(5); // proxy, object, container, account, and a memcache port nothing listens on
        var server = new SwiftS3Server(root, ports[0]);
        try
        {
            server.WriteConfiguration(ports);
            await BuildRingsAsync(Path.Combine(root, "etc"), ports[1], ports[2], ports[3]);
            foreach (string s in new[] { "account", "container", "object", "proxy" })
            {
                server.Launch($"swift-{s}-server", Path.Combine(root, "etc", $"{s}-server.conf"), Path.Combine(root, "log", $"{s}.log"));
            }

            await server.WaitUntilUpAsync(ports, timeout);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The last lines of each server's log (for a failure's message).</summary>
    public string LogTails()
    {
        var sb = new StringBuilder();
        foreach (string log in Directory.Exists(Path.Combine(Root, "log")) ? Directory.GetFiles(Path.Combine(Root, "log")) : Array.Empty<string>())
        {
            string[] lines = File.ReadAllLines(log);
            sb.AppendLine($"== {Path.GetFileName(log)}").AppendLine(string.Join('\n', lines.TakeLast(15)));
        }

        return sb.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Process p in _processes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
            {
                // gone already
            }

            p.Dispose();
        }

        lock (_logs)
        {
            _stopped = true;
            _logs.ForEach(w => w.Dispose());
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void WriteConfiguration(int[] ports)
    {
        string etc = Path.Combine(Root, "etc");
        foreach (string d in new[] { etc, Path.Combine(Root, "node", "d1"), Path.Combine(Root, "log") })
        {
            Directory.CreateDirectory(d);
        }

        string user = Environment.UserName;
        File.WriteAllText(Path.Combine(etc, "swift.conf"),
            "[swift-hash]\nswift_hash_path_prefix = envtools-test\nswift_hash_path_suffix = envtools-test\n[storage-policy:0]\nname = default\ndefault = yes\n");
        foreach ((string name, int port) in new[] { ("object", ports[1]), ("container", ports[2]), ("account", ports[3]) })
        {
            File.WriteAllText(Path.Combine(etc, $"{name}-server.conf"), Invariant($"""
                [DEFAULT]
                devices = {Path.Combine(Root, "node")}
                mount_check = false
                disable_fallocate = true
                bind_ip = 127.0.0.1
                bind_port = {port}
                workers = 0
                swift_dir = {etc}
                user = {user}
                log_name = {name}-server
                log_address = /nonexistent-so-log-to-stderr
                [pipeline:main]
                pipeline = {name}-server
                [app:{name}-server]
                use = egg:swift#{name}

                """));
        }

        // s3api with tempauth needs the cache filter in the pipeline ("Memcache required" otherwise); no memcached has to
        // listen at its address
        File.WriteAllText(Path.Combine(etc, "proxy-server.conf"), Invariant($"""
            [DEFAULT]
            bind_ip = 127.0.0.1
            bind_port = {ports[0]}
            workers = 0
            swift_dir = {etc}
            user = {user}
            log_address = /nonexistent-so-log-to-stderr
            [pipeline:main]
            pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy proxy-logging proxy-server
            [app:proxy-server]
            use = egg:swift#proxy
            account_autocreate = true
            [filter:s3api]
            use = egg:swift#s3api
            location = us-east-1
            [filter:tempauth]
            use = egg:swift#tempauth
            user_test_tester = {SecretKey} .admin
            user_test_reader = {ReaderSecretKey}
            [filter:cache]
            use = egg:swift#memcache
            memcache_servers = 127.0.0.1:{ports[4]}
            [filter:catch_errors]
            use = egg:swift#catch_errors
            [filter:gatekeeper]
            use = egg:swift#gatekeeper
            [filter:healthcheck]
            use = egg:swift#healthcheck
            [filter:proxy-logging]
            use = egg:swift#proxy_logging
            [filter:listing_formats]
            use = egg:swift#listing_formats
            [filter:copy]
            use = egg:swift#copy

            """));
    }

    /// <summary>
    /// The object, container and account rings (partition power 6, one replica, one device each), built in one run of the
    /// Python that <c>swift-ring-builder</c> runs with (its library's <c>RingBuilder</c>); if that fails, with
    /// <c>swift-ring-builder</c> itself (three commands per ring, each a Python start-up).
    /// </summary>
    private static async Task BuildRingsAsync(string etc, int objectPort, int containerPort, int accountPort)
    {
        (string Name, int Port)[] rings = { ("object", objectPort), ("container", containerPort), ("account", accountPort) };
        string builder = Which("swift-ring-builder")!;
        string? python = File.ReadLines(builder).FirstOrDefault() is { } shebang && shebang.StartsWith("#!", StringComparison.Ordinal)
            ? shebang[2..].Trim().Split(' ')[0] : null;
        if (python is not null && File.Exists(python))
        {
            string script = string.Join('\n',
                "import sys",
                "from swift.common.ring import RingBuilder",
                "for name, port in zip(('object', 'container', 'account'), map(int, sys.argv[2:5])):",
                "    b = RingBuilder(6, 1, 1)",
                "    b.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1', 'weight': 1, 'meta': ''})",
                "    b.rebalance()",
                "    b.get_ring().save('%s/%s.ring.gz' % (sys.argv[1], name))",
                string.Empty);
            string file = Path.Combine(etc, "make-rings.py");
            File.WriteAllText(file, script);
            if (await RunAsync(python, file, etc, objectPort.ToString(CultureInfo.InvariantCulture), containerPort.ToString(CultureInfo.InvariantCulture),
                    accountPort.ToString(CultureInfo.InvariantCulture)) == 0 && rings.All(r => File.Exists(Path.Combine(etc, r.Name + ".ring.gz"))))
            {
                return;
            }
        }

        foreach ((string name, int port) in rings)
        {
            string b = Path.Combine(etc, name + ".builder");
            await RunAsync(builder, b, "create", "6", "1", "1");
            await RunAsync(builder, b, "add", $"r1z1-127.0.0.1:{port}/d1", "1");
            await RunAsync(builder, b, "rebalance"); // exits 1 with a warning on a one-device ring, yet writes it
            if (!File.Exists(Path.Combine(etc, name + ".ring.gz")))
            {
                throw new InvalidOperationException($"swift-ring-builder wrote no {name} ring in {etc}");
            }
        }
    }

    private static async Task<int> RunAsync(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        Task<string> output = p.StandardOutput.ReadToEndAsync();
        Task<string> error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        await Task.WhenAll(output, error);
        return p.ExitCode;
    }

    private void Launch(string program, string config, string log)
    {
        var psi = new ProcessStartInfo(Which(program)!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(config);
        var p = new Process { StartInfo = psi };
        var writer = new StreamWriter(log, append: true) { AutoFlush = true };
        _logs.Add(writer);
        void Write(string? line)
        {
            lock (_logs)
            {
                if (line is not null && !_stopped)
                {
                    writer.WriteLine(line);
                }
            }
        }

        p.OutputDataReceived += (_, e) => Write(e.Data);
        p.ErrorDataReceived += (_, e) => Write(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes.Add(p);
    }

    private async Task WaitUntilUpAsync(int[] ports, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_processes.FirstOrDefault(p => p.HasExited) is { } exited)
            {
                throw new InvalidOperationException($"{exited.StartInfo.FileName} exited with {exited.ExitCode}:\n{LogTails()}");
            }

            try
            {
                string health = await http.GetStringAsync(new Uri(Endpoint, "/healthcheck"));
                if (health == "OK" && ports[1..4].All(Listening))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not yet
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException($"Swift did not come up within {timeout.TotalSeconds:0} s:\n{LogTails()}");
    }

    private static bool Listening(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        int[] ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(d => Path.Combine(d, program))
            .FirstOrDefault(File.Exists);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
