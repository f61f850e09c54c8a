namespace EnvTools.Install;

/// <summary>
/// Several packages ship the same path. The file of <see cref="Winner"/> is at <see cref="Path"/>; the files of the
/// other packages are kept under <c>__clobbers__/&lt;package&gt;/&lt;path&gt;</c> so that removing the winner restores the
/// next owner's file (rattler's behaviour).
/// </summary>
/// <param name="Path">The path relative to the prefix, with forward slashes.</param>
/// <param name="Winner">The package whose file is in place.</param>
/// <param name="Packages">Every package that ships the path, the winner first.</param>
public sealed record ClobberWarning(string Path, string Winner, IReadOnlyList<string> Packages)
{
    /// <inheritdoc/>
    public override string ToString() => $"'{Path}' is shipped by {string.Join(", ", Packages)}; the file of {Winner} is used";
}
