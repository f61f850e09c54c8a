using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Shows EnvTools' view of the system, as conda info does.</para>
/// <para type="description">Get-EnvInfo returns one EnvTools.EnvToolsInfo: ActiveEnvironment and ActivePrefix (null when
/// none is active), ShellLevel (CONDA_SHLVL), EnvsDirs and PkgsDirs (in order), Channels (as configured) and
/// ChannelUrls (what is read for this platform: each channel's subdir and noarch, credentials redacted),
/// ChannelPriority, Platform, VirtualPackages (name=version=build, as the solver uses them), ConfigFiles (the .condarc
/// files read, lowest precedence first), Offline, ModuleVersion, CondaCompatibleVersion (written on history's conda
/// version line), OperatingSystem and Runtime. The configuration is read as every cmdlet reads it (files,
/// CONDA_* variables); nothing is contacted. The default view is a list, as conda info prints it.</para>
/// </summary>
/// <example><code>Get-EnvInfo</code>
/// <para>Shows the active environment, the folders, the channels, the platform and the versions, as conda info does.</para>
/// <output>
/// ActiveEnvironment      : ml
/// ActivePrefix           : …/envs/ml
/// ShellLevel             : 1
/// EnvsDirs               : …/envs
///                          …/.conda/envs
/// PkgsDirs               : …/pkgs
/// Channels               : conda-forge
/// ChannelUrls            : https://conda.anaconda.org/conda-forge/linux-64
///                          https://conda.anaconda.org/conda-forge/noarch
/// ChannelPriority        : strict
/// Platform               : linux-64
/// VirtualPackages        : __unix=0=0
///                          __linux=6.18.44=0
///                          __glibc=2.36=0
///                          __archspec=1=x86_64_v4
/// ConfigFiles            : …/.condarc
/// Offline                : False
/// ModuleVersion          : 0.1.0
/// CondaCompatibleVersion : 3.8.0
/// OperatingSystem        : Debian GNU/Linux 12 (bookworm)
/// Runtime                : .NET 10.0.12
/// </output></example>
/// <example><code>(Get-EnvInfo).PkgsDirs[0]</code>
/// <para>Returns the package cache that downloads go to first.</para>
/// <output>
/// …/pkgs
/// </output></example>
/// <example><code>Get-EnvInfo | ConvertTo-Json</code>
/// <para>The same as JSON, as conda info --json gives it, for scripts and bug reports (the first lines shown).</para>
/// <output>
/// {
///   "ActiveEnvironment": "ml",
///   "ActivePrefix": "…/envs/ml",
///   "ShellLevel": 1,
///   "EnvsDirs": [
///     "…/envs",
///     "…/.conda/envs"
///   ],
///   …
/// </output></example>
/// <seealso cref="GetEnvConfigCommand"/>
/// <seealso cref="GetEnvVirtualPackageCommand"/>
/// <seealso cref="GetEnvCommand"/>
[Cmdlet(VerbsCommon.Get, "EnvInfo")]
[OutputType(typeof(EnvToolsInfo))]
public sealed class GetEnvInfoCommand : EnvCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var settings = ChannelArguments.LoadSettings(this);
            WriteObject(EnvironmentArguments.ToOutput(EnvToolsInfo.Collect(settings), "EnvTools.EnvToolsInfo"));
        });
    }
}
