using EnvTools.Environments;
namespace EnvTools.Activation;

/// <summary>
/// The activations applied in a session, bottom first. A host keeps one per session (the PowerShell module
/// keeps it in a session variable) so that deactivation pops exactly what activation pushed.
/// </summary>
public sealed class ActivationStack
{
    private readonly List<ActivationFrame> _frames = new();

    /// <summary>The frames, bottom first.</summary>
    public IReadOnlyList<ActivationFrame> Frames => _frames;

    /// <summary>How many levels this stack holds.</summary>
    public int Count => _frames.Count;

    /// <summary>The top frame, or null.</summary>
    public ActivationFrame? Top => _frames.Count > 0 ? _frames[^1] : null;

    /// <summary>Whatever the host keeps with the stack (the module: the user's prompt function before the first activation).</summary>
    public object? HostState { get; set; }

    /// <summary>The top frame of <paramref name="stack"/>, the level a deactivation undoes.</summary>
    /// <param name="stack">The session's stack; null when it has none.</param>
    /// <param name="activePrefix">The active environment (<c>CONDA_PREFIX</c>), for the message when the stack is empty.</param>
    /// <exception cref="NoActiveEnvironmentException">The stack is empty: no environment is active, or the active one was
    /// not activated through this stack (its previous state is unknown).</exception>
    public static ActivationFrame TopOf(ActivationStack? stack, string? activePrefix) =>
        stack?.Top ?? throw new NoActiveEnvironmentException(string.IsNullOrEmpty(activePrefix)
            ? "No environment is active."
            : $"The active environment ({activePrefix}) was not activated by EnvTools in this session; its previous state is unknown.");

    /// <summary>Pushes a complete frame.</summary>
    public void Push(ActivationFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (!frame.IsComplete)
        {
            throw new InvalidOperationException("only a complete activation frame can be pushed");
        }

        _frames.Add(frame);
    }

    /// <summary>Removes and returns the top frame.</summary>
    /// <exception cref="NoActiveEnvironmentException">The stack is empty.</exception>
    public ActivationFrame Pop()
    {
        ActivationFrame top = Top ?? throw new NoActiveEnvironmentException("No environment activated by EnvTools is active in this session.");
        _frames.RemoveAt(_frames.Count - 1);
        return top;
    }
}
