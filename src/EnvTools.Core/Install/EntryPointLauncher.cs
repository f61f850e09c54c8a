using EnvTools.Conda;

namespace EnvTools.Install;

/// <summary>
/// The project's own Windows entry-point launcher (<c>src/EnvTools.Launcher/launcher.c</c>, compiled with mingw-w64 when
/// the engine is built and embedded in it): copied as <c>Scripts\&lt;name&gt;.exe</c> beside <c>&lt;name&gt;-script.py</c>,
/// it runs the prefix's <c>python.exe</c> with the script and the caller's arguments and returns python's exit code.
/// Recorded as conda records its own launcher copies: <c>windows_python_entry_point_exe</c>.
/// </summary>
internal static class EntryPointLauncher
{
    /// <summary>The name of the embedded x64 launcher.</summary>
    internal const string ResourceName = "EnvTools.Launcher.win-x64.exe";

    private static readonly Lazy<byte[]?> X64 = new(() => Read(ResourceName));

    /// <summary>Why there is no launcher for <paramref name="platform"/>, or null when <see cref="For"/> has one.</summary>
    public static string? MissingReason(Platform platform)
    {
        if (!platform.IsWindows)
        {
            return "launchers are for win-* environments";
        }

        if (platform.Name != "win-64")
        {
            return $"EnvTools has a launcher for win-64 only, not for {platform.Name}";
        }

        return X64.Value is null
            ? "this EnvTools was built without the mingw-w64 cross compiler (Debian's gcc-mingw-w64-x86-64-win32), so it bundles no launcher"
            : null;
    }

    /// <summary>The launcher's bytes for <paramref name="platform"/>, or null (see <see cref="MissingReason"/>).</summary>
    public static byte[]? For(Platform platform) => MissingReason(platform) is null ? X64.Value : null;

    private static byte[]? Read(string name)
    {
        using var s = typeof(EntryPointLauncher).Assembly.GetManifestResourceStream(name);
        if (s is null)
        {
            return null;
        }

        var bytes = new byte[s.Length];
        s.ReadExactly(bytes);
        return bytes;
    }
}
