namespace EnvTools.Install;

/// <summary>The phase of a transaction a <see cref="LinkProgress"/> report is about.</summary>
public enum LinkPhase
{
    /// <summary>Removing the files of packages being unlinked.</summary>
    Unlink,
    /// <summary>Placing the files of packages being linked.</summary>
    Link,
    /// <summary>Compiling <c>.pyc</c> files.</summary>
    Compile,
    /// <summary>Running link scripts.</summary>
    Scripts,
    /// <summary>Writing conda-meta, history and committing.</summary>
    Commit,
}

/// <summary>Progress of <see cref="PrefixTransaction.Execute"/>: files done out of the total of the phase.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Package">The package being processed (<c>name-version-build</c>), or null.</param>
/// <param name="Completed">Items done in this phase.</param>
/// <param name="Total">Items in this phase.</param>
public readonly record struct LinkProgress(LinkPhase Phase, string? Package, int Completed, int Total);
