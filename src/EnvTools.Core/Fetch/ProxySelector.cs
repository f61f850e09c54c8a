using System.Net;

namespace EnvTools.Fetch;

/// <summary>
/// conda's <c>proxy_servers</c> as an <see cref="IWebProxy"/>: keys <c>scheme://host</c>, <c>scheme</c>,
/// <c>all://host</c> and <c>all</c>, the most specific winning (as in requests); a URL without a matching
/// key is fetched directly. Credentials in a proxy URL (<c>http://user:pw@proxy:3128</c>) are sent to that proxy.
/// </summary>
internal sealed class ProxySelector : IWebProxy, ICredentials
{
    private readonly Dictionary<string, Uri> _proxies = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<Uri, NetworkCredential> _credentials = new();

    internal ProxySelector(IReadOnlyDictionary<string, string> servers)
    {
        foreach (KeyValuePair<string, string> e in servers)
        {
            string url = e.Value.Contains("://", StringComparison.Ordinal) ? e.Value : "http://" + e.Value;
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? proxy))
            {
                throw new ArgumentException($"proxy_servers: '{e.Key}' is not a URL", nameof(servers));
            }

            var clean = new Uri($"{proxy.Scheme}://{proxy.Authority}");
            if (proxy.UserInfo.Length > 0)
            {
                string[] parts = proxy.UserInfo.Split(':', 2);
                _credentials[clean] = new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
            }

            _proxies[e.Key.TrimEnd('/')] = clean;
        }
    }

    /// <inheritdoc />
    public ICredentials? Credentials
    {
        get => this;
        set { }
    }

    /// <inheritdoc />
    public Uri? GetProxy(Uri destination) => Find(destination);

    /// <inheritdoc />
    public bool IsBypassed(Uri host) => Find(host) is null;

    /// <inheritdoc />
    public NetworkCredential? GetCredential(Uri uri, string authType) =>
        _credentials.TryGetValue(new Uri($"{uri.Scheme}://{uri.Authority}"), out NetworkCredential? c) ? c : null;

    internal Uri? Find(Uri destination)
    {
        string scheme = destination.Scheme;
        string host = destination.IsDefaultPort ? destination.Host : destination.Authority;
        foreach (string key in new[] { $"{scheme}://{host}", $"{scheme}://{destination.Host}", scheme, $"all://{host}", $"all://{destination.Host}", "all" })
        {
            if (_proxies.TryGetValue(key, out Uri? p))
            {
                return p;
            }
        }

        return null;
    }
}
