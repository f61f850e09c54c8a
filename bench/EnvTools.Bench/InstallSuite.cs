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

    private const string Note = "On a disk shared with other work the first table mostly measures the disk (compare the spread of the reference's own rounds below it); "
        + "the tmpfs table leaves out disk, journal and writeback, so what differs there is the engine's own cost per file.";

    internal static string Run(string work)
    {
        int repeats = int.TryParse(Environment.GetEnvironmentVariable("ENVTOOLS_BENCH_INSTALL_REPEATS"), out int n) && n > 0 ? n : DefaultRepeats;
        var sb = new StringBuilder();
        sb.AppendLine("## Install and remove (`-Suite Install`)");
        sb.AppendLine();
        sb.AppendLine($"Machine: {Program.Describe()}. {Program.ToolVersion("cp", "--version").Split('\n')[0]}.");
        sb.AppendLine();
        sb.AppendLine(Note);
        sb.AppendLine();
        // ENVTOOLS_BENCH_INSTALL_ON=disk|tmpfs limits the suite to one of the two file systems (default: both).
        string on = Environment.GetEnvironmentVariable("ENVTOOLS_BENCH_INSTALL_ON") ?? "both";
        if (on is "both" or "disk")
        {
            Measure(sb, Path.Combine(work, "install"), "the project's file system (bench/work)", repeats);
        }

        // The same on tmpfs, where no disk, journal or writeback is involved: what is left is the software's own
        // cost per file (and the kernel's in-memory work), the figure the engine can change.
        const string shm = "/dev/shm";
        if (on is "both" or "tmpfs" && Directory.Exists(shm) && new DriveInfo(shm).AvailableFreeSpace > 4L << 30)
        {
            string root = Path.Combine(shm, "envtools-bench-install");
            try
            {
                Measure(sb, root, "tmpfs (/dev/shm)", repeats);
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }

        return sb.ToString();
    }

    private static void Measure(StringBuilder sb, string installRoot, string where, int repeats)
    {
        var packages = InstallEnvironmentGenerator.Ensure(installRoot);
        string targets = Path.Combine(installRoot, "targets");
        if (Directory.Exists(targets))
        {
            Directory.Delete(targets, recursive: true);
        }

        Directory.CreateDirectory(targets);
        int files = packages.Sum(p => p.Files);
        long bytes = packages.Sum(p => p.Bytes);
        int placeholders = CountPlaceholders(packages);
        Console.WriteLine($"install: {where}: {packages.Count} packages, {files:N0} paths, {bytes / 1e6:F0} MB, {placeholders} with a prefix placeholder; {repeats} rounds + 1 warm-up");

        // The first round warms the page cache and the JIT and is not counted.
        var r = new Rounds();
        for (int round = 0; round <= repeats; round++)
        {
            bool timed = round > 0;
            string t = Path.Combine(targets, $"cp-al-{round}");
            double cpal = Copy(packages, t, "-al");
            double rmrf = Shell("rm", "-rf", t);

            t = Path.Combine(targets, $"cp-a-{round}");
            double cpa = Copy(packages, t, "-a");
            Shell("rm", "-rf", t);

            t = Path.Combine(targets, $"env-{round}");
            var (install, ph) = InstallOnce(packages, t, installRoot);
            double removeEnv = RemoveEnvOnce(t, targets, installRoot);

            t = Path.Combine(targets, $"env-{round}-b");
            InstallOnce(packages, t, installRoot);
            double removePrefix = RemoveOnce(t, installRoot);
            if (timed)
            {
                r.Add(cpal, cpa, rmrf, install, ph, removeEnv, removePrefix);
            }
            else
            {
                r.ColdInstall = install;
                r.ColdRemove = removeEnv;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  round {round}{(timed ? string.Empty : " (warm-up)")}: cp -al {cpal:F3}s, cp -a {cpa:F3}s, rm -rf {rmrf:F3}s, EnvTools install {install:F3}s ({ph}), Remove-Env {removeEnv:F3}s, PrefixRemoval {removePrefix:F3}s"));
        }

        Directory.Delete(targets, recursive: true);
        Render(sb, where, packages.Count, files, bytes, placeholders, repeats, r);
    }

    /// <summary>One install into a fresh prefix; returns wall seconds and the phase split from the progress reports.</summary>
    internal static (double Seconds, Phases Phases) InstallOnce(IReadOnlyList<InstallEnvironmentGenerator.GeneratedPackage> packages, string prefix, string installRoot)
    {
        var records = packages.Select(p => Record(p.Directory)).ToList();
        var dirs = packages.ToDictionary(p => Path.GetFileName(p.Directory), p => p.Directory, StringComparer.Ordinal);
        var progress = new PhaseClock();
        Sync();
        var sw = Stopwatch.StartNew();
        progress.Start(sw);
        var plan = TransactionPlan.Create(prefix, Array.Empty<PrefixRecord>(), records, r => dirs[$"{r.Name}-{r.Version}-{r.Build}"]);
        PrefixTransaction.Execute(plan, Options(installRoot), progress);
        double total = sw.Elapsed.TotalSeconds;
        return (total, progress.Split(total));
    }

    /// <summary>Remove-Env's path: <see cref="EnvTools.Environments.EnvironmentRemover.Remove"/> (moved aside, then deleted).</summary>
    internal static double RemoveEnvOnce(string prefix, string envsDir, string installRoot)
    {
        var remover = new EnvTools.Environments.EnvironmentRemover(new EnvTools.Environments.EnvironmentLocator(new[] { envsDir }, Path.Combine(installRoot, "environments.txt")));
        Sync();
        var sw = Stopwatch.StartNew();
        remover.Remove(prefix);
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary><see cref="PrefixRemoval.RemoveEnvironment"/>, the engine's in-place removal.</summary>
    internal static double RemoveOnce(string prefix, string installRoot)
    {
        Sync();
        var sw = Stopwatch.StartNew();
        PrefixRemoval.RemoveEnvironment(prefix, CancellationToken.None, Options(installRoot));
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Child mode for profiling (strace, perf): <c>--install-child runs [install-root]</c> installs and removes the
    /// generated environment (under bench/work/install unless another folder is named).
    /// </summary>
    internal static int RunChild(string[] args, string work)
    {
        int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
        string installRoot = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? Path.GetFullPath(args[1]) : Path.Combine(work, "install");
        var packages = InstallEnvironmentGenerator.Ensure(installRoot);
        for (int i = 0; i < runs; i++)
        {
            string prefix = Path.Combine(installRoot, "targets", $"child-{Environment.ProcessId}-{i}");
            var (s, ph) = InstallOnce(packages, prefix, installRoot);
            double r = RemoveEnvOnce(prefix, Path.GetDirectoryName(prefix)!, installRoot);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"install {s:F3}s ({ph}), Remove-Env {r:F3}s"));
        }

        return 0;
    }

    private static InstallOptions Options(string installRoot) => new()
    {
        CompilePyc = false,
        RegisterEnvironment = false,
        EnvironmentsFile = Path.Combine(installRoot, "environments.txt"),
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

    private static void Render(StringBuilder sb, string where, int packages, int files, long bytes, int placeholders, int repeats, Rounds r)
    {
        var inv = CultureInfo.InvariantCulture;
        double mAl = Median(r.CpAl);
        double mRm = Median(r.RmRf);
        string Row(string what, List<double> xs, List<double> reference, string refName, string target)
        {
            double m = Median(xs);
            double perRound = Median(xs.Select((x, i) => x / reference[i]).ToList());
            string ratio = ReferenceEquals(xs, reference) ? "1.00×" : $"**{m / Median(reference):F2}×** `{refName}`";
            return string.Create(inv, $"| {what} | {m * 1000:F0} ms | {ratio} | {(ReferenceEquals(xs, reference) ? string.Empty : perRound.ToString("F2", inv) + "×")} | {target} |");
        }

        sb.AppendLine($"### On {where}");
        sb.AppendLine();
        sb.AppendLine(string.Create(inv, $"Generated warm package cache shaped like a python + numpy + pandas environment: {packages} extracted packages, {files:N0} paths, {bytes / 1e6:F0} MB ")
            + string.Create(inv, $"(mostly small `.py` files, some large shared libraries, headers, data, a few symbolic links; {placeholders} files ({100.0 * placeholders / files:F1}%) carry a text prefix placeholder and are copied and rewritten)."));
        sb.AppendLine(string.Create(inv, $"Median of {repeats} interleaved rounds after one warm-up round, a fresh target each time, `sync` before every timed step. ")
            + "`cp` gets every package's top-level entries (not `info/`) in one process and merges them into one target, as an install does. "
            + "EnvTools runs in the harness process: `TransactionPlan.Create` + `PrefixTransaction.Execute` (journal flushed to disk before the first change and at commit, conda-meta records, history); "
            + "Remove-Env's `EnvironmentRemover.Remove` (lock, move aside, delete) and, on a second install, `PrefixRemoval.RemoveEnvironment`.");
        sb.AppendLine();
        sb.AppendLine("| operation | median | ratio of medians | median of per-round ratios | target |");
        sb.AppendLine("|---|---:|---:|---:|---|");
        sb.AppendLine(Row("`cp -al` (hard-link floor)", r.CpAl, r.CpAl, "cp -al", string.Empty));
        sb.AppendLine(Row("`cp -a` (copy)", r.CpA, r.CpAl, "cp -al", string.Empty));
        sb.AppendLine(Row("EnvTools install (hard links)", r.Install, r.CpAl, "cp -al", "≤ 1.5× `cp -al`"));
        sb.AppendLine(Row("`rm -rf`", r.RmRf, r.RmRf, "rm -rf", string.Empty));
        sb.AppendLine(Row("EnvTools Remove-Env (`EnvironmentRemover`)", r.RemoveEnv, r.RmRf, "rm -rf", "≤ 1.5× `rm -rf`"));
        sb.AppendLine(Row("EnvTools `PrefixRemoval.RemoveEnvironment`", r.RemovePrefix, r.RmRf, "rm -rf", "≤ 1.5× `rm -rf`"));
        sb.AppendLine();
        var ph = new Phases(Median(r.Phases.Select(p => p.Prepare).ToList()), Median(r.Phases.Select(p => p.Link).ToList()), Median(r.Phases.Select(p => p.Commit).ToList()));
        sb.AppendLine(string.Create(inv, $"EnvTools install phases (medians, from the progress reports): plan + journal {ph.Prepare * 1000:F0} ms, link {ph.Link * 1000:F0} ms, ")
            + string.Create(inv, $"conda-meta records + history + commit {ph.Commit * 1000:F0} ms. First (warm-up, JIT) round: install {r.ColdInstall * 1000:F0} ms, Remove-Env {r.ColdRemove * 1000:F0} ms."));
        sb.AppendLine();
        string All(List<double> xs) => string.Join(' ', xs.Select(x => x.ToString("F3", inv)));
        sb.AppendLine($"All rounds (s): cp -al {All(r.CpAl)}; cp -a {All(r.CpA)}; rm -rf {All(r.RmRf)}; install {All(r.Install)}; Remove-Env {All(r.RemoveEnv)}; PrefixRemoval {All(r.RemovePrefix)}.");
        sb.AppendLine();
        Console.WriteLine(string.Create(inv, $"  medians: cp -al {mAl:F3}s, install {Median(r.Install):F3}s = {Median(r.Install) / mAl:F2}x; rm -rf {mRm:F3}s, Remove-Env {Median(r.RemoveEnv) / mRm:F2}x, PrefixRemoval {Median(r.RemovePrefix) / mRm:F2}x"));
    }

    /// <summary>The timings of the counted rounds.</summary>
    private sealed class Rounds
    {
        public List<double> CpAl { get; } = new();

        public List<double> CpA { get; } = new();

        public List<double> RmRf { get; } = new();

        public List<double> Install { get; } = new();

        public List<Phases> Phases { get; } = new();

        public List<double> RemoveEnv { get; } = new();

        public List<double> RemovePrefix { get; } = new();

        public double ColdInstall { get; set; }

        public double ColdRemove { get; set; }

        public void Add(double cpal, double cpa, double rmrf, double install, Phases phases, double removeEnv, double removePrefix)
        {
            CpAl.Add(cpal);
            CpA.Add(cpa);
            RmRf.Add(rmrf);
            Install.Add(install);
            Phases.Add(phases);
            RemoveEnv.Add(removeEnv);
            RemovePrefix.Add(removePrefix);
        }
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
