using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EnvTools.Platforms;

/// <summary>What CUDA driver detection found: the driver's maximum CUDA version, or nothing, and how.</summary>
/// <param name="Version">The CUDA version as <c>major.minor</c> (<c>12.4</c>), or null when no usable driver was found.</param>
/// <param name="Origin">Where the version came from (<c>cuDriverGetVersion in /usr/lib/wsl/lib/libcuda.so.1</c>), or why there is none.</param>
/// <param name="Elapsed">How long detection took.</param>
/// <param name="Attempts">Each library or program tried, with what it answered.</param>
public sealed record CudaDetection(string? Version, string Origin, TimeSpan Elapsed, IReadOnlyList<string> Attempts);

/// <summary>
/// Detects the CUDA driver's maximum CUDA version for <c>__cuda</c>, as conda does, without risking the
/// calling process: the driver libraries are loaded only in a short-lived child process
/// (<c>EnvTools.CudaProbe</c>, shipped with the module and run by the <c>dotnet</c> host) that is killed
/// after a time-out. Order: libcuda's <c>cuInit</c> + <c>cuDriverGetVersion</c>; NVML's
/// <c>nvmlSystemGetCudaDriverVersion</c>; the <c>CUDA Version</c> that <c>nvidia-smi</c> prints. On Linux the
/// libraries are looked up by the loader's search (<c>LD_LIBRARY_PATH</c>, the ld cache) and then in the WSL
/// driver folder <c>/usr/lib/wsl/lib</c>. <c>ENVTOOLS_CUDA_LIBRARY</c> names the libcuda to use instead, and
/// then it is the only source. Results are cached for the process per
/// (<c>ENVTOOLS_CUDA_LIBRARY</c>, <c>LD_LIBRARY_PATH</c>, <c>PATH</c>).
/// </summary>
public static partial class CudaDriver
{
    /// <summary>The variable that names the libcuda library to probe (a path), replacing the search.</summary>
    public const string LibraryVariable = "ENVTOOLS_CUDA_LIBRARY";

    /// <summary>The variable that names the probe assembly (<c>EnvTools.CudaProbe.dll</c>) when it is not next to the engine.</summary>
    public const string ProbeVariable = "ENVTOOLS_CUDA_PROBE";

    /// <summary>The time-out of each child process (probe, nvidia-smi) unless the caller gives one.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The WSL folder where Windows' GPU driver exposes libcuda, NVML and nvidia-smi to Linux.</summary>
    public const string WslLibraryFolder = "/usr/lib/wsl/lib";

    private static readonly ConcurrentDictionary<string, CudaDetection> Cache = new(StringComparer.Ordinal);

    /// <summary>
    /// Detects the driver's CUDA version (cached per process and search setting; <paramref name="refresh"/>
    /// detects again). Reads variables through <paramref name="getEnvironmentVariable"/> (the process's by default).
    /// </summary>
    public static CudaDetection Detect(Func<string, string?>? getEnvironmentVariable = null, TimeSpan? timeout = null, bool refresh = false)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        string key = string.Join('\0', getEnvironmentVariable(LibraryVariable), getEnvironmentVariable("LD_LIBRARY_PATH"), getEnvironmentVariable("PATH"));
        if (!refresh && Cache.TryGetValue(key, out CudaDetection? cached))
        {
            return cached;
        }

        CudaDetection result = DetectNow(getEnvironmentVariable, timeout ?? DefaultTimeout);
        Cache[key] = result;
        return result;
    }

    /// <summary>Detects now, without the cache.</summary>
    internal static CudaDetection DetectNow(Func<string, string?> env, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        var attempts = new List<string>();
        string? explicitLibrary = env(LibraryVariable);
        string? probe = FindProbe(env);
        string? dotnet = FindDotnetHost(env);

        CudaDetection Found(string version, string origin) => new(version, origin, sw.Elapsed, attempts);

        if (probe is null || dotnet is null)
        {
            attempts.Add(probe is null
                ? $"libcuda/NVML: the probe EnvTools.CudaProbe.dll was not found (set {ProbeVariable})"
                : "libcuda/NVML: no dotnet host was found to run the probe (set DOTNET_ROOT or put dotnet on PATH)");
        }
        else
        {
            IReadOnlyList<string> libcuda = string.IsNullOrEmpty(explicitLibrary) ? LibCudaCandidates() : new[] { explicitLibrary };
            if (RunProbe(dotnet, probe, "libcuda", libcuda, env, timeout, attempts) is { } found)
            {
                return Found(FormatVersion(found.Version), $"cuDriverGetVersion in {found.Library}");
            }

            if (string.IsNullOrEmpty(explicitLibrary) && RunProbe(dotnet, probe, "nvml", NvmlCandidates(), env, timeout, attempts) is { } nvml)
            {
                return Found(FormatVersion(nvml.Version), $"nvmlSystemGetCudaDriverVersion in {nvml.Library}");
            }
        }

        if (string.IsNullOrEmpty(explicitLibrary) && FindNvidiaSmi(env) is { } smi && RunNvidiaSmi(smi, timeout, attempts) is { } smiVersion)
        {
            return Found(smiVersion, $"nvidia-smi ({smi})");
        }

        return new CudaDetection(null, "no CUDA driver found", sw.Elapsed, attempts);
    }

    /// <summary>The driver API's integer version as conda writes it: 12040 → <c>12.4</c>, 11080 → <c>11.8</c>.</summary>
    public static string FormatVersion(int version) =>
        string.Create(CultureInfo.InvariantCulture, $"{version / 1000}.{version % 1000 / 10}");

    /// <summary>The libcuda names and paths tried, in order, for this OS.</summary>
    internal static IReadOnlyList<string> LibCudaCandidates()
    {
        if (OperatingSystem.IsWindows())
        {
            return new[] { "nvcuda.dll" };
        }

        if (OperatingSystem.IsMacOS())
        {
            return new[] { "libcuda.1.dylib", "libcuda.dylib", "/usr/local/cuda/lib/libcuda.1.dylib", "/usr/local/cuda/lib/libcuda.dylib" };
        }

        return new[] { "libcuda.so.1", "libcuda.so", $"{WslLibraryFolder}/libcuda.so.1", $"{WslLibraryFolder}/libcuda.so" };
    }

    /// <summary>The NVML names and paths tried, in order, for this OS.</summary>
    internal static IReadOnlyList<string> NvmlCandidates()
    {
        if (OperatingSystem.IsWindows())
        {
            string programFiles = Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles);
            return new[] { "nvml.dll", Path.Combine(programFiles, "NVIDIA Corporation", "NVSMI", "nvml.dll") };
        }

        return new[] { "libnvidia-ml.so.1", "libnvidia-ml.so", $"{WslLibraryFolder}/libnvidia-ml.so.1" };
    }

    private static (int Version, string Library)? RunProbe(string dotnet, string probe, string mode, IReadOnlyList<string> libraries,
        Func<string, string?> env, TimeSpan timeout, List<string> attempts)
    {
        var args = new List<string> { probe, mode };
        args.AddRange(libraries);
        ProcessResult r = RunProcess(dotnet, args, timeout, env);
        if (r.TimedOut)
        {
            attempts.Add($"{mode}: the probe did not answer within {timeout.TotalSeconds:0.#} s and was stopped ({string.Join(", ", libraries)})");
            return null;
        }

        foreach (string line in r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("skip ", StringComparison.Ordinal))
            {
                attempts.Add($"{mode}: {line[5..]}");
            }
            else if (FoundLine().Match(line) is { Success: true } m)
            {
                attempts.Add($"{mode}: {m.Groups[2].Value} answered {m.Groups[1].Value}");
                return (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value);
            }
        }

        if (r.ExitCode is not (0 or 1))
        {
            attempts.Add($"{mode}: the probe ended with exit code {r.ExitCode} {r.Error.Trim()}".TrimEnd());
        }

        return null;
    }

    private static string? RunNvidiaSmi(string smi, TimeSpan timeout, List<string> attempts)
    {
        ProcessResult r = RunProcess(smi, Array.Empty<string>(), timeout, null);
        if (r.TimedOut)
        {
            attempts.Add($"nvidia-smi: {smi} did not answer within {timeout.TotalSeconds:0.#} s and was stopped");
            return null;
        }

        Match m = SmiVersion().Match(r.Output);
        if (r.ExitCode == 0 && m.Success)
        {
            attempts.Add($"nvidia-smi: {smi} printed CUDA Version {m.Groups[1].Value}");
            return m.Groups[1].Value;
        }

        attempts.Add($"nvidia-smi: {smi} exited with {r.ExitCode} and no CUDA version");
        return null;
    }

    /// <summary>Parses the <c>CUDA Version: 12.4</c> of nvidia-smi's header.</summary>
    internal static string? ParseNvidiaSmi(string output) => SmiVersion().Match(output) is { Success: true } m ? m.Groups[1].Value : null;

    private static string? FindProbe(Func<string, string?> env)
    {
        string? given = env(ProbeVariable);
        if (!string.IsNullOrEmpty(given))
        {
            return File.Exists(given) ? Path.GetFullPath(given) : null;
        }

        string? dir = Path.GetDirectoryName(typeof(CudaDriver).Assembly.Location);
        if (string.IsNullOrEmpty(dir))
        {
            return null;
        }

        return new[] { Path.Combine(dir, "EnvTools.CudaProbe.dll"), Path.Combine(dir, "Probe", "EnvTools.CudaProbe.dll") }.FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// The <c>dotnet</c> host that runs the probe: <c>DOTNET_HOST_PATH</c>, this process when it is
    /// <c>dotnet</c>, the host of the running runtime's installation, <c>DOTNET_ROOT</c>, then <c>PATH</c>.
    /// </summary>
    internal static string? FindDotnetHost(Func<string, string?> env)
    {
        string exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var candidates = new List<string?> { env("DOTNET_HOST_PATH") };
        string? self = Environment.ProcessPath;
        if (self is not null && string.Equals(Path.GetFileName(self), exe, StringComparison.OrdinalIgnoreCase))
        {
            candidates.Add(self);
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        string runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? string.Empty;
        if (runtimeDir.Length > 0)
        {
            candidates.Add(Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", "..", exe)));
        }

        if (env("DOTNET_ROOT") is { Length: > 0 } root)
        {
            candidates.Add(Path.Combine(root, exe));
        }

        candidates.AddRange(SearchPath(env("PATH"), exe));
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c));
    }

    private static string? FindNvidiaSmi(Func<string, string?> env)
    {
        string exe = OperatingSystem.IsWindows() ? "nvidia-smi.exe" : "nvidia-smi";
        var candidates = new List<string>(SearchPath(env("PATH"), exe));
        if (OperatingSystem.IsWindows())
        {
            candidates.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.System), exe));
            candidates.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "NVIDIA Corporation", "NVSMI", exe));
        }
        else
        {
            candidates.Add(Path.Combine(WslLibraryFolder, exe));
        }

        return candidates.FirstOrDefault(File.Exists);
    }

    private static IEnumerable<string> SearchPath(string? path, string exe) =>
        (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, exe));

    private sealed record ProcessResult(int ExitCode, string Output, string Error, bool TimedOut);

    private static ProcessResult RunProcess(string file, IEnumerable<string> args, TimeSpan timeout, Func<string, string?>? env)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (env is not null && env("LD_LIBRARY_PATH") is { } ld)
        {
            psi.Environment["LD_LIBRARY_PATH"] = ld;
        }

        try
        {
            using Process p = Process.Start(psi) ?? throw new IOException($"{file} did not start");
            p.StandardInput.Close();
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                try
                {
                    p.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // it ended meanwhile
                }

                return new ProcessResult(-1, string.Empty, string.Empty, true);
            }

            p.WaitForExit();
            return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result, false);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException)
        {
            return new ProcessResult(-1, string.Empty, ex.Message, false);
        }
    }

    [GeneratedRegex(@"^found (\d+) (.+)$")]
    private static partial Regex FoundLine();

    [GeneratedRegex(@"CUDA Version\s*:\s*(\d+\.\d+)")]
    private static partial Regex SmiVersion();
}
