namespace EnvTools.IO;

/// <summary>The user's home folder as conda takes it: <c>HOME</c> (<c>USERPROFILE</c> on Windows), else the OS's profile folder.</summary>
internal static class HomeDirectory
{
    /// <summary>The running process's home folder, read now.</summary>
    internal static string Current => From(Environment.GetEnvironmentVariable, OperatingSystem.IsWindows());

    /// <summary>The home folder from the given variables, with Windows' or Unix's rule.</summary>
    internal static string From(Func<string, string?> getVariable, bool isWindows)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        string? home = getVariable(isWindows ? "USERPROFILE" : "HOME");
        return string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home;
    }
}
