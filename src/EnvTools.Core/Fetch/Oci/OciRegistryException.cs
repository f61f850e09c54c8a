namespace EnvTools.Fetch.Oci;

/// <summary>
/// A request to an OCI registry that writes (a push) failed: the registry refused it (its error code, such as
/// <c>DENIED</c>, <c>UNAUTHORIZED</c>, <c>BLOB_UPLOAD_INVALID</c>, is in the message and in <see cref="ServerCode"/>), could not
/// be reached, or what was to be pushed cannot be named in a registry. The message never holds credentials or tokens.
/// </summary>
public sealed class OciRegistryException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    /// <param name="registry">The registry (<c>HOST[:PORT]</c>).</param>
    /// <param name="repository">The repository the request was for.</param>
    /// <param name="message">What failed (no secret).</param>
    /// <param name="statusCode">The HTTP status of the registry's answer, or null when there was none.</param>
    /// <param name="serverCode">The registry's first error code, or null.</param>
    /// <param name="inner">The underlying failure.</param>
    public OciRegistryException(string registry, string repository, string message, int? statusCode = null, string? serverCode = null, Exception? inner = null)
        : base("OciRegistryRequestFailed", statusCode switch
        {
            404 => ErrorKind.ObjectNotFound,
            401 or 403 => ErrorKind.SecurityError,
            null => ErrorKind.ResourceUnavailable,
            >= 500 => ErrorKind.ResourceUnavailable,
            _ => ErrorKind.InvalidResult,
        }, message, repository, inner)
    {
        Registry = registry;
        Repository = repository;
        StatusCode = statusCode;
        ServerCode = serverCode;
    }

    /// <summary>The registry (<c>HOST[:PORT]</c>).</summary>
    public string Registry { get; }

    /// <summary>The repository the request was for.</summary>
    public string Repository { get; }

    /// <summary>The HTTP status of the registry's answer, or null when there was none.</summary>
    public int? StatusCode { get; }

    /// <summary>The registry's first error code (<c>errors[0].code</c>), or null.</summary>
    public string? ServerCode { get; }
}
