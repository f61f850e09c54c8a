using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EnvTools.Bench;

/// <summary>
/// Repodata parse benchmark: EnvTools' full parse and lazy name index against Python's json.load (what
/// conda does) and node's JSON.parse, on the real conda-forge subset and on a generated
/// conda-forge-scale linux-64 channel. Each tool runs in its own child process so its peak memory is its own.
/// </summary>
internal static class ParseSuite
{
    private const int Repeats = 5;

    internal static string Run(string data, string work)
    {
        string subset = Path.Combine(data, "repodata", "conda-forge-subchannel-python3.9-2024-05-16");
        string[] subsetFiles = Directory.GetDirectories(subset).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "repodata.json")).Where(File.Exists).ToArray();
        string scale = CondaForgeScaleGenerator.Ensure(data, work);
        string[] scaleFiles = { Path.Combine(scale, "linux-64", "repodata.json") };

        var sb = new StringBuilder();
        sb.AppendLine("## Repodata parsing (`-Suite Parse`)");
        sb.AppendLine();
        sb.AppendLine($"Machine: {Program.Describe()}. Python: {Program.ToolVersion("python3", "--version")}; node: {Program.ToolVersion("node", "--version")}.");
        sb.AppendLine($"Best of {Repeats} runs in one process per tool; peak memory is the process's peak resident set (VmHWM / ru_maxrss), runtime included.");
        sb.AppendLine();
        Table(sb, "conda-forge python 3.9 subset, 8 subdirs (real data)", subsetFiles);
        Table(sb, $"conda-forge-scale linux-64 (generated: the real linux-64 records replicated {CondaForgeScaleGenerator.Copies}× under suffixed names)", scaleFiles);
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, string title, string[] files)
    {
        long bytes = files.Sum(f => new FileInfo(f).Length);
        string self = Environment.ProcessPath ?? "dotnet";
        string selfDll = typeof(ParseSuite).Assembly.Location;
        IEnumerable<string> SelfArgs(string mode)
        {
            var a = new List<string>();
            if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                a.Add(selfDll);
            }

            a.AddRange(new[] { "--child", mode, Repeats.ToString(CultureInfo.InvariantCulture) });
            a.AddRange(files);
            return a;
        }

        string scripts = Path.Combine(AppContext.BaseDirectory, "scripts");
        Console.WriteLine($"parse: {title} ({bytes / 1e6:F1} MB)");
        var python = Measurement.RunChild("Python json.load", "python3", new[] { Path.Combine(scripts, "parse_python.py"), Repeats.ToString(CultureInfo.InvariantCulture) }.Concat(files));
        var node = Measurement.RunChild("node JSON.parse", "node", new[] { "--max-old-space-size=8192", Path.Combine(scripts, "parse_node.js"), Repeats.ToString(CultureInfo.InvariantCulture) }.Concat(files));
        var full = Measurement.RunChild("EnvTools full parse", self, SelfArgs("full"));
        var lazy = Measurement.RunChild("EnvTools lazy name index", self, SelfArgs("lazy"));

        sb.AppendLine($"### {title}");
        sb.AppendLine();
        sb.AppendLine($"{files.Length} file(s), {bytes / 1e6:F1} MB of JSON, {full.Records:N0} records.");
        sb.AppendLine();
        sb.AppendLine("| tool | time | MB/s | speed vs json.load | peak memory | peak / file size |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (Measurement m in new[] { python, node, full, lazy })
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.Tool} | {m.Seconds * 1000:F1} ms | {bytes / 1e6 / m.Seconds:F0} | {python.Seconds / m.Seconds:F2}× | {m.PeakBytes / 1048576.0:F0} MiB | {(double)m.PeakBytes / bytes:F2} |");
        }

        sb.AppendLine();
        Console.WriteLine($"  json.load {python.Seconds:F3}s, JSON.parse {node.Seconds:F3}s, full {full.Seconds:F3}s, lazy {lazy.Seconds:F3}s");
    }

    /// <summary>Child mode: <c>--child full|lazy repeats files...</c>; prints one JSON line.</summary>
    internal static int RunChild(string[] args)
    {
        string mode = args[0];
        int repeats = int.Parse(args[1], CultureInfo.InvariantCulture);
        string[] files = args[2..];
        long baseline = Measurement.ResidentBytes();
        double best = double.MaxValue;
        long records = 0;
        for (int r = 0; r < repeats; r++)
        {
            records = 0;
            var sw = Stopwatch.StartNew();
            foreach (string file in files)
            {
                records += mode switch
                {
                    "full" => RepoDataAdapter.FullParse(file),
                    "lazy" => RepoDataAdapter.LazyIndex(file),
                    _ => throw new ArgumentException($"unknown mode {mode}"),
                };
            }

            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            GC.Collect();
        }

        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["seconds"] = best,
            ["records"] = records,
            ["peak_bytes"] = Measurement.PeakResidentBytes(),
            ["baseline_bytes"] = baseline,
        }));
        return 0;
    }
}
