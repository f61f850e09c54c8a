using System.Management.Automation;
using EnvTools.Activation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;

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
/// <example><code>Get-EnvVirtualPackage</code></example>
/// <example><code>Get-EnvVirtualPackage -Platform osx-arm64</code></example>
[Cmdlet(VerbsCommon.Get, "EnvVirtualPackage")]
[OutputType(typeof(VirtualPackage))]
public sealed class GetEnvVirtualPackageCommand : EnvCmdlet
{
    #region Parameters

    /// <summary>The platform (subdir) whose virtual packages to show: detected for the host's, defaults for another.</summary>
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
            Platform platform = ChannelArguments.ResolvePlatform(Platform);
            var settings = ChannelArguments.LoadSettings(this);
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
