namespace EnvTools.Environments;

/// <summary>What is wrong with an installed file.</summary>
// Int64-based on purpose: PowerShell's ConvertTo-Json writes Int64 enums by name (others as numbers).
public enum FileIssueKind : long
{
    /// <summary>The file (or link, or folder) is gone.</summary>
    Missing,

    /// <summary>The file's SHA-256 differs from the one recorded.</summary>
    Modified,

    /// <summary>The file's size differs from the one recorded (its content was then not hashed).</summary>
    SizeMismatch,
}

/// <summary>An installed file that does not match its conda-meta record (what <c>conda doctor</c> reports).</summary>
/// <param name="Package">The name of the package that installed the file.</param>
/// <param name="Path">The path relative to the prefix, with forward slashes, as in the record.</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Expected">The recorded SHA-256 or size; null for a missing file.</param>
/// <param name="Actual">The file's SHA-256 or size; null for a missing file.</param>
/// <param name="Prefix">The environment's prefix.</param>
public sealed record FileIssue(string Package, string Path, FileIssueKind Kind, string? Expected, string? Actual, string Prefix);

/// <summary>How far <see cref="PrefixVerifier"/> has got.</summary>
/// <param name="Completed">Files checked so far.</param>
/// <param name="Total">Files to check.</param>
public readonly record struct VerifyProgress(int Completed, int Total);
