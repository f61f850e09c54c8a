using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text.RegularExpressions;
using EnvTools.Conda;

namespace EnvTools.Activation;

/// <summary>
/// Detects the host's virtual packages, applies conda's <c>CONDA_OVERRIDE_*</c> variables, gives the
/// defaults of a platform that is not the host's, and parses user-given ones (<c>__cuda=12.4</c>).
/// </summary>
public static partial class VirtualPackages
{
    /// <summary>The <c>__glibc</c> version assumed for a Linux platform that is not the host's (conda's default).</summary>
    public const string DefaultGlibc = "2.17";

    /// <summary>The <c>__osx</c> version assumed for macOS platforms that are not the host's.</summary>
    public static string DefaultOsx(Platform platform) => platform == Platform.OsxArm64 ? "11.0" : "10.15";

    /// <summary>
    /// The virtual packages of <paramref name="platform"/>: detected when it is the host's platform, that
    /// platform's defaults otherwise; <c>CONDA_OVERRIDE_*</c> variables (read through
    /// <paramref name="getEnvironmentVariable"/>, the process environment by default) win in both cases,
    /// and an empty <c>CONDA_OVERRIDE_CUDA</c> removes <c>__cuda</c>.
    /// </summary>
    public static IReadOnlyList<VirtualPackage> For(Platform platform, Func<string, string?>? getEnvironmentVariable = null)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        bool host = platform == Platform.Current;
        var result = new List<VirtualPackage>();

        if (platform.IsUnix)
        {
            result.Add(new VirtualPackage("__unix", "0", "0", host ? VirtualPackageSource.Detected : VirtualPackageSource.PlatformDefault));
        }

        if (platform.IsWindows)
        {
            result.Add(new VirtualPackage("__win", "0", "0", host ? VirtualPackageSource.Detected : VirtualPackageSource.PlatformDefault));
        }

        if (platform.IsLinux)
        {
            AddVersioned(result, "__linux", "CONDA_OVERRIDE_LINUX", getEnvironmentVariable, host ? DetectLinuxKernel : null, "0");
            AddVersioned(result, "__glibc", "CONDA_OVERRIDE_GLIBC", getEnvironmentVariable, host ? DetectGlibc : null, DefaultGlibc);
        }

        if (platform.IsOsx)
        {
            AddVersioned(result, "__osx", "CONDA_OVERRIDE_OSX", getEnvironmentVariable, host ? DetectOsx : null, DefaultOsx(platform));
        }

        if (!platform.IsNoArch)
        {
            string? archOverride = getEnvironmentVariable("CONDA_OVERRIDE_ARCHSPEC");
            if (!string.IsNullOrEmpty(archOverride))
            {
                result.Add(new VirtualPackage("__archspec", "1", archOverride, VirtualPackageSource.Override));
            }
            else
            {
                var sw = Stopwatch.StartNew();
                string arch = host ? DetectArchspec() : platform.Arch ?? "0";
                result.Add(new VirtualPackage("__archspec", "1", arch,
                    host ? VirtualPackageSource.Detected : VirtualPackageSource.PlatformDefault, sw.Elapsed));
            }
        }

        string? cuda = getEnvironmentVariable("CONDA_OVERRIDE_CUDA");
        if (cuda is not null)
        {
            if (cuda.Trim().Length > 0)
            {
                result.Add(new VirtualPackage("__cuda", cuda.Trim(), "0", VirtualPackageSource.Override));
            }
        }

        return result;
    }

    /// <summary>
    /// Parses user-given virtual packages: <c>__cuda=12.4</c>, <c>__glibc=2.28</c>, <c>__unix</c>,
    /// <c>__archspec=1=x86_64</c> (name, optional version, optional build).
    /// </summary>
    /// <exception cref="InvalidSpecException">A value that is not <c>__name[=version[=build]]</c> with a valid version.</exception>
    public static VirtualPackage Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().Split('=');
        if (parts.Length > 3 || !parts[0].StartsWith("__", StringComparison.Ordinal) || parts[0].Length < 3 ||
            !NameRegex().IsMatch(parts[0]))
        {
            throw new InvalidSpecException(text, "a virtual package is written __name[=version[=build]], e.g. __cuda=12.4");
        }

        string version = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : "0";
        if (!Conda.Version.TryParse(version, out _))
        {
            throw new InvalidSpecException(text, $"'{version}' is not a valid version", parts[0].Length + 1);
        }

        string build = parts.Length > 2 && parts[2].Length > 0 ? parts[2] : "0";
        return new VirtualPackage(parts[0].ToLowerInvariant(), version, build, VirtualPackageSource.User);
    }

    /// <summary>
    /// Merges user-given virtual packages over a base list: a user value replaces the base entry of the same name.
    /// </summary>
    public static IReadOnlyList<VirtualPackage> Merge(IEnumerable<VirtualPackage> basePackages, IEnumerable<VirtualPackage> user)
    {
        var byName = new Dictionary<string, VirtualPackage>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (VirtualPackage p in basePackages.Concat(user))
        {
            if (!byName.ContainsKey(p.Name))
            {
                order.Add(p.Name);
            }

            byName[p.Name] = p;
        }

        return order.Select(n => byName[n]).ToArray();
    }

    private static void AddVersioned(List<VirtualPackage> into, string name, string overrideVariable,
        Func<string, string?> env, Func<string?>? detect, string fallback)
    {
        string? value = env(overrideVariable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            into.Add(new VirtualPackage(name, value.Trim(), "0", VirtualPackageSource.Override));
            return;
        }

        if (detect is null)
        {
            into.Add(new VirtualPackage(name, fallback, "0", VirtualPackageSource.PlatformDefault));
            return;
        }

        var sw = Stopwatch.StartNew();
        string? detected = null;
        try
        {
            detected = detect();
        }
        catch (Exception ex) when (ex is IOException or DllNotFoundException or EntryPointNotFoundException or UnauthorizedAccessException)
        {
            // not detectable here: fall back to the platform default below
        }

        into.Add(detected is null
            ? new VirtualPackage(name, fallback, "0", VirtualPackageSource.PlatformDefault, sw.Elapsed)
            : new VirtualPackage(name, detected, "0", VirtualPackageSource.Detected, sw.Elapsed));
    }

    /// <summary>The numeric part of the kernel release, as conda takes it (<c>6.1.0-18-amd64</c> → <c>6.1.0</c>).</summary>
    internal static string? NormalizeKernelRelease(string release)
    {
        Match m = KernelRegex().Match(release);
        return m.Success ? m.Value : null;
    }

    private static string? DetectLinuxKernel()
    {
        const string path = "/proc/sys/kernel/osrelease";
        return File.Exists(path) ? NormalizeKernelRelease(File.ReadAllText(path).Trim()) : null;
    }

    private static string? DetectGlibc()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        IntPtr p = GnuGetLibcVersion();
        string? v = Marshal.PtrToStringAnsi(p);
        return v is not null && Conda.Version.TryParse(v, out _) ? v : null;
    }

    [LibraryImport("libc", EntryPoint = "gnu_get_libc_version")]
    private static partial IntPtr GnuGetLibcVersion();

    private static string? DetectOsx()
    {
        if (!OperatingSystem.IsMacOS())
        {
            return null;
        }

        System.Version v = Environment.OSVersion.Version;
        return v.Build > 0 ? $"{v.Major}.{v.Minor}.{v.Build}" : $"{v.Major}.{v.Minor}";
    }

    /// <summary>The host CPU's generic microarchitecture level (<c>x86_64_v3</c>, <c>aarch64</c> …).</summary>
    internal static string DetectArchspec()
    {
        switch (RuntimeInformation.OSArchitecture)
        {
            case Architecture.X64:
                if (Avx512F.IsSupported && Avx512BW.IsSupported && Avx512CD.IsSupported && Avx512DQ.IsSupported && Avx512Vbmi.VL.IsSupported)
                {
                    return "x86_64_v4";
                }

                if (Avx2.IsSupported && Bmi1.IsSupported && Bmi2.IsSupported && Fma.IsSupported && Lzcnt.IsSupported)
                {
                    return "x86_64_v3";
                }

                if (Sse42.IsSupported && Popcnt.IsSupported && Ssse3.IsSupported)
                {
                    return "x86_64_v2";
                }

                return "x86_64";
            case Architecture.Arm64:
                return OperatingSystem.IsMacOS() ? "arm64" : "aarch64";
            case Architecture.X86:
                return "x86";
            case Architecture.Ppc64le:
                return "ppc64le";
            case Architecture.S390x:
                return "s390x";
            default:
                return RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
        }
    }

    [GeneratedRegex(@"^__[a-z0-9_\-]+$", RegexOptions.IgnoreCase)]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^\d+\.\d+(\.\d+)?(\.\d+)?")]
    private static partial Regex KernelRegex();
}
