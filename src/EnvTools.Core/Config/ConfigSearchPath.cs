namespace EnvTools.Config;

/// <summary>
/// Where conda looks for <c>.condarc</c> files, lowest precedence first (conda/base/constants.py
/// <c>SEARCH_PATH</c>, documented in "Searching for .condarc"):
/// <c>/etc/conda/{.condarc,condarc,condarc.d/}</c>, <c>/var/lib/conda/…</c> (<c>C:/ProgramData/conda/…</c> on
/// Windows), <c>$CONDA_ROOT/…</c>, <c>$XDG_CONFIG_HOME/conda/…</c>, <c>~/.config/conda/…</c>,
/// <c>~/.conda/…</c>, <c>~/.condarc</c>, <c>$CONDA_PREFIX/…</c> (the target environment), <c>$CONDARC</c>.
/// With <c>CONDA_RESTRICT_RC_SEARCH_PATH</c> set, only <c>$CONDARC</c> is read.
/// </summary>
public static class ConfigSearchPath
{
    /// <summary>
    /// The candidate paths in precedence order (files, or folders whose <c>*.yml</c>/<c>*.yaml</c> files are
    /// read in name order). <paramref name="prefix"/> is the target environment; when null,
    /// <c>$CONDA_PREFIX</c> (the active one) is used, as conda does.
    /// </summary>
    public static IReadOnlyList<string> Candidates(IConfigEnvironment environment, string? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var paths = new List<string>();
        string? condarc = NonEmpty(environment.GetEnvironmentVariable("CONDARC"));
        if (environment.GetEnvironmentVariable("CONDA_RESTRICT_RC_SEARCH_PATH") is not null)
        {
            if (condarc is not null)
            {
                paths.Add(Expand(condarc, environment));
            }

            return paths;
        }

        foreach (string dir in environment.SystemDirectories)
        {
            AddTriple(paths, dir);
        }

        if (NonEmpty(environment.GetEnvironmentVariable("CONDA_ROOT")) is string root)
        {
            AddTriple(paths, Expand(root, environment));
        }

        if (NonEmpty(environment.GetEnvironmentVariable("XDG_CONFIG_HOME")) is string xdg)
        {
            AddTriple(paths, Path.Combine(Expand(xdg, environment), "conda"));
        }

        string home = environment.HomeDirectory;
        AddTriple(paths, Path.Combine(home, ".config", "conda"));
        AddTriple(paths, Path.Combine(home, ".conda"));
        paths.Add(Path.Combine(home, ".condarc"));

        string? target = NonEmpty(prefix) ?? NonEmpty(environment.GetEnvironmentVariable("CONDA_PREFIX"));
        if (target is not null)
        {
            AddTriple(paths, Expand(target, environment));
        }

        if (condarc is not null)
        {
            paths.Add(Expand(condarc, environment));
        }

        return paths;
    }

    /// <summary>The files the candidates hold, in load order, each once (a folder gives its YAML files in ordinal name order).</summary>
    public static IReadOnlyList<string> ExistingFiles(IConfigEnvironment environment, string? prefix = null)
    {
        var seen = new HashSet<string>(environment.IsWindows ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var files = new List<string>();
        foreach (string candidate in Candidates(environment, prefix))
        {
            string full = Path.GetFullPath(candidate);
            if (File.Exists(full))
            {
                if (seen.Add(full))
                {
                    files.Add(full);
                }
            }
            else if (Directory.Exists(full))
            {
                IEnumerable<string> yaml = Directory.EnumerateFiles(full)
                    .Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal);
                files.AddRange(yaml.Where(seen.Add));
            }
        }

        return files;
    }

    private static void AddTriple(List<string> paths, string dir)
    {
        paths.Add(Path.Combine(dir, ".condarc"));
        paths.Add(Path.Combine(dir, "condarc"));
        paths.Add(Path.Combine(dir, "condarc.d"));
    }

    private static string Expand(string path, IConfigEnvironment env) =>
        Path.GetFullPath(ValueExpansion.ExpandUser(ValueExpansion.ExpandVariables(path, env), env), env.WorkingDirectory);

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
