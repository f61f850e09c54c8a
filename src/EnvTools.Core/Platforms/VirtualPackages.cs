using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text.RegularExpressions;
using EnvTools.Conda;

namespace EnvTools.Platforms;

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
    /// The virtual packages of <paramref name="platform"/>: detected when it is the host's platform
    /// (<c>__cuda</c> through <see cref="CudaDriver"/>), that platform's defaults otherwise. Overrides win, in
    /// this order: <c>CONDA_OVERRIDE_*</c> variables (read through <paramref name="getEnvironmentVariable"/>, the
    /// process environment by default), then <paramref name="configOverrides"/> (the <c>override_virtual_packages</c>
    /// key: <c>cuda</c> → <c>12.4</c>). An empty <c>CONDA_OVERRIDE_CUDA</c> (or an empty configured <c>cuda</c>)
    /// removes <c>__cuda</c>.
    /// </summary>
    public static IReadOnlyList<VirtualPackage> For(Platform platform, Func<string, string?>? getEnvironmentVariable = null,
        IReadOnlyDictionary<string, string>? configOverrides = null)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        bool host = platform == Platform.Current;
        var overrides = new Overrides(getEnvironmentVariable, configOverrides);
        var result = new List<VirtualPackage>();

        if (platform.IsUnix)
        {
            result.Add(new VirtualPackage("__unix", "0", "0", host ? VirtualPackageSource.Detected : VirtualPackageSource.PlatformDefault));
        }

        if (platform.IsWindows)
        {
            AddVersioned(result, "__win", overrides, host ? DetectWindows : null, "0");
        }

        if (platform.IsLinux)
        {
            AddVersioned(result, "__linux", overrides, host ? DetectLinuxKernel : null, "0");
            AddVersioned(result, "__glibc", overrides, host ? DetectGlibc : null, DefaultGlibc);
        }

        if (platform.IsOsx)
        {
            AddVersioned(result, "__osx", overrides, host ? DetectOsx : null, DefaultOsx(platform));
        }

        if (!platform.IsNoArch)
        {
            if (overrides.Get("__archspec") is { Value.Length: > 0 } arch)
            {
                result.Add(new VirtualPackage("__archspec", "1", arch.Value, arch.Source, default, arch.Origin));
            }
            else
            {
                var sw = Stopwatch.StartNew();
                string value = host ? DetectArchspec() : platform.Arch ?? "0";
                result.Add(new VirtualPackage("__archspec", "1", value,
                    host ? VirtualPackageSource.Detected : VirtualPackageSource.PlatformDefault, sw.Elapsed,
                    host ? "CPU feature flags" : null));
            }
        }

        if (overrides.Get("__cuda") is { } cuda)
        {
            if (cuda.Value.Length > 0)
            {
                result.Add(new VirtualPackage("__cuda", cuda.Value, "0", cuda.Source, default, cuda.Origin));
            }
        }
        else if (host)
        {
            CudaDetection detection = CudaDriver.Detect(getEnvironmentVariable);
            if (detection.Version is not null)
            {
                result.Add(new VirtualPackage("__cuda", detection.Version, "0", VirtualPackageSource.Detected, detection.Elapsed, detection.Origin));
            }
        }

        return result;
    }

    /// <summary>
    /// The virtual packages of <paramref name="platform"/> under <paramref name="settings"/>: its environment's
    /// <c>CONDA_OVERRIDE_*</c> variables, then its <c>override_virtual_packages</c>.
    /// </summary>
    public static IReadOnlyList<VirtualPackage> For(Platform platform, Config.Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return For(platform, settings.Environment.GetEnvironmentVariable, settings.OverrideVirtualPackages);
    }

    /// <summary>
    /// The virtual packages a solve for <paramref name="platform"/> sees: those of <see cref="For(Platform, Config.Settings)"/>,
    /// with the <paramref name="given"/> ones (<c>__cuda=12.4</c>) over them.
    /// </summary>
    /// <exception cref="InvalidSpecException">A given value that is not <c>__name[=version[=build]]</c>.</exception>
    public static IReadOnlyList<VirtualPackage> Resolve(Platform platform, Config.Settings settings, IReadOnlyList<string>? given)
    {
        IReadOnlyList<VirtualPackage> detected = For(platform, settings);
        return given is { Count: > 0 } ? Merge(detected, given.Select(Parse)) : detected;
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

    private readonly record struct OverrideValue(string Value, VirtualPackageSource Source, string Origin);

    /// <summary>The override of a virtual package: <c>CONDA_OVERRIDE_NAME</c>, then the configured value.</summary>
    private sealed class Overrides
    {
        private readonly Func<string, string?> _env;
        private readonly IReadOnlyDictionary<string, string>? _config;

        internal Overrides(Func<string, string?> env, IReadOnlyDictionary<string, string>? config)
        {
            _env = env;
            _config = config;
        }

        /// <summary>
        /// The override, or null. A variable set to blanks counts only for <c>__cuda</c> (where it removes the
        /// package, as conda does); elsewhere it is ignored.
        /// </summary>
        internal OverrideValue? Get(string name)
        {
            string bare = name.TrimStart('_');
            string variable = "CONDA_OVERRIDE_" + bare.ToUpperInvariant();
            string? value = _env(variable);
            if (value is not null && (value.Trim().Length > 0 || name == "__cuda"))
            {
                return new OverrideValue(value.Trim(), VirtualPackageSource.Override, variable);
            }

            if (_config is not null)
            {
                foreach (var (key, configured) in _config)
                {
                    if (string.Equals(key.TrimStart('_'), bare, StringComparison.OrdinalIgnoreCase) &&
                        (configured.Trim().Length > 0 || name == "__cuda"))
                    {
                        return new OverrideValue(configured.Trim(), VirtualPackageSource.Config, $"override_virtual_packages: {key}");
                    }
                }
            }

            return null;
        }
    }

    private static void AddVersioned(List<VirtualPackage> into, string name, Overrides overrides, Func<(string? Value, string Origin)>? detect, string fallback)
    {
        if (overrides.Get(name) is { } o)
        {
            into.Add(new VirtualPackage(name, o.Value, "0", o.Source, default, o.Origin));
            return;
        }

        if (detect is null)
        {
            into.Add(new VirtualPackage(name, fallback, "0", VirtualPackageSource.PlatformDefault));
            return;
        }

        var sw = Stopwatch.StartNew();
        (string? Value, string Origin) detected = (null, string.Empty);
        try
        {
            detected = detect();
        }
        catch (Exception ex) when (ex is IOException or DllNotFoundException or EntryPointNotFoundException or UnauthorizedAccessException)
        {
            // not detectable here: fall back to the platform default below
        }

        into.Add(detected.Value is null
            ? new VirtualPackage(name, fallback, "0", VirtualPackageSource.PlatformDefault, sw.Elapsed)
            : new VirtualPackage(name, detected.Value, "0", VirtualPackageSource.Detected, sw.Elapsed, detected.Origin));
    }

    /// <summary>The numeric part of the kernel release, as conda takes it (<c>6.1.0-18-amd64</c> → <c>6.1.0</c>).</summary>
    internal static string? NormalizeKernelRelease(string release)
    {
        Match m = KernelRegex().Match(release);
        return m.Success ? m.Value : null;
    }

    private static (string?, string) DetectLinuxKernel()
    {
        const string path = "/proc/sys/kernel/osrelease";
        return (File.Exists(path) ? NormalizeKernelRelease(File.ReadAllText(path).Trim()) : null, path);
    }

    private static (string?, string) DetectGlibc()
    {
        const string origin = "gnu_get_libc_version()";
        if (!OperatingSystem.IsLinux())
        {
            return (null, origin);
        }

        IntPtr p = GnuGetLibcVersion();
        string? v = Marshal.PtrToStringAnsi(p);
        return (v is not null && Conda.Version.TryParse(v, out _) ? v : null, origin);
    }

    private static (string?, string) DetectWindows()
    {
        if (!OperatingSystem.IsWindows())
        {
            return (null, "Environment.OSVersion");
        }

        System.Version v = Environment.OSVersion.Version;
        return ($"{v.Major}.{v.Minor}.{v.Build}", "Environment.OSVersion");
    }

    [LibraryImport("libc", EntryPoint = "gnu_get_libc_version")]
    private static partial IntPtr GnuGetLibcVersion();

    private static (string?, string) DetectOsx()
    {
        const string origin = "Environment.OSVersion (the product version)";
        if (!OperatingSystem.IsMacOS())
        {
            return (null, origin);
        }

        System.Version v = Environment.OSVersion.Version;
        return (v.Build > 0 ? $"{v.Major}.{v.Minor}.{v.Build}" : $"{v.Major}.{v.Minor}", origin);
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
