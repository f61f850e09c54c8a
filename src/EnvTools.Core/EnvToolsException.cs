namespace EnvTools;

/// <summary>
/// What kind of failure an <see cref="EnvToolsException"/> is; the module maps it to a PowerShell
/// ErrorCategory (the engine itself knows nothing of PowerShell).
/// </summary>
public enum ErrorKind
{
    /// <summary>The input is malformed (a bad version, MatchSpec, file).</summary>
    InvalidArgument,
    /// <summary>The data read is malformed (repodata, a conda-meta record).</summary>
    InvalidData,
    /// <summary>Something asked for does not exist (package, environment).</summary>
    ObjectNotFound,
    /// <summary>The request cannot be satisfied.</summary>
    InvalidResult,
    /// <summary>A resource could not be reached or read (channel, file).</summary>
    ResourceUnavailable,
    /// <summary>What is to be created exists already (an environment).</summary>
    ResourceExists,
    /// <summary>The operation is not allowed in the current state (a locked prefix).</summary>
    ResourceBusy,
    /// <summary>A security check failed (an unsafe archive, a checksum mismatch).</summary>
    SecurityError,
    /// <summary>The operation was cancelled or timed out.</summary>
    OperationStopped,
    /// <summary>Anything else.</summary>
    NotSpecified,
}

/// <summary>
/// Base of every typed error the engine throws. <see cref="ErrorId"/> is stable (cmdlets use it as
/// the ErrorRecord's FullyQualifiedErrorId) and <see cref="Kind"/> selects the ErrorCategory.
/// </summary>
public class EnvToolsException : Exception
{
    /// <summary>Creates an error.</summary>
    public EnvToolsException(string errorId, ErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    /// <summary>The stable error id, e.g. <c>InvalidSpec</c>.</summary>
    public string ErrorId { get; }

    /// <summary>The kind of failure.</summary>
    public ErrorKind Kind { get; }

    /// <summary>What the error is about (a spec, a path, an explanation tree); may be null.</summary>
    public object? Target { get; }
}

/// <summary>A version, version spec or MatchSpec string that cannot be parsed.</summary>
public sealed class InvalidSpecException : EnvToolsException
{
    /// <summary>Creates the error; <paramref name="position"/> is the 0-based offset of the problem, or -1.</summary>
    public InvalidSpecException(string input, string reason, int position = -1, Exception? inner = null)
        : base("InvalidSpec", ErrorKind.InvalidArgument, Format(input, reason, position), input, inner)
    {
        Input = input;
        Reason = reason;
        Position = position;
    }

    /// <summary>The text that failed to parse.</summary>
    public string Input { get; }

    /// <summary>Why it failed.</summary>
    public string Reason { get; }

    /// <summary>0-based offset in <see cref="Input"/> where the problem is, or -1 when not known.</summary>
    public int Position { get; }

    private static string Format(string input, string reason, int position) =>
        position >= 0 ? $"Invalid spec '{input}' at position {position}: {reason}" : $"Invalid spec '{input}': {reason}";
}

/// <summary>Repodata or another conda file that is malformed.</summary>
public sealed class MalformedDataException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public MalformedDataException(string errorId, string source, string message, Exception? inner = null)
        : base(errorId, ErrorKind.InvalidData, $"{source}: {message}", source, inner)
    {
        Source = source;
    }

    /// <summary>The file or URL that was being read.</summary>
    public new string Source { get; }
}
