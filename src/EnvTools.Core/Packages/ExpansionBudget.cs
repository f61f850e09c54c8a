namespace EnvTools.Packages;

/// <summary>
/// How many bytes one archive may expand to, checked before each entry's data is written (the tar header gives the
/// size): at most <see cref="MaxRatio"/> times the archive's size, but never less than <see cref="Floor"/>; and, once
/// <c>info/paths.json</c> has been read, the package files (outside <c>info/</c>) at most what it declares plus
/// <see cref="Slack"/>. A <c>.conda</c>'s info member is extracted first, so its declaration bounds the payload
/// before any of it is written.
/// </summary>
internal sealed class ExpansionBudget
{
    /// <summary>The cap on the expansion ratio (real packages stay far below 50:1).</summary>
    internal const long MaxRatio = 200;

    /// <summary>The least cap, whatever the archive's size.</summary>
    internal const long Floor = 256L << 20;

    private readonly string _archive;
    private long _total;
    private long _payload;
    private long? _declaredLimit;

    public ExpansionBudget(string archive, long archiveSize)
    {
        _archive = archive;
        Cap = Math.Max(Floor, archiveSize > long.MaxValue / MaxRatio ? long.MaxValue : archiveSize * MaxRatio);
    }

    /// <summary>The ratio cap for this archive.</summary>
    public long Cap { get; }

    /// <summary>The payload limit from paths.json, or null while it is unknown (or when paths.json lacks sizes).</summary>
    public long? DeclaredLimit => _declaredLimit;

    /// <summary>Bytes counted so far.</summary>
    public long Total => _total;

    /// <summary>The margin allowed above the declared sizes: 1 MiB plus 1/64.</summary>
    internal static long Slack(long declared) => (1L << 20) + (declared / 64);

    /// <summary>Counts an entry of <paramref name="size"/> bytes at <paramref name="relativePath"/> before it is written.</summary>
    /// <exception cref="ArchiveTooLargeException">A limit is crossed.</exception>
    public void Add(string relativePath, long size)
    {
        _total = Sum(_total, size);
        if (!IsInfo(relativePath))
        {
            _payload = Sum(_payload, size);
        }

        Check();
    }

    /// <summary>Takes the declared sizes of <c>info/paths.json</c>: the sum over every non-directory entry, when each has one.</summary>
    /// <exception cref="ArchiveTooLargeException">What was written already exceeds it.</exception>
    public void Declare(PackagePaths paths)
    {
        long declared = 0;
        foreach (var p in paths.Paths)
        {
            if (p.PathType == PathType.Directory)
            {
                continue;
            }

            if (p.SizeInBytes is not { } size || size < 0)
            {
                return; // sizes unknown: the ratio cap alone applies
            }

            declared = Sum(declared, size);
        }

        _declaredLimit = Sum(declared, Slack(declared));
        Check();
    }

    private void Check()
    {
        if (_total > Cap)
        {
            throw new ArchiveTooLargeException(_archive, _total, Cap, $"more than {MaxRatio} times the archive's size");
        }

        if (_declaredLimit is { } limit && _payload > limit)
        {
            throw new ArchiveTooLargeException(_archive, _payload, limit, "more than info/paths.json declares");
        }
    }

    private static bool IsInfo(string rel) =>
        rel.StartsWith("info/", StringComparison.OrdinalIgnoreCase) || rel.Equals("info", StringComparison.OrdinalIgnoreCase);

    private static long Sum(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
