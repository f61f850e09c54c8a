using System.Net.Http.Headers;
using System.Text;

namespace EnvTools.Fetch.Oci;

/// <summary>
/// A registry's <c>WWW-Authenticate</c> challenge (RFC 7235): <c>Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"</c>
/// sends clients to a token service (distribution's token auth, ghcr.io, Docker Hub); <c>Basic realm="…"</c> wants the
/// credentials themselves (htpasswd, ECR).
/// </summary>
/// <param name="Scheme"><c>Bearer</c> or <c>Basic</c> (as sent; compared without case).</param>
/// <param name="Realm">The token service URL (Bearer) or the protection space's name (Basic).</param>
/// <param name="Service">The <c>service</c> parameter a token request repeats.</param>
/// <param name="Scope">The scope the registry asked for, when it said.</param>
internal sealed record OciChallenge(string Scheme, string? Realm, string? Service, string? Scope)
{
    /// <summary>Whether the registry wants a token from <see cref="Realm"/>.</summary>
    internal bool IsBearer => string.Equals(Scheme, "Bearer", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the registry wants Basic credentials.</summary>
    internal bool IsBasic => string.Equals(Scheme, "Basic", StringComparison.OrdinalIgnoreCase);

    /// <summary>The challenge of a 401 answer: its Bearer challenge when it has one, else its Basic one, else null.</summary>
    internal static OciChallenge? From(HttpResponseMessage response)
    {
        OciChallenge[] all = response.Headers.WwwAuthenticate.Select(h => Parse(h.Scheme, h.Parameter)).ToArray();
        return all.FirstOrDefault(c => c.IsBearer) ?? all.FirstOrDefault(c => c.IsBasic);
    }

    /// <summary>A challenge from its scheme and its parameter text (<c>realm="…",service="…"</c>).</summary>
    internal static OciChallenge Parse(string scheme, string? parameters)
    {
        IReadOnlyDictionary<string, string> p = ParseParameters(parameters ?? string.Empty);
        return new OciChallenge(scheme, p.GetValueOrDefault("realm"), p.GetValueOrDefault("service"), p.GetValueOrDefault("scope"));
    }

    /// <summary>A whole header value, scheme first (<c>Bearer realm="…"</c>).</summary>
    internal static OciChallenge Parse(string headerValue)
    {
        var h = AuthenticationHeaderValue.Parse(headerValue);
        return Parse(h.Scheme, h.Parameter);
    }

    /// <summary>
    /// The <c>name=value</c> pairs of an auth-param list, names in lower case: values are tokens or quoted strings (with
    /// <c>\</c> escapes, and commas inside quotes, as in <c>scope="repository:a:pull,push"</c>). Malformed text yields the
    /// pairs before the damage.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> ParseParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            int nameStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',' && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            string name = text[nameStart..i].ToLowerInvariant();
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (name.Length == 0 || i >= text.Length || text[i] != '=')
            {
                break;
            }

            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            string value;
            if (i < text.Length && text[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    sb.Append(text[i++]);
                }

                if (i >= text.Length)
                {
                    break; // unterminated quote
                }

                i++;
                value = sb.ToString();
            }
            else
            {
                int valueStart = i;
                while (i < text.Length && text[i] != ',' && !char.IsWhiteSpace(text[i]))
                {
                    i++;
                }

                value = text[valueStart..i];
            }

            result.TryAdd(name, value);
        }

        return result;
    }

    /// <summary>How the challenge may be shown: scheme and realm (never anything secret: challenges hold none).</summary>
    public override string ToString() => Realm is null ? Scheme : $"{Scheme} realm {Conda.UrlRedaction.Redact(Realm)}";
}
