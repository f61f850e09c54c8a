namespace EnvTools.Fetch;

/// <summary>
/// What a server said about a failed request beyond its status: its error code (S3's <c>&lt;Code&gt;</c>, such as
/// <c>SignatureDoesNotMatch</c>, <c>AccessDenied</c>, <c>NoSuchBucket</c>), its message, and a hint from the handler that
/// made the request (where its credentials came from, or that it had none). Set on the request by the handler; holds no
/// secret. <see cref="Code"/> is null when the server gave none (an HTML error page) and only the hint is known.
/// </summary>
internal sealed record ServerError(string? Code, string? Message, string? Hint)
{
    /// <summary>The request option the handler sets for a failed response.</summary>
    internal static readonly HttpRequestOptionsKey<ServerError> Key = new("EnvTools.ServerError");

    /// <summary>What the server said about <paramref name="response"/>, when its handler recorded it.</summary>
    internal static ServerError? Of(HttpResponseMessage response) =>
        response.RequestMessage is { } request && request.Options.TryGetValue(Key, out ServerError? error) ? error : null;

    /// <summary><c>: SignatureDoesNotMatch (The request signature …); the request was signed with …</c>, or empty without one.</summary>
    internal static string Describe(HttpResponseMessage response) => Of(response) is { } e ? ": " + e : string.Empty;

    /// <inheritdoc />
    public override string ToString() => string.Join("; ", new[]
    {
        Code is null ? null : Code + (string.IsNullOrEmpty(Message) ? string.Empty : $" ({Message.TrimEnd('.')})"),
        Hint,
    }.Where(p => p is not null));
}
