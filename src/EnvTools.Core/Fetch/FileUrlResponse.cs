using System.Net;

namespace EnvTools.Fetch;

/// <summary>
/// Answers a GET of a <c>file://</c> URL as a server would (the HTTP stack has no <c>file</c> scheme): 404 when the file
/// is missing, 304 when <c>If-Modified-Since</c> is not older than its last write (whole seconds), else 200 with the
/// bytes and <c>Last-Modified</c>. For mirrors that are folders, so that they share the repodata code path and cache.
/// </summary>
internal static class FileUrlResponse
{
    /// <summary>The response to <paramref name="request"/> (a GET of a <c>file://</c> URL).</summary>
    /// <exception cref="IOException">The file exists but cannot be read.</exception>
    internal static HttpResponseMessage Get(HttpRequestMessage request)
    {
        string path = request.RequestUri!.LocalPath;
        if (!File.Exists(path))
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request, ReasonPhrase = "no such file" };
        }

        try
        {
            DateTime written = File.GetLastWriteTimeUtc(path);
            var modified = new DateTimeOffset(written.AddTicks(-(written.Ticks % TimeSpan.TicksPerSecond)), TimeSpan.Zero);
            if (request.Headers.IfModifiedSince is { } since && modified <= since)
            {
                return new HttpResponseMessage(HttpStatusCode.NotModified) { RequestMessage = request };
            }

            var response = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new ByteArrayContent(File.ReadAllBytes(path)) };
            response.Content.Headers.LastModified = modified;
            return response;
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IOException($"cannot read {path}: {ex.Message}", ex);
        }
    }
}
