namespace EnvTools.Environments;

/// <summary>
/// An environment file (environment.yml, an <c>@EXPLICIT</c> file, a conda-lock or pixi lock file) that is malformed:
/// invalid YAML, an unknown key, a value of the wrong type, a dependency that is not a MatchSpec, a URL that is no
/// package. The message names the file, the line and the key.
/// </summary>
public sealed class InvalidEnvironmentFileException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    /// <param name="file">The file (or the name given to text parsed from memory).</param>
    /// <param name="line">The 1-based line, or 0 when not known.</param>
    /// <param name="key">The key or entry at fault (e.g. <c>dependencies[2]</c>), or null.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public InvalidEnvironmentFileException(string file, int line, string? key, string reason, Exception? inner = null)
        : base("InvalidEnvironmentFile", ErrorKind.InvalidArgument, Format(file, line, key, reason), file, inner)
    {
        File = file;
        Line = line;
        Key = key;
        Reason = reason;
    }

    /// <summary>The file.</summary>
    public string File { get; }

    /// <summary>The 1-based line, or 0 when not known.</summary>
    public int Line { get; }

    /// <summary>The key or entry at fault, or null.</summary>
    public string? Key { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }

    private static string Format(string file, int line, string? key, string reason) =>
        $"{file}{(line > 0 ? $":{line}" : string.Empty)}: {(key is null ? string.Empty : $"'{key}': ")}{reason}";
}

/// <summary>
/// The <c>pip:</c> part of an environment could not be installed: the conda packages are installed (and stay), pip
/// failed. The message says so and carries pip's own output.
/// </summary>
public sealed class PipInstallFailedException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    /// <param name="prefix">The environment.</param>
    /// <param name="exitCode">pip's exit code (-1 when pip could not be started).</param>
    /// <param name="output">What pip wrote (stdout and stderr), trimmed.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public PipInstallFailedException(string prefix, int exitCode, string output, Exception? inner = null)
        : base("PipInstallFailed", ErrorKind.InvalidResult,
            $"The conda packages are installed in '{prefix}', but pip failed{(exitCode >= 0 ? $" (exit code {exitCode})" : string.Empty)}:{Environment.NewLine}{Tail(output)}",
            prefix, inner)
    {
        Prefix = prefix;
        ExitCode = exitCode;
        Output = output;
    }

    /// <summary>The environment whose conda part is installed.</summary>
    public string Prefix { get; }

    /// <summary>pip's exit code, or -1 when it could not be started.</summary>
    public int ExitCode { get; }

    /// <summary>pip's output.</summary>
    public string Output { get; }

    private static string Tail(string output)
    {
        string[] lines = output.Trim().Split('\n');
        return string.Join('\n', lines.Length > 30 ? lines[^30..] : lines).TrimEnd();
    }
}
