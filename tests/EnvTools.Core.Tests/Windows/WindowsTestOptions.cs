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
