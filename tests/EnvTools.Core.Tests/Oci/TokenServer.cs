using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EnvTools.Tests.Oci;

/// <summary>One token request the service answered: who asked (null: anonymous), for which scopes, what it granted.</summary>
public sealed record TokenGrant(string? User, IReadOnlyList<string> Scopes, IReadOnlyList<string> Granted, int Status);

/// <summary>
/// A registry token service (distribution's token auth, docs/spec/auth/token.md) on 127.0.0.1 for the tests:
/// <c>GET /token?service=S&amp;scope=repository:NAME:ACTIONS</c> answers <c>{"token", "access_token", "expires_in"}</c> with an
/// RS256 JWT whose header carries <c>x5c</c> = the certificate the registry trusts (<see cref="CertificateFile"/>, its
/// <c>rootcertbundle</c>). Basic credentials are checked against <see cref="Users"/> (wrong ones: 401). Anonymous callers
/// get <c>pull</c> on repositories outside <see cref="PrivatePrefix"/>; a user gets every action asked for.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RSA _key;
    private readonly string _x5c;
    private readonly ConcurrentQueue<TokenGrant> _grants = new();

    private TokenServer(WebApplication app, RSA key, string x5c, string certificateFile, IReadOnlyDictionary<string, string> users, string privatePrefix)
    {
        _app = app;
        _key = key;
        _x5c = x5c;
        CertificateFile = certificateFile;
        Users = users;
        PrivatePrefix = privatePrefix;
    }

    public int Port { get; private set; }

    /// <summary>The realm the registry sends clients to.</summary>
    public string Realm => $"http://127.0.0.1:{Port}/token";

    /// <summary>The PEM certificate whose key signs the tokens.</summary>
    public string CertificateFile { get; }

    public IReadOnlyDictionary<string, string> Users { get; }

    /// <summary>Repositories starting with this need a user.</summary>
    public string PrivatePrefix { get; }

    /// <summary>The requests answered so far.</summary>
    public IReadOnlyList<TokenGrant> Grants => _grants.ToArray();

    /// <summary>Starts the service; the signing certificate is written into <paramref name="folder"/>.</summary>
    public static async Task<TokenServer> StartAsync(string folder, IReadOnlyDictionary<string, string> users, string privatePrefix)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=envtools-test-token", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        Directory.CreateDirectory(folder);
        string certFile = Path.Combine(folder, "token.crt");
        File.WriteAllText(certFile, cert.ExportCertificatePem());

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var server = new TokenServer(app, key, Convert.ToBase64String(cert.RawData), certFile, users, privatePrefix);
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        server.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return server;
    }

    /// <summary>A token for the scopes, as an anonymous caller gets it (for tests that use a token by hand).</summary>
    public string AnonymousToken(string service, params string[] scopes) => Token(null, service, scopes.Select(Parse).Select(s => (s.Name, Grant(null, s.Name, s.Actions))).ToArray());

    private async Task HandleAsync(HttpContext ctx)
    {
        if (ctx.Request.Path != "/token")
        {
            ctx.Response.StatusCode = 404;
            return;
        }

        string[] scopes = ctx.Request.Query["scope"].Where(s => s is not null).Select(s => s!).ToArray();
        string? user = null;
        string auth = ctx.Request.Headers.Authorization.ToString();
        if (auth.StartsWith("Basic ", StringComparison.Ordinal))
        {
            string pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth[6..]));
            int colon = pair.IndexOf(':', StringComparison.Ordinal);
            string name = colon < 0 ? pair : pair[..colon];
            if (colon < 0 || !Users.TryGetValue(name, out string? password) || password != pair[(colon + 1)..])
            {
                _grants.Enqueue(new TokenGrant(name, scopes, Array.Empty<string>(), 401));
                ctx.Response.StatusCode = 401;
                return;
            }

            user = name;
        }

        var access = scopes.Select(Parse).Select(s => (s.Name, Actions: Grant(user, s.Name, s.Actions))).ToArray();
        _grants.Enqueue(new TokenGrant(user, scopes, access.Select(a => $"{a.Name}:{string.Join(',', a.Actions)}").ToArray(), 200));
        string token = Token(user, ctx.Request.Query["service"].ToString(), access);
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(new JsonObject { ["token"] = token, ["access_token"] = token, ["expires_in"] = 300 }.ToJsonString()).ConfigureAwait(false);
    }

    private static (string Name, string[] Actions) Parse(string scope)
    {
        string[] parts = scope.Split(':'); // repository:NAME:ACTIONS (names have no ':')
        return (parts.Length > 1 ? parts[1] : string.Empty, parts.Length > 2 ? parts[2].Split(',') : Array.Empty<string>());
    }

    private string[] Grant(string? user, string repository, string[] actions) =>
        user is not null ? actions : repository.StartsWith(PrivatePrefix, StringComparison.Ordinal) ? Array.Empty<string>() : actions.Where(a => a == "pull").ToArray();

    private string Token(string? user, string service, IReadOnlyList<(string Name, string[] Actions)> access)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = "RS256", ["x5c"] = new JsonArray(_x5c) };
        var claims = new JsonObject
        {
            ["iss"] = RegistryOptions.TokenIssuer,
            ["sub"] = user ?? string.Empty,
            ["aud"] = service,
            ["exp"] = now + 300,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString(),
            ["access"] = new JsonArray(access.Select(a => (JsonNode)new JsonObject
            {
                ["type"] = "repository",
                ["name"] = a.Name,
                ["actions"] = new JsonArray(a.Actions.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
            }).ToArray()),
        };
        string input = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return input + "." + B64(signature);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _key.Dispose();
    }
}
