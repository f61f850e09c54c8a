using System.Management.Automation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <content>The parameters of Export-Env.</content>
public sealed partial class ExportEnvCommand
{
    #region Parameters

    /// <summary>The environment: a name from the envs dirs, or a path; the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(Position = 0, ParameterSetName = "Name")]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder (binds from Get-Env output).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>Yaml (environment.yml, the default), Json, Explicit (@EXPLICIT) or Lock (conda-lock v1).</summary>
    [Parameter]
    public EnvExportFormat Format { get; set; } = EnvExportFormat.Yaml;

    /// <summary>The file to write; the text (or, for Json, the object tree) is returned when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>With -Path: returns the written file as a FileInfo.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>With -Path: fails (ErrorId FileExists) instead of replacing an existing file.</summary>
    [Parameter]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>With -Path: replaces the file even when it is read-only.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes name=version without the build string (Yaml and Json).</summary>
    [Parameter]
    public SwitchParameter NoBuilds { get; set; }

    /// <summary>Writes only the specs the user asked for (conda-meta/history), with their constraints and channels (Yaml and Json).</summary>
    [Parameter]
    public SwitchParameter FromHistory { get; set; }

    /// <summary>The platforms of a Lock export (linux-64, osx-arm64, win-64 …); the environment's own when omitted.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string[]? Platform { get; set; }

    #endregion
}
