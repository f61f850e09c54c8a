namespace EnvTools;

/// <summary>
/// A file or folder could not be read or written (an <see cref="IOException"/> or
/// <see cref="UnauthorizedAccessException"/> that no reader turned into a more specific error).
/// ErrorId <c>FileSystemError</c>, or <c>AccessDenied</c> when permission was refused.
/// </summary>
public sealed class FileSystemErrorException : EnvToolsException
{
    private FileSystemErrorException(string errorId, ErrorKind kind, string message, Exception inner)
        : base(errorId, kind, message, null, inner)
    {
    }

    /// <summary>The typed error for <paramref name="ex"/>, or null when it is not a file-system failure.</summary>
    public static FileSystemErrorException? From(Exception ex) => ex switch
    {
        UnauthorizedAccessException => new FileSystemErrorException("AccessDenied", ErrorKind.SecurityError, ex.Message, ex),
        IOException => new FileSystemErrorException("FileSystemError", ErrorKind.ResourceUnavailable, ex.Message, ex),
        _ => null,
    };
}
