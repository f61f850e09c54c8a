using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;

namespace EnvTools.Commands;

/// <content>The parameters of Install-EnvPackage.</content>
public sealed partial class InstallEnvPackageCommand
{
    #region Parameters

    /// <summary>The MatchSpecs to install (optional with -Pip).</summary>
    [Parameter(Position = 0, ValueFromRemainingArguments = true)]
    [ArgumentCompleter(typeof(CachedPackageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>Package records piped from Find-EnvPackage or Resolve-EnvPackage: each is installed in exactly that version and
    /// build (<c>name==version=build</c>), from the channels of -Channel or the configuration, all in one change.</summary>
    [Parameter(ValueFromPipeline = true)]
    public RepoDataRecord[]? InputObject { get; set; }

    /// <summary>Relinks the requested packages even when they are installed already.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Installs only the requested packages, not their dependencies (conda's --no-deps).</summary>
    [Parameter]
    public SwitchParameter NoDeps { get; set; }

    /// <summary>Keeps every installed package that does not conflict with the request exactly as it is (conda's
    /// --freeze-installed); solves again without freezing when that has no solution.</summary>
    [Parameter]
    public SwitchParameter FreezeInstalled { get; set; }

    /// <summary>Also updates the dependencies of the requested packages to the newest versions the request allows
    /// (conda's --update-deps); pinned packages keep their pins and an installed python its major.minor version.</summary>
    [Parameter]
    public SwitchParameter UpdateDependencies { get; set; }

    /// <summary>Installs only the dependencies of the requested packages, not the packages themselves (conda's
    /// --only-deps); a requested package that is installed already stays.</summary>
    [Parameter]
    public SwitchParameter OnlyDependencies { get; set; }

    /// <summary>Solves and downloads the packages the change needs into the package cache, and changes nothing in the
    /// environment (conda's --download-only); returns the prepared changes.</summary>
    [Parameter]
    public SwitchParameter DownloadOnly { get; set; }

    /// <summary>pip requirements (and pip options such as --no-index, --find-links DIR) installed by the environment's
    /// own pip, after the conda specs if any.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Pip { get; set; }

    #endregion
}
