namespace EnvTools.Install;

/// <summary>A package's link script failed; the transaction was rolled back.</summary>
public sealed class LinkScriptFailedException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public LinkScriptFailedException(string package, string action, int exitCode, string output)
        : base("LinkScriptFailed", ErrorKind.InvalidResult,
            $"The {action} script of {package} failed with exit code {exitCode}; the transaction was rolled back." + (output.Length > 0 ? Environment.NewLine + output : string.Empty),
            package)
    {
        Package = package;
        Action = action;
        ExitCode = exitCode;
        Output = output;
    }

    /// <summary>The package (<c>name-version-build</c>).</summary>
    public string Package { get; }

    /// <summary><c>pre-link</c>, <c>post-link</c> or <c>pre-unlink</c>.</summary>
    public string Action { get; }

    /// <summary>The script's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>What the script wrote (stdout and stderr).</summary>
    public string Output { get; }
}

/// <summary>A file could not be placed in or removed from the prefix; the transaction was rolled back.</summary>
public sealed class LinkFailedException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public LinkFailedException(string path, string message, Exception? inner = null)
        : base("LinkFailed", ErrorKind.ResourceUnavailable, $"{message}: '{path}'; the transaction was rolled back.", path, inner)
    {
        Path = path;
    }

    /// <summary>The path in the prefix.</summary>
    public string Path { get; }
}
