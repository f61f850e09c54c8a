using System.Net;
using Polly;
using System.Security.Authentication;

namespace EnvTools.Fetch;

/// <summary>
/// The retry policy of every request: exponential back-off with jitter on network errors (not on a refused
/// certificate), time-outs, 408, 429 and 5xx; a server's <c>Retry-After</c> wins over the back-off.
/// </summary>
internal static class RetryPolicy
{
    internal static IAsyncPolicy<HttpResponseMessage> Create(HttpFetchOptions options) =>
        Policy<HttpResponseMessage>
            .Handle<HttpRequestException>(ex => ex.InnerException is not AuthenticationException) // a refused certificate stays refused
            .OrResult(r => (int)r.StatusCode >= 500 || r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
            .Or<IOException>()
            .Or<TimeoutException>()
            .WaitAndRetryAsync(
                options.MaxRetries,
                (attempt, outcome, _) => Delay(attempt, outcome.Result, options.BackoffFactor, Random.Shared.NextDouble()),
                (outcome, _, _, _) =>
                {
                    outcome.Result?.Dispose(); // the discarded response of a failed try
                    return Task.CompletedTask;
                });

    /// <summary>
    /// The wait before retry <paramref name="attempt"/> (1-based): the response's <c>Retry-After</c> when it
    /// has one (capped at <see cref="HttpFetchOptions.MaxRetryAfter"/>), else
    /// <c>factor × 2^(attempt−1)</c> seconds, scaled by a jitter in [0.5, 1) (from <paramref name="random"/> in [0, 1)).
    /// </summary>
    internal static TimeSpan Delay(int attempt, HttpResponseMessage? response, double backoffFactor, double random)
    {
        if (RetryAfter(response) is { } after)
        {
            return after < TimeSpan.Zero ? TimeSpan.Zero : after > HttpFetchOptions.MaxRetryAfter ? HttpFetchOptions.MaxRetryAfter : after;
        }

        double seconds = Math.Min(backoffFactor * Math.Pow(2, Math.Max(0, attempt - 1)), HttpFetchOptions.MaxBackoff.TotalSeconds);
        return TimeSpan.FromSeconds(seconds * (0.5 + (0.5 * random)));
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response?.Headers.RetryAfter is not { } ra)
        {
            return null;
        }

        if (ra.Delta is { } delta)
        {
            return delta;
        }

        return ra.Date is { } date ? date - DateTimeOffset.UtcNow : null;
    }
}
