using System.Globalization;
using EnvTools.Solve;
using EnvTools.Conda;

namespace EnvTools.Config;

/// <summary>The shape a key's value must have in every source.</summary>
internal enum KeyShape
{
    Scalar,
    Sequence,
    Map,
    MapOfSequences,

    /// <summary>A map of maps of scalars (<c>s3_options: {bucket: {endpoint_url: …}}</c>); the inner fields are checked by <see cref="ConfigKey.TypifyField"/>.</summary>
    MapOfMaps,
}

/// <summary>One configuration key as conda's <c>Context</c> declares it: name, aliases, shape, type, default, expansion.</summary>
internal sealed class ConfigKey
{
    public ConfigKey(string name, KeyShape shape, Func<string, IConfigEnvironment, object>? typify = null, object? defaultValue = null,
        string[]? aliases = null, bool expandVars = false, bool expandUser = false, string? envDelimiter = ",",
        Func<string, string, IConfigEnvironment, string>? typifyField = null)
    {
        TypifyField = typifyField;
        Name = name;
        Shape = shape;
        Typify = typify ?? ((s, _) => s);
        Default = defaultValue;
        Aliases = aliases ?? Array.Empty<string>();
        ExpandVars = expandVars;
        ExpandUser = expandUser;
        EnvDelimiter = envDelimiter;
    }

    public string Name { get; }

    public KeyShape Shape { get; }

    /// <summary>Types one scalar (a primitive value, or one element/entry); throws <see cref="FormatException"/> with the reason.</summary>
    public Func<string, IConfigEnvironment, object> Typify { get; }

    /// <summary>The typed default for scalars; null for collections (their defaults are computed).</summary>
    public object? Default { get; }

    /// <summary>Other names conda accepts for the key (<c>envs_path</c> for <c>envs_dirs</c>).</summary>
    public string[] Aliases { get; }

    /// <summary>Whether <c>$VAR</c>/<c>${VAR}</c> are expanded in values (conda's <c>expandvars=True</c>).</summary>
    public bool ExpandVars { get; }

    /// <summary>Whether values are paths: <c>~</c> expanded and made absolute.</summary>
    public bool ExpandUser { get; }

    /// <summary>How a <c>CONDA_*</c> variable splits into a sequence (conda's <c>string_delimiter</c>); null: the OS path separator.</summary>
    public string? EnvDelimiter { get; }

    /// <summary>For <see cref="KeyShape.MapOfMaps"/>: checks one inner field (name, value) and returns its normal form; throws
    /// <see cref="FormatException"/> with the reason.</summary>
    public Func<string, string, IConfigEnvironment, string>? TypifyField { get; }

    public IEnumerable<string> Names => Aliases.Prepend(Name);
}

/// <summary>The keys EnvTools understands, with conda's defaults, aliases and value rules (conda/base/context.py).</summary>
internal static class ConfigKeys
{
    public static readonly IReadOnlyList<ConfigKey> All = new ConfigKey[]
    {
        new("allow_softlinks", KeyShape.Scalar, Bool, false),
        new("always_copy", KeyShape.Scalar, Bool, false, aliases: new[] { "copy" }),
        new("always_softlink", KeyShape.Scalar, Bool, false, aliases: new[] { "softlink" }),
        new("always_yes", KeyShape.Scalar, Bool, false, aliases: new[] { "yes" }),
        new("changeps1", KeyShape.Scalar, Bool, true),
        new("channel_alias", KeyShape.Scalar, ChannelAliasValue, Conda.Channel.DefaultChannelAlias, expandVars: true),
        new("channel_priority", KeyShape.Scalar, Priority, ChannelPriority.Flexible),
        new("channels", KeyShape.Sequence, aliases: new[] { "channel" }, expandVars: true),
        new("create_default_packages", KeyShape.Sequence),
        new("custom_channels", KeyShape.Map, expandVars: true),
        new("custom_multichannels", KeyShape.MapOfSequences, expandVars: true),
        new("default_channels", KeyShape.Sequence, expandVars: true),
        new("env_prompt", KeyShape.Scalar, defaultValue: "({default_env}) "),
        new("envs_dirs", KeyShape.Sequence, aliases: new[] { "envs_path" }, expandVars: true, expandUser: true, envDelimiter: null),
        new("local_repodata_ttl", KeyShape.Scalar, Ttl, 1),
        new("offline", KeyShape.Scalar, Bool, false),
        new("oci_insecure_registries", KeyShape.Sequence, expandVars: true),
        new("override_virtual_packages", KeyShape.Map, aliases: new[] { "virtual_packages" }),
        new("pinned_packages", KeyShape.Sequence, envDelimiter: "&"),
        new("pkgs_dirs", KeyShape.Sequence, expandVars: true, expandUser: true),
        new("proxy_servers", KeyShape.Map, expandVars: true),
        new("remote_backoff_factor", KeyShape.Scalar, NonNegativeNumber, 1.0),
        new("remote_connect_timeout_secs", KeyShape.Scalar, NonNegativeNumber, 9.15),
        new("remote_max_retries", KeyShape.Scalar, NonNegativeInt, 3),
        new("remote_read_timeout_secs", KeyShape.Scalar, NonNegativeNumber, 60.0),
        new("repodata_use_shards", KeyShape.Scalar, Bool, false),
        new("repodata_use_zst", KeyShape.Scalar, Bool, true),
        new("subdir", KeyShape.Scalar, defaultValue: string.Empty),
        new("s3_options", KeyShape.MapOfMaps, expandVars: true, typifyField: S3Field),
        new("ssl_verify", KeyShape.Scalar, Ssl, SslVerify.Default, aliases: new[] { "verify_ssl" }, expandVars: true),
    };

    private static readonly Dictionary<string, ConfigKey> ByName = All
        .SelectMany(k => k.Names.Select(n => (n, k)))
        .ToDictionary(p => p.n, p => p.k, StringComparer.Ordinal);

    /// <summary>The key a name or alias denotes, or null for a key EnvTools does not know.</summary>
    public static ConfigKey? Find(string nameOrAlias) => ByName.GetValueOrDefault(nameOrAlias);

    /// <summary>conda's boolean coercion: true/yes/on/y/1 and false/no/off/n/0, any case.</summary>
    internal static object Bool(string s, IConfigEnvironment env) => ParseBool(s) ?? throw new FormatException($"'{s}' is not a boolean (true or false)");

    internal static bool? ParseBool(string s) => s.Trim().ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "y" or "1" => true,
        "false" or "no" or "off" or "n" or "0" => false,
        _ => null,
    };

    private static object NonNegativeInt(string s, IConfigEnvironment env) =>
        int.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 0 ? v
            : throw new FormatException($"'{s}' is not a non-negative integer");

    private static object NonNegativeNumber(string s, IConfigEnvironment env) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && double.IsFinite(v) ? v
            : throw new FormatException($"'{s}' is not a non-negative number");

    /// <summary><c>local_repodata_ttl</c>: seconds, or a boolean (true = 1, respect Cache-Control; false = 0, always revalidate).</summary>
    private static object Ttl(string s, IConfigEnvironment env) =>
        ParseBool(s) is bool b && !int.TryParse(s, out _) ? (b ? 1 : 0) : NonNegativeInt(s, env);

    /// <summary>strict, flexible or disabled; a boolean as conda's ChannelPriority enum takes it (true: flexible, false: disabled).</summary>
    private static object Priority(string s, IConfigEnvironment env) => s.Trim().ToLowerInvariant() switch
    {
        "strict" => ChannelPriority.Strict,
        "flexible" => ChannelPriority.Flexible,
        "disabled" => ChannelPriority.Disabled,
        _ => ParseBool(s) switch
        {
            true => ChannelPriority.Flexible,
            false => ChannelPriority.Disabled,
            null => throw new FormatException($"'{s}' is not a channel priority; valid choices: 'strict', 'flexible', 'disabled'"),
        },
    };

    private static object ChannelAliasValue(string s, IConfigEnvironment env) =>
        s.Contains("://", StringComparison.Ordinal) ? s.Trim().TrimEnd('/')
            : throw new FormatException($"channel_alias value '{s}' must have a scheme (https://...)");

    /// <summary>One field of an <c>s3_options</c> bucket (pixi's keys in snake case): <c>endpoint_url</c> (an http(s) URL without
    /// credentials), <c>region</c>, <c>force_path_style</c> (a boolean, written <c>true</c>/<c>false</c>).</summary>
    private static string S3Field(string field, string value, IConfigEnvironment env)
    {
        string v = value.Trim();
        switch (field)
        {
            case "endpoint_url":
                if (!Uri.TryCreate(v, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0)
                {
                    throw new FormatException($"endpoint_url '{UrlRedaction.Redact(v)}' must be an http:// or https:// URL");
                }

                if (url.UserInfo.Length > 0 || url.Query.Length > 0)
                {
                    throw new FormatException("endpoint_url must hold no credentials and no query (S3 credentials come from AWS_* variables or ~/.aws/credentials)");
                }

                return v.TrimEnd('/');
            case "region":
                return v.Length > 0 && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
                    ? v : throw new FormatException($"region '{v}' is not a region name (such as us-east-1)");
            case "force_path_style":
                return ParseBool(v) is bool b ? (b ? "true" : "false") : throw new FormatException($"force_path_style '{v}' is not a boolean (true or false)");
            default:
                throw new FormatException($"'{field}' is not an s3_options field; the fields are endpoint_url, region and force_path_style");
        }
    }

    /// <summary>A boolean, <c>truststore</c>, or the path of a CA bundle file or certificate folder that exists.</summary>
    private static object Ssl(string s, IConfigEnvironment env)
    {
        if (ParseBool(s) is bool b)
        {
            return b ? SslVerify.Default : SslVerify.Disabled;
        }

        if (string.Equals(s.Trim(), "truststore", StringComparison.OrdinalIgnoreCase))
        {
            return SslVerify.Truststore;
        }

        string path = ValueExpansion.ExpandUser(s.Trim(), env);
        return File.Exists(path) || Directory.Exists(path) ? SslVerify.WithCaPath(path)
            : throw new FormatException($"ssl_verify value '{s}' must be a boolean, 'truststore', a path to a certificate bundle file, or a path to a directory containing certificates of trusted CAs");
    }
}
