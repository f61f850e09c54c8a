using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EnvTools.Conda;

namespace EnvTools.Fetch.Oci;

/// <summary>Sends one request on toward the registry (the next handler of the pipeline, or a whole HttpClient).</summary>
internal delegate Task<HttpResponseMessage> OciTransport(HttpRequestMessage request, CancellationToken cancellationToken);

/// <summary>
/// Authentication with OCI registries, shared by the requests of one set of <see cref="HttpFetchOptions"/>:
/// <list type="number">
/// <item>each registry is probed once (<c>GET /v2/</c>): 200 means open, 401 carries the challenge;</item>
/// <item>a <c>Bearer</c> challenge sends the client to the token service (<c>realm?service=…&amp;scope=repository:REPO:ACTIONS</c>,
/// with the user's Basic credentials when there are any); tokens are cached per (registry, repository, actions,
/// credentials) until shortly before <c>expires_in</c>;</item>
/// <item>a <c>Basic</c> challenge gets the stored credentials themselves;</item>
/// <item>a 401 on a repository (a token that expired, or a registry whose probe was open) fetches a new token from the
/// challenge it carries and tries once more.</item>
/// </list>
/// Credentials come from the request (a channel URL's <c>user:password@</c>) or the credential files (<see cref="OciCredentials"/>).
/// A token service over plain HTTP is accepted only for registries in <c>oci_insecure_registries</c> or on loopback.
/// Refusals come back as 401/403 answers whose reason phrase says what was refused, by whom, and where the credentials
/// came from, never the credentials or tokens.
/// </summary>
internal sealed class OciAuthenticator
{
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);

    private readonly HttpFetchOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<Task<ProbeResult>>> _probes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, OciChallenge?> _challenges = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Authority, string Repository, string Actions, string Credential), CachedToken> _tokens = new();

    internal OciAuthenticator(HttpFetchOptions options) => _options = options;

    /// <summary>The registry's base URL: <c>https://AUTHORITY</c>, or <c>http://</c> for a registry in <c>oci_insecure_registries</c>.</summary>
    internal Uri BaseUri(string authority) => new($"{(IsInsecure(authority) ? "http" : "https")}://{authority}");

    /// <summary>Whether <c>oci_insecure_registries</c> lists the registry (<c>HOST:PORT</c> exactly, or <c>HOST</c> for every port).</summary>
    internal bool IsInsecure(string authority)
    {
        string a = OciCredentials.NormalizeKey(authority);
        string host = HostOf(a);
        foreach (string entry in _options.OciInsecureRegistries)
        {
            string e = OciCredentials.NormalizeKey(entry);
            if (e == a || (e == HostOf(e) && e == host))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the registry is on this machine (<c>localhost</c>, 127.0.0.0/8, ::1).</summary>
    internal static bool IsLoopback(string authority)
    {
        string host = HostOf(authority.ToLowerInvariant()).Trim('[', ']');
        return host == "localhost" || (IPAddress.TryParse(host, out IPAddress? ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>The host of <c>HOST[:PORT]</c> (brackets of an IPv6 literal kept).</summary>
    private static string HostOf(string authority)
    {
        int colon = authority.LastIndexOf(':');
        int bracket = authority.LastIndexOf(']');
        return colon > bracket && colon > 0 && authority[(colon + 1)..].All(char.IsAsciiDigit) ? authority[..colon] : authority;
    }

    /// <summary>The credentials for a registry: the request's own, else the credential files'.</summary>
    /// <exception cref="InvalidDataException">A credential file cannot be read or is malformed.</exception>
    internal OciCredential? CredentialFor(string authority, OciCredential? own) => own ?? OciCredentials.Find(_options.RegistryAuthFiles, authority);

    /// <summary>
    /// Sends the request <paramref name="create"/> makes (from the registry's base URL; called again for the second try)
    /// with the authorization <paramref name="repository"/> needs for <paramref name="actions"/> (<c>pull</c>, <c>pull,push</c>).
    /// Network failures propagate (the retry policy around the pipeline tries again).
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(string authority, string repository, string actions, Func<Uri, HttpRequestMessage> create,
        OciCredential? own, OciTransport send, CancellationToken ct)
    {
        Uri baseUri = BaseUri(authority);
        OciCredential? credential;
        try
        {
            credential = CredentialFor(authority, own);
        }
        catch (InvalidDataException ex)
        {
            return OciResponses.Refusal(HttpStatusCode.Unauthorized, ex.Message);
        }

        (OciChallenge? challenge, HttpResponseMessage? failure) = await ChallengeAsync(authority, baseUri, send, ct).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        for (bool renew = false; ; renew = true)
        {
            HttpRequestMessage request = create(baseUri);
            if (challenge is { IsBearer: true })
            {
                (string? token, HttpResponseMessage? refused) = await TokenAsync(authority, repository, actions, challenge, credential, renew, send, ct).ConfigureAwait(false);
                if (refused is not null)
                {
                    request.Dispose();
                    return refused;
                }

                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            else if (challenge is { IsBasic: true } && credential is not null)
            {
                request.Headers.Authorization = credential.BasicHeader();
            }

            HttpResponseMessage response = await send(request, ct).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                return await DescribeRefusalAsync(response, authority, repository, actions, challenge, credential, ct).ConfigureAwait(false);
            }

            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                return response;
            }

            OciChallenge? again = OciChallenge.From(response);
            bool retry = !renew && again is not null && (again.IsBearer || (again.IsBasic && credential is not null && challenge is not { IsBasic: true }));
            if (!retry)
            {
                return await DescribeRefusalAsync(response, authority, repository, actions, again ?? challenge, credential, ct).ConfigureAwait(false);
            }

            _challenges[authority] = again! with { Scope = null };
            challenge = again;
            response.Dispose();
            request.Dispose();
        }
    }

    /// <summary>The registry's challenge (null: open), from the probe made once per registry.</summary>
    private async Task<(OciChallenge? Challenge, HttpResponseMessage? Failure)> ChallengeAsync(string authority, Uri baseUri, OciTransport send, CancellationToken ct)
    {
        if (_challenges.TryGetValue(authority, out OciChallenge? known))
        {
            return (known, null);
        }

        Lazy<Task<ProbeResult>> probe = _probes.GetOrAdd(authority, _ => new Lazy<Task<ProbeResult>>(() => ProbeAsync(baseUri, send)));
        ProbeResult result;
        try
        {
            result = await probe.Value.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _probes.TryRemove(KeyValuePair.Create(authority, probe)); // a failed probe is not remembered: the next try probes again
            throw;
        }

        if (result.Status is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
        {
            _challenges.TryAdd(authority, result.Challenge);
            return (_challenges[authority], null);
        }

        _probes.TryRemove(KeyValuePair.Create(authority, probe));
        return (null, OciResponses.Refusal(result.Status, $"{baseUri.AbsoluteUri.TrimEnd('/')}/v2/ answered HTTP {(int)result.Status}" +
            (result.Description is null ? string.Empty : $" ({result.Description})") + "; is it an OCI registry?"));
    }

    private async Task<ProbeResult> ProbeAsync(Uri baseUri, OciTransport send)
    {
        // shared by every request that waits for it, so not cancelled by one of them: bounded by the time-outs instead
        using var cts = new CancellationTokenSource(_options.ConnectTimeout + _options.ReadTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "/v2/"));
        using HttpResponseMessage response = await send(request, cts.Token).ConfigureAwait(false);
        OciChallenge? challenge = response.StatusCode == HttpStatusCode.Unauthorized
            ? OciChallenge.From(response) ?? new OciChallenge("Basic", null, null, null)
            : null;
        string? description = response.IsSuccessStatusCode ? null : await OciErrors.DescribeAsync(response, cts.Token).ConfigureAwait(false);
        return new ProbeResult(response.StatusCode, challenge, description);
    }

    private async Task<(string? Token, HttpResponseMessage? Failure)> TokenAsync(string authority, string repository, string actions, OciChallenge challenge,
        OciCredential? credential, bool renew, OciTransport send, CancellationToken ct)
    {
        var key = (authority.ToLowerInvariant(), repository, actions, credential is null ? string.Empty : $"{credential.Source}\0{credential.Username}");
        if (!renew && _tokens.TryGetValue(key, out CachedToken? cached) && cached.Expires > DateTimeOffset.UtcNow)
        {
            return (cached.Token, null);
        }

        if (challenge.Realm is null || !Uri.TryCreate(challenge.Realm, UriKind.Absolute, out Uri? realm) || realm.Scheme is not ("https" or "http"))
        {
            return (null, OciResponses.Refusal(HttpStatusCode.Unauthorized, $"the registry {authority} asks for a bearer token but names no usable token service ({challenge})"));
        }

        if (realm.Scheme == "http" && !IsInsecure(authority) && !IsLoopback(authority))
        {
            return (null, OciResponses.Refusal(HttpStatusCode.Unauthorized,
                $"the registry {authority} sends clients to the token service {UrlRedaction.Redact(realm.GetLeftPart(UriPartial.Path))} over plain HTTP; " +
                "refused (allowed only for registries in oci_insecure_registries or on loopback)"));
        }

        var query = new StringBuilder(realm.Query.TrimStart('?'));
        if (challenge.Service is { Length: > 0 } service)
        {
            query.Append(query.Length > 0 ? "&" : string.Empty).Append("service=").Append(Uri.EscapeDataString(service));
        }

        query.Append(query.Length > 0 ? "&" : string.Empty).Append("scope=").Append(Uri.EscapeDataString($"repository:{repository}:{actions}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{realm.GetLeftPart(UriPartial.Path)}?{query}"));
        if (credential is not null)
        {
            request.Headers.Authorization = credential.BasicHeader();
        }

        using HttpResponseMessage response = await send(request, ct).ConfigureAwait(false);
        string realmText = UrlRedaction.Redact(realm.GetLeftPart(UriPartial.Path));
        if (!response.IsSuccessStatusCode)
        {
            int code = (int)response.StatusCode;
            HttpStatusCode status = code is 401 or 403 ? HttpStatusCode.Unauthorized : response.StatusCode;
            string who = credential is null ? "anonymous access" : $"the {credential}";
            return (null, OciResponses.Refusal(status, $"the token service {realmText} refused {who} for {repository} on {authority} (HTTP {code})"));
        }

        byte[] body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (ParseToken(body) is not (string token, TimeSpan lifetime))
        {
            return (null, OciResponses.Refusal(HttpStatusCode.BadGateway, $"the token service {realmText} answered without a token"));
        }

        TimeSpan margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, lifetime.Ticks / 5));
        _tokens[key] = new CachedToken(token, DateTimeOffset.UtcNow + lifetime - margin);
        return (token, null);
    }

    /// <summary>A token service's answer: <c>token</c> (or OAuth's <c>access_token</c>) and <c>expires_in</c> (60 s when absent).</summary>
    internal static (string Token, TimeSpan Lifetime)? ParseToken(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using JsonDocument doc = JsonDocument.ParseValue(ref reader);
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? token = root.TryGetProperty("token", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                : root.TryGetProperty("access_token", out JsonElement at) && at.ValueKind == JsonValueKind.String ? at.GetString() : null;
            TimeSpan lifetime = root.TryGetProperty("expires_in", out JsonElement e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int secs) && secs > 0
                ? TimeSpan.FromSeconds(secs) : DefaultTokenLifetime;
            return token is { Length: > 0 } ? (token, lifetime) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A registry's 401/403 with a reason that says what was refused and what was tried (the body's codes, the realm).</summary>
    private async Task<HttpResponseMessage> DescribeRefusalAsync(HttpResponseMessage response, string authority, string repository, string actions,
        OciChallenge? challenge, OciCredential? credential, CancellationToken ct)
    {
        string said = await OciErrors.DescribeAsync(response, ct).ConfigureAwait(false) ?? response.ReasonPhrase ?? response.StatusCode.ToString();
        string tried = credential is not null
            ? $"the {credential} do not grant {actions} on {repository}"
            : $"no credentials for {authority} in {(_options.RegistryAuthFiles.Count == 0 ? "any credential file" : string.Join(" or ", _options.RegistryAuthFiles))}";
        response.ReasonPhrase = OciErrors.Clean($"{said}; {(challenge is null ? string.Empty : challenge + "; ")}{tried}");
        return response;
    }

    private sealed record ProbeResult(HttpStatusCode Status, OciChallenge? Challenge, string? Description);

    private sealed record CachedToken(string Token, DateTimeOffset Expires)
    {
        public override string ToString() => $"token until {Expires:O}"; // never the token
    }
}

/// <summary>Answers the OCI code makes up itself: refusals and "not found" with a reason phrase, a 304.</summary>
internal static class OciResponses
{
    /// <summary>An answer of <paramref name="status"/> whose reason phrase is <paramref name="reason"/> (one cleaned line).</summary>
    internal static HttpResponseMessage Refusal(HttpStatusCode status, string reason, HttpRequestMessage? request = null) =>
        new(status) { ReasonPhrase = OciErrors.Clean(reason), RequestMessage = request, Content = new ByteArrayContent(Array.Empty<byte>()) };

    /// <summary>A 304 for a conditional request whose entity is unchanged: the ETag is the layer's digest.</summary>
    internal static HttpResponseMessage NotModified(string digest, HttpRequestMessage request)
    {
        var response = new HttpResponseMessage(HttpStatusCode.NotModified) { RequestMessage = request, Content = new ByteArrayContent(Array.Empty<byte>()) };
        response.Headers.ETag = new EntityTagHeaderValue($"\"{digest}\"");
        return response;
    }
}
