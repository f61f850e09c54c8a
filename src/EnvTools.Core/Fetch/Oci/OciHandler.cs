namespace EnvTools.Fetch.Oci;

/// <summary>
/// The handler of <c>oci://</c> URLs in the HTTP pipeline (inside the retry policy and the read time-out, before the socket
/// handler, which refuses schemes other than http and https): such requests are answered by an
/// <see cref="OciChannelReader"/> from the registry, over HTTPS (HTTP for <c>oci_insecure_registries</c>); every other
/// request passes through untouched. The reader, and with it the cached tokens, is shared by the handler instances the
/// client factory makes for one set of options; each try of the retry policy resolves tokens again.
/// </summary>
internal sealed class OciHandler : DelegatingHandler
{
    private readonly OciChannelReader _reader;

    internal OciHandler(OciChannelReader reader) => _reader = reader;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        request.RequestUri is { } url && OciLayout.IsOci(url)
            ? _reader.SendAsync(request, (r, ct) => base.SendAsync(r, ct), cancellationToken)
            : base.SendAsync(request, cancellationToken);
}
