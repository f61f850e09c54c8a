using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Fetch;
using EnvTools.Fetch.Oci;

namespace EnvTools.Publish;

/// <summary>
/// An <c>oci://HOST[:PORT]/NAMESPACE/CHANNEL</c> channel in the conda-oci-mirror layout (<see cref="OciLayout"/>), written
/// with <see cref="OciPushClient"/> (the same authentication, TLS and <c>oci_insecure_registries</c> as reading):
/// <list type="bullet">
/// <item>an archive is present when its manifest <c>…/SUBDIR/NAME:VERSION-BUILD</c> names a package layer whose digest is the
/// record's sha256 (content-addressed: exact, whatever <c>verifyContent</c> says);</item>
/// <item>an archive is pushed as its blob (skipped by <c>HEAD</c> where the repository has it) and then its manifest;</item>
/// <item>repodata is the manifest <c>…/SUBDIR/repodata.json:latest</c> with a JSON and a zstd layer, pushed after the blobs.</item>
/// </list>
/// A registry that does not answer is a <see cref="PublishDestinationUnavailableException"/>; a refusal an
/// <see cref="OciRegistryException"/> with the registry's code (<c>DENIED</c>, <c>UNAUTHORIZED</c> …).
/// </summary>
internal sealed class OciChannelDestination : IChannelDestination
{
    /// <summary>The largest repodata layer read back (repodata of big channels is some hundred MB).</summary>
    private const long MaxRepodataBytes = 1L << 30;

    private readonly OciPushClient _client;

    /// <exception cref="ArgumentException">Not an <c>oci://HOST/NAMESPACE/CHANNEL</c> URL.</exception>
    /// <exception cref="InvalidConfigurationException">Unusable <c>proxy_servers</c> or <c>ssl_verify</c>.</exception>
    internal OciChannelDestination(Uri channel, Settings settings)
    {
        _client = new OciPushClient(channel, HttpFetchOptions.FromValidated(settings));
        DisplayName = $"oci://{_client.Authority}/{_client.ChannelPath}";
    }

    /// <inheritdoc />
    public string DisplayName { get; }

    /// <inheritdoc />
    public Task<DestinationRepodata?> GetRepodataAsync(string subdir, CancellationToken cancellationToken) => Guard(async () =>
    {
        string repository = OciLayout.RepodataRepositoryOf(_client.ChannelPath, subdir);
        if (await _client.GetManifestAsync(repository, OciLayout.RepodataTag, cancellationToken).ConfigureAwait(false) is not { } manifest)
        {
            return null;
        }

        OciDescriptor? json = manifest.Layer(OciLayout.RepodataJson);
        OciDescriptor? zst = manifest.Layer(OciLayout.RepodataZst);
        if (json is not null)
        {
            return new DestinationRepodata(await _client.GetBlobAsync(repository, json, MaxRepodataBytes, cancellationToken).ConfigureAwait(false), zst is not null);
        }

        if (zst is null)
        {
            return null; // a manifest without a layer EnvTools writes: replaced as if there were none
        }

        using var decompressor = new ZstdSharp.Decompressor();
        return new DestinationRepodata(decompressor.Unwrap(await _client.GetBlobAsync(repository, zst, MaxRepodataBytes, cancellationToken).ConfigureAwait(false)).ToArray(), false);
    });

    /// <inheritdoc />
    public Task<bool> HasPackageAsync(string subdir, RepoDataRecord record, bool verifyContent, CancellationToken cancellationToken) => Guard(async () =>
    {
        if (record.Sha256 is not { Length: 64 } sha256 || OciLayout.PackageMediaType(record.FileName) is not { } mediaType)
        {
            return false; // no digest to compare: pushed again (the blob upload itself is skipped where the registry has it)
        }

        string repository = OciLayout.PackageRepositoryOf(_client.ChannelPath, subdir, record.Name);
        string tag = OciLayout.PackageTag(record.Version, record.Build);
        if (!OciLayout.IsValidRepository(repository) || !OciLayout.IsValidTag(tag))
        {
            return false; // the push names the problem
        }

        OciManifest? manifest = await _client.GetManifestAsync(repository, tag, cancellationToken).ConfigureAwait(false);
        OciDescriptor? layer = manifest?.Layer(mediaType) ?? manifest?.Layers.FirstOrDefault(l => l.Title == record.FileName);
        return layer is not null && string.Equals(layer.Digest, "sha256:" + sha256.ToLowerInvariant(), StringComparison.Ordinal);
    });

    /// <inheritdoc />
    public Task<long> PutPackageAsync(string subdir, string archivePath, string sha256, CancellationToken cancellationToken) => Guard(async () =>
    {
        OciPushResult pushed = await _client.PushPackageAsync(subdir, archivePath, cancellationToken).ConfigureAwait(false);
        return pushed.Blobs.Where(b => b.Uploaded && b.Descriptor.MediaType != OciLayout.EmptyConfigMediaType).Sum(b => b.Descriptor.Size);
    });

    /// <inheritdoc />
    public Task PutRepodataAsync(string subdir, byte[] json, byte[] zst, CancellationToken cancellationToken) => Guard(async () =>
        await _client.PushArtifactAsync(OciLayout.RepodataRepositoryOf(_client.ChannelPath, subdir), new[] { OciLayout.RepodataTag }, new[]
        {
            new OciLayerSource(OciLayout.RepodataJson, RepoData.RemoteRepoData.Json, Bytes: json),
            new OciLayerSource(OciLayout.RepodataZst, RepoData.RemoteRepoData.Zst, Bytes: zst),
        }, cancellationToken).ConfigureAwait(false));

    /// <summary>Runs a registry operation; a registry that gave no answer becomes <see cref="PublishDestinationUnavailableException"/>.</summary>
    private async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (OciRegistryException ex) when (ex.StatusCode is null && ex.InnerException is not null)
        {
            throw new PublishDestinationUnavailableException(DisplayName, ex.Message, ex);
        }
    }
}
