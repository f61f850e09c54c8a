namespace EnvTools.Packages;

/// <summary>
/// The one check every path a package names goes through before anything is linked (<c>info/paths.json</c>,
/// <c>info/files</c>, <c>info/has_prefix</c>, <c>info/no_link</c>, link.json entry points, noarch targets): it must be
/// relative and normalised, stay inside the prefix lexically (no <c>..</c>, no root, no drive, no NUL) and, for
/// Windows targets, name no reserved device (<c>CON</c>, <c>NUL</c>, <c>COM1</c> …) nor hold characters Windows
/// forbids. Links already on disk are not this check's business: the linker and the extractor resolve those.
/// </summary>
public static class PackagePathValidator
{
    private static readonly HashSet<string> ReservedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    /// <summary>Why <paramref name="path"/> (package-relative, <c>/</c>-separated) is unsafe, or null when it is safe.</summary>
    /// <param name="path">The path as the metadata names it.</param>
    /// <param name="windowsTarget">True when the package is linked for a <c>win-*</c> platform (or the host is Windows).</param>
    public static string? Problem(string? path, bool windowsTarget)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "is empty";
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return "contains a NUL character";
        }

        if (path[0] is '/' or '\\')
        {
            return "is an absolute path";
        }

        if (path.Length >= 2 && path[1] == ':')
        {
            return "names a drive";
        }

        windowsTarget |= OperatingSystem.IsWindows();
        foreach (string c in path.Split('/', '\\'))
        {
            if (c.Length == 0 || c == ".")
            {
                return "is not normalised (an empty or '.' component)";
            }

            if (c == "..")
            {
                return "has a '..' component (it would leave the prefix)";
            }

            if (windowsTarget && WindowsProblem(c) is { } w)
            {
                return w;
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="UnsafeArchiveException"/> (ErrorId <c>UnsafeArchive</c>) when <paramref name="path"/> is unsafe.</summary>
    /// <param name="path">The path as the metadata names it.</param>
    /// <param name="source">The metadata file or package the path comes from (named in the error).</param>
    /// <param name="windowsTarget">True for <c>win-*</c> targets.</param>
    public static void Validate(string? path, string source, bool windowsTarget)
    {
        if (Problem(path, windowsTarget) is { } problem)
        {
            throw new UnsafeArchiveException(source, path ?? string.Empty, problem);
        }
    }

    /// <summary>True when <paramref name="subdir"/> (e.g. <c>win-64</c>) is a Windows platform.</summary>
    public static bool IsWindowsSubdir(string? subdir) => subdir is not null && subdir.StartsWith("win-", StringComparison.OrdinalIgnoreCase);

    private static string? WindowsProblem(string component)
    {
        foreach (char ch in component)
        {
            if (ch < 0x20 || ch is '<' or '>' or ':' or '"' or '|' or '?' or '*')
            {
                return $"has the character '{(ch < 0x20 ? $"\\x{(int)ch:x2}" : ch.ToString())}' that Windows does not allow in a file name";
            }
        }

        if (component[^1] is '.' or ' ')
        {
            return "has a component ending in a dot or a space (Windows drops it)";
        }

        // "NUL", "nul.txt", "COM1.tar.gz", "CON ": the device name is what precedes the first dot, blanks trimmed.
        int dot = component.IndexOf('.', StringComparison.Ordinal);
        string stem = (dot < 0 ? component : component[..dot]).TrimEnd(' ');
        return ReservedNames.Contains(stem) ? $"names the Windows device '{stem}'" : null;
    }
}
