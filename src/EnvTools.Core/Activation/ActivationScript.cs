namespace EnvTools.Activation;

/// <summary>How an activation script is run.</summary>
// Int64-based on purpose: PowerShell's ConvertTo-Json writes Int64 enums by name (others as numbers).
public enum ActivationScriptKind : long
{
    /// <summary>A <c>.ps1</c>, dot-sourced in the caller's scope.</summary>
    PowerShell,
    /// <summary>A <c>.sh</c> (Unix) run in bash; its variable changes are applied to the session.</summary>
    Bash,
    /// <summary>A <c>.bat</c> (Windows) run in cmd; its variable changes are applied to the session.</summary>
    Cmd,
}

/// <summary>A script of <c>etc/conda/activate.d</c> or <c>etc/conda/deactivate.d</c>.</summary>
/// <param name="Path">The script's full path.</param>
/// <param name="Kind">How it is run.</param>
public sealed record ActivationScript(string Path, ActivationScriptKind Kind)
{
    /// <summary>
    /// The scripts of <paramref name="folder"/> in the order conda runs them (file name order; reversed for
    /// deactivation): every <c>.ps1</c>, and a <c>.sh</c> (Unix) or <c>.bat</c> (Windows) only when no <c>.ps1</c>
    /// of the same name stands beside it.
    /// </summary>
    public static IReadOnlyList<ActivationScript> InFolder(string folder, bool isWindows, bool reverse = false)
    {
        if (!Directory.Exists(folder))
        {
            return Array.Empty<ActivationScript>();
        }

        string[] files = Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).ToArray();
        var ps1Stems = new HashSet<string>(files.Where(f => HasExtension(f, ".ps1")).Select(System.IO.Path.GetFileNameWithoutExtension)!,
            isWindows ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var result = new List<ActivationScript>();
        foreach (string f in files)
        {
            if (HasExtension(f, ".ps1"))
            {
                result.Add(new ActivationScript(f, ActivationScriptKind.PowerShell));
            }
            else if (!ps1Stems.Contains(System.IO.Path.GetFileNameWithoutExtension(f)))
            {
                if (!isWindows && HasExtension(f, ".sh"))
                {
                    result.Add(new ActivationScript(f, ActivationScriptKind.Bash));
                }
                else if (isWindows && HasExtension(f, ".bat"))
                {
                    result.Add(new ActivationScript(f, ActivationScriptKind.Cmd));
                }
            }
        }

        if (reverse)
        {
            result.Reverse();
        }

        return result;
    }

    private static bool HasExtension(string path, string ext) => path.EndsWith(ext, StringComparison.OrdinalIgnoreCase);
}
