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
/// <para>Shows the active environment, the folders, the channels, the platform and the versions.</para>
/// <output>
/// ActiveEnvironment      : ml
/// ActivePrefix           : /home/me/miniforge3/envs/ml
/// ShellLevel             : 1
/// EnvsDirs               : /home/me/miniforge3/envs
///                          /home/me/.conda/envs
/// PkgsDirs               : /home/me/miniforge3/pkgs
/// Channels               : conda-forge
/// ChannelUrls            : https://conda.anaconda.org/conda-forge/linux-64
///                          https://conda.anaconda.org/conda-forge/noarch
/// ChannelPriority        : strict
/// Platform               : linux-64
/// VirtualPackages        : __archspec=1=x86_64_v3
///                          __glibc=2.36=0
///                          __linux=6.1.0=0
///                          __unix=0=0
/// ConfigFiles            : /home/me/.condarc
/// Offline                : False
/// ModuleVersion          : 0.1.0
/// CondaCompatibleVersion : 3.8.0
/// OperatingSystem        : Debian GNU/Linux 12 (bookworm)
/// Runtime                : .NET 8.0.11
/// </output></example>
/// <example><code>(Get-EnvInfo).PkgsDirs[0]</code>
/// <para>The package cache downloads go to first.</para></example>
/// <example><code>Get-EnvInfo | ConvertTo-Json</code>
/// <para>The same as JSON, as conda info --json gives it, for scripts and bug reports.</para></example>
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
