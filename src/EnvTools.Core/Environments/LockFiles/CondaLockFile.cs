using System.Security.Cryptography;
using System.Text;
using EnvTools.Conda;
using EnvTools.IO;
using YamlDotNet.RepresentationModel;

namespace EnvTools.Environments;

/// <summary>One entry of a conda-lock file's <c>package</c> list: one package for one platform.</summary>
public sealed record CondaLockPackage
{
    /// <summary>The package name.</summary>
    public required string Name { get; init; }

    /// <summary>The version.</summary>
    public required string Version { get; init; }

    /// <summary><c>conda</c> or <c>pip</c>.</summary>
    public required string Manager { get; init; }

    /// <summary>The platform (subdir) this entry is locked for.</summary>
    public required string Platform { get; init; }

    /// <summary>Dependency name → version constraint (empty or <c>*</c> for any), as locked.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Dependencies { get; init; } = Array.Empty<KeyValuePair<string, string>>();

    /// <summary>The archive's URL (for pip: a wheel, sdist or VCS URL).</summary>
    public required string Url { get; init; }

    /// <summary>The MD5, or null.</summary>
    public string? Md5 { get; init; }

    /// <summary>The SHA-256, or null.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The category (<c>main</c> unless the lock says otherwise).</summary>
    public string Category { get; init; } = "main";

    /// <summary>Whether the package is optional (in a category other than main).</summary>
    public bool Optional { get; init; }

    /// <summary>The 1-based line of the entry in the file.</summary>
    public int Line { get; init; }

    /// <summary>The conda record: name and version from the entry, build and subdir from the URL, depends from the
    /// dependencies, the hashes from <c>hash</c>.</summary>
    /// <exception cref="InvalidOperationException">A pip entry.</exception>
    public RepoDataRecord ToRecord()
    {
        if (Manager != "conda")
        {
            throw new InvalidOperationException($"{Name} is a {Manager} package, not a conda one");
        }

        var pkg = new ExplicitPackage(Url, Md5, Sha256, Line);
        RepoDataRecord r = pkg.ToRecord();
        return new RepoDataRecord(r)
        {
            FileName = r.FileName,
            Url = r.Url,
            Channel = r.Channel,
            Version = Version,
            Depends = Dependencies.Select(d => d.Value is "" or "*" ? d.Key : $"{d.Key} {d.Value}").ToArray(),
        };
    }
}

/// <summary>
/// A conda-lock file (<c>conda-lock.yml</c>, format version 1 as standardised by CEP-37, and the older files without a
/// <c>version</c> key): <c>metadata</c> (platforms, channels, content_hash, sources) and a <c>package</c> list with one
/// entry per package and platform (<c>conda</c> and <c>pip</c> managers). The conda packages of one platform install
/// exactly, without a solve; the pip ones after them.
/// </summary>
public sealed class CondaLockFile
{
    /// <summary>The file read, or null for text parsed from memory or a lock built in code.</summary>
    public string? FilePath { get; init; }

    /// <summary>The format version: 1 (conda-lock), or 2 and 3 (rattler's variants: dependency lists, <c>pypi</c> manager).</summary>
    public int Version { get; init; } = 1;

    /// <summary>The platforms the lock covers.</summary>
    public IReadOnlyList<string> Platforms { get; init; } = Array.Empty<string>();

    /// <summary>The channels (<c>metadata.channels[].url</c>), priority order.</summary>
    public IReadOnlyList<string> Channels { get; init; } = Array.Empty<string>();

    /// <summary>Platform → the hash of the inputs that were locked.</summary>
    public IReadOnlyDictionary<string, string> ContentHash { get; init; } = new Dictionary<string, string>();

    /// <summary>The files the lock was made from.</summary>
    public IReadOnlyList<string> Sources { get; init; } = Array.Empty<string>();

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<CondaLockPackage> Packages { get; init; } = Array.Empty<CondaLockPackage>();

    /// <summary>Whether YAML text looks like a lock file: a top-level <c>package:</c>, <c>metadata:</c> or <c>version:</c> key
    /// (none of which an environment.yml has).</summary>
    public static bool LooksLike(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split('\n').Any(l => l.StartsWith("metadata:", StringComparison.Ordinal) || l.StartsWith("package:", StringComparison.Ordinal)
                                          || l.StartsWith("version:", StringComparison.Ordinal));
    }

    /// <summary>Reads a file.</summary>
    /// <exception cref="InvalidEnvironmentFileException">The file is not a valid conda-lock file.</exception>
    public static CondaLockFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CondaLockFile f = Parse(EnvironmentFile.ReadText(path), path);
        return new CondaLockFile
        {
            FilePath = Path.GetFullPath(path), Version = f.Version, Platforms = f.Platforms, Channels = f.Channels,
            ContentHash = f.ContentHash, Sources = f.Sources, Packages = f.Packages,
        };
    }

    /// <summary>Parses conda-lock text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidEnvironmentFileException">The text is not a valid conda-lock file.</exception>
    public static CondaLockFile Parse(string text, string source = "conda-lock.yml")
    {
        ArgumentNullException.ThrowIfNull(text);
        var yaml = new EnvFileYaml(source);
        YamlNode root = yaml.Load(text) ?? throw new InvalidEnvironmentFileException(source, 0, null, "is empty");
        YamlMappingNode map = yaml.Map(root, "(top level)");
        int version = 1;
        YamlMappingNode? metadata = null;
        YamlNode? packageNode = null;
        foreach ((string key, YamlNode keyNode, YamlNode value) in yaml.Entries(map, null))
        {
            switch (key)
            {
                case "version":
                    string v = yaml.RequiredScalar(value, key);
                    if (v is not ("1" or "2" or "3"))
                    {
                        throw yaml.Error(value, key, $"'{v}' is not a supported conda-lock version (1, or rattler's 2 and 3; pixi lock files are 4 and up)");
                    }

                    version = v[0] - '0';

                    break;
                case "metadata":
                    metadata = yaml.Map(value, key);
                    break;
                case "package":
                    packageNode = value;
                    break;
                default:
                    throw yaml.Error(keyNode, key, "is not a conda-lock key (version, metadata, package)");
            }
        }

        if (packageNode is null)
        {
            throw yaml.Error(map, "package", "is missing");
        }

        var packages = new List<CondaLockPackage>();
        IReadOnlyList<YamlNode> items = yaml.Seq(packageNode, "package");
        for (int i = 0; i < items.Count; i++)
        {
            packages.Add(ReadPackage(yaml, yaml.Map(items[i], $"package[{i}]"), $"package[{i}]"));
        }

        if (metadata is null)
        {
            throw yaml.Error(map, "metadata", "is missing");
        }

        var platforms = new List<string>();
        var channels = new List<string>();
        var sources = new List<string>();
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string key, YamlNode _, YamlNode value) in yaml.Entries(metadata, "metadata"))
        {
            string where = $"metadata.{key}";
            switch (key)
            {
                case "platforms":
                    foreach (YamlNode p in yaml.Seq(value, where))
                    {
                        string name = yaml.RequiredScalar(p, where);
                        platforms.Add(Platform.TryParse(name, out _) ? name : throw yaml.Error(p, where, $"'{name}' is not a conda platform"));
                    }

                    break;
                case "channels":
                    foreach (YamlNode c in yaml.Seq(value, where))
                    {
                        YamlMappingNode cm = yaml.Map(c, where);
                        string? url = null;
                        foreach ((string ck, YamlNode _, YamlNode cv) in yaml.Entries(cm, where))
                        {
                            if (ck == "url")
                            {
                                url = yaml.RequiredScalar(cv, $"{where}.url");
                            }
                        }

                        channels.Add(url ?? throw yaml.Error(c, $"{where}.url", "is missing"));
                    }

                    break;
                case "content_hash":
                    foreach ((string hk, YamlNode _, YamlNode hv) in yaml.Entries(yaml.Map(value, where), where))
                    {
                        hashes[hk] = yaml.Scalar(hv, $"{where}.{hk}") ?? string.Empty;
                    }

                    break;
                case "sources":
                    foreach (YamlNode s in yaml.Seq(value, where))
                    {
                        sources.Add(yaml.Scalar(s, where) ?? string.Empty);
                    }

                    break;
                default:
                    break; // time_metadata, git_metadata, inputs_metadata, custom_metadata: informational
            }
        }

        return new CondaLockFile { Version = version, Platforms = platforms, Channels = channels, ContentHash = hashes, Sources = sources, Packages = packages };
    }

    /// <summary>The conda records of one platform in the given categories (<c>main</c> only by default), in file order.</summary>
    /// <exception cref="InvalidEnvironmentFileException">The lock does not cover the platform.</exception>
    public IReadOnlyList<RepoDataRecord> RecordsFor(string platform, IReadOnlyCollection<string>? categories = null)
    {
        CheckPlatform(platform);
        return Select(platform, "conda", categories).Select(p => p.ToRecord()).ToArray();
    }

    /// <summary>The pip entries of one platform in the given categories (<c>main</c> only by default).</summary>
    public IReadOnlyList<CondaLockPackage> PipPackagesFor(string platform, IReadOnlyCollection<string>? categories = null)
    {
        CheckPlatform(platform);
        return Select(platform, "pip", categories).ToArray();
    }

    /// <summary>
    /// Writes a version-1 conda-lock file: for each platform its records (conda packages, install order), with
    /// dependencies, URL and hashes; tokens and passwords are stripped from every URL. <c>content_hash</c> is the SHA-256
    /// of the platform's channels and sorted package URLs.
    /// </summary>
    /// <param name="channels">The channels (names or URLs), priority order.</param>
    /// <param name="records">Platform → its packages.</param>
    /// <param name="sources">What the lock was made from (an environment name or file).</param>
    public static string Write(IReadOnlyList<string> channels, IReadOnlyList<KeyValuePair<string, IReadOnlyList<RepoDataRecord>>> records, IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(sources);
        var sb = new StringBuilder();
        sb.Append("# conda-lock v1 lock file (CEP-37), written by EnvTools.\n");
        sb.Append("# Install one platform with: New-Env <env> -File <this file>  (or: conda-lock install -n <env> <this file>)\n");
        sb.Append("version: 1\nmetadata:\n  content_hash:\n");
        foreach (KeyValuePair<string, IReadOnlyList<RepoDataRecord>> p in records)
        {
            string input = string.Join('\n', channels.Select(ExplicitFile.StripCredentials)) + "\n" +
                           string.Join('\n', p.Value.Select(r => ExplicitFile.StripCredentials(r.Url)).Order(StringComparer.Ordinal));
            string hash = Checksums.HexOf(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(input));
            sb.Append("    ").Append(EnvFileYaml.Quote(p.Key)).Append(": ").Append(hash).Append('\n');
        }

        sb.Append("  channels:\n");
        foreach (string c in channels)
        {
            sb.Append("    - url: ").Append(EnvFileYaml.Quote(ExplicitFile.StripCredentials(c))).Append("\n      used_env_vars: []\n");
        }

        sb.Append("  platforms:\n");
        foreach (KeyValuePair<string, IReadOnlyList<RepoDataRecord>> p in records)
        {
            sb.Append("    - ").Append(EnvFileYaml.Quote(p.Key)).Append('\n');
        }

        sb.Append("  sources:\n");
        foreach (string s in sources)
        {
            sb.Append("    - ").Append(EnvFileYaml.Quote(s)).Append('\n');
        }

        sb.Append("package:\n");
        foreach (KeyValuePair<string, IReadOnlyList<RepoDataRecord>> p in records)
        {
            foreach (RepoDataRecord r in p.Value)
            {
                sb.Append("  - name: ").Append(EnvFileYaml.Quote(r.Name)).Append('\n');
                sb.Append("    version: ").Append(EnvFileYaml.Quote(r.Version)).Append('\n');
                sb.Append("    manager: conda\n");
                sb.Append("    platform: ").Append(EnvFileYaml.Quote(p.Key)).Append('\n');
                var deps = r.Depends.Select(SplitDependency).Where(d => d.Name.Length > 0).DistinctBy(d => d.Name).ToArray();
                if (deps.Length == 0)
                {
                    sb.Append("    dependencies: {}\n");
                }
                else
                {
                    sb.Append("    dependencies:\n");
                    foreach ((string name, string constraint) in deps)
                    {
                        sb.Append("      ").Append(EnvFileYaml.Quote(name)).Append(": ").Append(EnvFileYaml.Quote(constraint)).Append('\n');
                    }
                }

                sb.Append("    url: ").Append(EnvFileYaml.Quote(ExplicitFile.StripCredentials(r.Url))).Append('\n');
                sb.Append("    hash:\n");
                if (r.Md5 is { Length: > 0 } md5)
                {
                    sb.Append("      md5: ").Append(md5.ToLowerInvariant()).Append('\n');
                }

                if (r.Sha256 is { Length: > 0 } sha)
                {
                    sb.Append("      sha256: ").Append(sha.ToLowerInvariant()).Append('\n');
                }

                sb.Append("    category: main\n    optional: false\n");
            }
        }

        return sb.ToString();
    }

    private void CheckPlatform(string platform)
    {
        if (!Platforms.Contains(platform, StringComparer.Ordinal))
        {
            throw new InvalidEnvironmentFileException(FilePath ?? "conda-lock.yml", 0, "metadata.platforms",
                $"the lock covers {string.Join(", ", Platforms)}, not {platform}");
        }
    }

    private IEnumerable<CondaLockPackage> Select(string platform, string manager, IReadOnlyCollection<string>? categories)
    {
        categories ??= new[] { "main" };
        return Packages.Where(p => p.Platform == platform && p.Manager == manager && categories.Contains(p.Category));
    }

    private static (string Name, string Constraint) SplitDependency(string dep)
    {
        string d = dep.Trim();
        int space = d.IndexOf(' ');
        return space < 0 ? (d, "*") : (d[..space], d[(space + 1)..].Trim());
    }

    private static CondaLockPackage ReadPackage(EnvFileYaml yaml, YamlMappingNode m, string where)
    {
        var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach ((string key, YamlNode _, YamlNode value) in yaml.Entries(m, where))
        {
            values[key] = value; // other keys (constrains, build, subdir, size, timestamp …) are informational
        }

        string Required(string key) => values.TryGetValue(key, out YamlNode? n)
            ? yaml.RequiredScalar(n, $"{where}.{key}")
            : throw yaml.Error(m, $"{where}.{key}", "is missing");

        string name = Required("name");
        string version = Required("version");
        string manager = Required("manager");
        if (manager == "pypi")
        {
            manager = "pip"; // rattler's format 3 calls pip pypi
        }
        else if (manager is not ("conda" or "pip"))
        {
            throw yaml.Error(values["manager"], $"{where}.manager", $"'{manager}' is not conda or pip");
        }

        string platform = Required("platform");
        string url = Required("url");
        if (!values.TryGetValue("hash", out YamlNode? hashNode) && manager == "conda")
        {
            throw yaml.Error(m, $"{where}.hash", "is missing");
        }

        string? md5 = null, sha256 = null;
        foreach ((string hk, YamlNode _, YamlNode hv) in hashNode is null ? Enumerable.Empty<(string, YamlNode, YamlNode)>() : yaml.Entries(yaml.Map(hashNode, $"{where}.hash"), $"{where}.hash"))
        {
            string h = yaml.RequiredScalar(hv, $"{where}.hash.{hk}");
            if (hk == "md5")
            {
                md5 = h;
            }
            else if (hk == "sha256")
            {
                sha256 = h;
            }
        }

        if (md5 is null && sha256 is null && hashNode is not null)
        {
            throw yaml.Error(hashNode, $"{where}.hash", "needs md5 or sha256");
        }

        var deps = new List<KeyValuePair<string, string>>();
        if (values.TryGetValue("dependencies", out YamlNode? depNode) && !EnvFileYaml.IsNull(depNode))
        {
            if (depNode is YamlSequenceNode)
            {
                // rattler's formats 2 and 3: a list of MatchSpecs
                foreach (YamlNode dn in yaml.Seq(depNode, $"{where}.dependencies"))
                {
                    (string dName, string dConstraint) = SplitDependency(yaml.RequiredScalar(dn, $"{where}.dependencies"));
                    deps.Add(new(dName, dConstraint == "*" ? string.Empty : dConstraint));
                }
            }
            else
            {
                foreach ((string dk, YamlNode _, YamlNode dv) in yaml.Entries(yaml.Map(depNode, $"{where}.dependencies"), $"{where}.dependencies"))
                {
                    deps.Add(new(dk, yaml.Scalar(dv, $"{where}.dependencies.{dk}") ?? string.Empty));
                }
            }
        }

        bool optional = false;
        if (values.TryGetValue("optional", out YamlNode? optNode))
        {
            string o = yaml.RequiredScalar(optNode, $"{where}.optional");
            optional = o.ToLowerInvariant() switch
            {
                "true" => true,
                "false" => false,
                _ => throw yaml.Error(optNode, $"{where}.optional", $"'{o}' is not true or false"),
            };
        }

        if (manager == "conda")
        {
            string fileName = Uri.UnescapeDataString(url[(url.LastIndexOf('/') + 1)..]);
            if (ArchiveName.Split(fileName) is null)
            {
                throw yaml.Error(values["url"], $"{where}.url", $"'{fileName}' is not a conda package archive");
            }
        }

        return new CondaLockPackage
        {
            Name = name,
            Version = version,
            Manager = manager,
            Platform = platform,
            Dependencies = deps,
            Url = url,
            Md5 = md5?.ToLowerInvariant(),
            Sha256 = sha256?.ToLowerInvariant(),
            Category = values.TryGetValue("category", out YamlNode? cat) ? yaml.Scalar(cat, $"{where}.category") ?? "main" : "main",
            Optional = optional,
            Line = EnvFileYaml.Line(m),
        };
    }
}
