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
