using System.Text.Json;
using EnvTools.Config;

namespace EnvTools.Environments;

/// <summary>
/// The channels used lately, most recent first, for completion: the remote channels whose repodata is in the cache
/// (by the time it was last written), then the channels of the packages installed in the known environments (by the
/// time the environment last changed). Derived from what is on disk; nothing is recorded for it.
/// </summary>
public static class RecentChannels
{
    /// <summary>Up to <paramref name="max"/> channel URLs (no subdir), most recent first.</summary>
    public static IReadOnlyList<string> List(Settings settings, int max = 30)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var found = new List<(string Channel, DateTime When)>();
        foreach (string dir in settings.PkgsDirs.Select(p => Path.Combine(p, "cache")).Where(Directory.Exists))
        {
            foreach (FileInfo state in new DirectoryInfo(dir).EnumerateFiles("*.info.json"))
            {
                if (ReadUrl(state.FullName) is { } url && ChannelOf(url) is { } channel)
                {
                    found.Add((channel, state.LastWriteTimeUtc));
                }
            }
        }

        foreach (EnvironmentLocation env in new EnvironmentLocator(settings).List())
        {
            string history = Path.Combine(env.Prefix, "conda-meta", "history");
            DateTime when = File.Exists(history) ? File.GetLastWriteTimeUtc(history) : DateTime.MinValue;
            foreach (string channel in PrefixState.ReadInstalled(env.Prefix).Select(r => r.Channel).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                found.Add((WithoutSubdir(channel.TrimEnd('/')), when));
            }
        }

        return found.OrderByDescending(f => f.When).Select(f => f.Channel).Distinct(StringComparer.Ordinal).Take(max).ToArray();
    }

    /// <summary>The channel of a subdir's repodata URL: <c>…/conda-forge/linux-64/repodata.json</c> → <c>…/conda-forge</c>.</summary>
    internal static string? ChannelOf(string repodataUrl)
    {
        string[] parts = repodataUrl.TrimEnd('/').Split('/');
        return parts.Length >= 3 ? string.Join('/', parts[..^2]) : null;
    }

    /// <summary>A record's channel without the subdir some writers leave on it (<c>file:///c/linux-64</c> → <c>file:///c</c>).</summary>
    private static string WithoutSubdir(string channel)
    {
        int slash = channel.LastIndexOf('/');
        string last = slash < 0 ? string.Empty : channel[(slash + 1)..];
        return last == "noarch" || Conda.Platform.TryParse(last, out _) ? channel[..slash] : channel;
    }

    private static string? ReadUrl(string statePath)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(statePath));
            return doc.RootElement.TryGetProperty("url", out JsonElement url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
