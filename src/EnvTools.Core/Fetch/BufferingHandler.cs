using System.Buffers;

namespace EnvTools.Fetch;

/// <summary>
/// The innermost handler of a try: applies the read time-out (to the response headers and to each read
/// of the body) and, for requests marked with <see cref="BufferBody"/>, reads the whole body inside the
/// try, so that a reset or a truncated body fails the try (and is retried) instead of failing later.
/// </summary>
internal sealed class BufferingHandler : DelegatingHandler
{
    /// <summary>Marks a request whose successful body is read inside each try.</summary>
    internal static readonly HttpRequestOptionsKey<bool> BufferBody = new("EnvTools.BufferBody");

    private readonly TimeSpan _readTimeout;

    internal BufferingHandler(TimeSpan readTimeout) => _readTimeout = readTimeout;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_readTimeout);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no response within {_readTimeout.TotalSeconds:0.##} s", ex);
        }

        if (!request.Options.TryGetValue(BufferBody, out bool buffer) || !buffer || !response.IsSuccessStatusCode)
        {
            return response;
        }

        try
        {
            response.Content = await ReadAll(response.Content, cts, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<BufferedContent> ReadAll(HttpContent content, CancellationTokenSource cts, CancellationToken callerToken)
    {
        long? length = content.Headers.ContentLength;
        using var ms = new MemoryStream(length is > 0 and < int.MaxValue ? (int)length.Value : 1 << 16);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            cts.CancelAfter(_readTimeout);
            using Stream stream = await content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            while (true)
            {
                cts.CancelAfter(_readTimeout);
                int n = await stream.ReadAsync(chunk.AsMemory(), cts.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                ms.Write(chunk, 0, n);
            }
        }
        catch (OperationCanceledException ex) when (!callerToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no data for {_readTimeout.TotalSeconds:0.##} s while reading the response", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        if (length is { } expected && expected != ms.Length)
        {
            throw new IOException($"the response ended after {ms.Length} of {expected} bytes");
        }

        var buffered = new BufferedContent(ms.GetBuffer(), (int)ms.Length);
        foreach (KeyValuePair<string, IEnumerable<string>> h in content.Headers)
        {
            if (!string.Equals(h.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                buffered.Headers.TryAddWithoutValidation(h.Key, h.Value);
            }
        }

        content.Dispose();
        return buffered;
    }
}

/// <summary>A response body read completely by <see cref="BufferingHandler"/>.</summary>
internal sealed class BufferedContent : ByteArrayContent
{
    internal BufferedContent(byte[] buffer, int count)
        : base(buffer, 0, count)
    {
        Bytes = new ArraySegment<byte>(buffer, 0, count);
    }

    /// <summary>The body (the content owns the array).</summary>
    internal ArraySegment<byte> Bytes { get; }
}
