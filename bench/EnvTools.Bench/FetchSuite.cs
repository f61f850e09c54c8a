using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.Packages;
using EnvTools.RepoData;
using EnvTools.Tests.Http;

namespace EnvTools.Bench;

/// <summary>
/// Fetch benchmark: repodata fetch+parse from a loopback server, cold and warm (304); extraction of real and generated
/// packages by EnvTools, by Debian's conda-package-handling (<c>cph</c>, through its Python API in one process) and by
/// <c>zstd -d | tar x</c> / <c>bzip2 -d | tar x</c> (the floor); download+verify+extract through the package cache.
/// </summary>
internal static class FetchSuite
{
    private const int Repeats = 3;
    private const int RepoDataRounds = 8;
    private const int ExtractRounds = 5;
    private const int GeneratedPackages = 4;
    private const int GeneratedMiB = 50; // per package, uncompressed

    private static readonly string[] RealPackages =
    {
        // conda's test zlib .conda is left out: its symlinks with empty targets make cph fail
        "packages/conda-package-handling/mock-2.0.0-py37_1000.conda",
        "packages/clfml-ros2-jazzy/linux-64/audio_tools-1.2.1-1.conda",
        "packages/conda-tests/conda_format_repo/linux-64/zlib-1.2.11-h7b6447c_3.tar.bz2",
        "packages/conda-package-handling/mock-2.0.0-py37_1000.tar.bz2",
        "packages/conda-package-handling/cph_test_data-0.0.1-0.tar.bz2",
        "packages/clfml-ros2-jazzy/linux-64/ros-jazzy-audio-tools-2.5-h738df08_0.tar.bz2",
        "packages/conda-tests/moto-1.3.7-py_0.tar.bz2",
    };

    internal static string Run(string data, string work)
    {
        string root = Path.Combine(work, "fetch");
        Directory.CreateDirectory(root);
        var sb = new StringBuilder();
        sb.AppendLine("## Downloads, package cache and extraction (`-Suite Fetch`)");
        sb.AppendLine();
        string cph = Program.ToolVersion("cph", "--version");
        bool hasCph = cph.StartsWith("conda-package-handling", StringComparison.Ordinal);
        bool hasZstd = Program.ToolVersion("zstd", "--version").Contains("Zstandard", StringComparison.Ordinal);
        sb.AppendLine($"Machine: {Program.Describe()}. cph: {(hasCph ? cph : "not installed (apt-get install conda-package-handling)")}; " +
            $"zstd: {(hasZstd ? Program.ToolVersion("zstd", "--version").Split('\n')[0] : "not installed (apt-get install zstd)")}; {Program.ToolVersion("tar", "--version").Split('\n')[0]}.");
        sb.AppendLine($"Extraction: best of {ExtractRounds} rounds, the tools taking turns in each round; the cache pipeline: best of {Repeats}. Every run extracts into fresh folders on the same disk. The HTTP server is Kestrel on 127.0.0.1, in the same process. The load average when the suite started: {LoadAverage()}.");
        sb.AppendLine();

        RepoDataSection(sb, data, root);
        ExtractionSection(sb, data, root, hasCph, hasZstd);
        return sb.ToString();
    }

    // ---- repodata ---------------------------------------------------------------------------------------------

    private static void RepoDataSection(StringBuilder sb, string data, string root)
    {
        string subset = Path.Combine(data, "repodata", "conda-forge-subchannel-python3.9-2024-05-16");
        string served = Path.Combine(root, "served-repodata");
        string chan = Path.Combine(served, "cf");
        string[] subdirs = Directory.GetDirectories(subset).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        foreach (string s in subdirs)
        {
            Directory.CreateDirectory(Path.Combine(chan, s));
            foreach (string f in Directory.GetFiles(Path.Combine(subset, s), "repodata.json*"))
            {
                string to = Path.Combine(chan, s, Path.GetFileName(f));
                if (!File.Exists(to) || new FileInfo(to).Length != new FileInfo(f).Length)
                {
                    File.Copy(f, to, overwrite: true);
                }
            }
        }

        using ChannelServer server = ChannelServer.StartAsync(served).GetAwaiter().GetResult();
        Channel channel = EnvTools.Config.ChannelResolver.ParseChannel($"{server.Url}/cf");
        string pkgs = Path.Combine(root, "pkgs-repodata");
        var cold = new List<double>();
        var warm = new List<double>();
        long records = 0;
        for (int i = 0; i < RepoDataRounds + 1; i++)
        {
            if (Directory.Exists(pkgs)) Directory.Delete(pkgs, true);
            Settings settings = BenchSettings(pkgs);
            (double c, long n) = LoadAll(settings, channel, subdirs);
            server.ClearLog();
            (double w, long n2) = LoadAll(settings, channel, subdirs);
            if (server.Requests.Any(r => r.Status != 304) || n2 != n)
            {
                throw new InvalidOperationException("the warm load was not served by 304s");
            }

            if (i > 0) // the first round warms the JIT
            {
                cold.Add(c);
                warm.Add(w);
            }

            records = n;
        }

        Console.WriteLine($"repodata: cold {cold.Min() * 1000:F1} ms, warm {warm.Min() * 1000:F1} ms, {records} records");
        long zstBytes = subdirs.Sum(s => new FileInfo(Path.Combine(chan, s, "repodata.json.zst")).Length);
        sb.AppendLine($"### Repodata over HTTP: conda-forge python 3.9 subset ({subdirs.Length} subdirs, best of {RepoDataRounds} rounds)");
        sb.AppendLine();
        sb.AppendLine($"{records:N0} records; {zstBytes / 1e6:F2} MB of `repodata.json.zst` transferred when cold. Every subdir loads concurrently; " +
            "`local_repodata_ttl: 0`, so the warm load revalidates each subdir (`If-None-Match` → 304) and maps the cached JSON and its `.etidx` index.");
        sb.AppendLine();
        sb.AppendLine("| load | time | target |");
        sb.AppendLine("|---|---:|---|");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| cold (fetch `.zst`, decompress, index, write the cache) | {cold.Min() * 1000:F1} ms | |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| warm (8 × 304, load from the cache) | {warm.Min() * 1000:F1} ms | ≤ 50 ms: {(warm.Min() <= 0.050 ? "met" : "**not met**")} |");
        sb.AppendLine();
    }

    private static (double Seconds, long Records) LoadAll(Settings settings, Channel channel, string[] subdirs)
    {
        var remote = new RemoteRepoData(settings);
        var sw = Stopwatch.StartNew();
        var sources = Task.WhenAll(subdirs.Select(async s =>
        {
            var one = Stopwatch.StartNew();
            var r = await remote.LoadAsync(channel, s, CancellationToken.None);
            if (Environment.GetEnvironmentVariable("ENVTOOLS_BENCH_VERBOSE") is not null) Console.WriteLine($"  {s}: {one.Elapsed.TotalMilliseconds:F1} ms");
            return r;
        })).GetAwaiter().GetResult();
        double t = sw.Elapsed.TotalSeconds;
        return (t, sources.Sum(s => (long)(s?.Names.Sum(n => s.GetRecords(n).Count) ?? 0)));
    }

    private static Settings BenchSettings(string pkgs, bool offline = false) =>
        Settings.Load(null, new Dictionary<string, object?>
        {
            ["pkgs_dirs"] = new[] { pkgs },
            ["local_repodata_ttl"] = 0,
            ["offline"] = offline,
        });

    // ---- extraction -------------------------------------------------------------------------------------------

    private static void ExtractionSection(StringBuilder sb, string data, string root, bool hasCph, bool hasZstd)
    {
        string real = Path.Combine(root, "real");
        Directory.CreateDirectory(real);
        var realArchives = new List<string>();
        foreach (string rel in RealPackages)
        {
            string src = Path.Combine(data, rel);
            if (!File.Exists(src)) continue;
            string to = Path.Combine(real, Path.GetFileName(src));
            if (!File.Exists(to)) File.Copy(src, to);
            realArchives.Add(to);
        }

        string[] generated = GeneratedChannel(root);
        string[] realConda = realArchives.Where(a => a.EndsWith(".conda", StringComparison.Ordinal)).ToArray();
        string[] realBz2 = realArchives.Where(a => a.EndsWith(".tar.bz2", StringComparison.Ordinal)).ToArray();

        sb.AppendLine("### Extraction");
        sb.AppendLine();
        sb.AppendLine("EnvTools: `PackageArchive.Extract` (safe extraction: every path checked, written to a temporary folder and renamed). " +
            "cph: `conda_package_handling.api.extract` in one Python process (timed inside it). Floor: the `.tar.zst` members taken out of the zip " +
            "beforehand (not timed), then `zstd -dc m.tar.zst | tar -xf -` per member; for `.tar.bz2`, `bzip2 -dc | tar -xf -`.");
        sb.AppendLine();
        sb.AppendLine("| archives | payload | EnvTools | cph | floor | cph / EnvTools (target ≥ 2) | EnvTools / floor (target ≤ 1.3) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        ExtractRow(sb, root, $"generated, {generated.Length} × .conda", generated, hasCph, hasZstd);
        ExtractRow(sb, root, $"real, {realConda.Length} × .conda", realConda, hasCph, hasZstd);
        ExtractRow(sb, root, $"real, {realBz2.Length} × .tar.bz2", realBz2, hasCph, hasZstd);
        sb.AppendLine();
        sb.AppendLine("EnvTools decodes with the system's libzstd and libbz2 where they load (ZstdSharp and SharpCompress otherwise): large `.conda` " +
            "members on a worker thread while the files are written, `.tar.bz2` a bzip2 block per thread (blocks found by their magic, as lbzip2 does). " +
            "Files up to 1 MiB are created on a few writer threads (creating a file mostly waits on the file system). cph uses Python's `bz2` and " +
            "`zstandard` (native, one thread); the floor is one `bzip2`/`zstd` process piped into one `tar` per archive or member. " +
            "conda's test zlib `.conda` is left out of the real set: cph fails on its symlinks with empty targets. On a shared, loaded machine " +
            "the times vary from run to run (mostly the kernel's file creation): compare the ratios within one run.");
        sb.AppendLine();

        PipelineSection(sb, root, generated.Concat(realConda).ToArray());
    }

    private static void ExtractRow(StringBuilder sb, string root, string title, string[] archives, bool hasCph, bool hasZstd)
    {
        string outDir = Path.Combine(root, "out");
        string members = Path.Combine(root, "members", title.Replace(' ', '_').Replace(',', '_').Replace('×', 'x'));
        var commands = new StringBuilder("set -e\n");
        int k = 0;
        foreach (string a in archives)
        {
            string dest = Path.Combine(outDir, PackageCache.EntryName(Path.GetFileName(a)));
            if (a.EndsWith(".conda", StringComparison.Ordinal))
            {
                Directory.CreateDirectory(members);
                using ZipArchive zip = ZipFile.OpenRead(a);
                foreach (ZipArchiveEntry e in zip.Entries.Where(e => e.Name.EndsWith(".tar.zst", StringComparison.Ordinal)))
                {
                    string m = Path.Combine(members, $"{k++}-{e.Name}");
                    if (!File.Exists(m)) e.ExtractToFile(m);
                    commands.Append(CultureInfo.InvariantCulture, $"mkdir -p '{dest}' && zstd -dcq '{m}' | tar -xf - -C '{dest}'\n");
                }
            }
            else
            {
                commands.Append(CultureInfo.InvariantCulture, $"mkdir -p '{dest}' && bzip2 -dc '{a}' | tar -xf - -C '{dest}'\n");
            }
        }

        string script = "import sys, time\nfrom conda_package_handling import api\nout = sys.argv[1]\nt = time.perf_counter()\n" +
            "for a in sys.argv[2:]:\n    n = a.rsplit('/', 1)[-1]\n    n = n[:-6] if n.endswith('.conda') else n[:-8]\n    api.extract(a, dest_dir=out + '/' + n)\n" +
            "print(time.perf_counter() - t)\n";

        // The tools take turns in every round (the machine's load changes over time); the best of each is kept.
        long payload = 0;
        double envtools = double.MaxValue;
        double? cph = null, floor = null;
        for (int round = 0; round < ExtractRounds; round++)
        {
            Reset(outDir);
            var sw = Stopwatch.StartNew();
            foreach (string a in archives)
            {
                PackageArchive.Extract(a, Path.Combine(outDir, PackageCache.EntryName(Path.GetFileName(a))));
            }

            envtools = Math.Min(envtools, sw.Elapsed.TotalSeconds);
            payload = PackageCache.FolderSize(outDir);
            if (hasCph)
            {
                Reset(outDir);
                double t = double.Parse(RunTool(CphPython(), new[] { "-c", script, outDir }.Concat(archives)).Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
                cph = Math.Min(cph ?? double.MaxValue, t);
            }

            if (hasZstd)
            {
                Reset(outDir);
                sw.Restart();
                RunTool("sh", new[] { "-c", commands.ToString() });
                floor = Math.Min(floor ?? double.MaxValue, sw.Elapsed.TotalSeconds);
            }
        }

        string Ms(double? s) => s is { } v ? $"{v * 1000:F0} ms" : "n/a";
        string Ratio(double? a, double? b) => a is { } x && b is { } y ? $"{x / y:F2}×" : "n/a";
        Console.WriteLine($"extract {title}: envtools {Ms(envtools)}, cph {Ms(cph)}, floor {Ms(floor)}");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"| {title} ({archives.Sum(a => new FileInfo(a).Length) / 1e6:F1} MB) | {payload / 1e6:F1} MB | {Ms(envtools)} | {Ms(cph)} | {Ms(floor)} | {Ratio(cph, envtools)} | {Ratio(envtools, floor)} |");
        Reset(outDir);
    }

    private static void PipelineSection(StringBuilder sb, string root, string[] archives)
    {
        string served = Path.Combine(root, "served-packages");
        string sub = Path.Combine(served, "pk", "linux-64");
        Directory.CreateDirectory(sub);
        foreach (string a in archives)
        {
            string to = Path.Combine(sub, Path.GetFileName(a));
            if (!File.Exists(to)) File.Copy(a, to);
        }

        ChannelIndexer.Index(Path.Combine(served, "pk"));
        using ChannelServer server = ChannelServer.StartAsync(served).GetAwaiter().GetResult();
        RepoDataRecord[] records = RepoDataParser.ParseFile(Path.Combine(sub, "repodata.json"), $"{server.Url}/pk/linux-64").Records.ToArray();
        string pkgs = Path.Combine(root, "pkgs-packages");
        long bytes = records.Sum(r => r.Size ?? 0);
        double best = Best(() =>
        {
            Reset(pkgs);
            var cache = PackageCache.FromSettings(BenchSettings(pkgs));
            var sw = Stopwatch.StartNew();
            cache.EnsureAsync(records, null, CancellationToken.None).GetAwaiter().GetResult();
            return sw.Elapsed.TotalSeconds;
        });
        Console.WriteLine($"pipeline: {best * 1000:F0} ms for {records.Length} packages");
        sb.AppendLine("### Download + verify + extract through the package cache");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"`PackageCache.EnsureAsync` of {records.Length} `.conda` packages ({bytes / 1e6:F1} MB of archives) from the loopback server into an empty pkgs dir: " +
            $"**{best * 1000:F0} ms** ({bytes / 1e6 / best:F0} MB/s of archives), sha256 + md5 verified while streaming, 4 downloads at once, extraction overlapping the downloads.");
        sb.AppendLine();
        Reset(pkgs);
    }

    /// <summary>Generated packages (~<see cref="GeneratedMiB"/> MiB each): many small text-like files and a few large binaries.</summary>
    private static string[] GeneratedChannel(string root)
    {
        string dir = Path.Combine(root, "generated");
        string[] existing = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.conda").Order(StringComparer.Ordinal).ToArray() : Array.Empty<string>();
        if (existing.Length == GeneratedPackages)
        {
            return existing;
        }

        Console.WriteLine($"generating {GeneratedPackages} packages of {GeneratedMiB} MiB...");
        Reset(dir);
        var words = "import numpy array tensor float32 return self def class value index offset buffer model layer kernel cuda shape data".Split(' ');
        for (int p = 0; p < GeneratedPackages; p++)
        {
            string src = Path.Combine(root, "generated-src");
            Reset(src);
            var rng = new Random(p);
            long written = 0;
            int f = 0;
            while (written < GeneratedMiB * 1048576L)
            {
                string rel = f % 40 == 39 ? $"lib/libbig{f}.so" : $"lib/python3.12/site-packages/pkg{p}/mod{f / 50}/file{f}.py";
                string full = Path.Combine(src, rel);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                byte[] content;
                if (f % 40 == 39)
                {
                    content = new byte[4 * 1048576]; // a shared library: half random, half zeros and repeats
                    rng.NextBytes(content.AsSpan(0, content.Length / 2));
                }
                else
                {
                    var text = new StringBuilder();
                    int size = rng.Next(1024, 48 * 1024);
                    while (text.Length < size)
                    {
                        text.Append(words[rng.Next(words.Length)]).Append(rng.Next(1000)).Append(rng.Next(8) == 0 ? '\n' : ' ');
                    }

                    content = Encoding.UTF8.GetBytes(text.ToString());
                }

                File.WriteAllBytes(full, content);
                written += content.Length;
                f++;
            }

            PackageBuilder.Build(src, new PackageDefinition { Name = $"bigpkg{p}", Version = "1.0", Build = "0", Subdir = "linux-64", Timestamp = 1700000000000 },
                dir, PackageFormats.Conda);
            Directory.Delete(src, true);
        }

        return Directory.GetFiles(dir, "*.conda").Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary><c>--profile-extract archives...</c>: where extraction time goes (decompression alone vs the whole extraction).</summary>
    internal static int Profile(string[] archives)
    {
        string outDir = Path.Combine(Path.GetTempPath(), "envtools-profile-" + Environment.ProcessId);
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("ENVTOOLS_PROFILE_ROUNDS"), out int r) ? r : 5;
        var decompressTimes = new List<double>();
        var extractTimes = new List<double>();
        // ENVTOOLS_PROFILE_AB=1: odd rounds without the file writer threads and with one bzip2 thread (the same process, turns taken)
        bool ab = Environment.GetEnvironmentVariable("ENVTOOLS_PROFILE_AB") == "1";
        var baseTimes = new List<double>();
        for (int round = 0; round < rounds * (ab ? 2 : 1); round++)
        {
            bool baseline = ab && round % 2 == 1;
            FileWriterPool.Enabled = !baseline;
            NativeBzip2.SequentialOnly = baseline;
            NativeZstd.ForceManaged = baseline && Environment.GetEnvironmentVariable("ENVTOOLS_PROFILE_AB_ZSTD") == "1";
            var sw = Stopwatch.StartNew();
            long total = 0;
            foreach (string a in archives)
            {
                total += PackageArchive.DecompressedLength(a);
            }

            double decompress = sw.Elapsed.TotalSeconds;
            Reset(outDir);
            TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            sw.Restart();
            foreach (string a in archives)
            {
                PackageArchive.Extract(a, Path.Combine(outDir, Path.GetFileName(a)));
            }

            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;

            (baseline ? baseTimes : extractTimes).Add(sw.Elapsed.TotalSeconds);
            if (!baseline) decompressTimes.Add(decompress);
            Console.WriteLine($"{(baseline ? "baseline " : string.Empty)}decompress only {decompress * 1000:F0} ms ({total / 1e6:F1} MB), extract {sw.Elapsed.TotalMilliseconds:F0} ms (CPU {cpu:F0} ms)");
        }

        if (ab)
        {
            Console.WriteLine($"baseline (1 writer, 1 bzip2 thread): best extract {baseTimes.Min() * 1000:F0} ms; median {baseTimes.Order().ElementAt(baseTimes.Count / 2) * 1000:F0} ms");
        }

        Console.WriteLine($"best: decompress {decompressTimes.Min() * 1000:F0} ms, extract {extractTimes.Min() * 1000:F0} ms; median extract {extractTimes.Order().ElementAt(extractTimes.Count / 2) * 1000:F0} ms");
        Directory.Delete(outDir, true);
        return 0;
    }

    private static double Best(Func<double> run)
    {
        double best = double.MaxValue;
        for (int i = 0; i < Repeats; i++)
        {
            best = Math.Min(best, run());
        }

        return best;
    }

    private static void Reset(string dir)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        Directory.CreateDirectory(dir);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The Python that runs <c>cph</c> (its shebang: Debian's module is installed for the system Python only).</summary>
    private static string CphPython()
    {
        string? cph = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "cph")).FirstOrDefault(File.Exists);
        string? shebang = cph is null ? null : File.ReadLines(cph).FirstOrDefault();
        return shebang is not null && shebang.StartsWith("#!/", StringComparison.Ordinal) && !shebang.Contains(' ', StringComparison.Ordinal) ? shebang[2..] : "python3";
    }

    private static string RunTool(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed ({p.ExitCode}): {err.Result}");
        return o;
    }
}
