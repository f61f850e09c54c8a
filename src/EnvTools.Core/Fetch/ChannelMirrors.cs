using System.Collections.Concurrent;
using EnvTools.Conda;
using EnvTools.Config;

namespace EnvTools.Fetch;

/// <summary>
/// mamba's <c>mirrored_channels</c>: a channel (named as in <c>channels</c>: <c>conda-forge</c>, or its URL) whose
/// repodata and packages are fetched from its mirrors, in the configured order, instead of from its own URL; the
/// records keep the channel's own name and URL (the canonical one, so conda-meta, exports and lock files do not
/// depend on the mirrors). A mirror is any channel location: <c>https://</c>, <c>http://</c>, <c>oci://</c>,
/// <c>file://</c> or a folder; its own token or credentials are used with it (the channel's never go to a mirror).
/// <para>
/// The mirrors are only URL prefixes swapped for the channel's: a subdir's repodata is <c>&lt;mirror&gt;/&lt;subdir&gt;/repodata.json…</c>,
/// a package <c>&lt;mirror&gt;/&lt;subdir&gt;/&lt;file&gt;</c>. A mirror that failed as a whole (unreachable, 5xx, refused) is
/// tried after the others for the rest of the session, as mamba ranks a mirror with failures and no success.
/// </para>
/// </summary>
internal sealed class ChannelMirrors
{
    private const string Key = "mirrored_channels";

    // one instance per Settings object: the repodata load and the package downloads of an operation share what they learn of the mirrors
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Settings, ChannelMirrors> BySettings = new();

    private readonly Dictionary<string, MirroredChannel> _byBase;
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    private ChannelMirrors(Dictionary<string, MirroredChannel> byBase) => _byBase = byBase;

    /// <summary>No mirrored channel.</summary>
    internal static ChannelMirrors None { get; } = new(new Dictionary<string, MirroredChannel>(StringComparer.Ordinal));

    /// <summary>Whether no channel is mirrored.</summary>
    internal bool IsEmpty => _byBase.Count == 0;

    /// <summary>
    /// The mirrors of <paramref name="settings"/>' <c>mirrored_channels</c>, each channel and mirror resolved as a channel is;
    /// the same instance (and so the same record of failed mirrors) for the same settings object.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">A channel or mirror that is not a channel location, or a channel without mirrors.</exception>
    internal static ChannelMirrors From(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MirroredChannels.Count == 0)
        {
            return None;
        }

        return BySettings.GetValue(settings, Create);
    }

    private static ChannelMirrors Create(Settings settings)
    {

        ConfigSource source = settings.GetValue(Key)?.SourceInfo ?? ConfigSource.Default;
        ChannelResolver resolver = settings.CreateChannelResolver();
        var byBase = new Dictionary<string, MirroredChannel>(StringComparer.Ordinal);
        foreach ((string name, IReadOnlyList<string> urls) in settings.MirroredChannels)
        {
            Channel canonical = Resolve(resolver, name, source, $"'{name}' is not a channel");
            if (canonical.IsLocal)
            {
                throw new InvalidConfigurationException(source, Key, $"'{name}' is a local folder; only remote channels are mirrored");
            }

            Channel[] mirrors = urls.Select(u => Resolve(resolver, u, source, $"a mirror of '{name}' ('{UrlRedaction.Redact(u)}') is not a channel location"))
                .Distinct().ToArray();
            if (mirrors.Length == 0)
            {
                throw new InvalidConfigurationException(source, Key, $"'{name}' has no mirrors");
            }

            byBase[BaseKey(canonical.BaseUrl)] = new MirroredChannel(canonical, mirrors);
        }

        return new ChannelMirrors(byBase);
    }

    private static Channel Resolve(ChannelResolver resolver, string text, ConfigSource source, string what)
    {
        try
        {
            return resolver.ResolveOne(text);
        }
        catch (InvalidSpecException ex)
        {
            throw new InvalidConfigurationException(source, Key, $"{what}: {UrlRedaction.Redact(ex.Message)}", ex);
        }
    }

    /// <summary>The mirrors of <paramref name="channel"/> (matched by its canonical URL), or null when it is not mirrored.</summary>
    internal MirroredChannel? For(Channel channel) =>
        channel.IsLocal || IsEmpty ? null : _byBase.GetValueOrDefault(BaseKey(channel.BaseUrl));

    /// <summary>
    /// For a package URL <c>&lt;channel&gt;/&lt;subdir&gt;/&lt;file&gt;</c> of a mirrored channel: the channel and
    /// <c>&lt;subdir&gt;/&lt;file&gt;</c>; else null.
    /// </summary>
    internal (MirroredChannel Channel, string Path)? ForPackage(string url)
    {
        if (IsEmpty || !Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.IsFile)
        {
            return null;
        }

        string s = uri.AbsoluteUri;
        int file = s.LastIndexOf('/');
        int subdir = file > 0 ? s.LastIndexOf('/', file - 1) : -1;
        if (subdir <= 0 || file == s.Length - 1)
        {
            return null;
        }

        return _byBase.TryGetValue(s[..subdir], out MirroredChannel? m) ? (m, s[(subdir + 1)..]) : null;
    }

    /// <summary>The mirrors to try, in order: the configured order, with those that failed in this session last.</summary>
    internal IReadOnlyList<Channel> InOrder(MirroredChannel channel) =>
        channel.Mirrors.OrderBy(m => _failures.ContainsKey(BaseKey(m.BaseUrl)) ? 1 : 0).ToArray();

    /// <summary>Notes that <paramref name="mirror"/> failed as a whole (it is tried after the others from now on).</summary>
    internal void Failed(Channel mirror) => _failures.AddOrUpdate(BaseKey(mirror.BaseUrl), 1, (_, n) => n + 1);

    /// <summary>Notes that <paramref name="mirror"/> served a request.</summary>
    internal void Served(Channel mirror) => _failures.TryRemove(BaseKey(mirror.BaseUrl), out _);

    private static string BaseKey(Uri url) => url.AbsoluteUri.TrimEnd('/');
}

/// <summary>A mirrored channel: the channel as records name it, and its mirrors in the configured order.</summary>
/// <param name="Canonical">The channel (its name and URL are what records keep).</param>
/// <param name="Mirrors">Where its files are fetched from.</param>
internal sealed record MirroredChannel(Channel Canonical, IReadOnlyList<Channel> Mirrors);
