using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace EnvTools.Fetch;

/// <summary>The GET requests of channel files (repodata and packages), as every channel reader sends them.</summary>
internal static class ChannelRequests
{
    /// <summary>A GET of <paramref name="url"/> (which may carry a token or credentials: they become a Basic header),
    /// conditional on <paramref name="etag"/> and <paramref name="lastModified"/> when given, body read inside each try
    /// unless <paramref name="bufferBody"/> is false (package downloads stream their bodies).</summary>
    internal static HttpRequestMessage Get(Uri url, string? etag, string? lastModified, bool bufferBody = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (url.UserInfo.Length > 0)
        {
            string[] parts = url.UserInfo.Split(':', 2);
            string pair = $"{Uri.UnescapeDataString(parts[0])}:{(parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
            request.RequestUri = new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri;
        }

        if (etag is not null && EntityTagHeaderValue.TryParse(etag, out EntityTagHeaderValue? tag))
        {
            request.Headers.IfNoneMatch.Add(tag);
        }

        if (lastModified is not null && DateTimeOffset.TryParse(lastModified, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset since))
        {
            request.Headers.IfModifiedSince = since;
        }

        request.Options.Set(BufferingHandler.BufferBody, bufferBody);
        return request;
    }
}
