using System.Diagnostics;
using System.Globalization;
using System.Text;
using EnvTools.Conda;
using EnvTools.Install;

namespace EnvTools.Bench;

/// <summary>
/// Install benchmark (<c>build.ps1 Bench -Suite Install</c>): a warm-cache install of a generated ~30,000-file
/// environment (<see cref="InstallEnvironmentGenerator"/>) through <see cref="TransactionPlan.Create"/> +
/// <see cref="PrefixTransaction.Execute"/>, and its removal through <see cref="PrefixRemoval.RemoveEnvironment"/>,
/// side by side with <c>cp -al</c> (the hard-link floor) and <c>cp -a</c> of the same extracted trees merged into
/// one target, and <c>rm -rf</c> of the result. Every repeat uses a fresh target; the rounds interleave the tools,
/// <c>sync</c> runs before each timed step, and the figures are medians of the same run.
/// </summary>
internal static class InstallSuite
{
    private const int DefaultRepeats = 7;

    internal static string Run(string work)
    {
        int repeats = int.TryParse(Environment.GetEnvironmentVariable("ENVTOOLS_BENCH_INSTALL_REPEATS"), out int n) && n > 0 ? n : DefaultRepeats;
        var packages = InstallEnvironmentGenerator.Ensure(work);
        string targets = Path.Combine(work, "install", "targets");
        if (Directory.Exists(targets))
        {
            Directory.Delete(targets, recursive: true);
        }

        Directory.CreateDirectory(targets);
        int files = packages.Sum(p => p.Files);
        long bytes = packages.Sum(p => p.Bytes);
        int placeholders = CountPlaceholders(packages);
        Console.WriteLine($"install: {packages.Count} packages, {files:N0} paths, {bytes / 1e6:F0} MB, {placeholders} with a prefix placeholder; {repeats} rounds + 1 warm-up");

        // Warm the page cache (and the JIT) with one untimed round of everything.
        var cpal = new List<double>();
        var cpa = new List<double>();
        var rmrf = new List<double>();
        var install = new List<double>();
        var remove = new List<double>();
        var phases = new List<Phases>();
        double coldInstall = 0;
        double coldRemove = 0;
        for (int round = 0; round <= repeats; round++)
        {
            bool timed = round > 0;
            string t = Path.Combine(targets, $"cp-al-{round}");
            double s = Copy(packages, t, "-al");
            double r = Shell("rm", "-rf", t);
            if (timed)
            {
                cpal.Add(s);
                rmrf.Add(r);
            }

            t = Path.Combine(targets, $"cp-a-{round}");
            s = Copy(packages, t, "-a");
            Shell("rm", "-rf", t);
            if (timed)
            {
                cpa.Add(s);
            }

            t = Path.Combine(targets, $"env-{round}");
            var (si, ph) = InstallOnce(packages, t, work);
            double sr = RemoveOnce(t, work);
            if (timed)
            {
                install.Add(si);
                remove.Add(sr);
                phases.Add(ph);
            }
            else
            {
                (coldInstall, coldRemove) = (si, sr);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}{(timed ? string.Empty : " (warm-up)")}: cp -al {cpal.LastOrDefault():F3}s, cp -a {cpa.LastOrDefault():F3}s, rm -rf {rmrf.LastOrDefault():F3}s, EnvTools install {si:F3}s ({ph}), remove {sr:F3}s"));
        }

        Directory.Delete(targets, recursive: true);
        return Render(packages.Count, files, bytes, placeholders, repeats, cpal, cpa, rmrf, install, remove, phases, coldInstall, coldRemove);
    }

    /// <summary>One install into a fresh prefix; returns wall seconds and the phase split from the progress reports.</summary>
    internal static (double Seconds, Phases Phases) InstallOnce(IReadOnlyList<InstallEnvironmentGenerator.GeneratedPackage> packages, string prefix, string work)
    {
        var records = packages.Select(p => Record(p.Directory)).ToList();
        var dirs = packages.ToDictionary(p => Path.GetFileName(p.Directory), p => p.Directory, StringComparer.Ordinal);
        var progress = new PhaseClock();
        Sync();
        var sw = Stopwatch.StartNew();
        progress.Start(sw);
        var plan = TransactionPlan.Create(prefix, Array.Empty<PrefixRecord>(), records, r => dirs[$"{r.Name}-{r.Version}-{r.Build}"]);
        PrefixTransaction.Execute(plan, Options(work), progress);
        double total = sw.Elapsed.TotalSeconds;
        return (total, progress.Split(total));
    }

    internal static double RemoveOnce(string prefix, string work)
    {
        Sync();
        var sw = Stopwatch.StartNew();
        PrefixRemoval.RemoveEnvironment(prefix, CancellationToken.None, Options(work));
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Child mode for profiling (strace, perf): <c>--install-child runs</c>: installs and removes the generated environment.</summary>
    internal static int RunChild(string[] args, string work)
    {
        int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
        var packages = InstallEnvironmentGenerator.Ensure(work);
        for (int i = 0; i < runs; i++)
        {
            string prefix = Path.Combine(work, "install", "targets", $"child-{Environment.ProcessId}-{i}");
            var (s, ph) = InstallOnce(packages, prefix, work);
            double r = RemoveOnce(prefix, work);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"install {s:F3}s ({ph}), remove {r:F3}s"));
        }

        return 0;
    }

    private static InstallOptions Options(string work) => new()
    {
        CompilePyc = false,
        RegisterEnvironment = false,
        EnvironmentsFile = Path.Combine(work, "install", "environments.txt"),
        HistoryCommand = "envtools bench",
        UpdateSpecs = new[] { "python", "numpy", "pandas" },
    };

    private static RepoDataRecord Record(string dir)
    {
        var idx = EnvTools.Packages.PackageArchive.ReadIndexJson(dir);
        string fn = Path.GetFileName(dir) + ".conda";
        return new RepoDataRecord
        {
            Name = idx.Name,
            Version = idx.Version,
            Build = idx.Build,
            BuildNumber = idx.BuildNumber,
            Depends = idx.Depends,
            Subdir = idx.Subdir,
            License = idx.License,
            Timestamp = idx.Timestamp,
            FileName = fn,
            Url = $"https://conda.anaconda.org/bench/{idx.Subdir}/{fn}",
            Channel = $"https://conda.anaconda.org/bench/{idx.Subdir}",
        };
    }

    private static int CountPlaceholders(IEnumerable<InstallEnvironmentGenerator.GeneratedPackage> packages) =>
        packages.Sum(p => EnvTools.Packages.PackageArchive.ReadPathsJson(p.Directory).Paths.Count(x => x.PrefixPlaceholder is not null));

    /// <summary><c>cp FLAGS pkg/top1 pkg/top2 … target/</c> for every package's top-level entries but <c>info</c>, in one process.</summary>
    private static double Copy(IEnumerable<InstallEnvironmentGenerator.GeneratedPackage> packages, string target, string flags)
    {
        Directory.CreateDirectory(target);
        var args = new List<string> { flags };
        foreach (var p in packages)
        {
            args.AddRange(Directory.EnumerateFileSystemEntries(p.Directory).Where(e => Path.GetFileName(e) != "info").Order(StringComparer.Ordinal));
        }

        args.Add(target + "/");
        return Shell("cp", args.ToArray());
    }

    private static void Sync() => Shell("sync");

    private static double Shell(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        double s = sw.Elapsed.TotalSeconds;
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed ({p.ExitCode}): {err}");
        }

        return s;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static string Render(int packages, int files, long bytes, int placeholders, int repeats, List<double> cpal, List<double> cpa, List<double> rmrf,
        List<double> install, List<double> remove, List<Phases> phases, double coldInstall, double coldRemove)
    {
        double mAl = Median(cpal);
        double mA = Median(cpa);
        double mRm = Median(rmrf);
        double mIn = Median(install);
        double mRe = Median(remove);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("## Install and remove (`-Suite Install`)");
        sb.AppendLine();
        sb.AppendLine($"Machine: {Program.Describe()}. {Program.ToolVersion("cp", "--version").Split('\n')[0]}.");
        sb.AppendLine(string.Create(inv, $"Generated warm package cache shaped like a python + numpy + pandas environment: {packages} extracted packages, {files:N0} paths, {bytes / 1e6:F0} MB ")
            + string.Create(inv, $"(mostly small `.py` files, some large shared libraries, headers, data, a few symbolic links; {placeholders} files ({100.0 * placeholders / files:F1}%) carry a text prefix placeholder and are copied and rewritten)."));
        sb.AppendLine(string.Create(inv, $"Median of {repeats} interleaved rounds after one warm-up round, a fresh target each time, `sync` before every timed step. ")
            + "`cp` gets every package's top-level entries (not `info/`) in one process and merges them into one target, as an install does. "
            + "EnvTools runs in the harness process: `TransactionPlan.Create` + `PrefixTransaction.Execute` (journal flushed to disk before the first change and at commit, conda-meta records, history), "
            + "then `PrefixRemoval.RemoveEnvironment`.");
        sb.AppendLine();
        sb.AppendLine("| operation | median | ratio | target |");
        sb.AppendLine("|---|---:|---:|---|");
        sb.AppendLine(inv, $"| `cp -al` (hard-link floor) | {mAl * 1000:F0} ms | 1.00× | |");
        sb.AppendLine(inv, $"| `cp -a` (copy) | {mA * 1000:F0} ms | {mA / mAl:F2}× `cp -al` | |");
        sb.AppendLine(inv, $"| EnvTools install (hard links) | {mIn * 1000:F0} ms | **{mIn / mAl:F2}× `cp -al`** ({mIn / mA:F2}× `cp -a`) | ≤ 1.5× `cp -al` |");
        sb.AppendLine(inv, $"| `rm -rf` | {mRm * 1000:F0} ms | 1.00× | |");
        sb.AppendLine(inv, $"| EnvTools remove environment | {mRe * 1000:F0} ms | **{mRe / mRm:F2}× `rm -rf`** | ≤ 1.5× `rm -rf` |");
        sb.AppendLine();
        var ph = new Phases(Median(phases.Select(p => p.Prepare).ToList()), Median(phases.Select(p => p.Link).ToList()), Median(phases.Select(p => p.Commit).ToList()));
        sb.AppendLine(string.Create(inv, $"EnvTools install phases (medians, from the progress reports): plan + journal {ph.Prepare * 1000:F0} ms, link {ph.Link * 1000:F0} ms, ")
            + string.Create(inv, $"conda-meta records + history + commit {ph.Commit * 1000:F0} ms. First (warm-up, JIT) round: install {coldInstall * 1000:F0} ms, remove {coldRemove * 1000:F0} ms."));
        sb.AppendLine();
        sb.AppendLine(string.Create(inv, $"All rounds (s): cp -al {string.Join(' ', cpal.Select(x => x.ToString("F3", inv)))}; cp -a {string.Join(' ', cpa.Select(x => x.ToString("F3", inv)))}; ")
            + string.Create(inv, $"rm -rf {string.Join(' ', rmrf.Select(x => x.ToString("F3", inv)))}; install {string.Join(' ', install.Select(x => x.ToString("F3", inv)))}; remove {string.Join(' ', remove.Select(x => x.ToString("F3", inv)))}."));
        Console.WriteLine(string.Create(inv, $"  medians: cp -al {mAl:F3}s, cp -a {mA:F3}s, install {mIn:F3}s = {mIn / mAl:F2}x cp -al; rm -rf {mRm:F3}s, remove {mRe:F3}s = {mRe / mRm:F2}x rm -rf"));
        return sb.ToString();
    }

    /// <summary>Where an install's time went: until the first link report, linking, after the link phase.</summary>
    internal readonly record struct Phases(double Prepare, double Link, double Commit)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"plan {Prepare:F3}s, link {Link:F3}s, commit {Commit:F3}s");
    }

    /// <summary>A synchronous progress sink that notes when the link phase starts and ends.</summary>
    private sealed class PhaseClock : IProgress<LinkProgress>
    {
        private Stopwatch? _sw;
        private double _linkStart = -1;
        private double _linkEnd = -1;

        public void Start(Stopwatch sw) => _sw = sw;

        public void Report(LinkProgress value)
        {
            double now = _sw!.Elapsed.TotalSeconds;
            if (value.Phase == LinkPhase.Link && _linkStart < 0)
            {
                _linkStart = now;
            }

            if (value.Phase == LinkPhase.Link && value.Package is null)
            {
                _linkEnd = now;
            }
        }

        public Phases Split(double total) =>
            _linkStart < 0 ? new Phases(total, 0, 0) : new Phases(_linkStart, Math.Max(0, _linkEnd - _linkStart), Math.Max(0, total - _linkEnd));
    }
}
