namespace EnvTools.Config;

/// <summary>
/// What configuration loading reads from the machine: the home folder, the system configuration
/// folders, the working directory and the environment variables. Injected so that loading can be tested
/// without the machine's own <c>.condarc</c> files.
/// </summary>
public interface IConfigEnvironment
{
    /// <summary>The user's home folder (<c>~</c>).</summary>
    string HomeDirectory { get; }

    /// <summary>
    /// The system configuration folders searched first, each for <c>.condarc</c>, <c>condarc</c> and
    /// <c>condarc.d/</c>: <c>/etc/conda</c> and <c>/var/lib/conda</c>, or <c>C:\ProgramData\conda</c> on Windows.
    /// </summary>
    IReadOnlyList<string> SystemDirectories { get; }

    /// <summary>The folder relative paths are taken from.</summary>
    string WorkingDirectory { get; }

    /// <summary>Whether paths and defaults follow Windows (<c>;</c> separates <c>CONDA_ENVS_PATH</c>, <c>pkgs/msys2</c> is a default channel).</summary>
    bool IsWindows { get; }

    /// <summary>An environment variable, or null when it is not set.</summary>
    string? GetEnvironmentVariable(string name);
}

/// <summary>The <see cref="IConfigEnvironment"/> implementations: the real process, and a fixed one for tests and hosts.</summary>
public sealed class ConfigEnvironment : IConfigEnvironment
{
    private readonly Func<string, string?> _getVariable;

    private ConfigEnvironment(string home, IReadOnlyList<string> systemDirectories, string workingDirectory, bool isWindows, Func<string, string?> getVariable)
    {
        HomeDirectory = home;
        SystemDirectories = systemDirectories;
        WorkingDirectory = workingDirectory;
        IsWindows = isWindows;
        _getVariable = getVariable;
    }

    /// <summary>conda's system folders for the running OS.</summary>
    public static IReadOnlyList<string> DefaultSystemDirectories { get; } = OperatingSystem.IsWindows()
        ? new[] { @"C:\ProgramData\conda" }
        : new[] { "/etc/conda", "/var/lib/conda" };

    /// <summary>
    /// The user's home folder, <c>~</c>, as conda's <c>os.path.expanduser</c> gives it: the <c>USERPROFILE</c> variable on
    /// Windows, <c>HOME</c> elsewhere, read now; the OS's profile folder when it is unset. Every <c>~</c> of EnvTools
    /// (.condarc, ~/.conda/environments.txt, <c>~/</c> channels) is this one (on Windows,
    /// <see cref="Environment.GetFolderPath(Environment.SpecialFolder)"/> ignores <c>USERPROFILE</c>).
    /// </summary>
    public static string UserHome => IO.HomeDirectory.Current;

    /// <summary><see cref="UserHome"/> from the given variables, with Windows' or Unix's rule.</summary>
    public static string HomeFrom(Func<string, string?> getVariable, bool isWindows) => IO.HomeDirectory.From(getVariable, isWindows);

    /// <summary>
    /// The running process: <c>HOME</c> (<c>USERPROFILE</c> on Windows) read now, the process environment
    /// read at each look-up, the system folders of the OS.
    /// </summary>
    public static ConfigEnvironment FromProcess(string? workingDirectory = null)
    {
        return new ConfigEnvironment(UserHome, DefaultSystemDirectories, workingDirectory ?? Directory.GetCurrentDirectory(),
            OperatingSystem.IsWindows(), Environment.GetEnvironmentVariable);
    }

    /// <summary>A fixed environment: only <paramref name="variables"/> are set.</summary>
    public static ConfigEnvironment Create(string homeDirectory, IReadOnlyDictionary<string, string>? variables = null,
        IReadOnlyList<string>? systemDirectories = null, string? workingDirectory = null, bool? isWindows = null)
    {
        ArgumentNullException.ThrowIfNull(homeDirectory);
        var vars = new Dictionary<string, string>(variables ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        return new ConfigEnvironment(homeDirectory, systemDirectories ?? Array.Empty<string>(), workingDirectory ?? homeDirectory,
            isWindows ?? OperatingSystem.IsWindows(), name => vars.TryGetValue(name, out string? v) ? v : null);
    }

    /// <inheritdoc />
    public string HomeDirectory { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> SystemDirectories { get; }

    /// <inheritdoc />
    public string WorkingDirectory { get; }

    /// <inheritdoc />
    public bool IsWindows { get; }

    /// <inheritdoc />
    public string? GetEnvironmentVariable(string name) => _getVariable(name);
}
