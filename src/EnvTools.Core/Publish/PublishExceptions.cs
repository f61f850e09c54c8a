namespace EnvTools.Publish;

/// <summary>
/// The destination of a publish cannot be reached or written: a folder that cannot be created or written, a registry that
/// does not answer. A registry that answers with a refusal is an <see cref="Fetch.Oci.OciRegistryException"/> (its code
/// passed through). The message never holds credentials.
/// </summary>
public sealed class PublishDestinationUnavailableException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    /// <param name="destination">The destination (a folder, or a URL without credentials).</param>
    /// <param name="message">What failed.</param>
    /// <param name="inner">The underlying failure.</param>
    public PublishDestinationUnavailableException(string destination, string message, Exception? inner = null)
        : base("PublishDestinationUnavailable", ErrorKind.ResourceUnavailable, message, destination, inner)
    {
        Destination = destination;
    }

    /// <summary>The destination (a folder, or a URL without credentials).</summary>
    public string Destination { get; }
}

/// <summary>A publish destination EnvTools cannot write to: a scheme without a write protocol (<c>http(s)://</c>) or a malformed URL.</summary>
public sealed class InvalidPublishDestinationException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    /// <param name="destination">The destination as given (without credentials).</param>
    /// <param name="message">Why it cannot be written.</param>
    public InvalidPublishDestinationException(string destination, string message)
        : base("InvalidPublishDestination", ErrorKind.InvalidArgument, message, destination)
    {
        Destination = destination;
    }

    /// <summary>The destination as given (without credentials).</summary>
    public string Destination { get; }
}
