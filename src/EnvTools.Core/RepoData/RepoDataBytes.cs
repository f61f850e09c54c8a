namespace EnvTools.RepoData;

/// <summary>Repodata bodies in memory: decompressed by their magic bytes (zstd, bzip2, gzip) or taken as JSON.</summary>
internal static class RepoDataBytes
{
    /// <summary>The JSON of <paramref name="body"/> (an array of exactly its length).</summary>
    internal static byte[] Decompress(ArraySegment<byte> body)
    {
        if (RepoDataStreams.Detect(body.AsSpan(0, Math.Min(4, body.Count))) == RepoDataStreams.Kind.Json)
        {
            return body.Offset == 0 && body.Count == body.Array!.Length ? body.Array : body.AsSpan().ToArray();
        }

        using Stream s = RepoDataStreams.Decompress(new MemoryStream(body.Array!, body.Offset, body.Count, writable: false));
        using var ms = new MemoryStream(Math.Max(1 << 16, body.Count * 6));
        s.CopyTo(ms);
        return ms.Length == ms.Capacity ? ms.GetBuffer() : ms.ToArray();
    }
}
