using EnvTools.Conda;

namespace EnvTools.Publish;

/// <summary>A subdir's repodata as a destination has it.</summary>
/// <param name="Json">The <c>repodata.json</c> bytes.</param>
/// <param name="Complete">Every form the destination writes is there (<c>repodata.json</c> and <c>repodata.json.zst</c>);
/// when false the repodata is written even if <paramref name="Json"/> is unchanged.</param>
public sealed record DestinationRepodata(byte[] Json, bool Complete);

/// <summary>
/// Where <see cref="ChannelPublisher"/> writes a channel: four operations, so that a store (a folder, an OCI registry, an
/// S3 bucket) plugs in with a small class. The publisher calls them in this order: <see cref="GetRepodataAsync"/> for
/// every subdir, <see cref="HasPackageAsync"/> for every archive, <see cref="PutPackageAsync"/> for the missing ones, and
/// <see cref="PutRepodataAsync"/> only after every archive was written. No operation needs a conditional write.
/// A failure of any of them (unreachable, refused) ends the publish: it is an <see cref="EnvToolsException"/> such as
/// <see cref="PublishDestinationUnavailableException"/> or the store's own (its server code passed through), without secrets.
/// </summary>
public interface IChannelDestination
{
    /// <summary>How the destination is shown (a folder, or a URL without credentials).</summary>
    string DisplayName { get; }

    /// <summary>The subdir's current repodata, or null when the destination has none.</summary>
    Task<DestinationRepodata?> GetRepodataAsync(string subdir, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the destination holds <paramref name="record"/>'s archive (<see cref="RepoDataRecord.FileName"/>) in the
    /// subdir. With <paramref name="verifyContent"/> false the destination's own repodata already lists the archive with the
    /// record's sha256, so its presence (and size) is enough; with true the content must be shown to be the record's
    /// (a hash, a content-addressed digest, an MD5 ETag): a file of the same name but other bytes is not the archive.
    /// </summary>
    Task<bool> HasPackageAsync(string subdir, RepoDataRecord record, bool verifyContent, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a verified archive (<paramref name="archivePath"/>, a file named as the archive that the destination may move
    /// or delete) as <c>SUBDIR/FILENAME</c>, so that no reader ever sees a part of it. Returns the bytes written.
    /// </summary>
    Task<long> PutPackageAsync(string subdir, string archivePath, string sha256, CancellationToken cancellationToken);

    /// <summary>Writes the subdir's repodata: <c>repodata.json</c> and its zstd form (<c>repodata.json.zst</c>), each as a whole.</summary>
    Task PutRepodataAsync(string subdir, byte[] json, byte[] zst, CancellationToken cancellationToken);
}
