namespace EnvTools.Environments;

/// <summary>No environment was named and none is active (<c>CONDA_PREFIX</c> is not set to an environment).</summary>
public sealed class NoActiveEnvironmentException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public NoActiveEnvironmentException()
        : base("NoActiveEnvironment", ErrorKind.ObjectNotFound,
            "No environment was given and none is active (CONDA_PREFIX is not set to an environment). Name one with -Name or -Prefix, or activate one.")
    {
    }

    /// <summary>Creates the error with a message of its own.</summary>
    public NoActiveEnvironmentException(string message)
        : base("NoActiveEnvironment", ErrorKind.ObjectNotFound, message)
    {
    }
}

/// <summary>An operation that would pull the ground from under the running session: removing the active environment.</summary>
public sealed class EnvironmentActiveException : EnvToolsException
{
    /// <summary>Creates the error for <paramref name="prefix"/>.</summary>
    public EnvironmentActiveException(string prefix)
        : this(prefix, "removing")
    {
    }

    /// <summary>Creates the error for <paramref name="prefix"/> and what was to be done (removing, renaming).</summary>
    public EnvironmentActiveException(string prefix, string doing)
        : base("EnvironmentActive", ErrorKind.ResourceBusy,
            $"The environment '{prefix}' is active in this session (CONDA_PREFIX); deactivate it before {doing} it.", prefix)
    {
        Prefix = prefix;
    }

    /// <summary>The active prefix.</summary>
    public string Prefix { get; }
}

/// <summary>A prefix that holds other environments (a base installation with an <c>envs</c> folder) cannot be removed as one environment.</summary>
public sealed class EnvironmentContainsEnvironmentsException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public EnvironmentContainsEnvironmentsException(string prefix, IReadOnlyList<string> nested)
        : base("EnvironmentContainsEnvironments", ErrorKind.ResourceBusy,
            $"The environment '{prefix}' holds other environments ({string.Join(", ", nested)}); remove those first.", prefix)
    {
        Prefix = prefix;
        Nested = nested;
    }

    /// <summary>The environment that was to be removed.</summary>
    public string Prefix { get; }

    /// <summary>The environments inside it.</summary>
    public IReadOnlyList<string> Nested { get; }
}

/// <summary>Removing an environment failed; the environment is either untouched or already unlisted (its remains are in a trash folder).</summary>
public sealed class EnvironmentRemovalException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public EnvironmentRemovalException(string prefix, string message, Exception? inner = null)
        : base("EnvironmentRemovalFailed", ErrorKind.ResourceUnavailable, message, prefix, inner)
    {
        Prefix = prefix;
    }

    /// <summary>The environment that was to be removed.</summary>
    public string Prefix { get; }
}

/// <summary>A package name (no wildcards) that is not installed in the environment.</summary>
public sealed class PackageNotInstalledException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public PackageNotInstalledException(string name, string prefix)
        : this(name, prefix, Array.Empty<string>())
    {
    }

    /// <summary>Creates the error with the installed names close to <paramref name="name"/> (a mistyped name).</summary>
    public PackageNotInstalledException(string name, string prefix, IReadOnlyList<string> suggestions)
        : base("PackageNotInstalled", ErrorKind.ObjectNotFound,
            $"No package named '{name}' is installed in '{prefix}'." + (suggestions.Count > 0 ? $" Did you mean {string.Join(", ", suggestions)}?" : string.Empty), name)
    {
        Name = name;
        Prefix = prefix;
        Suggestions = suggestions;
    }

    /// <summary>Installed package names close to the one asked for.</summary>
    public IReadOnlyList<string> Suggestions { get; }

    /// <summary>The package name asked for.</summary>
    public string Name { get; }

    /// <summary>The environment searched.</summary>
    public string Prefix { get; }
}

/// <summary>Another process holds the prefix lock and did not release it within the time-out.</summary>
public sealed class PrefixLockedException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public PrefixLockedException(string prefix, TimeSpan timeout, Exception? inner = null)
        : base("PrefixLocked", ErrorKind.ResourceBusy, $"The environment '{prefix}' is locked by another process (waited {timeout.TotalSeconds:0.#} s).", prefix, inner)
    {
        Prefix = prefix;
        Timeout = timeout;
    }

    /// <summary>The locked prefix.</summary>
    public string Prefix { get; }

    /// <summary>How long the lock was waited for.</summary>
    public TimeSpan Timeout { get; }
}
