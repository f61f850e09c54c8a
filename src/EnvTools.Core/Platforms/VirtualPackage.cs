using EnvTools.Conda;

namespace EnvTools.Platforms;

/// <summary>Where a virtual package's value came from.</summary>
// Int64-based on purpose: PowerShell's ConvertTo-Json writes Int64 enums by name (others as numbers).
public enum VirtualPackageSource : long
{
    /// <summary>Detected on this host.</summary>
    Detected,
    /// <summary>A <c>CONDA_OVERRIDE_*</c> environment variable.</summary>
    Override,
    /// <summary>The <c>override_virtual_packages</c> configuration key (.condarc).</summary>
    Config,
    /// <summary>Given by the caller (e.g. <c>-VirtualPackage __cuda=12.4</c>).</summary>
    User,
    /// <summary>The default for a platform that is not the host's.</summary>
    PlatformDefault,
}

/// <summary>
/// A conda virtual package (<c>__unix</c>, <c>__linux</c>, <c>__glibc</c>, <c>__osx</c>, <c>__win</c>,
/// <c>__archspec</c>, <c>__cuda</c>): a fact about the host that packages can depend on.
/// </summary>
public sealed class VirtualPackage
{
    /// <summary>Creates a virtual package.</summary>
    public VirtualPackage(string name, string version, string build, VirtualPackageSource source, TimeSpan detectionTime = default, string? origin = null)
    {
        Origin = origin;
        Name = name;
        Version = version;
        Build = build;
        Source = source;
        DetectionTime = detectionTime;
    }

    /// <summary>The name, starting with <c>__</c>.</summary>
    public string Name { get; }

    /// <summary>The version (<c>0</c> when the package only states presence).</summary>
    public string Version { get; }

    /// <summary>The build string (<c>0</c>, or the microarchitecture for <c>__archspec</c>).</summary>
    public string Build { get; }

    /// <summary>Where the value came from.</summary>
    public VirtualPackageSource Source { get; }

    /// <summary>How long detecting it took.</summary>
    public TimeSpan DetectionTime { get; }

    /// <summary>
    /// Where exactly the value came from: the file, function or library read (<c>/proc/sys/kernel/osrelease</c>,
    /// <c>cuDriverGetVersion in libcuda.so.1</c>), the variable or configuration key; null when not recorded.
    /// </summary>
    public string? Origin { get; }

    /// <summary>The package record the solver sees (channel <c>@</c>, as conda names it).</summary>
    public RepoDataRecord ToRecord() => new()
    {
        Name = Name,
        Version = Version,
        Build = Build,
        BuildNumber = 0,
        Channel = "@",
        Subdir = null,
        FileName = $"{Name}-{Version}-{Build}",
    };

    /// <inheritdoc />
    public override string ToString() => $"{Name}={Version}={Build}";
}
