using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EnvTools.Config;

namespace EnvTools.Fetch.Oci;

/// <summary>A user name and password for one registry, and where they came from. Secret: <see cref="ToString"/> shows neither.</summary>
internal sealed class OciCredential
{
    internal OciCredential(string username, string password, string source)
    {
        Username = username;
        Password = password;
        Source = source;
    }

    /// <summary>The user name (may itself be a token: never shown).</summary>
    internal string Username { get; }

    /// <summary>The password or access token (never shown).</summary>
    internal string Password { get; }

    /// <summary>Where they came from, as it may be shown: a credential file's path, or "the channel URL".</summary>
    internal string Source { get; }

    /// <summary>The <c>Authorization: Basic</c> value.</summary>
    internal AuthenticationHeaderValue BasicHeader() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}")));

    /// <summary>Where the credentials came from; nothing secret.</summary>
    public override string ToString() => $"credentials from {Source}";
}

/// <summary>
/// Registry credentials as <c>docker login</c>, <c>oras login</c> and podman write them: the <c>auths</c> map of a
/// <c>config.json</c> (<c>{"auths": {"ghcr.io": {"auth": base64("user:password")}}}</c>, or <c>username</c> and
/// <c>password</c> fields). The files are <c>$REGISTRY_AUTH_FILE</c>, then <c>$DOCKER_CONFIG/config.json</c> (or
/// <c>~/.docker/config.json</c> when <c>DOCKER_CONFIG</c> is unset); the first file with an entry for the registry wins.
/// Credential helpers (<c>credsStore</c>, <c>credHelpers</c>) and identity tokens are not used.
/// </summary>
internal static class OciCredentials
{
    /// <summary>The credential files to look in, in order (whether or not they exist).</summary>
    internal static IReadOnlyList<string> AuthFiles(IConfigEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var files = new List<string>(2);
        if (environment.GetEnvironmentVariable("REGISTRY_AUTH_FILE") is { Length: > 0 } authFile)
        {
            files.Add(authFile);
        }

        string dockerConfig = environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } dir
            ? dir
            : Path.Combine(environment.HomeDirectory, ".docker");
        files.Add(Path.Combine(dockerConfig, "config.json"));
        return files;
    }

    /// <summary>The credentials for registry <paramref name="authority"/> (<c>HOST[:PORT]</c>) from the first file that has them, or null.</summary>
    /// <exception cref="InvalidDataException">A credential file that exists is not valid JSON or its entry is malformed (the message names the file, not the secret).</exception>
    internal static OciCredential? Find(IReadOnlyList<string> files, string authority)
    {
        foreach (string file in files)
        {
            string json;
            try
            {
                if (!File.Exists(file))
                {
                    continue;
                }

                json = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidDataException($"the registry credential file {file} cannot be read: {ex.Message}", ex);
            }

            if (Parse(json, authority, file) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The entry of <paramref name="authority"/> in a config.json text, or null.</summary>
    /// <exception cref="InvalidDataException">The text is not JSON, or the entry's <c>auth</c> is not base64 of <c>user:password</c>.</exception>
    internal static OciCredential? Parse(string json, string authority, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            // the parser's message quotes no content, only the position
            throw new InvalidDataException($"the registry credential file {source} is not valid JSON (line {ex.LineNumber + 1})", ex);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("auths", out JsonElement auths) ||
                auths.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string wanted = NormalizeKey(authority);
            foreach (JsonProperty entry in auths.EnumerateObject())
            {
                if (NormalizeKey(entry.Name) == wanted && entry.Value.ValueKind == JsonValueKind.Object && FromEntry(entry.Value, source) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    private static OciCredential? FromEntry(JsonElement entry, string source)
    {
        if (entry.TryGetProperty("auth", out JsonElement auth) && auth.ValueKind == JsonValueKind.String && auth.GetString() is { Length: > 0 } encoded)
        {
            string pair;
            try
            {
                pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException ex)
            {
                throw new InvalidDataException($"the registry credential file {source} has an 'auth' entry that is not base64", ex);
            }

            int colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon > 0
                ? new OciCredential(pair[..colon], pair[(colon + 1)..], source)
                : throw new InvalidDataException($"the registry credential file {source} has an 'auth' entry that is not 'user:password'");
        }

        if (entry.TryGetProperty("username", out JsonElement user) && user.ValueKind == JsonValueKind.String && user.GetString() is { Length: > 0 } name &&
            entry.TryGetProperty("password", out JsonElement password) && password.ValueKind == JsonValueKind.String)
        {
            return new OciCredential(name, password.GetString() ?? string.Empty, source);
        }

        return null; // an identity token, or an entry a credential helper fills in
    }

    /// <summary>
    /// An <c>auths</c> key as a registry authority: scheme and path dropped (<c>https://ghcr.io/v2/</c> → <c>ghcr.io</c>),
    /// lower case; Docker Hub's names (<c>index.docker.io</c>, <c>registry-1.docker.io</c>, <c>docker.io</c>) are one.
    /// </summary>
    internal static string NormalizeKey(string key)
    {
        string k = key.Trim();
        int scheme = k.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            k = k[(scheme + 3)..];
        }

        int slash = k.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            k = k[..slash];
        }

        k = k.ToLowerInvariant();
        return k is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? "docker.io" : k;
    }

    /// <summary>The user name and password of a request's <c>Authorization: Basic</c> header (from a channel URL's <c>user:password@</c>), or null.</summary>
    internal static OciCredential? FromBasicHeader(AuthenticationHeaderValue? header)
    {
        if (header is null || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return null;
        }

        try
        {
            string pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            int colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? new OciCredential(pair[..colon], pair[(colon + 1)..], "the channel URL") : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
