using System.Runtime.InteropServices;
using Xunit;
using EnvTools.Platforms;

namespace EnvTools.Tests;

/// <summary>
/// Where the suite runs, for the few tests that cannot hold everywhere. Every other test runs on Linux and on
/// Windows (the Windows lane, <c>build.ps1 TestWindows</c>, runs the suite under Wine 10).
/// </summary>
public static class TestPlatform
{
    private static readonly Lazy<bool> Wine = new(() =>
        OperatingSystem.IsWindows() && NativeLibrary.TryLoad("ntdll.dll", out IntPtr ntdll) && NativeLibrary.TryGetExport(ntdll, "wine_get_version", out _));

    /// <summary>True under Wine (its ntdll exports <c>wine_get_version</c>; Windows' does not).</summary>
    public static bool IsWine => Wine.Value;

    /// <summary>The skip reason of a test Wine cannot run (null elsewhere, where it runs).</summary>
    public static string? UnderWine(string why) => IsWine ? $"Wine-impossible: {why} (runs on Linux and on Windows)" : null;

    /// <summary>The skip reason of a Unix-only test on Windows (null on Unix, where it runs).</summary>
    public static string? OnWindows(string why) => OperatingSystem.IsWindows() ? $"Unix-only: {why}" : null;
}

/// <summary>A fact skipped under Wine, with the reason Wine cannot run it; it runs on Linux and on Windows.</summary>
public sealed class NotUnderWineFactAttribute : FactAttribute
{
    public NotUnderWineFactAttribute(string why) => Skip = TestPlatform.UnderWine(why);

    /// <summary>Also skipped (and failing under CI) without the shared conformance data, as <see cref="ConformanceFactAttribute"/>.</summary>
    public bool NeedsConformanceData
    {
        get => false;
        set => Skip ??= value ? ConformanceData.SkipReason : null;
    }
}

/// <summary>A theory skipped under Wine, with the reason Wine cannot run it; it runs on Linux and on Windows.</summary>
public sealed class NotUnderWineTheoryAttribute : TheoryAttribute
{
    public NotUnderWineTheoryAttribute(string why) => Skip = TestPlatform.UnderWine(why);
}

/// <summary>A fact of Unix behaviour only, skipped on Windows with the reason.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute(string why) => Skip = TestPlatform.OnWindows(why);
}

/// <summary>A theory of Unix behaviour only, skipped on Windows with the reason.</summary>
public sealed class UnixTheoryAttribute : TheoryAttribute
{
    public UnixTheoryAttribute(string why) => Skip = TestPlatform.OnWindows(why);
}

/// <summary>
/// A fact that needs a dotnet host (the CUDA probe runs in one): skipped on a Windows machine that has none (the
/// Windows lane's programs are self-contained, and so is a PowerShell 7 installed from its MSI); on Linux, where the
/// SDK runs the suite, it always runs.
/// </summary>
public sealed class DotnetHostFactAttribute : FactAttribute
{
    public DotnetHostFactAttribute()
    {
        if (OperatingSystem.IsWindows() && EnvTools.Platforms.CudaDriver.FindDotnetHost(Environment.GetEnvironmentVariable) is null)
        {
            Skip = "no dotnet host on this Windows machine (set DOTNET_ROOT or put dotnet.exe on PATH): the CUDA probe runs in one";
        }
    }
}

/// <summary>A theory over the shared data whose rows may skip themselves (<c>Skip.If</c>); skipped without the data, as <see cref="ConformanceTheoryAttribute"/>.</summary>
public sealed class ConformanceSkippableTheoryAttribute : SkippableTheoryAttribute
{
    public ConformanceSkippableTheoryAttribute() => Skip = ConformanceData.SkipReason;
}
