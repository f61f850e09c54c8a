using EnvTools.Conda;
using EnvTools.Config;

namespace EnvTools.Environments;

/// <summary>Small helpers over conda-meta file names and record channels.</summary>
internal static class CondaMetaNames
{
    /// <summary>
    /// Splits a conda-meta file name (<c>name-version-build.json</c>) into its parts: version and build
    /// hold no dash, so the last two dashes separate them from the name.
    /// </summary>
    internal static bool TryParse(string fileName, out string name, out string version, out string build)
    {
        name = version = build = string.Empty;
        if (!fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string stem = fileName[..^5];
        int b = stem.LastIndexOf('-');
        int v = b > 0 ? stem.LastIndexOf('-', b - 1) : -1;
        if (v <= 0)
        {
            return false;
        }

        name = stem[..v];
        version = stem[(v + 1)..b];
        build = stem[(b + 1)..];
        return version.Length > 0 && build.Length > 0;
    }

    /// <summary>The conda-meta record files of a prefix's last committed state, in ordinal order (see
    /// <see cref="PrefixJournal.CommittedRecordFiles"/>): never the journal or another dot file.</summary>
    internal static string[] RecordFiles(string prefix) => PrefixJournal.CommittedRecordFiles(prefix, out _);

    /// <summary>
    /// The channel as <c>conda list</c> shows it: the channel name (<c>conda-forge</c>, <c>pkgs/main</c>) for
    /// records whose <c>channel</c> is a URL under the default alias or a default channel, the URL without the
    /// subdir otherwise; null when unknown. With <paramref name="resolver"/>, names follow its (configured) channel alias
    /// and custom channels, as <c>conda list</c> names them under the configuration.
    /// </summary>
    internal static string? ShortChannel(string? channel, ChannelResolver? resolver = null)
    {
        if (string.IsNullOrWhiteSpace(channel))
        {
            return null;
        }

        string c = channel.Trim().TrimEnd('/');
        if (!c.Contains("://", StringComparison.Ordinal))
        {
            int slash = c.LastIndexOf('/');
            return slash > 0 && Platform.TryParse(c[(slash + 1)..], out _) ? c[..slash] : c;
        }

        try
        {
            return (resolver ?? ChannelResolver.Default).ResolveOne(c).Name;
        }
        catch (InvalidSpecException)
        {
            return c;
        }
    }
}
