using EnvTools.Conda;

namespace EnvTools.Config;

/// <summary>
/// Resolves channels as the user writes them, under the settings, as conda's <c>Channel.from_value</c> does
/// (conda/models/channel.py):
/// <list type="bullet">
/// <item><c>defaults</c> → the <c>default_channels</c>; a <c>custom_multichannels</c> name → its channels;</item>
/// <item>a name whose leading segments name a custom channel (<c>custom_channels</c>, and the members of
/// <c>default_channels</c> such as <c>pkgs/main</c>) → that channel's location + the full name, so labels
/// (<c>mychan/label/dev</c>) follow;</item>
/// <item>any other name (<c>conda-forge</c>, <c>conda-forge/label/dev</c>) → <c>&lt;channel_alias&gt;/name</c>;</item>
/// <item>a URL → itself, named after the custom channel or alias it lies under (a trailing subdir is dropped);</item>
/// <item><c>file://</c> URLs and local paths (<c>./x</c>, <c>/x</c>, <c>~/x</c>, <c>C:\x</c>) → <c>file://</c> channels.</item>
/// </list>
/// Tokens (<c>/t/&lt;token&gt;/</c>) and <c>user:password@</c> in URLs, the alias or custom channels are kept for
/// requests (<see cref="Channel.GetRequestUrl"/>) and kept out of names, <see cref="Channel.BaseUrl"/> and text.
/// </summary>
public sealed class ChannelResolver
{
    private readonly Location _alias;
    private readonly IReadOnlyList<string> _defaultChannels;
    private readonly List<(string Name, Location Location)> _custom;
    private readonly HashSet<string> _defaultMemberNames;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _multichannels;
    private readonly string _home;

    /// <summary>A resolver for <paramref name="settings"/>.</summary>
    public ChannelResolver(Settings settings)
        : this((settings ?? throw new ArgumentNullException(nameof(settings))).ChannelAlias, settings.DefaultChannels, settings.CustomChannels,
            settings.CustomMultichannels, settings.Environment.HomeDirectory)
    {
    }

    /// <summary>A resolver from explicit values; null ones take conda's defaults.</summary>
    public ChannelResolver(string channelAlias = Channel.DefaultChannelAlias, IReadOnlyList<string>? defaultChannels = null,
        IReadOnlyDictionary<string, string>? customChannels = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? customMultichannels = null,
        string? homeDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(channelAlias);
        _alias = Location.Parse(channelAlias);
        _defaultChannels = defaultChannels ?? (OperatingSystem.IsWindows() ? Settings.DefaultChannelsWindows : Settings.DefaultChannelsUnix);
        _home = homeDirectory ?? ConfigEnvironment.UserHome;

        // conda's context.custom_channels: the channels of the multichannels (defaults' members), then custom_channels (winning).
        var custom = new Dictionary<string, Location>(StringComparer.Ordinal);
        _defaultMemberNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (string member in _defaultChannels)
        {
            if (SimpleChannel(member) is (string name, Location loc))
            {
                custom[name] = loc;
                _defaultMemberNames.Add(name);
            }
        }

        var multi = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, IReadOnlyList<string>> m in customMultichannels ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            multi[m.Key] = m.Value;
            foreach (string member in m.Value)
            {
                if (SimpleChannel(member) is (string name, Location loc))
                {
                    custom[name] = loc;
                }
            }
        }

        multi["defaults"] = _defaultChannels; // reserved: custom_multichannels cannot redefine it
        _multichannels = multi;

        foreach (KeyValuePair<string, string> c in customChannels ?? new Dictionary<string, string> { ["pkgs/pro"] = "https://repo.anaconda.com" })
        {
            custom[c.Key.Trim('/')] = Location.Parse(c.Value);
        }

        // Longest names first, so that the most specific custom channel claims a URL or name.
        _custom = custom.Select(p => (p.Key, p.Value)).OrderByDescending(p => p.Key.Length).ToList();
    }

    /// <summary>
    /// Resolves a channel as the user wrote it, with conda's default configuration but for <paramref name="channelAlias"/>.
    /// Relative local paths are taken from <paramref name="workingDirectory"/> (the current directory by default).
    /// </summary>
    /// <exception cref="InvalidSpecException">An empty or malformed channel.</exception>
    public static Channel ParseChannel(string text, string? workingDirectory = null, string channelAlias = Channel.DefaultChannelAlias)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ForAlias(channelAlias).ResolveOne(text, workingDirectory);
    }

    /// <summary>A resolver with conda's defaults and the given channel alias.</summary>
    public static ChannelResolver ForAlias(string channelAlias) =>
        channelAlias == Channel.DefaultChannelAlias ? Default : new ChannelResolver(channelAlias);

    /// <summary>A resolver with conda's defaults.</summary>
    public static ChannelResolver Default { get; } = new();

    /// <summary>Whether <paramref name="text"/> names several channels (<c>defaults</c>, a custom multichannel).</summary>
    public bool IsMultichannel(string text) => _multichannels.ContainsKey(text.Trim());

    /// <summary>The channels <paramref name="text"/> stands for: one, or several for a multichannel.</summary>
    /// <exception cref="InvalidSpecException">An empty or malformed channel.</exception>
    public IReadOnlyList<Channel> Resolve(string text, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (_multichannels.TryGetValue(t, out IReadOnlyList<string>? members))
        {
            return members.Select(m => ResolveOne(m, workingDirectory, allowMulti: false)).Distinct().ToArray();
        }

        return new[] { ResolveOne(t, workingDirectory, allowMulti: false) };
    }

    /// <summary>The channels of a list, multichannels expanded, in order, each once.</summary>
    public IReadOnlyList<Channel> ResolveAll(IEnumerable<string> channels, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        return channels.SelectMany(c => Resolve(c, workingDirectory)).Distinct().ToArray();
    }

    /// <summary>One channel; a multichannel is an error here (use <see cref="Resolve"/>).</summary>
    /// <exception cref="InvalidSpecException">An empty or malformed channel, or a multichannel.</exception>
    public Channel ResolveOne(string text, string? workingDirectory = null) => ResolveOne(text, workingDirectory, allowMulti: false);

    private Channel ResolveOne(string text, string? workingDirectory, bool allowMulti)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t.Length == 0)
        {
            throw new InvalidSpecException(text, "a channel name, URL or path is required");
        }

        if (!allowMulti && _multichannels.ContainsKey(t))
        {
            throw new InvalidSpecException(t, $"'{t}' stands for several channels ({string.Join(", ", _multichannels[t].Select(UrlRedaction.Redact))}); resolve it with ChannelResolver.Resolve");
        }

        if (t.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0)
        {
            throw new InvalidSpecException(UrlRedaction.Redact(t.Replace("\0", "\\0", StringComparison.Ordinal)), "a channel must not contain control characters (such as NUL)");
        }

        try
        {
            Channel? c = Channel.ParseUrlOrPath(t, workingDirectory, _home, FromUrl);
            return c ?? FromName(t.Trim('/'));
        }
        catch (Exception ex) when (ex is UriFormatException or ArgumentException or PathTooLongException or NotSupportedException)
        {
            // '/', a host such as 'ho\uFFFDst', a channel_alias that is not a URL: System.Uri and Path refuse them
            throw new InvalidSpecException(UrlRedaction.Redact(t), $"not a valid channel URL, path or name: {ex.Message}", -1, ex);
        }
    }

    private Channel FromName(string name)
    {
        // conda's _get_channel_for_name: strip trailing segments until a custom channel matches.
        for (string test = name; ; )
        {
            Location? custom = _custom.FirstOrDefault(c => c.Name == test).Location;
            if (custom is not null)
            {
                return Make(name, custom.Url + "/" + name, custom.Token, custom.UserInfo, _defaultMemberNames.Contains(test));
            }

            int slash = test.LastIndexOf('/');
            if (slash < 0)
            {
                break;
            }

            test = test[..slash];
        }

        return Make(name, _alias.Url + "/" + name, _alias.Token, _alias.UserInfo, false);
    }

    private Channel FromUrl(Uri clean, string? token, string? userInfo)
    {
        string url = clean.AbsoluteUri.TrimEnd('/');
        foreach ((string name, Location loc) in _custom)
        {
            string channelUrl = loc.Url + "/" + name;
            if (StartsWithPath(url, channelUrl))
            {
                string full = (name + url[channelUrl.Length..]).TrimEnd('/');
                return Make(full, url, token ?? loc.Token, userInfo ?? loc.UserInfo, _defaultMemberNames.Contains(name));
            }
        }

        if (StartsWithPath(url, _alias.Url) && url.Length > _alias.Url.Length)
        {
            return Make(url[(_alias.Url.Length + 1)..], url, token ?? _alias.Token, userInfo ?? _alias.UserInfo, false);
        }

        return Make(url, url, token, userInfo, false);
    }

    private static Channel Make(string name, string url, string? token, string? userInfo, bool defaultsMember) =>
        new(name, new Uri(url), token, userInfo, defaultsMember);

    private static bool StartsWithPath(string url, string prefix) =>
        url.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && (url.Length == prefix.Length || url[prefix.Length] == '/');

    /// <summary>conda's <c>make_simple_channel</c> for a multichannel member: a URL → (its path, its host); a name → null (under the alias).</summary>
    private static (string Name, Location Location)? SimpleChannel(string member)
    {
        if (!member.Contains("://", StringComparison.Ordinal) || member.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        Location full = Location.Parse(member);
        var u = new Uri(full.Url);
        string name = u.AbsolutePath.Trim('/');
        if (name.Length == 0)
        {
            return null;
        }

        return (name, full with { Url = $"{u.Scheme}://{u.Authority}" });
    }

    /// <summary>A base location without credentials (<see cref="Url"/>), and the token and credentials it carried.</summary>
    private sealed record Location(string Url, string? Token, string? UserInfo)
    {
        public static Location Parse(string text)
        {
            string t = text.Trim().TrimEnd('/');
            if (!Uri.TryCreate(t, UriKind.Absolute, out Uri? u) || u.IsFile)
            {
                return new Location(t, null, null);
            }

            string path = u.AbsolutePath;
            string? token = null;
            if (path.StartsWith("/t/", StringComparison.Ordinal))
            {
                int next = path.IndexOf('/', 3);
                token = next < 0 ? path[3..] : path[3..next];
                path = next < 0 ? string.Empty : path[next..];
            }

            return new Location($"{u.Scheme}://{u.Authority}{path.TrimEnd('/')}", token, u.UserInfo.Length > 0 ? u.UserInfo : null);
        }
    }
}
