using System.Buffers;

namespace EnvTools.Conda;

/// <summary>
/// The channel condition of a <see cref="MatchSpec"/> (conda's <c>ChannelMatch</c>): a channel name
/// (<c>conda-forge</c>, <c>conda-forge/label/dev</c>), the <c>defaults</c> multichannel, a channel URL
/// (<c>https://repo.example/custom</c>, <c>file:///srv/channel</c>) or a pattern (<c>*</c>, <c>conda-*</c>).
/// Names resolve against conda's defaults (channel alias <c>https://conda.anaconda.org</c>, defaults on
/// <c>https://repo.anaconda.com</c>). Immutable; equality is by <see cref="Value"/>.
/// </summary>
public sealed class MatchSpecChannel : IEquatable<MatchSpecChannel>
{
    private readonly ChannelLocation _location;
    private readonly StringMatcher? _pattern;

    private MatchSpecChannel(string value, ChannelLocation location, StringMatcher? pattern)
    {
        Value = value;
        _location = location;
        _pattern = pattern;
    }

    /// <summary>
    /// The channel as a MatchSpec writes it before <c>::</c>: the canonical name for named channels and
    /// channel-alias URLs (<c>conda-forge</c>, <c>defaults</c>), the base URL for other URLs, or the pattern.
    /// </summary>
    public string Value { get; }

    /// <summary>conda's <c>Channel.name</c>: the path below the channel's host (<c>conda-forge</c>, <c>pkgs/main</c>), or the last folder of a file channel.</summary>
    public string Name => _location.Name;

    /// <summary>The resolved base URL without subdir, or null for <c>defaults</c> and patterns.</summary>
    public string? BaseUrl => _location.BaseUrl;

    /// <summary>Whether the channel is a glob or regex pattern rather than one channel.</summary>
    public bool IsPattern => _pattern is not null;

    /// <summary>True for <c>*</c>, which accepts every channel.</summary>
    public bool IsMatchAll => Value == "*";

    /// <summary>
    /// Parses a channel as conda's <c>ChannelMatch</c> would hold it, keeping the text given (no
    /// canonicalisation, no subdir split). Throws <see cref="InvalidSpecException"/> for an invalid regex.
    /// </summary>
    public static MatchSpecChannel Parse(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return ParseCore(channel, out SpecError error) ?? throw error.ToException(channel);
    }

    /// <summary>The channel, or null and why <paramref name="channel"/> is invalid (a pattern whose regex does not compile).</summary>
    internal static MatchSpecChannel? ParseCore(string channel, out SpecError error)
    {
        error = default;
        if (IsPatternText(channel))
        {
            StringMatcher? pattern = StringMatcher.ParseCore(channel, false, out error);
            return pattern is null ? null : new MatchSpecChannel(channel, ChannelLocation.ForPattern(channel), pattern);
        }

        return new MatchSpecChannel(channel, ChannelLocation.Resolve(channel), null);
    }

    /// <summary>
    /// conda's <c>_parse_channel</c>: splits a known subdir off <paramref name="channel"/> and returns the
    /// channel a MatchSpec keeps (canonical name, or the base URL for URLs outside the channel alias).
    /// </summary>
    internal static (MatchSpecChannel? Channel, string? Subdir) ParseWithSubdir(string? channel)
    {
        (MatchSpecChannel? ch, string? subdir) = ParseWithSubdir(channel, out SpecError error, out string? failed);
        return failed is null ? (ch, subdir) : throw error.ToException(failed);
    }

    /// <summary>
    /// <see cref="ParseWithSubdir(string?)"/> without throwing: <paramref name="failed"/> is the channel text that did not
    /// parse (null when all went well) and <paramref name="error"/> says why.
    /// </summary>
    internal static (MatchSpecChannel? Channel, string? Subdir) ParseWithSubdir(string? channel, out SpecError error, out string? failed)
    {
        error = default;
        failed = null;
        if (string.IsNullOrEmpty(channel))
        {
            return (null, null);
        }

        string? subdir = null;
        if (IsPatternText(channel))
        {
            int slash = channel.LastIndexOf('/');
            if (slash > 0 && MatchSpecChannelNames.IsKnownSubdir(channel[(slash + 1)..]))
            {
                subdir = channel[(slash + 1)..];
                channel = channel[..slash];
            }
        }
        else
        {
            ChannelLocation loc = ChannelLocation.Resolve(channel);
            channel = loc.IsUrl && !loc.IsAliasLocation ? loc.BaseUrl! : loc.CanonicalName;
            subdir = loc.Subdir;
        }

        MatchSpecChannel? parsed = ParseCore(channel, out error);
        failed = parsed is null ? channel : null;
        return (parsed, subdir);
    }

    /// <summary>The canonical name conda gives a channel or package URL (used for tarball specs).</summary>
    internal static (string Canonical, string? Subdir) Canonicalize(string channelUrl)
    {
        ChannelLocation loc = ChannelLocation.Resolve(channelUrl);
        return (loc.CanonicalName, loc.Subdir);
    }

    /// <summary>
    /// Whether a record's channel (a name or URL, optionally ending in its subdir) is this channel.
    /// URLs outside the channel alias must have the same base URL; names match the record's name or
    /// canonical name (so <c>defaults</c> matches <c>pkgs/main</c>, but not the other way round).
    /// </summary>
    public bool Matches(string? recordChannel)
    {
        if (recordChannel is null)
        {
            return false;
        }

        if (_pattern is not null)
        {
            if (_pattern.IsMatchAll)
            {
                return true;
            }

            return _pattern.IsMatch(ChannelLocation.Resolve(recordChannel).CanonicalName);
        }

        ChannelLocation other = ChannelLocation.Resolve(recordChannel);
        if (_location.IsUrl && !_location.IsAliasLocation)
        {
            return other.BaseUrl is not null && string.Equals(_location.BaseUrl, other.BaseUrl, StringComparison.Ordinal);
        }

        return _location.Name == other.Name || _location.Name == other.CanonicalName;
    }

    /// <summary>Intersects two channel conditions (conda's merge): equal values stay, a pattern yields to a channel it accepts.</summary>
    internal MatchSpecChannel Merge(MatchSpecChannel other)
    {
        if (Equals(other))
        {
            return this;
        }

        MatchSpecChannel self = this;
        if (self._pattern is null && other._pattern is not null)
        {
            (self, other) = (other, self);
        }

        if (self._pattern is not null && other._pattern is null)
        {
            if (self._pattern.IsMatch(other.Value))
            {
                return other;
            }
        }
        else if (self._pattern is not null && other._pattern is not null)
        {
            StringMatcher merged = self._pattern.Merge(other._pattern);
            return Parse(merged.Pattern);
        }

        throw new InvalidOperationException($"Incompatible component merge:\n  - '{Value}'\n  - '{other.Value}'");
    }

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <inheritdoc />
    public bool Equals(MatchSpecChannel? other) => other is not null && string.Equals(other.Value, Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as MatchSpecChannel);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    private static bool IsPatternText(string channel) =>
        channel.Contains('*') || (channel.Length >= 2 && channel[0] == '^' && channel[^1] == '$');
}

/// <summary>conda's built-in channel knowledge: the alias, the defaults multichannel, known subdirs.</summary>
internal static class MatchSpecChannelNames
{
    public const string ChannelAliasHost = "conda.anaconda.org";
    public const string ChannelAlias = "https://conda.anaconda.org";
    public const string DefaultsHost = "repo.anaconda.com";
    public const string Defaults = "defaults";

    private static readonly HashSet<string> KnownSubdirs = new(StringComparer.Ordinal)
    {
        "emscripten-wasm32", "wasi-wasm32", "freebsd-64", "linux-32", "linux-64", "linux-aarch64",
        "linux-armv6l", "linux-armv7l", "linux-ppc64", "linux-ppc64le", "linux-riscv64", "linux-s390x",
        "noarch", "osx-64", "osx-arm64", "win-32", "win-64", "win-arm64", "zos-z",
    };

    /// <summary>Paths of the defaults members on repo.anaconda.com (pkgs/msys2 only on Windows, as conda).</summary>
    public static readonly string[] DefaultMembers = OperatingSystem.IsWindows()
        ? new[] { "pkgs/main", "pkgs/r", "pkgs/msys2" }
        : new[] { "pkgs/main", "pkgs/r" };

    public static bool IsKnownSubdir(string s) => KnownSubdirs.Contains(s);

    public static bool IsDefaultMember(string path) => Array.IndexOf(DefaultMembers, path) >= 0;
}

/// <summary>A channel string resolved the way conda's <c>Channel</c> does, reduced to what matching needs.</summary>
internal readonly record struct ChannelLocation(
    string Name,
    string CanonicalName,
    string? BaseUrl,
    string? Subdir,
    bool IsUrl,
    bool IsAliasLocation)
{
    private static readonly SearchValues<char> QueryOrFragment = SearchValues.Create("?#");

    public static ChannelLocation ForPattern(string pattern) => new(pattern, pattern, null, null, false, false);

    public static ChannelLocation Resolve(string channel)
    {
        string s = channel.Trim();
        if (s == MatchSpecChannelNames.Defaults)
        {
            return new ChannelLocation(s, s, null, null, false, false);
        }

        if (ChannelPath.LooksLikePath(s, ChannelPathRules.Spec))
        {
            s = PathToFileUrl(s);
        }

        int schemeEnd = s.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            // A bare name relative to the channel alias (or a defaults member such as pkgs/main).
            string name = s.Trim('/');
            string? subdir = SplitSubdir(ref name);
            if (name == MatchSpecChannelNames.Defaults)
            {
                return new ChannelLocation(name, name, null, subdir, false, false);
            }

            if (MatchSpecChannelNames.IsDefaultMember(name))
            {
                return new ChannelLocation(name, MatchSpecChannelNames.Defaults, $"https://{MatchSpecChannelNames.DefaultsHost}/{name}", subdir, false, false);
            }

            return new ChannelLocation(name, name, $"{MatchSpecChannelNames.ChannelAlias}/{name}", subdir, false, false);
        }

        string scheme = s[..schemeEnd].ToLowerInvariant();
        string rest = s[(schemeEnd + 3)..];
        string host;
        string path;
        if (scheme == "file")
        {
            host = string.Empty;
            path = rest;
        }
        else
        {
            int slash = rest.IndexOf('/');
            host = slash < 0 ? rest : rest[..slash];
            path = slash < 0 ? string.Empty : rest[(slash + 1)..];
            int at = host.LastIndexOf('@');
            if (at >= 0)
            {
                host = host[(at + 1)..]; // drop user:password@
            }

            host = host.ToLowerInvariant();
        }

        int query = path.AsSpan().IndexOfAny(QueryOrFragment);
        if (query >= 0)
        {
            path = path[..query];
        }

        path = Uri.UnescapeDataString(path.Trim('/'));
        if (scheme != "file" && path.StartsWith("t/", StringComparison.Ordinal))
        {
            // strip a /t/<token>/ prefix
            int next = path.IndexOf('/', 2);
            path = next < 0 ? string.Empty : path[(next + 1)..];
        }

        string? sub = SplitSubdir(ref path);
        if (scheme == "file")
        {
            string baseUrl = "file:///" + path.TrimStart('/');
            int last = path.LastIndexOf('/');
            string fname = last < 0 ? path : path[(last + 1)..];
            return new ChannelLocation(fname, baseUrl, baseUrl, sub, true, false);
        }

        string bu = path.Length == 0 ? $"{scheme}://{host}" : $"{scheme}://{host}/{path}";
        if (host == MatchSpecChannelNames.ChannelAliasHost)
        {
            return new ChannelLocation(path, path, bu, sub, true, true);
        }

        if (host == MatchSpecChannelNames.DefaultsHost)
        {
            string canonical = MatchSpecChannelNames.IsDefaultMember(path) ? MatchSpecChannelNames.Defaults : path;
            return new ChannelLocation(path, canonical, bu, sub, true, false);
        }

        return new ChannelLocation(path, bu, bu, sub, true, false);
    }

    private static string? SplitSubdir(ref string path)
    {
        int slash = path.LastIndexOf('/');
        string last = slash < 0 ? path : path[(slash + 1)..];
        if (slash > 0 && MatchSpecChannelNames.IsKnownSubdir(last))
        {
            path = path[..slash];
            return last;
        }

        return null;
    }

    /// <summary>conda's <c>path_to_url(expand(path))</c>, un-percent-encoded; Windows drive paths become <c>file:///C:/...</c> on every OS.</summary>
    internal static string PathToFileUrl(string path)
    {
        if (ChannelPath.IsDrivePath(path))
        {
            return "file:///" + path.Replace('\\', '/');
        }

        if (path.StartsWith('~'))
        {
            string home = EnvTools.IO.HomeDirectory.Current;
            path = home + path[1..];
        }

        string full = Path.GetFullPath(path).Replace('\\', '/');
        if (ChannelPath.IsDrivePath(full))
        {
            return "file:///" + full;
        }

        return "file://" + (full.StartsWith('/') ? full : "/" + full);
    }
}
