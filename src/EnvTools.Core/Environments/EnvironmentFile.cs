using System.Text;
using System.Text.RegularExpressions;
using EnvTools.Conda;
using YamlDotNet.RepresentationModel;

namespace EnvTools.Environments;

/// <summary>
/// conda's <c>environment.yml</c>: <c>name</c>, <c>channels</c> (priority order; <c>${VAR}</c> and <c>$VAR</c> expanded
/// from the environment), <c>dependencies</c> (MatchSpecs, and a <c>pip:</c> list of pip requirement lines, pip's
/// options such as <c>-r</c>, <c>-e</c>, <c>--index-url</c> included), <c>variables</c> (written to
/// <c>conda-meta/state</c>) and <c>prefix</c>; conda-lock's <c>category</c> and <c>platforms</c> are accepted too.
/// Any other key, a value of the wrong type, or a dependency that is not a MatchSpec is an
/// <see cref="InvalidEnvironmentFileException"/> naming the file, line and key.
/// </summary>
public sealed partial record EnvironmentFile
{
    /// <summary>The top-level keys an environment file may have.</summary>
    public static IReadOnlyList<string> ValidKeys { get; } = new[] { "name", "channels", "dependencies", "variables", "prefix", "category", "platforms" };

    /// <summary>The file read, or null for text parsed from memory or a file built in code.</summary>
    public string? FilePath { get; init; }

    /// <summary>The environment's name, or null.</summary>
    public string? Name { get; init; }

    /// <summary>The environment's folder as exported (<c>prefix:</c>), or null.</summary>
    public string? Prefix { get; init; }

    /// <summary>The channels in priority order (variables expanded).</summary>
    public IReadOnlyList<string> Channels { get; init; } = Array.Empty<string>();

    /// <summary>The conda dependencies as written (each a valid MatchSpec).</summary>
    public IReadOnlyList<string> Dependencies { get; init; } = Array.Empty<string>();

    /// <summary>micromamba's platform-selected dependencies (<c>- sel(linux): spec</c>): selector → spec, in file order. The
    /// selectors are <c>win</c>, <c>unix</c>, <c>linux</c>, <c>osx</c> and platform names (<c>linux-64</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> SelectedDependencies { get; init; } = Array.Empty<KeyValuePair<string, string>>();

    /// <summary>The <c>pip:</c> list (requirement lines and pip options, as written), or null when there is none.</summary>
    public IReadOnlyList<string>? Pip { get; init; }

    /// <summary>The <c>variables:</c> section in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Variables { get; init; } = Array.Empty<KeyValuePair<string, string>>();

    /// <summary>conda-lock's <c>category</c>, or null.</summary>
    public string? Category { get; init; }

    /// <summary>conda-lock's <c>platforms</c> (the platforms to lock for).</summary>
    public IReadOnlyList<string> Platforms { get; init; } = Array.Empty<string>();

    /// <summary>The dependencies as MatchSpecs, with the selected dependencies whose selector matches <paramref name="platform"/>
    /// (the host's by default).</summary>
    public IReadOnlyList<MatchSpec> GetSpecs(Platform? platform = null)
    {
        Platform target = platform ?? Platform.Current;
        return Dependencies.Concat(SelectedDependencies.Where(s => Selects(s.Key, target)).Select(s => s.Value)).Select(MatchSpec.Parse).ToArray();
    }

    /// <summary>Whether a <c>sel(...)</c> selector applies to a platform.</summary>
    public static bool Selects(string selector, Platform platform)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return selector switch
        {
            "win" => platform.IsWindows,
            "unix" => platform.IsUnix,
            "linux" => platform.IsLinux,
            "osx" => platform.IsOsx,
            _ => selector == platform.Name,
        };
    }

    /// <summary>Reads a file; <paramref name="getVariable"/> (the process environment by default) expands variables in channels.</summary>
    /// <exception cref="InvalidEnvironmentFileException">The file is malformed or cannot be read.</exception>
    public static EnvironmentFile Load(string path, Func<string, string?>? getVariable = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(ReadText(path), path, getVariable) with { FilePath = FullPath(path) };
    }

    /// <summary>Parses environment.yml text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidEnvironmentFileException">The text is malformed.</exception>
    public static EnvironmentFile Parse(string text, string source = "environment.yml", Func<string, string?>? getVariable = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        getVariable ??= Environment.GetEnvironmentVariable;
        var yaml = new EnvFileYaml(source);
        YamlNode? root = yaml.Load(text);
        if (root is null)
        {
            return new EnvironmentFile();
        }

        YamlMappingNode map = root as YamlMappingNode
            ?? throw yaml.Error(root, null, $"the top level must be a mapping of keys (name, channels, dependencies …), not {EnvFileYaml.Shape(root)}");
        string? name = null, prefix = null, category = null;
        var channels = new List<string>();
        var dependencies = new List<string>();
        var variables = new List<KeyValuePair<string, string>>();
        var platforms = new List<string>();
        var selected = new List<KeyValuePair<string, string>>();
        List<string>? pip = null;
        foreach ((string key, YamlNode keyNode, YamlNode value) in yaml.Entries(map, null))
        {
            switch (key)
            {
                case "name":
                    name = yaml.Scalar(value, key);
                    break;
                case "prefix":
                    prefix = yaml.Scalar(value, key);
                    break;
                case "category":
                    category = yaml.Scalar(value, key);
                    break;
                case "channels":
                    ReadList(yaml, value, key, channels, c => ExpandVariables(c, getVariable));
                    break;
                case "platforms":
                    ReadList(yaml, value, key, platforms, p => Platform.TryParse(p, out _) ? p : null, "is not a conda platform (subdir)");
                    break;
                case "variables":
                    if (!EnvFileYaml.IsNull(value))
                    {
                        foreach ((string k, YamlNode _, YamlNode v) in yaml.Entries(yaml.Map(value, key), key))
                        {
                            variables.Add(new(k, yaml.Scalar(v, $"{key}.{k}") ?? string.Empty));
                        }
                    }

                    break;
                case "dependencies":
                    pip = ReadDependencies(yaml, value, dependencies, selected);
                    break;
                default:
                    string? hint = ValidKeys.FirstOrDefault(k => Distance(k, key) <= 2);
                    throw yaml.Error(keyNode, key, $"is not a valid key{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; the valid keys are {string.Join(", ", ValidKeys)}");
            }
        }

        return new EnvironmentFile
        {
            Name = name,
            Prefix = prefix,
            Category = category,
            Channels = channels,
            Dependencies = dependencies,
            SelectedDependencies = selected,
            Pip = pip,
            Variables = variables,
            Platforms = platforms,
        };
    }

    /// <summary>The file as conda writes it (<c>conda env export</c>): name, channels, dependencies with the pip list last, variables, prefix.</summary>
    public string ToYaml()
    {
        var sb = new StringBuilder();
        if (Name is not null)
        {
            sb.Append("name: ").Append(EnvFileYaml.Quote(Name)).Append('\n');
        }

        if (Channels.Count > 0)
        {
            sb.Append("channels:\n");
            foreach (string c in Channels)
            {
                sb.Append("  - ").Append(EnvFileYaml.Quote(c)).Append('\n');
            }
        }

        if (Dependencies.Count > 0 || SelectedDependencies.Count > 0 || Pip is not null)
        {
            sb.Append("dependencies:\n");
            foreach (string d in Dependencies)
            {
                sb.Append("  - ").Append(EnvFileYaml.Quote(d)).Append('\n');
            }

            foreach (KeyValuePair<string, string> d in SelectedDependencies)
            {
                sb.Append("  - sel(").Append(d.Key).Append("): ").Append(EnvFileYaml.Quote(d.Value)).Append('\n');
            }

            if (Pip is not null)
            {
                sb.Append("  - pip:\n");
                foreach (string p in Pip)
                {
                    sb.Append("      - ").Append(EnvFileYaml.Quote(p)).Append('\n');
                }
            }
        }

        if (Variables.Count > 0)
        {
            sb.Append("variables:\n");
            foreach (KeyValuePair<string, string> v in Variables)
            {
                sb.Append("  ").Append(EnvFileYaml.Quote(v.Key)).Append(": ").Append(EnvFileYaml.Quote(v.Value)).Append('\n');
            }
        }

        if (Prefix is not null)
        {
            sb.Append("prefix: ").Append(EnvFileYaml.Quote(Prefix)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>The same content as an ordered tree (for JSON): keys name, channels, dependencies (strings and one
    /// <c>{"pip": [...]}</c> map), variables, prefix; absent parts are left out.</summary>
    public IReadOnlyDictionary<string, object> ToTree()
    {
        var tree = new Dictionary<string, object>(StringComparer.Ordinal); // enumerates in insertion order
        if (Name is not null)
        {
            tree.Add("name", Name);
        }

        if (Channels.Count > 0)
        {
            tree.Add("channels", Channels.ToArray());
        }

        if (Dependencies.Count > 0 || SelectedDependencies.Count > 0 || Pip is not null)
        {
            var deps = new List<object>(Dependencies);
            deps.AddRange(SelectedDependencies.Select(d => new Dictionary<string, object>(StringComparer.Ordinal) { [$"sel({d.Key})"] = d.Value }));
            if (Pip is not null)
            {
                deps.Add(new Dictionary<string, object>(StringComparer.Ordinal) { ["pip"] = Pip.ToArray() });
            }

            tree.Add("dependencies", deps.ToArray());
        }

        if (Variables.Count > 0)
        {
            var vars = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> v in Variables)
            {
                vars.Add(v.Key, v.Value);
            }

            tree.Add("variables", vars);
        }

        if (Prefix is not null)
        {
            tree.Add("prefix", Prefix);
        }

        return tree;
    }

    internal static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(FullPath(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InvalidEnvironmentFileException(path, 0, null, $"cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>The full path of a file the user named; a path the OS cannot take (a NUL in it) is an <see cref="InvalidEnvironmentFileException"/>.</summary>
    internal static string FullPath(string path)
    {
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidEnvironmentFileException(path.Replace("\0", "\\0", StringComparison.Ordinal), 0, null, "the path contains a NUL character");
        }

        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new InvalidEnvironmentFileException(path, 0, null, $"is not a valid path: {ex.Message}", ex);
        }
    }

    private static List<string>? ReadDependencies(EnvFileYaml yaml, YamlNode value, List<string> dependencies, List<KeyValuePair<string, string>> selected)
    {
        List<string>? pip = null;
        IReadOnlyList<YamlNode> items = yaml.Seq(value, "dependencies");
        for (int i = 0; i < items.Count; i++)
        {
            YamlNode item = items[i];
            string where = $"dependencies[{i}]";
            if (EnvFileYaml.IsNull(item))
            {
                continue;
            }

            if (item is YamlMappingNode m)
            {
                foreach ((string k, YamlNode keyNode, YamlNode v) in yaml.Entries(m, where))
                {
                    if (SelectorRe().Match(k) is { Success: true } sel)
                    {
                        string selector = sel.Groups[1].Value;
                        if (selector is not ("win" or "unix" or "linux" or "osx") && !Platform.TryParse(selector, out _))
                        {
                            throw yaml.Error(keyNode, $"{where}.{k}", "is not a known selector (win, unix, linux, osx or a platform such as linux-64)");
                        }

                        selected.Add(new(selector, CheckSpec(yaml, v, $"{where}.{k}")));
                        continue;
                    }

                    if (k != "pip")
                    {
                        throw yaml.Error(keyNode, $"{where}.{k}", "is not a valid dependency section; only 'pip' may hold a list");
                    }

                    pip ??= new List<string>();
                    ReadList(yaml, v, $"{where}.pip", pip, s => s);
                }

                continue;
            }

            dependencies.Add(CheckSpec(yaml, item, where));
        }

        return pip;
    }

    private static string CheckSpec(EnvFileYaml yaml, YamlNode item, string where)
    {
        string text = (yaml.Scalar(item, where) ?? throw yaml.Error(item, where, "must not be empty")).Trim();
        try
        {
            MatchSpec.Parse(text);
        }
        catch (InvalidSpecException ex)
        {
            throw new InvalidEnvironmentFileException(yaml.File, EnvFileYaml.Line(item), where, $"'{text}' is not a valid MatchSpec: {ex.Reason}", ex);
        }

        return text;
    }

    private static void ReadList(EnvFileYaml yaml, YamlNode value, string key, List<string> into, Func<string, string?> convert, string invalid = "is not valid")
    {
        IReadOnlyList<YamlNode> items = yaml.Seq(value, key);
        for (int i = 0; i < items.Count; i++)
        {
            if (EnvFileYaml.IsNull(items[i]))
            {
                continue;
            }

            string text = yaml.Scalar(items[i], $"{key}[{i}]")!.Trim();
            into.Add(convert(text) ?? throw yaml.Error(items[i], $"{key}[{i}]", $"'{text}' {invalid}"));
        }
    }

    /// <summary>conda's <c>os.path.expandvars</c>: <c>$NAME</c> and <c>${NAME}</c>; a variable that is not set stays as written.</summary>
    internal static string ExpandVariables(string value, Func<string, string?> getVariable) =>
        value.IndexOf('$') < 0 ? value : VariableRe().Replace(value, m =>
        {
            string name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            return getVariable(name) ?? m.Value;
        });

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }

        return d[a.Length, b.Length];
    }

    [GeneratedRegex(@"^sel\((.*)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex SelectorRe();

    [GeneratedRegex(@"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))", RegexOptions.CultureInvariant)]
    private static partial Regex VariableRe();
}
