using System.Collections;
using System.Globalization;
using EnvTools.Solve;
using EnvTools.Conda;

namespace EnvTools.Config;

/// <summary>
/// The effective configuration, merged like conda: call options over <c>CONDA_*</c> environment variables
/// over <c>.condarc</c> files (in <see cref="ConfigSearchPath"/> order, the target environment's last but
/// <c>$CONDARC</c>) over conda's defaults. Immutable; every value knows its source (<see cref="Values"/>).
/// </summary>
public sealed class Settings
{
    /// <summary>conda's <c>default_channels</c> on Linux and macOS.</summary>
    public static readonly IReadOnlyList<string> DefaultChannelsUnix = new[] { "https://repo.anaconda.com/pkgs/main", "https://repo.anaconda.com/pkgs/r" };

    /// <summary>conda's <c>default_channels</c> on Windows.</summary>
    public static readonly IReadOnlyList<string> DefaultChannelsWindows = new[] { "https://repo.anaconda.com/pkgs/main", "https://repo.anaconda.com/pkgs/r", "https://repo.anaconda.com/pkgs/msys2" };

    /// <summary>The call option that makes <c>channels</c> come from the call alone (conda's <c>--override-channels</c>).</summary>
    public const string OverrideChannelsOption = "override_channels";

    private readonly Dictionary<string, ConfigValue> _values;

    private Settings(Dictionary<string, ConfigValue> values, Dictionary<string, object> typed, IReadOnlyList<string> files,
        IReadOnlyList<ConfigValue> unknown, IConfigEnvironment environment)
    {
        _values = values;
        Files = files;
        UnknownKeys = unknown;
        Environment = environment;
        Channels = (IReadOnlyList<string>)typed["channels"];
        DefaultChannels = (IReadOnlyList<string>)typed["default_channels"];
        ChannelAlias = (string)typed["channel_alias"];
        CustomChannels = (IReadOnlyDictionary<string, string>)typed["custom_channels"];
        CustomMultichannels = (IReadOnlyDictionary<string, IReadOnlyList<string>>)typed["custom_multichannels"];
        ChannelPriority = (ChannelPriority)typed["channel_priority"];
        EnvsDirs = (IReadOnlyList<string>)typed["envs_dirs"];
        PkgsDirs = (IReadOnlyList<string>)typed["pkgs_dirs"];
        Offline = (bool)typed["offline"];
        OciInsecureRegistries = (IReadOnlyList<string>)typed["oci_insecure_registries"];
        SslVerify = (SslVerify)typed["ssl_verify"];
        ProxyServers = (IReadOnlyDictionary<string, string>)typed["proxy_servers"];
        S3Options = (IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>)typed["s3_options"];
        RemoteMaxRetries = (int)typed["remote_max_retries"];
        RemoteBackoffFactor = (double)typed["remote_backoff_factor"];
        RemoteConnectTimeoutSecs = (double)typed["remote_connect_timeout_secs"];
        RemoteReadTimeoutSecs = (double)typed["remote_read_timeout_secs"];
        LocalRepodataTtl = (int)typed["local_repodata_ttl"];
        RepodataUseZst = (bool)typed["repodata_use_zst"];
        RepodataUseShards = (bool)typed["repodata_use_shards"];
        PinnedPackages = (IReadOnlyList<string>)typed["pinned_packages"];
        CreateDefaultPackages = (IReadOnlyList<string>)typed["create_default_packages"];
        AlwaysCopy = (bool)typed["always_copy"];
        AlwaysSoftlink = (bool)typed["always_softlink"];
        AllowSoftlinks = (bool)typed["allow_softlinks"];
        AlwaysYes = (bool)typed["always_yes"];
        ChangePs1 = (bool)typed["changeps1"];
        EnvPrompt = (string)typed["env_prompt"];
        Subdir = (string)typed["subdir"] is { Length: > 0 } subdir ? subdir : null;
        OverrideVirtualPackages = (IReadOnlyDictionary<string, string>)typed["override_virtual_packages"];
    }

    #region Settings

    /// <summary><c>channels</c>: the channels searched, highest priority first (<c>defaults</c> when none is configured).</summary>
    public IReadOnlyList<string> Channels { get; }

    /// <summary><c>default_channels</c>: what <c>defaults</c> stands for.</summary>
    public IReadOnlyList<string> DefaultChannels { get; }

    /// <summary><c>channel_alias</c>: the URL channel names are taken under (no trailing slash).</summary>
    public string ChannelAlias { get; }

    /// <summary><c>custom_channels</c>: channel name → the base URL the channel sits under.</summary>
    public IReadOnlyDictionary<string, string> CustomChannels { get; }

    /// <summary><c>custom_multichannels</c>: name → the channels it stands for.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> CustomMultichannels { get; }

    /// <summary><c>channel_priority</c>: strict, flexible (the default) or disabled.</summary>
    public ChannelPriority ChannelPriority { get; }

    /// <summary><c>envs_dirs</c>: the configured folders (absolute), then <c>~/.conda/envs</c> as conda appends it.</summary>
    public IReadOnlyList<string> EnvsDirs { get; }

    /// <summary><c>pkgs_dirs</c>: the package caches (absolute); <c>~/.conda/pkgs</c> when none is configured.</summary>
    public IReadOnlyList<string> PkgsDirs { get; }

    /// <summary><c>offline</c>: use only cached and local data.</summary>
    public bool Offline { get; }

    /// <summary>
    /// <c>oci_insecure_registries</c>: the OCI registries (<c>HOST:PORT</c>, or <c>HOST</c> for every port) that <c>oci://</c>
    /// channels reach over plain HTTP; every other registry is spoken to over HTTPS.
    /// </summary>
    public IReadOnlyList<string> OciInsecureRegistries { get; }

    /// <summary><c>ssl_verify</c>: verification on or off, or a CA bundle path, or <c>truststore</c>.</summary>
    public SslVerify SslVerify { get; }

    /// <summary><c>proxy_servers</c>: scheme (or <c>scheme://host</c>) → proxy URL. May hold credentials: never print it.</summary>
    public IReadOnlyDictionary<string, string> ProxyServers { get; }

    /// <summary>
    /// <c>s3_options</c>: bucket → <c>endpoint_url</c>, <c>region</c>, <c>force_path_style</c> (<c>true</c>/<c>false</c>) for
    /// <c>s3://</c> channels (pixi's per-bucket keys in snake case). Holds no secret: S3 credentials come from the AWS
    /// variables and files.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> S3Options { get; }

    /// <summary><c>remote_max_retries</c> (3).</summary>
    public int RemoteMaxRetries { get; }

    /// <summary><c>remote_backoff_factor</c> (1).</summary>
    public double RemoteBackoffFactor { get; }

    /// <summary><c>remote_connect_timeout_secs</c> (9.15).</summary>
    public double RemoteConnectTimeoutSecs { get; }

    /// <summary><c>remote_read_timeout_secs</c> (60).</summary>
    public double RemoteReadTimeoutSecs { get; }

    /// <summary><c>local_repodata_ttl</c> in seconds; 1 (conda's <c>true</c>) means honour Cache-Control, 0 always revalidate.</summary>
    public int LocalRepodataTtl { get; }

    /// <summary><c>repodata_use_zst</c> (true): try <c>repodata.json.zst</c> first.</summary>
    public bool RepodataUseZst { get; }

    /// <summary><c>repodata_use_shards</c> (false): read CEP-16 sharded repodata (<c>repodata_shards.msgpack.zst</c>) where a channel offers it.</summary>
    public bool RepodataUseShards { get; }

    /// <summary><c>pinned_packages</c>: MatchSpecs every solve must keep.</summary>
    public IReadOnlyList<string> PinnedPackages { get; }

    /// <summary><c>create_default_packages</c>: packages added to every new environment.</summary>
    public IReadOnlyList<string> CreateDefaultPackages { get; }

    /// <summary><c>always_copy</c>: copy files into environments instead of hard-linking.</summary>
    public bool AlwaysCopy { get; }

    /// <summary><c>always_softlink</c>: soft-link files into environments.</summary>
    public bool AlwaysSoftlink { get; }

    /// <summary><c>allow_softlinks</c>: soft links allowed where hard links fail.</summary>
    public bool AllowSoftlinks { get; }

    /// <summary><c>always_yes</c>: do not ask for confirmation.</summary>
    public bool AlwaysYes { get; }

    /// <summary><c>changeps1</c>: activation changes the prompt.</summary>
    public bool ChangePs1 { get; }

    /// <summary><c>env_prompt</c>: the prompt modifier's format (<c>{default_env}</c>, <c>{name}</c>, <c>{prefix}</c>).</summary>
    public string EnvPrompt { get; }

    /// <summary><c>subdir</c>: the platform to install for instead of this machine's (conda writes it into the
    /// <c>.condarc</c> of an environment created for another platform); null: this machine's.</summary>
    public string? Subdir { get; }

    /// <summary><c>override_virtual_packages</c>: virtual package name without <c>__</c> (<c>cuda</c>) → version; empty removes it.</summary>
    public IReadOnlyDictionary<string, string> OverrideVirtualPackages { get; }

    #endregion

    /// <summary>Every known key's effective value with its source, ordered by key.</summary>
    public IReadOnlyList<ConfigValue> Values => _values.Values.OrderBy(v => v.Key, StringComparer.Ordinal).ToArray();

    /// <summary>The configuration files read, lowest precedence first.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Keys found in files that EnvTools does not know: kept here, otherwise ignored (conda warns about them).</summary>
    public IReadOnlyList<ConfigValue> UnknownKeys { get; }

    /// <summary>The environment the settings were read from (for resolving paths and channels).</summary>
    public IConfigEnvironment Environment { get; }

    /// <summary>The effective value of a key or alias, or null when the key is unknown.</summary>
    public ConfigValue? GetValue(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ConfigKey? k = ConfigKeys.Find(key);
        return k is null ? null : _values[k.Name];
    }

    /// <summary>The names of the keys EnvTools understands.</summary>
    public static IReadOnlyList<string> KnownKeys { get; } = ConfigKeys.All.Select(k => k.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>A resolver for channel names under these settings (alias, defaults, custom channels and multichannels).</summary>
    public ChannelResolver CreateChannelResolver() => new(this);

    /// <summary>
    /// Loads the settings for work on <paramref name="prefix"/> (its <c>.condarc</c> is read; when null,
    /// <c>$CONDA_PREFIX</c>'s). <paramref name="callOptions"/> are keyed by conda key (<c>channels</c>,
    /// <c>offline</c>, …; values: bool, number, string, string sequence, or dictionary) and win over everything;
    /// <c>override_channels = true</c> makes the given <c>channels</c> the only ones. <paramref name="environment"/>
    /// defaults to the running process.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">A source is malformed; the message names the file and line.</exception>
    /// <exception cref="ArgumentException">A call option names a key EnvTools does not know.</exception>
    public static Settings Load(string? prefix = null, IReadOnlyDictionary<string, object?>? callOptions = null, IConfigEnvironment? environment = null)
    {
        environment ??= ConfigEnvironment.FromProcess();
        IReadOnlyList<string> files = ConfigSearchPath.ExistingFiles(environment, prefix);
        var fileLayers = files.Select(CondarcReader.Read).ToList();
        RawLayer envLayer = EnvironmentLayer(environment);
        bool overrideChannels = false;
        RawLayer optionLayer = OptionLayer(callOptions, ref overrideChannels);

        var layers = new List<RawLayer>(fileLayers) { envLayer, optionLayer };
        var unknown = new List<ConfigValue>();
        foreach (RawLayer layer in fileLayers)
        {
            foreach (KeyValuePair<string, RawNode> e in layer.Entries.Where(e => ConfigKeys.Find(e.Key) is null))
            {
                unknown.Add(new ConfigValue(e.Key, RawToObject(e.Value), e.Value.Source, new[] { e.Value.Source }));
            }
        }

        var values = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        var typed = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (ConfigKey key in ConfigKeys.All)
        {
            IReadOnlyList<TypedMatch> matches = layers.Select(l => MatchIn(l, key, environment)).OfType<TypedMatch>().ToArray();
            if (key.Name == "channels")
            {
                matches = ChannelMatches(matches, overrideChannels, fileLayers.Concat(new[] { envLayer }).Any(l => MatchIn(l, key, environment) is not null));
            }

            TypedMatch? merged = matches.Count == 0 ? null : ConfigMerge.Merge(matches);
            (object value, ConfigSource source, IReadOnlyList<ConfigSource> sources) = Finish(key, merged, environment);
            typed[key.Name] = value;
            values[key.Name] = new ConfigValue(key.Name, Display(value), source, sources);
        }

        return new Settings(values, typed, files, unknown, environment);
    }

    /// <summary>conda's <c>channels</c> rules for call options: <c>--override-channels</c>; <c>-c</c> without configured channels adds <c>defaults</c>.</summary>
    private static IReadOnlyList<TypedMatch> ChannelMatches(IReadOnlyList<TypedMatch> matches, bool overrideChannels, bool configured)
    {
        var option = matches.LastOrDefault(m => m.Source.Kind == ConfigSourceKind.CallOption) as SequenceMatch;
        if (overrideChannels)
        {
            return option is { Items.Count: > 0 } ? new TypedMatch[] { option }
                : throw new InvalidConfigurationException(ConfigSource.CallOption(OverrideChannelsOption), "channels", "overriding channels needs at least one channel given with the call");
        }

        if (option is { Items.Count: > 0 } && !configured)
        {
            var withDefaults = option.Items.Append(new ConfigItem("defaults", ConfigSource.Default, ConfigFlag.None)).ToArray();
            return new TypedMatch[] { option with { Items = withDefaults } };
        }

        return matches;
    }

    private static (object Value, ConfigSource Source, IReadOnlyList<ConfigSource> Sources) Finish(ConfigKey key, TypedMatch? merged, IConfigEnvironment env)
    {
        ConfigSource src = merged?.Source ?? ConfigSource.Default;
        switch (key.Shape)
        {
            case KeyShape.Scalar:
                return (((ScalarMatch?)merged)?.Value ?? key.Default!, src, new[] { src });

            case KeyShape.Sequence:
            {
                var items = ((SequenceMatch?)merged)?.Items.ToList() ?? new List<ConfigItem>();
                if (merged is null)
                {
                    items.AddRange(DefaultItems(key.Name, env));
                }

                if (key.Name == "envs_dirs")
                {
                    // conda appends its fixed folders to the configured ones (context.envs_dirs).
                    items.AddRange(FixedEnvsDirs(env).Select(d => new ConfigItem(d, ConfigSource.Default, ConfigFlag.None)));
                    items = items.DistinctBy(i => i.Value, env.IsWindows ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal).ToList();
                }

                IReadOnlyList<ConfigSource> sources = items.Select(i => i.Source).DistinctBy(x => (x.Kind, x.Name)).ToArray();
                return (items.Select(i => i.Value).ToArray(), src, sources.Count == 0 ? new[] { src } : sources);
            }

            case KeyShape.Map:
            {
                var map = (MapMatch?)merged;
                IReadOnlyList<KeyValuePair<string, TypedMatch>> entries = map?.Entries ?? DefaultMap(key.Name);
                var dict = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (KeyValuePair<string, TypedMatch> e in entries)
                {
                    dict[e.Key] = (string)((ScalarMatch)e.Value).Value;
                }

                return (new ReadOnlyMap<string>(dict), src, SourcesOf(entries, src));
            }

            case KeyShape.MapOfMaps:
            {
                IReadOnlyList<KeyValuePair<string, TypedMatch>> entries = ((MapMatch?)merged)?.Entries ?? Array.Empty<KeyValuePair<string, TypedMatch>>();
                var dict = new SortedDictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
                foreach (KeyValuePair<string, TypedMatch> e in entries)
                {
                    dict[e.Key] = new ReadOnlyMap<string>(new SortedDictionary<string, string>(
                        ((MapMatch)e.Value).Entries.ToDictionary(f => f.Key, f => (string)((ScalarMatch)f.Value).Value), StringComparer.Ordinal));
                }

                return (new ReadOnlyMap<IReadOnlyDictionary<string, string>>(dict), src, SourcesOf(entries, src));
            }

            default:
            {
                var map = (MapMatch?)merged;
                IReadOnlyList<KeyValuePair<string, TypedMatch>> entries = map?.Entries ?? Array.Empty<KeyValuePair<string, TypedMatch>>();
                var dict = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                foreach (KeyValuePair<string, TypedMatch> e in entries)
                {
                    dict[e.Key] = ((SequenceMatch)e.Value).Items.Select(i => i.Value).ToArray();
                }

                return (new ReadOnlyMap<IReadOnlyList<string>>(dict), src, SourcesOf(entries, src));
            }
        }
    }

    private static IReadOnlyList<ConfigSource> SourcesOf(IReadOnlyList<KeyValuePair<string, TypedMatch>> entries, ConfigSource fallback)
    {
        ConfigSource[] s = entries.Select(e => e.Value.Source).DistinctBy(x => (x.Kind, x.Name)).ToArray();
        return s.Length == 0 ? new[] { fallback } : s;
    }

    private static IEnumerable<ConfigItem> DefaultItems(string key, IConfigEnvironment env) => key switch
    {
        "channels" => new[] { new ConfigItem("defaults", ConfigSource.Default, ConfigFlag.None) },
        "default_channels" => (env.IsWindows ? DefaultChannelsWindows : DefaultChannelsUnix).Select(c => new ConfigItem(c, ConfigSource.Default, ConfigFlag.None)),
        "pkgs_dirs" => new[] { new ConfigItem(Path.Combine(env.HomeDirectory, ".conda", "pkgs"), ConfigSource.Default, ConfigFlag.None) },
        _ => Array.Empty<ConfigItem>(),
    };

    private static IReadOnlyList<KeyValuePair<string, TypedMatch>> DefaultMap(string key) => key == "custom_channels"
        ? new[] { new KeyValuePair<string, TypedMatch>("pkgs/pro", new ScalarMatch("https://repo.anaconda.com", ConfigSource.Default, false)) }
        : Array.Empty<KeyValuePair<string, TypedMatch>>();

    private static IEnumerable<string> FixedEnvsDirs(IConfigEnvironment env)
    {
        yield return Path.Combine(env.HomeDirectory, ".conda", "envs");
        if (env.IsWindows && env.GetEnvironmentVariable("LOCALAPPDATA") is { Length: > 0 } local)
        {
            yield return Path.Combine(local, "conda", "conda", "envs");
        }
    }

    /// <summary>The value as shown: strings with credentials redacted, collections as arrays and dictionaries.</summary>
    private static object Display(object value) => value switch
    {
        string s => UrlRedaction.Redact(s),
        IReadOnlyList<string> list => list.Select(UrlRedaction.Redact).ToArray(),
        ReadOnlyMap<string> map => new ReadOnlyMap<string>(new SortedDictionary<string, string>(
            map.ToDictionary(p => p.Key, p => UrlRedaction.Redact(p.Value)), StringComparer.Ordinal)),
        ReadOnlyMap<IReadOnlyList<string>> mm => new ReadOnlyMap<IReadOnlyList<string>>(new SortedDictionary<string, IReadOnlyList<string>>(
            mm.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value.Select(UrlRedaction.Redact).ToArray()), StringComparer.Ordinal)),
        ReadOnlyMap<IReadOnlyDictionary<string, string>> m2 => new ReadOnlyMap<IReadOnlyDictionary<string, string>>(new SortedDictionary<string, IReadOnlyDictionary<string, string>>(
            m2.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, string>)new ReadOnlyMap<string>(new SortedDictionary<string, string>(
                p.Value.ToDictionary(f => f.Key, f => UrlRedaction.Redact(f.Value)), StringComparer.Ordinal))), StringComparer.Ordinal)),
        _ => value,
    };

    #region Sources to typed matches

    /// <summary>The key's match in one layer (by name or alias), typed; null when the layer does not set it.</summary>
    private static TypedMatch? MatchIn(RawLayer layer, ConfigKey key, IConfigEnvironment env)
    {
        KeyValuePair<string, RawNode>[] found = layer.Entries.Where(e => key.Names.Contains(e.Key)).ToArray();
        if (found.Length == 0)
        {
            return null;
        }

        if (found.Length > 1)
        {
            throw new InvalidConfigurationException(found[1].Value.Source, key.Name,
                $"declared more than once ({string.Join(", ", found.Select(f => f.Key))}); declare it once, preferably as '{key.Name}'");
        }

        return Type(key, found[0].Value, env, topLevel: true);
    }

    private static TypedMatch? Type(ConfigKey key, RawNode node, IConfigEnvironment env, bool topLevel)
    {
        if (node is RawScalar { Text: null } && topLevel)
        {
            return null; // `channels: ~` is as if not set (conda skips null matches)
        }

        bool final = node.Flag == ConfigFlag.Final;
        switch (key.Shape)
        {
            case KeyShape.Scalar:
                return new ScalarMatch(TypeScalar(key, Expect<RawScalar>(key, node, "a single value"), env), node.Source, final);

            case KeyShape.Sequence:
                return TypeSequence(key, node, env);

            default:
            {
                RawMap map = Expect<RawMap>(key, node, "a mapping");
                var entries = new List<KeyValuePair<string, TypedMatch>>();
                foreach (KeyValuePair<string, RawNode> e in map.Entries)
                {
                    if (entries.Any(x => x.Key == e.Key))
                    {
                        throw new InvalidConfigurationException(e.Value.Source, key.Name, $"'{e.Key}' is given twice");
                    }

                    TypedMatch child = key.Shape switch
                    {
                        KeyShape.Map => new ScalarMatch(e.Value is RawScalar { Text: null } ? string.Empty : Expand(key, Expect<RawScalar>(key, e.Value, $"a single value for '{e.Key}'").Text!, env),
                            e.Value.Source, e.Value.Flag == ConfigFlag.Final),
                        KeyShape.MapOfMaps => TypeFields(key, e.Key, e.Value, env),
                        _ => TypeSequence(key, e.Value, env),
                    };
                    entries.Add(new(e.Key, child));
                }

                return new MapMatch(entries, node.Source, final);
            }
        }
    }

    /// <summary>One entry of a map of maps (an <c>s3_options</c> bucket): a mapping of fields, each checked by the key.</summary>
    private static MapMatch TypeFields(ConfigKey key, string entry, RawNode node, IConfigEnvironment env)
    {
        RawMap map = Expect<RawMap>(key, node, $"a mapping of fields for '{entry}'");
        var fields = new List<KeyValuePair<string, TypedMatch>>();
        foreach (KeyValuePair<string, RawNode> f in map.Entries)
        {
            if (fields.Any(x => x.Key == f.Key))
            {
                throw new InvalidConfigurationException(f.Value.Source, key.Name, $"'{entry}.{f.Key}' is given twice");
            }

            RawScalar s = Expect<RawScalar>(key, f.Value, $"a single value for '{entry}.{f.Key}'");
            try
            {
                string value = Expand(key, s.Text ?? string.Empty, env);
                fields.Add(new(f.Key, new ScalarMatch(key.TypifyField is { } check ? check(f.Key, value, env) : value, s.Source, s.Flag == ConfigFlag.Final)));
            }
            catch (FormatException ex)
            {
                throw new InvalidConfigurationException(s.Source, key.Name, $"'{entry}': {ex.Message}", ex);
            }
        }

        return new MapMatch(fields, node.Source, node.Flag == ConfigFlag.Final);
    }

    private static SequenceMatch TypeSequence(ConfigKey key, RawNode node, IConfigEnvironment env)
    {
        RawSequence seq = Expect<RawSequence>(key, node, "a list");
        var items = new List<ConfigItem>(seq.Items.Count);
        foreach (RawNode item in seq.Items)
        {
            RawScalar s = Expect<RawScalar>(key, item, "a list of single values");
            if (s.Text is null)
            {
                continue;
            }

            string v = key.ExpandUser ? ValueExpansion.ExpandPath(s.Text, env) : Expand(key, s.Text, env);
            items.Add(new ConfigItem(v, s.Source, s.Flag));
        }

        return new SequenceMatch(items, node.Source, node.Flag == ConfigFlag.Final);
    }

    private static object TypeScalar(ConfigKey key, RawScalar node, IConfigEnvironment env)
    {
        if (node.Text is null)
        {
            throw new InvalidConfigurationException(node.Source, key.Name, "a value is required");
        }

        try
        {
            return key.Typify(Expand(key, node.Text, env), env);
        }
        catch (FormatException ex)
        {
            throw new InvalidConfigurationException(node.Source, key.Name, ex.Message, ex);
        }
    }

    private static string Expand(ConfigKey key, string text, IConfigEnvironment env) => key.ExpandVars ? ValueExpansion.ExpandVariables(text, env) : text;

    private static T Expect<T>(ConfigKey key, RawNode node, string expected) where T : RawNode =>
        node as T ?? throw new InvalidConfigurationException(node.Source, key.Name, $"expected {expected}, found {Describe(node)}");

    private static string Describe(RawNode node) => node is RawScalar { Text: string t } ? $"'{t}'" : node.Shape;

    private static object? RawToObject(RawNode node) => node switch
    {
        RawScalar s => s.Text is null ? null : UrlRedaction.Redact(s.Text),
        RawSequence q => q.Items.Select(RawToObject).ToArray(),
        RawMap m => m.Entries.ToDictionary(e => e.Key, e => RawToObject(e.Value)),
        _ => null,
    };

    /// <summary>
    /// <c>CONDA_&lt;KEY&gt;</c> for each known key and alias (conda's <c>EnvRawParameter</c>): sequences split on the
    /// key's delimiter (<c>,</c>; <c>&amp;</c> for pinned_packages; the path separator for envs_dirs); a trailing
    /// <c>!important</c> makes the value final. Maps cannot be set from variables.
    /// </summary>
    private static RawLayer EnvironmentLayer(IConfigEnvironment env)
    {
        var entries = new List<KeyValuePair<string, RawNode>>();
        foreach (ConfigKey key in ConfigKeys.All)
        {
            foreach (string name in key.Names)
            {
                string variable = "CONDA_" + name.ToUpperInvariant();
                string? raw = env.GetEnvironmentVariable(variable);
                if (string.IsNullOrEmpty(raw))
                {
                    continue;
                }

                var source = ConfigSource.EnvironmentVariable(variable);
                int important = raw.IndexOf("!important", StringComparison.Ordinal);
                ConfigFlag flag = important >= 0 ? ConfigFlag.Final : ConfigFlag.None;
                string value = important >= 0 ? raw[..important] : raw;
                switch (key.Shape)
                {
                    case KeyShape.Scalar:
                        entries.Add(new(name, new RawScalar(value.Trim(), source, flag)));
                        break;
                    case KeyShape.Sequence:
                        string delimiter = key.EnvDelimiter ?? (env.IsWindows ? ";" : ":");
                        RawNode[] items = value.Split(delimiter).Select(v => v.Trim()).Where(v => v.Length > 0)
                            .Select(v => (RawNode)new RawScalar(v, source)).ToArray();
                        entries.Add(new(name, new RawSequence(items, source, flag)));
                        break;
                    default:
                        throw new InvalidConfigurationException(source, key.Name, "a mapping cannot be set from an environment variable; use a .condarc file");
                }
            }
        }

        return new RawLayer(ConfigSource.EnvironmentVariable("CONDA_*"), entries);
    }

    private static RawLayer OptionLayer(IReadOnlyDictionary<string, object?>? options, ref bool overrideChannels)
    {
        var entries = new List<KeyValuePair<string, RawNode>>();
        if (options is null)
        {
            return new RawLayer(ConfigSource.CallOption("*"), entries);
        }

        foreach (KeyValuePair<string, object?> o in options)
        {
            if (o.Key == OverrideChannelsOption)
            {
                overrideChannels = o.Value is true || (o.Value is string s && ConfigKeys.ParseBool(s) == true);
                continue;
            }

            if (ConfigKeys.Find(o.Key) is null)
            {
                throw new ArgumentException($"'{o.Key}' is not a configuration key; known keys: {string.Join(", ", KnownKeys)}", nameof(options));
            }

            if (o.Value is not null)
            {
                entries.Add(new(o.Key, OptionNode(o.Value, ConfigSource.CallOption(o.Key))));
            }
        }

        return new RawLayer(ConfigSource.CallOption("*"), entries);
    }

    private static RawNode OptionNode(object value, ConfigSource source) => value switch
    {
        string s => new RawScalar(s, source),
        bool b => new RawScalar(b ? "true" : "false", source),
        Enum e => new RawScalar(e.ToString().ToLowerInvariant(), source),
        SslVerify v => new RawScalar(v.ToString(), source),
        IFormattable f => new RawScalar(f.ToString(null, CultureInfo.InvariantCulture), source),
        IDictionary d => new RawMap(d.Keys.Cast<object>().Select(k => new KeyValuePair<string, RawNode>(
            k.ToString() ?? string.Empty, d[k] is null ? new RawScalar(null, source) : OptionNode(d[k]!, source))).ToArray(), source),
        IEnumerable e => new RawSequence(e.Cast<object?>().Where(x => x is not null).Select(x => OptionNode(x!, source)).ToArray(), source),
        _ => new RawScalar(value.ToString(), source),
    };

    #endregion
}

/// <summary>A sorted read-only dictionary (shown by PowerShell as a dictionary).</summary>
internal sealed class ReadOnlyMap<TValue> : IReadOnlyDictionary<string, TValue>, IDictionary
{
    private readonly SortedDictionary<string, TValue> _d;

    public ReadOnlyMap(SortedDictionary<string, TValue> d) => _d = d;

    public TValue this[string key] => _d[key];

    public IEnumerable<string> Keys => _d.Keys;

    public IEnumerable<TValue> Values => _d.Values;

    public int Count => _d.Count;

    public bool ContainsKey(string key) => _d.ContainsKey(key);

    public bool TryGetValue(string key, out TValue value) => _d.TryGetValue(key, out value!);

    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator() => _d.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _d.GetEnumerator();

    object? IDictionary.this[object key] { get => key is string k && _d.TryGetValue(k, out TValue? v) ? v : null; set => throw new NotSupportedException(); }

    ICollection IDictionary.Keys => _d.Keys;

    ICollection IDictionary.Values => _d.Values;

    bool IDictionary.IsReadOnly => true;

    bool IDictionary.IsFixedSize => true;

    bool ICollection.IsSynchronized => false;

    object ICollection.SyncRoot => this;

    void IDictionary.Add(object key, object? value) => throw new NotSupportedException();

    void IDictionary.Clear() => throw new NotSupportedException();

    bool IDictionary.Contains(object key) => key is string k && _d.ContainsKey(k);

    IDictionaryEnumerator IDictionary.GetEnumerator() => ((IDictionary)_d).GetEnumerator();

    void IDictionary.Remove(object key) => throw new NotSupportedException();

    void ICollection.CopyTo(Array array, int index) => ((ICollection)_d).CopyTo(array, index);
}
