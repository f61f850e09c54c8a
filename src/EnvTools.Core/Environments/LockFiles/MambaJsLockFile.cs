using System.Text.Json;
using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>One package of a mambajs lock file: a conda package (<c>packages</c>) or a pip one (<c>pipPackages</c>).</summary>
public sealed record MambaJsLockPackage
{
    /// <summary>The archive or wheel file name (the entry's key).</summary>
    public required string FileName { get; init; }

    /// <summary>The package name.</summary>
    public required string Name { get; init; }

    /// <summary>The version.</summary>
    public required string Version { get; init; }

    /// <summary><c>conda</c> or <c>pip</c>.</summary>
    public required string Manager { get; init; }

    /// <summary>The build string (conda packages), else null.</summary>
    public string? Build { get; init; }

    /// <summary>The subdir (conda packages: the lock's platform or <c>noarch</c>), else null.</summary>
    public string? Subdir { get; init; }

    /// <summary>The channel name (conda packages) or registry (pip packages, e.g. <c>PyPi</c>).</summary>
    public required string Channel { get; init; }

    /// <summary>The wheel's URL (pip packages), else null: a conda package's URL is its channel's first mirror, subdir and file name.</summary>
    public string? Url { get; init; }

    /// <summary>The MD5, or null.</summary>
    public string? Md5 { get; init; }

    /// <summary>The SHA-256, or null.</summary>
    public string? Sha256 { get; init; }
}

/// <summary>
/// A mambajs lock file (emscripten-forge's JSON lock, <c>lockVersion</c> 1.0.x, read by micromamba): one platform,
/// channel names with their mirror URLs (<c>channelInfo</c>), conda packages keyed by file name and pip packages keyed by
/// wheel name. The conda packages install exactly, without a solve, from their channel's first mirror.
/// </summary>
public sealed class MambaJsLockFile
{
    /// <summary>The file read, or null.</summary>
    public string? FilePath { get; init; }

    /// <summary>The <c>lockVersion</c> (1.0.x).</summary>
    public required string LockVersion { get; init; }

    /// <summary>The platform the lock is for.</summary>
    public required string Platform { get; init; }

    /// <summary>The specs the lock was solved for (may be empty).</summary>
    public IReadOnlyList<string> Specs { get; init; } = Array.Empty<string>();

    /// <summary>Channel names, priority order.</summary>
    public IReadOnlyList<string> Channels { get; init; } = Array.Empty<string>();

    /// <summary>Channel name → its mirror URLs, first preferred.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ChannelUrls { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The packages (conda, then pip), in file order.</summary>
    public IReadOnlyList<MambaJsLockPackage> Packages { get; init; } = Array.Empty<MambaJsLockPackage>();

    /// <summary>Whether text is a mambajs lock: a JSON object with a <c>lockVersion</c> key.</summary>
    public static bool LooksLike(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.TrimStart().StartsWith('{') && text.Contains("\"lockVersion\"", StringComparison.Ordinal);
    }

    /// <summary>Reads a file.</summary>
    /// <exception cref="InvalidEnvironmentFileException">The file is not a valid mambajs lock.</exception>
    public static MambaJsLockFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = EnvironmentFile.FullPath(path);
        MambaJsLockFile f = Parse(EnvironmentFile.ReadText(full), full);
        return new MambaJsLockFile
        {
            FilePath = full, LockVersion = f.LockVersion, Platform = f.Platform, Specs = f.Specs, Channels = f.Channels, ChannelUrls = f.ChannelUrls, Packages = f.Packages,
        };
    }

    /// <summary>Parses mambajs lock JSON; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidEnvironmentFileException">Invalid JSON, an unknown <c>lockVersion</c>, a missing field.</exception>
    public static MambaJsLockFile Parse(string text, string source = "lock.json")
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new InvalidEnvironmentFileException(source, (int)(ex.LineNumber ?? -1) + 1, null, $"invalid JSON: {ex.Message.Split(" LineNumber:")[0]}", ex);
        }

        using (doc)
        {
            try
            {
                return Read(doc.RootElement, source);
            }
            catch (InvalidOperationException ex)
            {
                // JsonElement.GetString on text that is not valid UTF-16 (a lone surrogate escape such as \ud800)
                throw new InvalidEnvironmentFileException(source, 0, null, $"invalid text: {ex.Message}", ex);
            }
        }
    }

    private static MambaJsLockFile Read(JsonElement root, string source)
    {
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidEnvironmentFileException(source, 0, null, "must be a JSON object");
            }

            string version = Str(root, "lockVersion", source, "lockVersion");
            if (!version.StartsWith("1.0.", StringComparison.Ordinal))
            {
                throw new InvalidEnvironmentFileException(source, 0, "lockVersion", $"'{version}' is not a supported mambajs lock version (1.0.x)");
            }

            string platform = Str(root, "platform", source, "platform");
            if (!Conda.Platform.TryParse(platform, out _))
            {
                throw new InvalidEnvironmentFileException(source, 0, "platform", $"'{platform}' is not a conda platform");
            }

            string[] channels = StrArray(root, "channels", source);
            var urls = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (JsonProperty c in Obj(root, "channelInfo", source).EnumerateObject())
            {
                if (!channels.Contains(c.Name, StringComparer.Ordinal))
                {
                    throw new InvalidEnvironmentFileException(source, 0, $"channelInfo.{c.Name}", "is not in the channels list");
                }

                if (c.Value.ValueKind != JsonValueKind.Array)
                {
                    throw new InvalidEnvironmentFileException(source, 0, $"channelInfo.{c.Name}", "must be a list of {url, protocol}");
                }

                urls[c.Name] = c.Value.EnumerateArray().Select(u => Str(u, "url", source, $"channelInfo.{c.Name}[].url").TrimEnd('/')).ToArray();
            }

            foreach (string c in channels.Where(c => !urls.ContainsKey(c)))
            {
                throw new InvalidEnvironmentFileException(source, 0, "channels", $"'{c}' has no channelInfo entry");
            }

            var packages = new List<MambaJsLockPackage>();
            foreach ((string key, string manager) in new[] { ("packages", "conda"), ("pipPackages", "pip") })
            {
                foreach (JsonProperty p in Obj(root, key, source).EnumerateObject())
                {
                    string where = $"{key}.{p.Name}";
                    string? md5 = null, sha256 = null;
                    if (p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("hash", out JsonElement hash))
                    {
                        md5 = OptionalStr(hash, "md5", source, $"{where}.hash");
                        sha256 = OptionalStr(hash, "sha256", source, $"{where}.hash");
                        if (md5 is null && sha256 is null)
                        {
                            throw new InvalidEnvironmentFileException(source, 0, $"{where}.hash", "needs md5 or sha256");
                        }
                    }

                    string channel = Str(p.Value, manager == "pip" ? "registry" : "channel", source, where);
                    if (manager == "conda" && !urls.ContainsKey(channel))
                    {
                        throw new InvalidEnvironmentFileException(source, 0, $"{where}.channel", $"'{channel}' is not in channelInfo");
                    }

                    packages.Add(new MambaJsLockPackage
                    {
                        FileName = p.Name,
                        Name = Str(p.Value, "name", source, where),
                        Version = Str(p.Value, "version", source, where),
                        Manager = manager,
                        Build = manager == "conda" ? Str(p.Value, "build", source, where) : null,
                        Subdir = manager == "conda" ? Str(p.Value, "subdir", source, where) : null,
                        Channel = channel,
                        Url = manager == "pip" ? Str(p.Value, "url", source, where) : null,
                        Md5 = md5?.ToLowerInvariant(),
                        Sha256 = sha256?.ToLowerInvariant(),
                    });
                }
            }

            string[] specs = root.TryGetProperty("specs", out JsonElement _) ? StrArray(root, "specs", source) : Array.Empty<string>();
            return new MambaJsLockFile { LockVersion = version, Platform = platform, Specs = specs, Channels = channels, ChannelUrls = urls, Packages = packages };
        }
    }

    /// <summary>The conda packages as records to install, in file order: URL = the channel's first mirror / subdir / file name.</summary>
    public IReadOnlyList<RepoDataRecord> ToRecords() =>
        Packages.Where(p => p.Manager == "conda").Select(p =>
        {
            string channel = $"{ChannelUrls[p.Channel][0]}/{p.Subdir}";
            return new RepoDataRecord
            {
                Name = p.Name,
                Version = p.Version,
                Build = p.Build!,
                BuildNumber = ArchiveName.BuildNumberOf(p.Build!),
                Subdir = p.Subdir,
                Md5 = p.Md5,
                Sha256 = p.Sha256,
                FileName = p.FileName,
                Url = $"{channel}/{p.FileName}",
                Channel = channel,
            };
        }).ToArray();

    /// <summary>The pip packages, in file order.</summary>
    public IReadOnlyList<MambaJsLockPackage> PipPackages => Packages.Where(p => p.Manager == "pip").ToArray();

    private static JsonElement Obj(JsonElement e, string key, string source) =>
        e.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.Object ? v
        : throw new InvalidEnvironmentFileException(source, 0, key, e.TryGetProperty(key, out _) ? "must be an object" : "is missing");

    private static string Str(JsonElement e, string key, string source, string where) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s
        : throw new InvalidEnvironmentFileException(source, 0, where == key ? key : $"{where}.{key}", "is missing or not a non-empty string");

    /// <summary>A string or null; anything else (<c>"md5": {}</c>) is an error, not an InvalidOperationException.</summary>
    private static string? OptionalStr(JsonElement e, string key, string source, string where) =>
        e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw new InvalidEnvironmentFileException(source, 0, $"{where}.{key}", $"must be a string or null, not {v.ValueKind.ToString().ToLowerInvariant()}");

    private static string[] StrArray(JsonElement e, string key, string source) =>
        e.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String)
            ? v.EnumerateArray().Select(x => x.GetString()!).ToArray()
            : throw new InvalidEnvironmentFileException(source, 0, key, "must be a list of strings");
}
