using System.Text;
using System.Text.Json;

namespace EnvTools.Fetch.Oci;

/// <summary>A content descriptor: what a manifest says of its config or of one layer.</summary>
/// <param name="MediaType">The blob's media type.</param>
/// <param name="Digest">The blob's digest (<c>sha256:&lt;hex&gt;</c>).</param>
/// <param name="Size">The blob's length in bytes.</param>
/// <param name="Title">The <c>org.opencontainers.image.title</c> annotation (the file name), or null.</param>
internal sealed record OciDescriptor(string MediaType, string Digest, long Size, string? Title = null);

/// <summary>
/// An OCI image manifest (<c>application/vnd.oci.image.manifest.v1+json</c>, or Docker's schema 2, which has the same
/// shape): a config descriptor and the layers. Read leniently (unknown fields ignored), written as conda-oci-mirror's
/// readers expect (schemaVersion 2, the OCI media type, a title annotation on each layer).
/// </summary>
/// <param name="Config">The config blob's descriptor.</param>
/// <param name="Layers">The layers, in order.</param>
/// <param name="ArtifactType">The OCI 1.1 <c>artifactType</c>, or null.</param>
internal sealed record OciManifest(OciDescriptor Config, IReadOnlyList<OciDescriptor> Layers, string? ArtifactType = null)
{
    /// <summary>The most bytes a manifest may have (distribution refuses manifests over 4 MiB).</summary>
    internal const int MaxBytes = 4 << 20;

    /// <summary>The first layer of media type <paramref name="mediaType"/>, or null.</summary>
    internal OciDescriptor? Layer(string mediaType) => Layers.FirstOrDefault(l => string.Equals(l.MediaType, mediaType, StringComparison.Ordinal));

    /// <summary>Reads a manifest.</summary>
    /// <exception cref="InvalidDataException">Not JSON, not a manifest, or a descriptor without a well-formed digest.</exception>
    internal static OciManifest Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using JsonDocument doc = JsonDocument.ParseValue(ref reader);
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("layers", out JsonElement layers) || layers.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException("the manifest has no 'layers' (an image index or another kind of document?)");
            }

            OciDescriptor config = root.TryGetProperty("config", out JsonElement c) ? Descriptor(c) : new OciDescriptor(OciLayout.EmptyConfigMediaType, "sha256:", 0);
            string? artifactType = root.TryGetProperty("artifactType", out JsonElement a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            return new OciManifest(config, layers.EnumerateArray().Select(Descriptor).ToArray(), artifactType);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"the manifest is malformed: {ex.Message}", ex);
        }
    }

    private static OciDescriptor Descriptor(JsonElement e)
    {
        string mediaType = e.GetProperty("mediaType").GetString() ?? string.Empty;
        string digest = e.GetProperty("digest").GetString() ?? string.Empty;
        if (!OciLayout.IsValidDigest(digest))
        {
            throw new InvalidDataException($"the manifest has a malformed digest '{digest}'");
        }

        long size = e.TryGetProperty("size", out JsonElement s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : -1;
        string? title = e.TryGetProperty("annotations", out JsonElement ann) && ann.ValueKind == JsonValueKind.Object &&
            ann.TryGetProperty(OciLayout.TitleAnnotation, out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        return new OciDescriptor(mediaType, digest, size, title);
    }

    /// <summary>The manifest as JSON (UTF-8, compact), as it is pushed.</summary>
    internal byte[] ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciLayout.ManifestMediaType);
            if (ArtifactType is not null)
            {
                w.WriteString("artifactType", ArtifactType);
            }

            w.WritePropertyName("config");
            Write(w, Config);
            w.WriteStartArray("layers");
            foreach (OciDescriptor layer in Layers)
            {
                Write(w, layer);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    private static void Write(Utf8JsonWriter w, OciDescriptor d)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", d.MediaType);
        w.WriteString("digest", d.Digest);
        w.WriteNumber("size", d.Size);
        if (d.Title is not null)
        {
            w.WriteStartObject("annotations");
            w.WriteString(OciLayout.TitleAnnotation, d.Title);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}

/// <summary>The <c>{"errors": [{"code", "message", "detail"}]}</c> body of a registry's error answer, as text for messages.</summary>
internal static class OciErrors
{
    private const int MaxBody = 64 << 10;

    /// <summary>
    /// <c>CODE: message</c> for each error of the body (<c>MANIFEST_UNKNOWN: manifest unknown</c>), joined by <c>; </c>, or
    /// null when the body is not such a document. The <c>detail</c> field is left out (it may echo the request).
    /// </summary>
    internal static string? Describe(ReadOnlySpan<byte> body)
    {
        if (body.Length == 0 || body.Length > MaxBody)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using JsonDocument doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("errors", out JsonElement errors) ||
                errors.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var parts = new List<string>();
            foreach (JsonElement e in errors.EnumerateArray().Take(5))
            {
                string code = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("code", out JsonElement c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "UNKNOWN";
                string? message = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                parts.Add(Clean(message is { Length: > 0 } ? $"{code}: {message}" : code));
            }

            return parts.Count == 0 ? null : string.Join("; ", parts);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The first error code of the body (<c>BLOB_UNKNOWN</c>), or null.</summary>
    internal static string? FirstCode(string? description)
    {
        string? code = description?.Split(';', 2)[0].Split(':', 2)[0].Trim();
        return code is { Length: > 0 } && code.All(c => c is (>= 'A' and <= 'Z') or '_') ? code : null;
    }

    /// <summary>Reads an error answer's body (at most 64 KiB) and describes it; null when it says nothing useful.</summary>
    internal static async Task<string?> DescribeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength is > MaxBody)
        {
            return null;
        }

        try
        {
            byte[] body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            return Describe(body);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return null;
        }
    }

    /// <summary>Text fit for a reason phrase: one line, printable, at most 300 characters.</summary>
    internal static string Clean(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, 300));
        foreach (char ch in text)
        {
            if (sb.Length >= 300)
            {
                sb.Append('…');
                break;
            }

            sb.Append(char.IsControl(ch) ? ' ' : ch);
        }

        return Conda.UrlRedaction.Redact(sb.ToString());
    }
}
