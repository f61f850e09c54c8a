using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch.Oci;

namespace EnvTools.Publish;

/// <summary>Opens the destination a publish names: a folder (a path or <c>file://</c> URL) or an <c>oci://</c> channel.</summary>
public static class ChannelDestinations
{
    /// <summary>
    /// The destination <paramref name="text"/> names: <c>oci://HOST[:PORT]/NAMESPACE/CHANNEL</c>, <c>s3://BUCKET/PREFIX</c>, a <c>file://</c> URL, or a
    /// folder path (relative to <paramref name="workingDirectory"/>, <c>~</c> for the home folder of <paramref name="settings"/>).
    /// </summary>
    /// <exception cref="InvalidPublishDestinationException">A scheme EnvTools cannot write to (<c>http(s)://</c>) or a malformed URL.</exception>
    /// <exception cref="InvalidConfigurationException">Unusable <c>proxy_servers</c>, <c>ssl_verify</c> or AWS profile (for <c>oci://</c>, <c>s3://</c>).</exception>
    public static IChannelDestination Open(string text, Settings settings, string workingDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        ArgumentNullException.ThrowIfNull(settings);
        string shown = UrlRedaction.Redact(text);
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            string expanded = text == "~" ? settings.Environment.HomeDirectory
                : text.StartsWith("~/", StringComparison.Ordinal) || text.StartsWith("~\\", StringComparison.Ordinal) ? Path.Combine(settings.Environment.HomeDirectory, text[2..]) : text;
            return new FolderChannelDestination(Path.GetFullPath(expanded, workingDirectory));
        }

        if (!Uri.TryCreate(text.TrimEnd('/'), UriKind.Absolute, out Uri? url))
        {
            throw new InvalidPublishDestinationException(shown, $"'{shown}' is not a URL.");
        }

        if (url.IsFile)
        {
            return new FolderChannelDestination(url.LocalPath);
        }

        if (OciLayout.IsOci(url))
        {
            if (OciLayout.ChannelPath(url).Split('/').Length < 2)
            {
                throw new InvalidPublishDestinationException(shown, $"'{shown}' must name a channel in a namespace: oci://HOST[:PORT]/NAMESPACE/CHANNEL.");
            }

            return new OciChannelDestination(url, settings);
        }

        if (url.Scheme == Fetch.S3.S3SigningHandler.Scheme)
        {
            return url.Host.Length > 0 ? new S3ChannelDestination(url, settings)
                : throw new InvalidPublishDestinationException(shown, $"'{shown}' must name a bucket: s3://BUCKET/PREFIX.");
        }

        throw new InvalidPublishDestinationException(shown,
            $"Cannot publish to '{shown}': EnvTools writes channels to folders (a path or file://), OCI registries (oci://HOST/NAMESPACE/CHANNEL) and S3 buckets (s3://BUCKET/PREFIX)" +
            (url.Scheme is "http" or "https" ? "; an HTTP server has no standard way to receive files." : "."));
    }
}
