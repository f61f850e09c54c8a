namespace EnvTools.Environments;

/// <summary>
/// An environment as <c>Get-Env</c> shows it. The cheap facts (name, prefix, package count, Python and CUDA
/// versions, last change) are read when the object is made, from the conda-meta file names and the
/// history; the sizes walk the whole prefix (about 0.1–0.4 s for 30,000 files) and are computed the first
/// time <see cref="SizeOnDisk"/>, <see cref="ExclusiveSize"/> or <see cref="GetDiskUsage"/> is asked for,
/// then kept.
/// </summary>
public sealed class EnvironmentInfo
{
    private readonly object _gate = new();
    private DiskUsage? _usage;

    private EnvironmentInfo(string? name, string prefix, bool isActive)
    {
        Name = name;
        Prefix = prefix;
        IsActive = isActive;
    }

    /// <summary>The environment's name (its folder name inside an envs dir); null for an environment elsewhere.</summary>
    public string? Name { get; }

    /// <summary>The absolute prefix.</summary>
    public string Prefix { get; }

    /// <summary>Whether this is the active environment (<c>CONDA_PREFIX</c> names it).</summary>
    public bool IsActive { get; }

    /// <summary>The number of conda packages installed (conda-meta records).</summary>
    public int PackageCount { get; private init; }

    /// <summary>The version of the installed <c>python</c> package, or null.</summary>
    public string? PythonVersion { get; private init; }

    /// <summary>
    /// The CUDA version the environment carries: that of <c>cuda-version</c>, else <c>cudatoolkit</c>, else
    /// <c>cuda-cudart</c>; null when none is installed.
    /// </summary>
    public string? CudaVersion { get; private init; }

    /// <summary>The time of the latest revision in <c>conda-meta/history</c> (local time, as conda writes it), or null.</summary>
    public DateTime? LastModified { get; private init; }

    /// <summary>Bytes of the regular files in the prefix, each counted once (computed on first use).</summary>
    public long SizeOnDisk => GetDiskUsage().Size;

    /// <summary>
    /// Bytes of the regular files not shared through hard links with anything outside the prefix (the
    /// package cache, other environments): what removing the environment frees. Null where link counts
    /// cannot be read. Computed on first use.
    /// </summary>
    public long? ExclusiveSize => GetDiskUsage().ExclusiveSize;

    /// <summary>Reads the facts of the environment at <paramref name="location"/>.</summary>
    /// <param name="location">The environment.</param>
    /// <param name="activePrefix">The active prefix (<c>CONDA_PREFIX</c>), if any.</param>
    public static EnvironmentInfo Read(EnvironmentLocation location, string? activePrefix = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        return Read(location.Prefix, location.Name, activePrefix);
    }

    /// <summary>Reads the facts of the environment at <paramref name="prefix"/>.</summary>
    /// <param name="prefix">The environment's prefix.</param>
    /// <param name="name">Its name, if it has one.</param>
    /// <param name="activePrefix">The active prefix (<c>CONDA_PREFIX</c>), if any.</param>
    public static EnvironmentInfo Read(string prefix, string? name = null, string? activePrefix = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        string full = EnvironmentLocator.NormalizePrefix(prefix);
        bool active = !string.IsNullOrWhiteSpace(activePrefix) && EnvironmentLocator.SamePrefix(full, activePrefix);
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        int count = 0;
        foreach (string file in CondaMetaNames.RecordFiles(full))
        {
            count++;
            if (CondaMetaNames.TryParse(Path.GetFileName(file), out string n, out string v, out _))
            {
                versions[n] = v;
            }
        }

        DateTime? last = null;
        foreach (HistoryRevision rev in PrefixHistory.Load(PrefixHistory.PathFor(full)).Revisions)
        {
            if (rev.Timestamp is { } t && (last is null || t > last))
            {
                last = t;
            }
        }

        return new EnvironmentInfo(name, full, active)
        {
            PackageCount = count,
            PythonVersion = versions.GetValueOrDefault("python"),
            CudaVersion = versions.GetValueOrDefault("cuda-version") ?? versions.GetValueOrDefault("cudatoolkit") ?? versions.GetValueOrDefault("cuda-cudart"),
            LastModified = last,
        };
    }

    /// <summary>Walks the prefix once (see <see cref="DiskUsage.Measure"/>) and keeps the result; later calls return it.</summary>
    public DiskUsage GetDiskUsage(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _usage ??= DiskUsage.Measure(Prefix, cancellationToken);
            return _usage.Value;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name ?? Prefix;
}
