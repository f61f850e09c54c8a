using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Platforms;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Shows the host's virtual packages (__unix, __linux, __glibc, __osx, __win, __archspec, __cuda) and where each came from.</para>
/// <para type="description">Get-EnvVirtualPackage returns one EnvTools.VirtualPackage per virtual package the solver uses by
/// default: Name, Version, Build, Source (Detected, Override for a CONDA_OVERRIDE_* variable, Config for
/// override_virtual_packages, PlatformDefault for another platform), Origin (the file, function, library or variable read) and
/// DetectionTime. __cuda is the CUDA driver's version: libcuda's cuDriverGetVersion probed in a child process with a
/// time-out, then NVML, then nvidia-smi, with the WSL folder /usr/lib/wsl/lib searched on Linux; ENVTOOLS_CUDA_LIBRARY names
/// a libcuda to use instead. An empty CONDA_OVERRIDE_CUDA removes __cuda. Detection is cached per session; -Refresh detects
/// again.</para>
/// </summary>
/// <example><code>Get-EnvVirtualPackage</code>
/// <para>Shows the virtual packages of this machine that the solver uses (the virtual packages section of conda info),
/// with where each was detected and how long it took; a machine with an NVIDIA driver also has __cuda.</para>
/// <output>
/// Name         Version   Build      Source          Time (ms) Origin
/// ----         -------   -----      ------          --------- ------
/// __unix       0         0          Detected              0.0
/// __linux      6.18.44   0          Detected              0.1 /proc/sys/kernel/osrelease
/// __glibc      2.36      0          Detected              0.0 gnu_get_libc_version()
/// __archspec   1         x86_64_v4  Detected              0.0 CPU feature flags
/// </output></example>
/// <example><code>Get-EnvVirtualPackage -Platform osx-arm64</code>
/// <para>Shows the virtual packages assumed for another platform, as used when solving for it with -Platform.</para>
/// <output>
/// Name         Version   Build      Source          Time (ms) Origin
/// ----         -------   -----      ------          --------- ------
/// __unix       0         0          PlatformDefault       0.0
/// __osx        11.0      0          PlatformDefault       0.0
/// __archspec   1         arm64      PlatformDefault       0.1
/// </output></example>
/// <seealso cref="GetEnvInfoCommand"/>
/// <seealso cref="ResolveEnvPackageCommand"/>
[Cmdlet(VerbsCommon.Get, "EnvVirtualPackage")]
[OutputType(typeof(VirtualPackage))]
public sealed class GetEnvVirtualPackageCommand : EnvCmdlet
{
    #region Parameters

    /// <summary>The platform (subdir) whose virtual packages to show (the configured subdir, else the host's, by default):
    /// detected for the host's, defaults for another.</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string? Platform { get; set; }

    /// <summary>Detects the CUDA driver again instead of using the session's cached result.</summary>
    [Parameter]
    public SwitchParameter Refresh { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var settings = ChannelArguments.LoadSettings(this);
            Platform platform = RequestPlatform.Resolve(Platform, settings);
            if (Refresh && platform == Conda.Platform.Current)
            {
                CudaDetection d = CudaDriver.Detect(settings.Environment.GetEnvironmentVariable, refresh: true);
                foreach (string attempt in d.Attempts)
                {
                    WriteVerbose($"__cuda: {attempt}");
                }
            }

            foreach (VirtualPackage p in VirtualPackages.For(platform, settings))
            {
                WriteObject(OutputObjects.Of(p, "EnvTools.VirtualPackage"));
            }
        }, Platform);
    }
}
