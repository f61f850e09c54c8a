using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Environments;

namespace EnvTools.Install;

/// <summary>How <see cref="PrefixTransaction.Execute"/> places files and what it records.</summary>
public sealed class InstallOptions
{
    /// <summary>Copy every file instead of hard-linking it (<c>always_copy</c>).</summary>
    public bool AlwaysCopy { get; init; }

    /// <summary>Use a symbolic link to the cache when a hard link is impossible, instead of a copy (<c>allow_softlinks</c>).</summary>
    public bool AllowSoftlinks { get; init; }

    /// <summary>Symbolic-link every file that needs no prefix rewrite (<c>always_softlink</c>).</summary>
    public bool AlwaysSoftlink { get; init; }

    /// <summary>Run the packages' pre-link, post-link and pre-unlink scripts (off by default).</summary>
    public bool AllowLinkScripts { get; init; }

    /// <summary>Compile the <c>.py</c> files of noarch: python packages with the prefix's python (default true).</summary>
    public bool CompilePyc { get; init; } = true;

    /// <summary>The platform of the prefix (path layout, shebang rules); default the host's.</summary>
    public Platform TargetPlatform { get; init; } = Platform.Current;

    /// <summary>The command line written to <c>conda-meta/history</c> (<c># cmd:</c>); a generic one when null.</summary>
    public string? HistoryCommand { get; init; }

    /// <summary>The specs the user asked to install or update (<c># update specs:</c>).</summary>
    public IReadOnlyList<string> UpdateSpecs { get; init; } = Array.Empty<string>();

    /// <summary>The specs the user asked to remove (<c># remove specs:</c>).</summary>
    public IReadOnlyList<string> RemoveSpecs { get; init; } = Array.Empty<string>();

    /// <summary>How long to wait for another process's lock on the prefix (default 30 s).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>environments.txt</c> the prefix is registered in; null: <c>~/.conda/environments.txt</c> of the current user.</summary>
    public string? EnvironmentsFile { get; init; }

    /// <summary>Register the prefix in <see cref="EnvironmentsFile"/> (default true).</summary>
    public bool RegisterEnvironment { get; init; } = true;

    /// <summary>EnvTools' version, written to history on the <c># envtools version:</c> line (the <c># conda version:</c>
    /// line always carries <see cref="Environments.PrefixHistory.CondaCompatibleVersion"/>).</summary>
    public string ToolVersion { get; init; } = DefaultToolVersion;

    internal static string DefaultToolVersion => EnvToolsInfo.DefaultToolVersion;

    internal string EnvironmentsFilePath => EnvironmentsFile ?? Environments.EnvironmentsFile.DefaultPath;

    /// <summary>Options from the merged configuration: <c>always_copy</c>, <c>allow_softlinks</c>, <c>always_softlink</c>, and the
    /// user's home (for <c>~/.conda/environments.txt</c>).</summary>
    public static InstallOptions FromSettings(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new InstallOptions
        {
            AlwaysCopy = settings.AlwaysCopy,
            AllowSoftlinks = settings.AllowSoftlinks,
            AlwaysSoftlink = settings.AlwaysSoftlink,
            EnvironmentsFile = Path.Combine(settings.Environment.HomeDirectory, ".conda", "environments.txt"),
        };
    }
}
