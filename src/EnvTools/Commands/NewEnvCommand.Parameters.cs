using System.Management.Automation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <content>The parameters of New-Env.</content>
public sealed partial class NewEnvCommand
{
    #region Parameters

    /// <summary>The environment's name (a folder in the first writable envs dir); with -File, the file's name: when omitted.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Name")]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "FileName")]
    [ValidateNotNullOrEmpty]
    [Alias("n")]
    public string Name { get; set; } = string.Empty;

    /// <summary>The environment's folder.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Prefix")]
    [Parameter(Mandatory = true, ParameterSetName = "FilePrefix")]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string Prefix { get; set; } = string.Empty;

    /// <summary>Creates the environment from a file: an environment.yml (solved; its pip: list installed by the
    /// environment's pip), an @EXPLICIT file, a conda-lock, pixi.lock (-LockEnvironment) or mambajs JSON lock file (exact packages, no solve), or a spec list.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "File")]
    [Parameter(Mandatory = true, ParameterSetName = "FileName")]
    [Parameter(Mandatory = true, ParameterSetName = "FilePrefix")]
    [ValidateNotNullOrEmpty]
    public string File { get; set; } = string.Empty;

    /// <summary>With a pixi lock file (<c>pixi.lock</c>): the environment to install (<c>default</c> when not given).</summary>
    [Parameter(ParameterSetName = "File")]
    [Parameter(ParameterSetName = "FileName")]
    [Parameter(ParameterSetName = "FilePrefix")]
    [ValidateNotNullOrEmpty]
    public string? LockEnvironment { get; set; }

    /// <summary>The MatchSpecs to install (several may follow each other: python=3.11 numpy).</summary>
    [Parameter(Position = 1, ValueFromRemainingArguments = true)]
    [ArgumentCompleter(typeof(CachedPackageNameCompleter))]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>Copies the exact packages of another environment (a name or a prefix); no solve.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    public string? Clone { get; set; }

    /// <summary>Replaces an existing environment of that name or prefix.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Does not add the configured create_default_packages.</summary>
    [Parameter]
    public SwitchParameter NoDefaultPackages { get; set; }

    /// <summary>Installs only the requested packages, not their dependencies (conda's --no-deps).</summary>
    [Parameter]
    public SwitchParameter NoDeps { get; set; }

    /// <summary>Solves and fills the package cache with what the environment would need, and creates nothing (conda's
    /// create --download-only): returns the changes it prepared, as -DryRun does.</summary>
    [Parameter]
    public SwitchParameter DownloadOnly { get; set; }

    #endregion
}
