
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

    private readonly string? _token;
    private readonly string? _userInfo;

    private Channel(string name, Uri baseUrl)
        : this(name, baseUrl, null, null, false)
    {
    }

    internal Channel(string name, Uri baseUrl, string? token, string? userInfo, bool isDefaultsMember)
    {
        Name = name;
        BaseUrl = baseUrl;
        _token = string.IsNullOrEmpty(token) ? null : token;
        _userInfo = string.IsNullOrEmpty(userInfo) ? null : userInfo;
        IsDefaultsMember = isDefaultsMember;
    }

    /// <summary>
    /// The canonical name, as conda writes it in records and exports: the name for channels under the
    /// alias or a custom channel (<c>conda-forge</c>, <c>pkgs/main</c>), the full URL otherwise
    /// (<c>file:///srv/channel</c>). Never holds a token or credentials.
    /// </summary>
    public string Name { get; }

    /// <summary>The channel's base URL (no trailing slash, no subdir, no token, no credentials).</summary>
    public Uri BaseUrl { get; }

    /// <summary>conda's <c>canonical_name</c>: <c>defaults</c> for the members of <c>default_channels</c>, else <see cref="Name"/>.</summary>
    public string CanonicalName => IsDefaultsMember ? "defaults" : Name;

    /// <summary>Whether the channel is one of <c>default_channels</c>.</summary>
    public bool IsDefaultsMember { get; }

    /// <summary>Whether requests carry a token (<c>/t/&lt;token&gt;/</c>) or basic-auth credentials.</summary>
    public bool HasCredentials => _token is not null || _userInfo is not null;

    /// <summary>
    /// The base URL as it may be shown: credentials masked (<c>https://user:***@host/t/&lt;TOKEN&gt;/conda-forge</c>),
    /// so that a user sees that they are used without seeing them.
    /// </summary>
    public string DisplayUrl => UrlRedaction.Redact(RequestBaseUrl());

    /// <summary>True for <c>file://</c> channels.</summary>
    public bool IsLocal => BaseUrl.IsFile;

    /// <summary>The local folder of a <c>file://</c> channel, or null.</summary>
    public string? LocalPath => IsLocal ? BaseUrl.LocalPath : null;

    /// <summary>The URL of one subdir of the channel, without a trailing slash, token or credentials (what records keep).</summary>
    public string SubdirUrl(string subdir) => $"{BaseUrl.AbsoluteUri.TrimEnd('/')}/{subdir}";

    /// <summary>
    /// The URL to request a subdir (or, with null, the channel) from: with the token and credentials the
    /// channel was configured with. Secret: use it for requests only, never print or log it.
    /// </summary>
    public string GetRequestUrl(string? subdir = null)
    {
        string b = RequestBaseUrl();
        return subdir is null ? b : $"{b}/{subdir}";
    }

    private string RequestBaseUrl()
    {
        string b = BaseUrl.AbsoluteUri.TrimEnd('/');
        if (!HasCredentials || IsLocal)
        {
            return b;
        }

        int schemeEnd = b.IndexOf("://", StringComparison.Ordinal) + 3;
        int pathStart = b.IndexOf('/', schemeEnd);
        string authority = pathStart < 0 ? b[schemeEnd..] : b[schemeEnd..pathStart];
        string path = pathStart < 0 ? string.Empty : b[pathStart..];
        string user = _userInfo is null ? string.Empty : _userInfo + "@";
        string token = _token is null ? string.Empty : "/t/" + _token;
        return $"{b[..schemeEnd]}{user}{authority}{token}{path}";
    }

    /// <summary>The resolution of URLs and paths shared with <see cref="EnvTools.Config.ChannelResolver"/>; names are the resolver's.</summary>
    internal static Channel? ParseUrlOrPath(string t, string? workingDirectory, string homeDirectory, Func<Uri, string?, string?, Channel> fromUrl)
    {
        if (t.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(t.TrimEnd('/'), UriKind.Absolute, out Uri? url) || url.Scheme is not ("file" or "http" or "https" or "s3" or "oci"))
            {
                throw new InvalidSpecException(UrlRedaction.Redact(t), "a channel URL must be http://, https://, file://, s3:// or oci://");
            }

            if (url.Scheme == "s3" && (url.UserInfo.Length > 0 || url.Host.Length == 0))
            {
                throw new InvalidSpecException(UrlRedaction.Redact(t), url.Host.Length == 0 ? "an s3:// channel needs a bucket (s3://BUCKET/PREFIX)"
                    : "an s3:// channel URL holds no credentials; they come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE");
            }

            // System.Uri takes a host such as 'ho\uFFFDst' but the HTTP stack then fails on its IDN form:
            // refuse it here (UriFormatException, which the resolver reports as InvalidSpec)
            _ = url.IdnHost;

            if (url.IsFile)
            {
                url = StripSubdir(url);
                return new Channel(url.AbsoluteUri.TrimEnd('/'), url);
            }

            string? userInfo = url.UserInfo.Length > 0 ? url.UserInfo : null;
            string path = url.AbsolutePath;
            string? token = null;
            if (path.StartsWith("/t/", StringComparison.Ordinal))
            {
                int next = path.IndexOf('/', 3);
                token = next < 0 ? path[3..] : path[3..next];
                path = next < 0 ? "/" : path[next..];
            }

            var clean = new Uri($"{url.Scheme}://{url.Authority}{path.TrimEnd('/')}");
            return fromUrl(StripSubdir(clean), token, userInfo);
        }

        if (ChannelPath.LooksLikePath(t, ChannelPathRules.Argument, workingDirectory))
        {
            string expanded = t == "~" ? homeDirectory
                : t.StartsWith("~/", StringComparison.Ordinal) || t.StartsWith("~\\", StringComparison.Ordinal) ? Path.Combine(homeDirectory, t[2..]) : t;
            string full = Path.GetFullPath(expanded, workingDirectory ?? Directory.GetCurrentDirectory());
            var url = StripSubdir(new Uri(full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)));
            return new Channel(url.AbsoluteUri, url);
        }

        if (t.Contains(' ', StringComparison.Ordinal) || t.StartsWith('/'))
        {
            throw new InvalidSpecException(t, "not a channel name");
        }

        return null;
    }

    internal static Uri StripSubdir(Uri url)
    {
        string s = url.AbsoluteUri.TrimEnd('/');
        int slash = s.LastIndexOf('/');
        if (slash > 0 && Platform.TryParse(s[(slash + 1)..], out _))
        {
            return new Uri(s[..slash]);
        }

        return new Uri(s);
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
