using System.Management.Automation;
using EnvTools.Config;

namespace EnvTools.Commands.Internal;

/// <summary>Which .condarc a configuration cmdlet writes.</summary>
public enum ConfigScope
{
    /// <summary>The user's ~/.condarc (conda config's default).</summary>
    User,

    /// <summary>$CONDA_ROOT/.condarc (conda config --system).</summary>
    System,
}

/// <summary>The file selection of Set-, Add- and Remove-EnvConfig: -Scope, -File or -Prefix (the environment's .condarc).</summary>
public abstract class ConfigWriteCmdlet : EnvCmdlet
{
    /// <summary>The configuration key (conda's name or alias).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(ConfigKeyCompleter))]
    [ValidateNotNullOrEmpty]
    public string Key { get; set; } = string.Empty;

    /// <summary>User (~/.condarc, the default) or System ($CONDA_ROOT/.condarc).</summary>
    [Parameter(ParameterSetName = "Scope")]
    public ConfigScope Scope { get; set; } = ConfigScope.User;

    /// <summary>The file to write (conda config --file).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "File")]
    [ValidateNotNullOrEmpty]
    public string? File { get; set; }

    /// <summary>The environment whose own .condarc is written (conda config --env names the active one).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Prefix")]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>Opens the selected file.</summary>
    protected CondarcEditor OpenTarget()
    {
        string path = ParameterSetName switch
        {
            "File" => GetUnresolvedProviderPathFromPSPath(File!),
            "Prefix" => Path.Combine(EnvironmentArguments.ResolveTarget(this, EnvironmentArguments.Locator(this), null, Prefix), ".condarc"),
            _ when Scope == ConfigScope.System => Environment.GetEnvironmentVariable("CONDA_ROOT") is { Length: > 0 } root
                ? Path.Combine(root, ".condarc")
                : throw new EnvToolsException("NoSystemConfig", ErrorKind.ObjectNotFound, "The system configuration is $CONDA_ROOT/.condarc, and CONDA_ROOT is not set; use -File to name the file."),
            _ => Path.Combine(ConfigEnvironment.FromProcess().HomeDirectory, ".condarc"),
        };
        return CondarcEditor.Open(path);
    }

    /// <summary>Saves the file after ShouldProcess; true when written.</summary>
    protected bool SaveIfConfirmed(CondarcEditor editor, string action)
    {
        if (!ShouldProcess(editor.Path, action))
        {
            return false;
        }

        editor.Save();
        return true;
    }
}
