namespace EnvTools.Conda;

/// <summary>
/// Why a spec text is malformed, as a parse that does not throw returns it: the reason, where in the text, and the
/// exception of a library the parse called (a regex that does not compile), if any.
/// </summary>
internal readonly record struct SpecError(string Reason, int Position, Exception? Inner = null)
{
    /// <summary>The exception <c>Parse</c> throws for it.</summary>
    public InvalidSpecException ToException(string input) => new(input, Reason, Position, Inner);
}
