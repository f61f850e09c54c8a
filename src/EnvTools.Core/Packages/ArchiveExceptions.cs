namespace EnvTools.Packages;

/// <summary>
/// An archive holds an entry that would write outside the extraction root (absolute path, <c>..</c>,
/// a link leaving the root) or a device/fifo entry. Nothing of the archive is left on disk.
/// </summary>
public sealed class UnsafeArchiveException : EnvToolsException
{
    /// <summary>Creates the error for <paramref name="archive"/> and its entry <paramref name="entry"/>.</summary>
    public UnsafeArchiveException(string archive, string entry, string reason)
        : base("UnsafeArchive", ErrorKind.SecurityError, $"Unsafe archive '{archive}': entry '{entry}' {reason}", archive)
    {
        Archive = archive;
        Entry = entry;
        Reason = reason;
    }

    /// <summary>The archive file.</summary>
    public string Archive { get; }

    /// <summary>The offending entry's name as stored in the archive.</summary>
    public string Entry { get; }

    /// <summary>Why the entry was refused.</summary>
    public string Reason { get; }
}

/// <summary>An archive that is truncated or otherwise cannot be decoded.</summary>
public sealed class CorruptArchiveException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public CorruptArchiveException(string archive, string message, Exception? inner = null)
        : base("CorruptArchive", ErrorKind.InvalidData, $"Corrupt archive '{archive}': {message}", archive, inner)
    {
        Archive = archive;
    }

    /// <summary>The archive file.</summary>
    public string Archive { get; }
}

/// <summary>
/// An archive expands to more than it may: more than its <c>info/paths.json</c> declares (plus a small margin), or,
/// whatever it declares, more than a generous multiple of its own size (a decompression bomb). Nothing of it is
/// left on disk.
/// </summary>
public sealed class ArchiveTooLargeException : EnvToolsException
{
    /// <summary>Creates the error for <paramref name="archive"/>, which was refused at <paramref name="expanded"/> bytes.</summary>
    public ArchiveTooLargeException(string archive, long expanded, long limit, string reason)
        : base("ArchiveTooLarge", ErrorKind.SecurityError,
            $"Archive '{archive}' refused: it expands to more than {limit:N0} bytes ({reason}; {expanded:N0} bytes reached)", archive)
    {
        Archive = archive;
        Expanded = expanded;
        Limit = limit;
        Reason = reason;
    }

    /// <summary>The archive file.</summary>
    public string Archive { get; }

    /// <summary>The expanded size the archive had reached (counting the entry that crossed the limit) when it was refused.</summary>
    public long Expanded { get; }

    /// <summary>The limit it crossed.</summary>
    public long Limit { get; }

    /// <summary>Which limit: the declared sizes or the ratio cap.</summary>
    public string Reason { get; }
}
