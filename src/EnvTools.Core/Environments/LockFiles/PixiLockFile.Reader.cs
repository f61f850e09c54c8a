using System.Globalization;
using EnvTools.Conda;
using YamlDotNet.RepresentationModel;

namespace EnvTools.Environments;

/// <summary>The reading half of <see cref="PixiLockFile"/>: format detection, <see cref="Load"/>, <see cref="Parse"/> and the YAML reader.</summary>
public sealed partial class PixiLockFile
{
    private static readonly string[] PackageKinds = ["conda", "conda_source", "pypi"];

    /// <summary>The format version of YAML text when it has a top-level integer <c>version:</c>, else null.</summary>
    public static int? ReadVersion(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (string raw in text.Split('\n'))
        {
            if (raw.StartsWith("version:", StringComparison.Ordinal))
            {
                string v = raw["version:".Length..].Trim().Trim('"', '\'');
                int hash = v.IndexOf(" #", StringComparison.Ordinal);
                v = hash >= 0 ? v[..hash].Trim() : v;
                return int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n : null;
            }
        }

        return null;
    }

    /// <summary>Whether YAML text is a pixi lock file: a top-level <c>environments:</c> key, or a <c>version:</c> of 4 or
    /// more (a newer format than any conda-lock file, so that it fails with an unsupported-version error).</summary>
    public static bool LooksLike(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ReadVersion(text) >= MinVersion || text.Split('\n').Any(l => l.StartsWith("environments:", StringComparison.Ordinal));
    }

    /// <summary>Reads a file.</summary>
    /// <exception cref="InvalidEnvironmentFileException">The file is not a valid pixi lock file.</exception>
    public static PixiLockFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = EnvironmentFile.FullPath(path);
        PixiLockFile f = Parse(EnvironmentFile.ReadText(full), full, Path.GetDirectoryName(full));
        return new PixiLockFile { FilePath = full, Version = f.Version, Platforms = f.Platforms, Environments = f.Environments, Packages = f.Packages };
    }

    /// <summary>Parses pixi lock text; <paramref name="source"/> names it in errors, relative package paths resolve
    /// against <paramref name="baseDirectory"/> (the current folder when null).</summary>
    /// <exception cref="InvalidEnvironmentFileException">The text is not a valid pixi lock file, or a newer format.</exception>
    public static PixiLockFile Parse(string text, string source = "pixi.lock", string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var yaml = new EnvFileYaml(source);
        YamlNode root = yaml.Load(text) ?? throw new InvalidEnvironmentFileException(source, 0, null, "is empty");
        YamlMappingNode map = yaml.Map(root, "(top level)");
        var top = new Dictionary<string, (YamlNode Key, YamlNode Value)>(StringComparer.Ordinal);
        foreach ((string key, YamlNode keyNode, YamlNode value) in yaml.Entries(map, null))
        {
            top[key] = (keyNode, value);
        }

        if (!top.TryGetValue("version", out var versionEntry))
        {
            throw yaml.Error(map, "version", "is missing: a pixi lock file starts with its format version");
        }

        string vText = yaml.RequiredScalar(versionEntry.Value, "version");
        if (!int.TryParse(vText, NumberStyles.None, CultureInfo.InvariantCulture, out int version))
        {
            throw yaml.Error(versionEntry.Value, "version", $"'{vText}' is not an integer");
        }

        if (version > MaxVersion)
        {
            throw yaml.Error(versionEntry.Value, "version",
                $"lock file format version {version} is not supported: EnvTools reads pixi lock files up to version {MaxVersion} (a newer pixi wrote this file)");
        }

        if (version < MinVersion)
        {
            throw yaml.Error(versionEntry.Value, "version", $"format version {version} is a conda-lock file, not a pixi lock file (versions {MinVersion}-{MaxVersion})");
        }

        foreach ((string key, (YamlNode keyNode, YamlNode _)) in top)
        {
            if (key is not ("version" or "environments" or "packages" or "platforms"))
            {
                throw yaml.Error(keyNode, key, "is not a pixi lock file key (version, platforms, environments, packages)");
            }
        }

        var reader = new Reader(yaml, version, baseDirectory ?? Directory.GetCurrentDirectory());
        List<PixiLockPlatform>? platforms = null;
        if (top.TryGetValue("platforms", out var platformsEntry))
        {
            if (version < 7)
            {
                throw yaml.Error(platformsEntry.Key, "platforms", $"was not part of lock file format version {version} (only 7)");
            }

            platforms = reader.ReadPlatforms(platformsEntry.Value);
        }
        else if (version >= 7)
        {
            throw yaml.Error(map, "platforms", "is missing (format 7 lists its platforms)");
        }

        if (!top.TryGetValue("packages", out var packagesEntry))
        {
            throw yaml.Error(map, "packages", "is missing");
        }

        reader.ReadPackages(packagesEntry.Value);
        if (!top.TryGetValue("environments", out var environmentsEntry))
        {
            throw yaml.Error(map, "environments", "is missing");
        }

        List<PixiLockEnvironment> environments = reader.ReadEnvironments(environmentsEntry.Value, platforms);
        if (platforms is null)
        {
            platforms = environments.SelectMany(e => e.Packages.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(p => new PixiLockPlatform(p, p, Array.Empty<string>())).ToList();
        }

        return new PixiLockFile { Version = version, Platforms = platforms, Environments = environments, Packages = reader.Packages };
    }

    private sealed class Reader
    {
        private readonly EnvFileYaml _yaml;
        private readonly int _version;
        private readonly string _baseDirectory;
        private readonly Dictionary<string, List<PixiLockPackage>> _byLocation = new(StringComparer.Ordinal);

        internal Reader(EnvFileYaml yaml, int version, string baseDirectory)
        {
            _yaml = yaml;
            _version = version;
            _baseDirectory = baseDirectory;
        }

        internal List<PixiLockPackage> Packages { get; } = new();

        internal List<PixiLockPlatform> ReadPlatforms(YamlNode node)
        {
            var platforms = new List<PixiLockPlatform>();
            IReadOnlyList<YamlNode> items = _yaml.Seq(node, "platforms");
            for (int i = 0; i < items.Count; i++)
            {
                string where = $"platforms[{i}]";
                YamlMappingNode m = _yaml.Map(items[i], where);
                string? name = null, subdir = null;
                var virtuals = new List<string>();
                foreach ((string key, YamlNode keyNode, YamlNode value) in _yaml.Entries(m, where))
                {
                    switch (key)
                    {
                        case "name":
                            name = _yaml.RequiredScalar(value, $"{where}.name");
                            break;
                        case "subdir":
                            subdir = _yaml.RequiredScalar(value, $"{where}.subdir");
                            if (!Platform.TryParse(subdir, out _))
                            {
                                throw _yaml.Error(value, $"{where}.subdir", $"'{subdir}' is not a known conda platform (subdir)");
                            }

                            break;
                        case "virtual-packages":
                            virtuals.AddRange(_yaml.Seq(value, $"{where}.virtual-packages").Select(v => _yaml.RequiredScalar(v, $"{where}.virtual-packages")));
                            break;
                        default:
                            throw _yaml.Error(keyNode, $"{where}.{key}", "is not a platform key (name, subdir, virtual-packages)");
                    }
                }

                if (name is null)
                {
                    throw _yaml.Error(m, $"{where}.name", "is missing");
                }

                if (!name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-'))
                {
                    throw _yaml.Error(m, $"{where}.name", $"'{name}' is not a valid platform name (letters, digits, '_' and '-' only)");
                }

                if (platforms.Any(p => p.Name == name))
                {
                    throw _yaml.Error(m, $"{where}.name", $"duplicate platform name '{name}'");
                }

                if (subdir is null && !Platform.TryParse(name, out _))
                {
                    throw _yaml.Error(m, $"{where}.subdir", $"is missing, and the name '{name}' is not a conda platform");
                }

                platforms.Add(new PixiLockPlatform(name, subdir ?? name, virtuals));
            }

            return platforms;
        }

        internal void ReadPackages(YamlNode node)
        {
            IReadOnlyList<YamlNode> items = _yaml.Seq(node, "packages");
            for (int i = 0; i < items.Count; i++)
            {
                PixiLockPackage p = ReadPackage(_yaml.Map(items[i], $"packages[{i}]"), $"packages[{i}]");
                Packages.Add(p);
                if (!_byLocation.TryGetValue(p.Location, out List<PixiLockPackage>? list))
                {
                    _byLocation[p.Location] = list = new List<PixiLockPackage>(1);
                }

                list.Add(p);
            }
        }

        internal List<PixiLockEnvironment> ReadEnvironments(YamlNode node, List<PixiLockPlatform>? platforms)
        {
            var environments = new List<PixiLockEnvironment>();
            foreach ((string name, YamlNode _, YamlNode value) in _yaml.Entries(_yaml.Map(node, "environments"), "environments"))
            {
                string where = $"environments.{name}";
                var channels = new List<string>();
                var indexes = new List<string>();
                var findLinks = new List<string>();
                var options = new Dictionary<string, string>(StringComparer.Ordinal);
                var packages = new Dictionary<string, IReadOnlyList<PixiLockPackage>>(StringComparer.Ordinal);
                YamlMappingNode env = _yaml.Map(value, where);
                YamlNode? packagesNode = null;
                foreach ((string key, YamlNode keyNode, YamlNode v) in _yaml.Entries(env, where))
                {
                    string w = $"{where}.{key}";
                    switch (key)
                    {
                        case "channels":
                            foreach (YamlNode c in _yaml.Seq(v, w))
                            {
                                channels.Add(c is YamlMappingNode cm
                                    ? _yaml.Entries(cm, w).Where(e => e.Key == "url").Select(e => _yaml.RequiredScalar(e.Value, $"{w}.url")).FirstOrDefault()
                                      ?? throw _yaml.Error(c, $"{w}.url", "is missing")
                                    : _yaml.RequiredScalar(c, w));
                            }

                            break;
                        case "indexes":
                            indexes.AddRange(_yaml.Seq(v, w).Select(x => _yaml.RequiredScalar(x, w)));
                            break;
                        case "find-links":
                            foreach (YamlNode f in _yaml.Seq(v, w))
                            {
                                findLinks.Add(f is YamlMappingNode fm
                                    ? _yaml.Entries(fm, w).Where(e => e.Key is "url" or "path").Select(e => _yaml.RequiredScalar(e.Value, $"{w}.{e.Key}")).FirstOrDefault()
                                      ?? throw _yaml.Error(f, w, "needs a url or a path")
                                    : _yaml.RequiredScalar(f, w));
                            }

                            break;
                        case "options":
                            foreach ((string ok, YamlNode _, YamlNode ov) in _yaml.Entries(_yaml.Map(v, w), w))
                            {
                                options[ok] = _yaml.Scalar(ov, $"{w}.{ok}") ?? string.Empty;
                            }

                            break;
                        case "packages":
                            packagesNode = v;
                            break;
                        default:
                            throw _yaml.Error(keyNode, w, "is not an environment key (channels, indexes, find-links, options, packages)");
                    }
                }

                if (packagesNode is null)
                {
                    throw _yaml.Error(env, $"{where}.packages", "is missing");
                }

                if (!EnvFileYaml.IsNull(packagesNode))
                {
                    foreach ((string platform, YamlNode platformKey, YamlNode list) in _yaml.Entries(_yaml.Map(packagesNode, $"{where}.packages"), $"{where}.packages"))
                    {
                        string w = $"{where}.packages.{platform}";
                        PixiLockPlatform p = platforms is null
                            ? Platform.TryParse(platform, out _) ? new PixiLockPlatform(platform, platform, Array.Empty<string>())
                                : throw _yaml.Error(platformKey, w, $"'{platform}' is not a conda platform")
                            : platforms.FirstOrDefault(x => x.Name == platform)
                              ?? throw _yaml.Error(platformKey, w, $"environment '{name}' uses the platform '{platform}', which the platforms list does not register");
                        IReadOnlyList<YamlNode> selectors = _yaml.Seq(list, w);
                        var resolved = new List<PixiLockPackage>(selectors.Count);
                        for (int i = 0; i < selectors.Count; i++)
                        {
                            resolved.Add(Resolve(_yaml.Map(selectors[i], $"{w}[{i}]"), $"{w}[{i}]", name, p));
                        }

                        packages[platform] = resolved;
                    }
                }

                environments.Add(new PixiLockEnvironment
                {
                    Name = name, Channels = channels, Indexes = indexes, FindLinks = findLinks, Options = options, Packages = packages,
                });
            }

            return environments;
        }

        // An environment's reference to a package of the packages list: {conda: loc [, name, version, build, subdir]},
        // {conda_source: id} (format 7) or {pypi: loc [, extras]}.
        private PixiLockPackage Resolve(YamlMappingNode m, string where, string environment, PixiLockPlatform platform)
        {
            string? kind = null, location = null;
            var filters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach ((string key, YamlNode _, YamlNode value) in _yaml.Entries(m, where))
            {
                switch (key)
                {
                    case "conda" or "pypi" or "conda_source" when kind is null:
                        kind = key;
                        location = _yaml.RequiredScalar(value, $"{where}.{key}");
                        break;
                    case "conda" or "pypi" or "conda_source":
                        throw _yaml.Error(value, $"{where}.{key}", $"a package reference has one of conda, conda_source or pypi, and this one also has {kind}");
                    case "name" or "version" or "build" or "subdir":
                        filters[key] = _yaml.RequiredScalar(value, $"{where}.{key}");
                        break;
                    default:
                        break; // extras, variants, dev: not needed to tell binary packages apart
                }
            }

            if (kind is null || location is null)
            {
                throw _yaml.Error(m, where, "needs a conda, conda_source or pypi key");
            }

            string wanted = kind == "pypi" ? "PyPI" : "conda";
            IEnumerable<PixiLockPackage> candidates = _byLocation.TryGetValue(location, out List<PixiLockPackage>? found) ? found : Enumerable.Empty<PixiLockPackage>();
            candidates = kind == "pypi" ? candidates.OfType<PixiPypiPackage>() : candidates.OfType<PixiCondaPackage>();
            if (kind != "pypi")
            {
                candidates = candidates.Cast<PixiCondaPackage>().Where(c =>
                    (!filters.TryGetValue("name", out string? n) || c.Name == n)
                    && (!filters.TryGetValue("version", out string? v) || c.Record.Version == v)
                    && (!filters.TryGetValue("build", out string? b) || c.Record.Build == b)
                    && (!filters.TryGetValue("subdir", out string? s) || c.Record.Subdir == s)
                    && (c.IsSource || _version < 7 || c.Record.Subdir is null || c.Record.Subdir == platform.Subdir || c.Record.Subdir == "noarch"));
            }

            return candidates.FirstOrDefault()
                ?? throw _yaml.Error(m, where, $"environment '{environment}', platform '{platform.Name}' refers to a {wanted} package that is not in the packages list: {location}");
        }

        private PixiLockPackage ReadPackage(YamlMappingNode m, string where)
        {
            var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach ((string key, YamlNode _, YamlNode value) in _yaml.Entries(m, where))
            {
                values[key] = value;
            }

            string? Get(string key) => values.TryGetValue(key, out YamlNode? n) ? _yaml.Scalar(n, $"{where}.{key}") : null;

            string kind;
            string location;
            if (_version <= 5)
            {
                kind = Get("kind") ?? throw _yaml.Error(m, $"{where}.kind", "is missing (conda or pypi)");
                if (kind is not ("conda" or "pypi"))
                {
                    throw _yaml.Error(values["kind"], $"{where}.kind", $"'{kind}' is not conda or pypi");
                }

                location = Get("url") ?? Get("path") ?? throw _yaml.Error(m, $"{where}.url", "is missing");
            }
            else
            {
                string[] keys = PackageKinds.Where(values.ContainsKey).ToArray();
                if (keys.Length != 1)
                {
                    throw _yaml.Error(m, where, keys.Length == 0 ? "needs a conda or pypi key" : $"has both {keys[0]} and {keys[1]}");
                }

                kind = keys[0];
                if (kind == "conda_source" && _version < 7)
                {
                    throw _yaml.Error(values[kind], $"{where}.conda_source", $"is not part of lock file format version {_version} (only 7)");
                }

                location = _yaml.RequiredScalar(values[kind], $"{where}.{kind}");
            }

            int line = EnvFileYaml.Line(m);
            return kind == "pypi" ? ReadPypi(values, Get, location, where, line) : ReadConda(values, Get, kind == "conda_source", location, where, line);
        }

        private PixiPypiPackage ReadPypi(Dictionary<string, YamlNode> values, Func<string, string?> get, string location, string where, int line)
        {
            string name = get("name") ?? throw _yaml.Error(values.Values.First(), $"{where}.name", "is missing");
            string? sha256 = get("sha256"), md5 = get("md5");
            if (values.TryGetValue("hash", out YamlNode? hashNode))
            {
                foreach ((string hk, YamlNode _, YamlNode hv) in _yaml.Entries(_yaml.Map(hashNode, $"{where}.hash"), $"{where}.hash"))
                {
                    if (hk == "sha256")
                    {
                        sha256 = _yaml.RequiredScalar(hv, $"{where}.hash.sha256");
                    }
                    else if (hk == "md5")
                    {
                        md5 = _yaml.RequiredScalar(hv, $"{where}.hash.md5");
                    }
                }
            }

            return new PixiPypiPackage
            {
                Location = location,
                Name = name,
                Version = get("version"),
                Sha256 = sha256?.ToLowerInvariant(),
                Md5 = md5?.ToLowerInvariant(),
                RequiresDist = values.TryGetValue("requires_dist", out YamlNode? rd) ? StringList(rd, $"{where}.requires_dist") : Array.Empty<string>(),
                RequiresPython = get("requires_python"),
                Editable = get("editable") is { } e && e.Equals("true", StringComparison.OrdinalIgnoreCase),
                Line = line,
            };
        }

        private PixiCondaPackage ReadConda(Dictionary<string, YamlNode> values, Func<string, string?> get, bool source, string location, string where, int line)
        {
            string fileName = location[(location.LastIndexOfAny(['/', '\\']) + 1)..];
            (string Name, string Version, string Build)? derived = source ? null : ArchiveName.Split(Uri.UnescapeDataString(fileName));
            bool isSource = source || derived is null;
            string? name = get("name") ?? derived?.Name;
            if (source && name is null)
            {
                // conda_source: "name[hash] @ location"
                int bracket = location.IndexOfAny(['[', ' ', '@']);
                name = bracket > 0 ? location[..bracket].Trim() : null;
            }

            YamlNode first = values.Values.First();
            if (name is null)
            {
                throw _yaml.Error(first, $"{where}.name", "is missing (and the location is no package archive to take it from)");
            }

            // A source package may be partial (pixi fills in its version when it builds it).
            string version = get("version") ?? derived?.Version ?? (isSource ? string.Empty : throw _yaml.Error(first, $"{where}.version", "is missing"));
            string build = get("build") ?? derived?.Build ?? string.Empty;
            string? subdir = get("subdir");
            string url = location;
            string? channel = isSource ? get("channel") : null;
            if (!isSource)
            {
                if (!IsUrl(location))
                {
                    string full = Path.GetFullPath(Path.Combine(_baseDirectory, location.Replace('\\', Path.DirectorySeparatorChar)));
                    url = new Uri(full).AbsoluteUri;
                }

                string dir = url[..url.LastIndexOf('/')];
                subdir ??= dir[(dir.LastIndexOf('/') + 1)..];
                channel ??= dir;
            }

            if (subdir is not null && !Platform.TryParse(subdir, out _))
            {
                throw _yaml.Error(values.TryGetValue("subdir", out YamlNode? sn) ? sn : first, $"{where}.subdir", $"'{subdir}' is not a conda platform");
            }

            string? md5 = get("md5"), sha256 = get("sha256");
            if (md5 is not null && !IsHex(md5, 32))
            {
                throw _yaml.Error(values["md5"], $"{where}.md5", $"'{md5}' is not an MD5 (32 hex digits)");
            }

            if (sha256 is not null && !IsHex(sha256, 64))
            {
                throw _yaml.Error(values["sha256"], $"{where}.sha256", $"'{sha256}' is not a SHA-256 (64 hex digits)");
            }

            var record = new RepoDataRecord
            {
                Name = name,
                Version = version,
                Build = build,
                BuildNumber = get("build_number") is { } bn
                    ? long.TryParse(bn, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : throw _yaml.Error(values["build_number"], $"{where}.build_number", $"'{bn}' is not a number")
                    : ArchiveName.BuildNumberOf(build),
                Subdir = subdir,
                Depends = values.TryGetValue("depends", out YamlNode? d) ? StringList(d, $"{where}.depends") : Array.Empty<string>(),
                Constrains = values.TryGetValue("constrains", out YamlNode? c) ? StringList(c, $"{where}.constrains") : Array.Empty<string>(),
                TrackFeatures = values.TryGetValue("track_features", out YamlNode? tf) ? OneOrMany(tf, $"{where}.track_features") : Array.Empty<string>(),
                Features = get("features") is { Length: > 0 } feat ? feat.Split(' ', StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>(),
                NoArch = get("noarch") switch { "python" => NoArchKind.Python, "generic" or "true" => NoArchKind.Generic, _ => NoArchKind.None },
                Md5 = md5?.ToLowerInvariant(),
                Sha256 = sha256?.ToLowerInvariant(),
                Size = Long(get("size"), values, "size", where),
                Timestamp = Long(get("timestamp"), values, "timestamp", where),
                License = get("license"),
                LicenseFamily = get("license_family"),
                Arch = get("arch"),
                Platform = get("platform"),
                PythonSitePackagesPath = get("python_site_packages_path"),
                FileName = isSource ? $"{name}-{version}-{build}" : Uri.UnescapeDataString(fileName),
                Url = url,
                Channel = channel,
            };
            return new PixiCondaPackage { Location = location, Name = name, IsSource = isSource, Record = record, Line = line };
        }

        private long? Long(string? text, Dictionary<string, YamlNode> values, string key, string where) =>
            text is null ? null
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n
            : throw _yaml.Error(values[key], $"{where}.{key}", $"'{text}' is not a number");

        private static bool IsHex(string s, int length) => s.Length == length && s.All(char.IsAsciiHexDigit);

        private string[] StringList(YamlNode node, string where) => _yaml.Seq(node, where).Select(x => _yaml.RequiredScalar(x, where)).ToArray();

        private string[] OneOrMany(YamlNode node, string where) =>
            node is YamlSequenceNode ? StringList(node, where) : (_yaml.Scalar(node, where) ?? string.Empty).Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
    }
}
