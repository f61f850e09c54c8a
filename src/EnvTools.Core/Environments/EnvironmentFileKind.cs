using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>The kinds of file an environment can be created from.</summary>
public enum EnvironmentFileKind
{
    /// <summary>conda's environment.yml (<see cref="EnvironmentFile"/>): specs to solve.</summary>
    EnvironmentYaml,
    /// <summary>An <c>@EXPLICIT</c> file (<see cref="ExplicitFile"/>): exact packages, no solve.</summary>
    Explicit,
    /// <summary>A conda-lock file (<see cref="CondaLockFile"/>): exact packages per platform, no solve.</summary>
    CondaLock,
    /// <summary>A plain list of MatchSpecs, one a line (<see cref="SpecListFile"/>; <c>conda create --file</c>): specs to solve.</summary>
    SpecList,
    /// <summary>A pixi / rattler lock file (<see cref="PixiLockFile"/>, <c>pixi.lock</c>): exact packages per environment and platform, no solve.</summary>
    PixiLock,
    /// <summary>A mambajs JSON lock (<see cref="MambaJsLockFile"/>): one platform's exact packages, no solve.</summary>
    MambaJsLock,
}

/// <summary>Tells environment files apart.</summary>
public static class EnvironmentFiles
{
    /// <summary>
    /// The kind of a file, from its content: an <c>@EXPLICIT</c> line makes it explicit; a JSON object with a
    /// <c>lockVersion</c> is a mambajs lock; YAML with a top-level <c>environments:</c> key or a <c>version:</c> of 4 or
    /// more is a pixi lock file; YAML with top-level <c>metadata:</c> and <c>package:</c> keys is a conda-lock file; other <c>.yml</c>/<c>.yaml</c> files (or text whose
    /// first key is a known environment.yml key) are environment.yml; anything else is a spec list.
    /// </summary>
    /// <exception cref="InvalidEnvironmentFileException">The file cannot be read.</exception>
    public static EnvironmentFileKind Detect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Detect(EnvironmentFile.ReadText(path), path);
    }

    /// <summary>The kind of <paramref name="text"/> read from a file named <paramref name="path"/>.</summary>
    public static EnvironmentFileKind Detect(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(path);
        if (ExplicitFile.IsExplicit(text))
        {
            return EnvironmentFileKind.Explicit;
        }

        if (MambaJsLockFile.LooksLike(text))
        {
            return EnvironmentFileKind.MambaJsLock;
        }

        if (PixiLockFile.LooksLike(text))
        {
            return EnvironmentFileKind.PixiLock;
        }

        if (CondaLockFile.LooksLike(text))
        {
            return EnvironmentFileKind.CondaLock;
        }

        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".yml" or ".yaml")
        {
            return EnvironmentFileKind.EnvironmentYaml;
        }

        string? first = text.Split('\n').Select(l => l.TrimEnd()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'));
        return first is not null && EnvironmentFile.ValidKeys.Any(k => first.StartsWith(k + ":", StringComparison.Ordinal))
            ? EnvironmentFileKind.EnvironmentYaml
            : EnvironmentFileKind.SpecList;
    }
}

/// <summary>A plain spec file (<c>conda create --file specs.txt</c>): one MatchSpec a line; <c>#</c> starts a comment.</summary>
public sealed class SpecListFile
{
    /// <summary>The file read, or null.</summary>
    public string? FilePath { get; init; }

    /// <summary>The specs as written, in file order.</summary>
    public IReadOnlyList<string> Specs { get; init; } = Array.Empty<string>();

    /// <summary>Reads a file.</summary>
    /// <exception cref="InvalidEnvironmentFileException">A line that is not a MatchSpec.</exception>
    public static SpecListFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new SpecListFile { FilePath = Path.GetFullPath(path), Specs = Parse(EnvironmentFile.ReadText(path), path).Specs };
    }

    /// <summary>Parses spec-list text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidEnvironmentFileException">A line that is not a MatchSpec.</exception>
    public static SpecListFile Parse(string text, string source = "specs.txt")
    {
        ArgumentNullException.ThrowIfNull(text);
        var specs = new List<string>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            int hash = line.IndexOf(" #", StringComparison.Ordinal);
            line = (line.TrimStart().StartsWith('#') ? string.Empty : hash >= 0 ? line[..hash] : line).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                MatchSpec.Parse(line);
            }
            catch (InvalidSpecException ex)
            {
                throw new InvalidEnvironmentFileException(source, i + 1, null, $"'{line}' is not a valid MatchSpec: {ex.Reason}", ex);
            }

            specs.Add(line);
        }

        return new SpecListFile { Specs = specs };
    }
}
