using System.Text;

namespace EnvTools.Environments;

/// <summary>
/// The list of known environments, <c>~/.conda/environments.txt</c>: one absolute prefix per line.
/// Reads tolerate a missing file and blank lines; writes dedupe and replace the file atomically.
/// </summary>
public sealed class EnvironmentsFile
{
    /// <summary>Creates an accessor for the file at <paramref name="path"/>.</summary>
    public EnvironmentsFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = path;
    }

    /// <summary>The file this instance reads and writes.</summary>
    public string FilePath { get; }

    /// <summary>The default location: <c>~/.conda/environments.txt</c>.</summary>
    public static string DefaultPath =>
        Path.Combine(EnvTools.Config.ConfigEnvironment.UserHome, ".conda", "environments.txt");

    private static StringComparer PathComparer => OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>The listed prefixes in file order, trimmed and without duplicates; empty when the file is missing.</summary>
    public IReadOnlyList<string> Read()
    {
        if (!File.Exists(FilePath))
        {
            return Array.Empty<string>();
        }

        var seen = new HashSet<string>(PathComparer);
        var result = new List<string>();
        foreach (string line in File.ReadAllLines(FilePath, Encoding.UTF8))
        {
            string p = Normalize(line);
            if (p.Length > 0 && seen.Add(p))
            {
                result.Add(p);
            }
        }

        return result;
    }

    /// <summary>Adds a prefix (made absolute) unless already listed; returns whether the file changed.</summary>
    public bool Add(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        string p = Normalize(Path.GetFullPath(prefix));
        IReadOnlyList<string> current = Read();
        if (current.Contains(p, PathComparer))
        {
            return false;
        }

        Write(current.Append(p));
        return true;
    }

    /// <summary>Removes a prefix (every listing of it); returns whether it was listed.</summary>
    public bool Remove(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        string p = Normalize(Path.GetFullPath(prefix));
        IReadOnlyList<string> current = Read();
        if (!current.Contains(p, PathComparer))
        {
            return false;
        }

        Write(current.Where(x => !PathComparer.Equals(x, p)));
        return true;
    }

    /// <summary>Replaces the file with <paramref name="prefixes"/> (deduplicated), via a temporary file and a rename.</summary>
    public void Write(IEnumerable<string> prefixes)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        var seen = new HashSet<string>(PathComparer);
        var sb = new StringBuilder();
        foreach (string raw in prefixes)
        {
            string p = Normalize(raw);
            if (p.Length > 0 && seen.Add(p))
            {
                sb.Append(p).Append('\n');
            }
        }

        string full = Path.GetFullPath(FilePath);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            File.WriteAllText(tmp, sb.ToString(), new UTF8Encoding(false));
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }
        }
    }

    private static string Normalize(string line)
    {
        string p = line.Trim();
        while (p.Length > 1 && (p.EndsWith('/') || p.EndsWith('\\')) && !(p.Length == 3 && p[1] == ':'))
        {
            p = p[..^1];
        }

        return p;
    }
}
