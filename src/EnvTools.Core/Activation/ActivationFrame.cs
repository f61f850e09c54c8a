namespace EnvTools.Activation;

/// <summary>
/// One applied activation (a level of the stack): every variable it changed with the value it had before
/// (null: it was not set), the PATH before and after, and what to run on deactivation. Deactivation puts back
/// exactly the saved values; PATH is put back whole when nobody changed it since, else entry by entry.
/// </summary>
public sealed class ActivationFrame
{
    private Dictionary<string, string>? _before;

    internal ActivationFrame(ActivationPlan plan, IReadOnlyDictionary<string, string> before, bool ignoreCase)
    {
        _plan = plan;
        StringComparer cmp = ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        _before = new Dictionary<string, string>(before, cmp);
        Saved = new Dictionary<string, string?>(cmp);
        Applied = new Dictionary<string, string?>(cmp);
    }

    private readonly ActivationPlan _plan;

    /// <summary>The plan it applied (a method, so that <c>ConvertTo-Json</c> of a frame stays within its default depth).</summary>
    public ActivationPlan GetPlan() => _plan;

    /// <summary>The environment's prefix.</summary>
    public string Prefix => _plan.Prefix;

    /// <summary>The environment's name (or prefix when it is not in an envs dir).</summary>
    public string Name => _plan.Name;

    /// <summary>The level (<c>CONDA_SHLVL</c>) it made.</summary>
    public int Level => _plan.Level;

    /// <summary>Whether it was stacked on the level below.</summary>
    public bool Stacked => _plan.Stacked;

    /// <summary>Each variable it changed (PATH included) → its value before (null: not set).</summary>
    public IReadOnlyDictionary<string, string?> Saved { get; private set; }

    /// <summary>Each variable it changed (PATH included) → its value after activation (null: unset).</summary>
    public IReadOnlyDictionary<string, string?> Applied { get; private set; }

    /// <summary>PATH entries that activation (and its scripts) added.</summary>
    public IReadOnlyList<string> AddedPathEntries { get; private set; } = Array.Empty<string>();

    /// <summary>PATH entries that activation took out (those of a replaced level).</summary>
    public IReadOnlyList<string> RemovedPathEntries { get; private set; } = Array.Empty<string>();

    /// <summary>The scripts that ran, in order.</summary>
    public IList<ActivationScript> ScriptsRun { get; } = new List<ActivationScript>();

    /// <summary>Whether the frame is complete (its changes recorded).</summary>
    public bool IsComplete => _before is null;

    internal string? PathAfter { get; private set; }

    internal void Complete(IReadOnlyDictionary<string, string> after, char separator, bool ignoreCase)
    {
        Dictionary<string, string> before = _before ?? throw new InvalidOperationException("the activation frame is already complete");
        StringComparer cmp = ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var saved = new Dictionary<string, string?>(cmp);
        var applied = new Dictionary<string, string?>(cmp);
        foreach (var (name, value) in after)
        {
            if (!before.TryGetValue(name, out string? old) || !string.Equals(old, value, StringComparison.Ordinal))
            {
                saved[name] = old;
                applied[name] = value;
            }
        }

        foreach (var (name, old) in before)
        {
            if (!after.ContainsKey(name))
            {
                saved[name] = old;
                applied[name] = null;
            }
        }

        string? pathBefore = before.GetValueOrDefault(EnvironmentActivator.PathVariable);
        PathAfter = after.GetValueOrDefault(EnvironmentActivator.PathVariable);
        var beforeEntries = PathList.Split(pathBefore, separator);
        var afterEntries = PathList.Split(PathAfter, separator);
        AddedPathEntries = PathList.Added(beforeEntries, afterEntries, ignoreCase);
        RemovedPathEntries = PathList.Added(afterEntries, beforeEntries, ignoreCase);
        Saved = saved;
        Applied = applied;
        _before = null;
    }
}
