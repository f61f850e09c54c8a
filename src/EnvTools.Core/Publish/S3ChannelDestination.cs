using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch.S3;

namespace EnvTools.Publish;

/// <summary>
/// An <c>s3://BUCKET/PREFIX</c> channel (keys <c>PREFIX/SUBDIR/FILE</c>, the layout rattler-index writes and every reader of
/// <c>s3://</c> channels reads), written with plain PUTs through <see cref="S3Client"/> (SigV4, <c>s3_options</c>, the AWS
/// credentials; no conditional PUT). An archive is present when its key exists with the record's size and, where content
/// must be shown, an ETag that is the record's md5 (what S3 and Swift give a single-part upload). A refusal is an
/// <see cref="S3RequestException"/> with the server's code (<c>AccessDenied</c>, <c>SignatureDoesNotMatch</c> …).
/// </summary>
internal sealed class S3ChannelDestination : IChannelDestination
{
    private readonly S3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;

    /// <exception cref="InvalidConfigurationException">Unusable <c>proxy_servers</c>, <c>ssl_verify</c> or AWS profile.</exception>
    internal S3ChannelDestination(Uri channel, Settings settings)
    {
        _client = S3Client.From(settings);
        _bucket = channel.Host;
        _prefix = Uri.UnescapeDataString(channel.AbsolutePath.Trim('/'));
        DisplayName = $"s3://{_bucket}/{_prefix}".TrimEnd('/');
    }

    /// <inheritdoc />
    public string DisplayName { get; }

    /// <inheritdoc />
    public Task<DestinationRepodata?> GetRepodataAsync(string subdir, CancellationToken cancellationToken) => Guard(async () =>
        await _client.GetObjectAsync(_bucket, Key(subdir, RepoData.RemoteRepoData.Json), cancellationToken).ConfigureAwait(false) is { } json
            ? new DestinationRepodata(json, await _client.HeadObjectAsync(_bucket, Key(subdir, RepoData.RemoteRepoData.Zst), cancellationToken).ConfigureAwait(false) is not null)
            : null);

    /// <inheritdoc />
    public Task<bool> HasPackageAsync(string subdir, RepoDataRecord record, bool verifyContent, CancellationToken cancellationToken) => Guard(async () =>
    {
        S3ObjectInfo? info = await _client.HeadObjectAsync(_bucket, Key(subdir, record.FileName), cancellationToken).ConfigureAwait(false);
        return info is not null && (record.Size is not > 0 || info.Size == record.Size)
            && (!verifyContent || (record.Md5 is { Length: 32 } md5 && string.Equals(info.ETag?.Trim('"'), md5, StringComparison.OrdinalIgnoreCase)));
    });

    /// <inheritdoc />
    public Task<long> PutPackageAsync(string subdir, string archivePath, string sha256, CancellationToken cancellationToken) => Guard(async () =>
    {
        await _client.PutFileAsync(_bucket, Key(subdir, Path.GetFileName(archivePath)), archivePath, sha256, null, cancellationToken).ConfigureAwait(false);
        return new FileInfo(archivePath).Length;
    });

    /// <inheritdoc />
    public Task PutRepodataAsync(string subdir, byte[] json, byte[] zst, CancellationToken cancellationToken) => Guard(async () =>
    {
        await _client.PutObjectAsync(_bucket, Key(subdir, RepoData.RemoteRepoData.Zst), zst, "application/zstd", cancellationToken).ConfigureAwait(false);
        await _client.PutObjectAsync(_bucket, Key(subdir, RepoData.RemoteRepoData.Json), json, "application/json", cancellationToken).ConfigureAwait(false);
        return true;
    });

    private string Key(string subdir, string file) => _prefix.Length == 0 ? $"{subdir}/{file}" : $"{_prefix}/{subdir}/{file}";

    /// <summary>Runs an S3 operation; a server that gave no answer becomes <see cref="PublishDestinationUnavailableException"/>.</summary>
    private async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (S3RequestException ex) when (ex.StatusCode is null && ex.InnerException is not null)
        {
            throw new PublishDestinationUnavailableException(DisplayName, ex.Message, ex);
        }
    }
}
