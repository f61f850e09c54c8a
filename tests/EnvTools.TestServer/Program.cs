using EnvTools.Tests.Http;

// Usage: EnvTools.TestServer <folder> [--token <t>] [--fault <path-suffix>=<status>x<times>]...
// Serves <folder> on 127.0.0.1 (a free port), prints "PORT=<n>", and stops when stdin closes.
if (args.Length == 0 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: EnvTools.TestServer <folder> [--token <t>] [--fault <path-suffix>=<status>x<times>]...");
    return 2;
}

await using ChannelServer server = await ChannelServer.StartAsync(args[0]);
for (int i = 1; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--token":
            server.RequiredToken = args[i + 1];
            break;
        case "--fault":
            string[] kv = args[i + 1].Split('=', 2);
            string[] st = kv[1].Split('x', 2);
            server.AddFault(kv[0], Fault.Status(int.Parse(st[0], System.Globalization.CultureInfo.InvariantCulture),
                st.Length > 1 ? int.Parse(st[1], System.Globalization.CultureInfo.InvariantCulture) : 1));
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 2;
    }
}

Console.WriteLine($"PORT={server.Port}");
Console.Out.Flush();
// Serve until the parent closes stdin (or kills the process).
await Task.Run(() => Console.In.ReadToEnd());
return 0;
