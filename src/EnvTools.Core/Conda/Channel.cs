namespace EnvTools.Conda;

/// <summary>
/// A channel a user named: a name (<c>conda-forge</c>, <c>conda-forge/label/dev</c>), <c>defaults</c>'s
/// members, a URL (<c>https://…</c>, <c>file:///…</c>) or a local folder. Resolves like conda: names go
/// through the channel alias (<c>https://conda.anaconda.org</c> unless configured otherwise), local
/// paths become <c>file://</c> URLs. A channel holds one folder per subdir with a <c>repodata.json</c>.
/// </summary>
public sealed class Channel : IEquatable<Channel>
{
    /// <summary>conda's default channel alias.</summary>
    public const string DefaultChannelAlias = "https://conda.anaconda.org";

    private Channel(string name, Uri baseUrl)
    {
        Name = name;
        BaseUrl = baseUrl;
    }

    /// <summary>
    /// The canonical name, as conda writes it in records and exports: the name for channels under the
    /// alias (<c>conda-forge</c>), the full URL otherwise (<c>file:///srv/channel</c>).
    /// </summary>
    public string Name { get; }

    /// <summary>The channel's base URL (no trailing slash, no subdir).</summary>
    public Uri BaseUrl { get; }

    /// <summary>True for <c>file://</c> channels.</summary>
    public bool IsLocal => BaseUrl.IsFile;

    /// <summary>The local folder of a <c>file://</c> channel, or null.</summary>
    public string? LocalPath => IsLocal ? BaseUrl.LocalPath : null;

    /// <summary>The URL of one subdir of the channel, without a trailing slash.</summary>
    public string SubdirUrl(string subdir) => $"{BaseUrl.AbsoluteUri.TrimEnd('/')}/{subdir}";

    /// <summary>
    /// Resolves a channel as the user wrote it. Relative local paths are taken from
    /// <paramref name="workingDirectory"/> (the current directory by default).
    /// </summary>
    /// <exception cref="InvalidSpecException">An empty or malformed channel.</exception>
    public static Channel Parse(string text, string? workingDirectory = null, string channelAlias = DefaultChannelAlias)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t.Length == 0)
        {
            throw new InvalidSpecException(text, "a channel name, URL or path is required");
        }

        if (t.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(t.TrimEnd('/'), UriKind.Absolute, out Uri? url) ||
                (url.Scheme != Uri.UriSchemeFile && url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new InvalidSpecException(text, "a channel URL must be http://, https:// or file://");
            }

            url = StripSubdir(url);
            return new Channel(NameOf(url, channelAlias), url);
        }

        if (LooksLikePath(t))
        {
            string full = Path.GetFullPath(t, workingDirectory ?? Directory.GetCurrentDirectory());
            var url = new Uri(full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            return new Channel(url.AbsoluteUri, url);
        }

        if (t.Contains(' ', StringComparison.Ordinal) || t.StartsWith('/'))
        {
            throw new InvalidSpecException(text, "not a channel name");
        }

        var named = new Uri($"{channelAlias.TrimEnd('/')}/{t.Trim('/')}");
        return new Channel(t.Trim('/'), named);
    }

    private static bool LooksLikePath(string t) =>
        t.StartsWith('/') || t.StartsWith("./", StringComparison.Ordinal) || t.StartsWith("../", StringComparison.Ordinal) ||
        t.StartsWith('~') || t == "." || t == ".." || t.Contains('\\', StringComparison.Ordinal) ||
        (t.Length > 1 && t[1] == ':') || Directory.Exists(t);

    private static Uri StripSubdir(Uri url)
    {
        string s = url.AbsoluteUri.TrimEnd('/');
        int slash = s.LastIndexOf('/');
        if (slash > 0 && Platform.TryParse(s[(slash + 1)..], out _))
        {
            return new Uri(s[..slash]);
        }

        return new Uri(s);
    }

    private static string NameOf(Uri url, string channelAlias)
    {
        string s = url.AbsoluteUri.TrimEnd('/');
        string alias = channelAlias.TrimEnd('/') + "/";
        return s.StartsWith(alias, StringComparison.OrdinalIgnoreCase) ? s[alias.Length..] : s;
    }

    /// <inheritdoc />
    public bool Equals(Channel? other) => other is not null && other.BaseUrl == BaseUrl;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Channel);

    /// <inheritdoc />
    public override int GetHashCode() => BaseUrl.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => Name;
}
