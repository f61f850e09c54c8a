using EnvTools.Conda;
using EnvTools.Install;
using EnvTools.Tests.Install;

namespace EnvTools.Tests.Windows;

/// <summary>Install options that force the Windows rules: the target platform is win-64 (or another win-*) on any host.</summary>
internal static class WindowsTestOptions
{
    public static InstallOptions For(InstallFixture fx, Platform? platform = null) => new()
    {
        EnvironmentsFile = fx.EnvironmentsTxt,
        CompilePyc = false,
        LockTimeout = TimeSpan.FromSeconds(5),
        TargetPlatform = platform ?? Platform.Win64,
    };
}

/// <summary>A test of what happens on a system that is not Windows (a win-* target installed from Linux, the system's
/// own libraries): skipped on Windows itself, with the reason.</summary>
public sealed class NotOnWindowsFactAttribute : Xunit.FactAttribute
{
    public NotOnWindowsFactAttribute(string reason = "checks a win-* target installed from a system that is not Windows")
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = reason;
        }
    }
}
