using EnvTools.Config;

namespace EnvTools.Fetch.S3;

/// <summary>
/// One profile of the AWS shared files, as the AWS CLI and SDKs read them: <c>[NAME]</c> in the credentials file
/// (<c>AWS_SHARED_CREDENTIALS_FILE</c>, else <c>~/.aws/credentials</c>) over <c>[profile NAME]</c> (<c>[default]</c> for the
/// default profile) in the config file (<c>AWS_CONFIG_FILE</c>, else <c>~/.aws/config</c>). Only static keys are used
/// (<c>aws_access_key_id</c>, <c>aws_secret_access_key</c>, <c>aws_session_token</c>), with <c>region</c>,
/// <c>endpoint_url</c> and the nested <c>s3 =</c> block's <c>endpoint_url</c> and <c>addressing_style</c>.
/// </summary>
internal sealed class AwsProfile
{
    private AwsProfile(string name, AwsCredentials? credentials, string? credentialsSource, IReadOnlyDictionary<string, string> values)
    {
        Name = name;
        Credentials = credentials;
        CredentialsSource = credentialsSource;
        Values = values;
    }

    /// <summary>The profile's name.</summary>
    internal string Name { get; }

    /// <summary>The profile's static keys, or null when it has none (or does not exist).</summary>
    internal AwsCredentials? Credentials { get; }

    /// <summary>Where the keys came from (<c>profile 'x' in /home/u/.aws/credentials</c>); never a secret.</summary>
    internal string? CredentialsSource { get; }

    /// <summary>The profile's other settings (<c>region</c>, <c>s3.addressing_style</c> …), config file first, credentials file winning.</summary>
    internal IReadOnlyDictionary<string, string> Values { get; }

    internal string? Region => Values.GetValueOrDefault("region") is { Length: > 0 } r ? r : null;

    internal string? EndpointUrl =>
        Values.GetValueOrDefault("s3.endpoint_url") is { Length: > 0 } s3 ? s3 : Values.GetValueOrDefault("endpoint_url") is { Length: > 0 } e ? e : null;

    /// <summary><c>s3 = addressing_style = path</c> in the profile.</summary>
    internal bool? PathStyle => Values.GetValueOrDefault("s3.addressing_style") switch
    {
        "path" => true,
        "virtual" => false,
        _ => null,
    };

    /// <summary>
    /// Reads profile <paramref name="name"/> from the two files (missing files are empty). A profile that exists but has
    /// only one of the two keys, or an <paramref name="explicitName"/> (from <c>AWS_PROFILE</c>) that neither file holds, is
    /// an <see cref="InvalidConfigurationException"/>; an absent default profile is simply empty.
    /// </summary>
    internal static AwsProfile Load(string name, bool explicitName, string credentialsFile, string configFile)
    {
        Dictionary<string, Dictionary<string, string>> credentials = ReadIni(credentialsFile);
        Dictionary<string, Dictionary<string, string>> config = ReadIni(configFile);
        string configSection = name == "default" && !config.ContainsKey("default") ? "profile default" : name == "default" ? "default" : "profile " + name;
        Dictionary<string, string>? fromCredentials = credentials.GetValueOrDefault(name);
        Dictionary<string, string>? fromConfig = config.GetValueOrDefault(configSection);
        if (fromCredentials is null && fromConfig is null)
        {
            return explicitName
                ? throw new InvalidConfigurationException(ConfigSource.EnvironmentVariable("AWS_PROFILE"), null,
                    $"the AWS profile '{name}' is in neither {credentialsFile} nor {configFile}")
                : new AwsProfile(name, null, null, new Dictionary<string, string>());
        }

        var values = new Dictionary<string, string>(fromConfig ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> v in fromCredentials ?? new Dictionary<string, string>())
        {
            values[v.Key] = v.Value;
        }

        string file = fromCredentials is not null && fromCredentials.ContainsKey("aws_access_key_id") ? credentialsFile : configFile;
        string? id = values.GetValueOrDefault("aws_access_key_id");
        string? secret = values.GetValueOrDefault("aws_secret_access_key");
        if (string.IsNullOrEmpty(id) != string.IsNullOrEmpty(secret))
        {
            throw new InvalidConfigurationException(ConfigSource.File(file), null,
                $"the AWS profile '{name}' has {(string.IsNullOrEmpty(id) ? "aws_secret_access_key without aws_access_key_id" : "aws_access_key_id without aws_secret_access_key")}");
        }

        AwsCredentials? keys = string.IsNullOrEmpty(id) ? null : new AwsCredentials(id, secret!, values.GetValueOrDefault("aws_session_token"));
        return new AwsProfile(name, keys, keys is null ? null : $"the AWS profile '{name}' in {file}", values);
    }

    /// <summary>
    /// The sections of an AWS INI file: <c>[section]</c>, <c>key = value</c>, comments from <c>#</c> or <c>;</c> at a line's
    /// start, and nested blocks (<c>s3 =</c> followed by indented <c>key = value</c> lines, read as <c>s3.key</c>).
    /// </summary>
    internal static Dictionary<string, Dictionary<string, string>> ReadIni(string path)
    {
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        string[] lines;
        try
        {
            lines = File.Exists(path) ? File.ReadAllLines(path) : Array.Empty<string>();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidConfigurationException(ConfigSource.File(path), null, $"cannot be read: {ex.Message}", ex);
        }

        Dictionary<string, string>? current = null;
        string? parent = null;
        foreach (string raw in lines)
        {
            string line = raw.TrimEnd();
            string trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed[0] is '#' or ';')
            {
                continue;
            }

            if (trimmed[0] == '[' && trimmed.EndsWith(']'))
            {
                string name = string.Join(' ', trimmed[1..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
                current = sections.TryGetValue(name, out Dictionary<string, string>? s) ? s : sections[name] = new Dictionary<string, string>(StringComparer.Ordinal);
                parent = null;
                continue;
            }

            int eq = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (current is null || eq <= 0)
            {
                continue;
            }

            string key = trimmed[..eq].Trim().ToLowerInvariant();
            string value = trimmed[(eq + 1)..].Trim();
            bool indented = line.Length > trimmed.Length;
            if (indented && parent is not null)
            {
                current[$"{parent}.{key}"] = value;
                continue;
            }

            parent = value.Length == 0 ? key : null;
            current[key] = value;
        }

        return sections;
    }
}
