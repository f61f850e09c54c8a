using EnvTools.Conda;
using EnvTools.Fetch;
using EnvTools.IO;
using EnvTools.RepoData;

namespace EnvTools.Publish;

/// <summary>
/// A channel folder (<c>ROOT/SUBDIR/FILE</c>, the layout conda, mamba and EnvTools read from a path or <c>file://</c> URL).
/// Every file is written atomically: to a temporary name in its own folder (flushed), then renamed over the target, so a
/// reader sees the old file or the new one, never a part. An archive counts as present when the file exists with the
/// record's size and, where content must be shown, its sha256 (else md5) is the record's.
/// </summary>
public sealed class FolderChannelDestination : IChannelDestination
{
    /// <summary>A destination at <paramref name="root"/> (created on the first write, not before).</summary>
    public FolderChannelDestination(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The channel folder.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public string DisplayName => Root;

    /// <inheritdoc />
    public Task<DestinationRepodata?> GetRepodataAsync(string subdir, CancellationToken cancellationToken)
    {
        string json = Path.Combine(Root, subdir, RemoteRepoData.Json);
        string zst = Path.Combine(Root, subdir, RemoteRepoData.Zst);
        return Task.FromResult(Guard(() =>
        {
            if (File.Exists(json))
            {
                return new DestinationRepodata(File.ReadAllBytes(json), File.Exists(zst));
            }

            if (File.Exists(zst))
            {
                using var decompressor = new ZstdSharp.Decompressor();
                return new DestinationRepodata(decompressor.Unwrap(File.ReadAllBytes(zst)).ToArray(), false);
            }

            return null;
        }, $"read {json}"));
    }

    /// <inheritdoc />
    public Task<bool> HasPackageAsync(string subdir, RepoDataRecord record, bool verifyContent, CancellationToken cancellationToken)
    {
        string path = Path.Combine(Root, subdir, record.FileName);
        return Task.FromResult(Guard(() =>
        {
            var info = new FileInfo(path);
            if (!info.Exists || (record.Size is > 0 && info.Length != record.Size))
            {
                return false;
            }

            if (!verifyContent)
            {
                return true;
            }

            FileDigest digest = Checksums.OfFile(path, cancellationToken);
            return PackageDownloader.Mismatch(record, digest) is null && (record.Sha256 is { Length: > 0 } || record.Md5 is { Length: > 0 });
        }, $"read {path}"));
    }

    /// <inheritdoc />
    public Task<long> PutPackageAsync(string subdir, string archivePath, string sha256, CancellationToken cancellationToken)
    {
        string target = Path.Combine(Root, subdir, Path.GetFileName(archivePath));
        return Task.FromResult(Guard(() =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            string temp = TempName(target);
            try
            {
                // a move where the archive is on the same volume, else a copy; either way under a name no reader looks at
                File.Move(archivePath, temp);
                using (var fs = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    fs.Flush(flushToDisk: true);
                }

                long length = new FileInfo(temp).Length;
                EnvTools.IO.AtomicFiles.MoveOver(temp, target);
                return length;
            }
            finally
            {
                PackageDownloader.TryDelete(temp);
            }
        }, $"write {target}"));
    }

    /// <inheritdoc />
    public Task PutRepodataAsync(string subdir, byte[] json, byte[] zst, CancellationToken cancellationToken)
    {
        string dir = Path.Combine(Root, subdir);
        Guard(() =>
        {
            Directory.CreateDirectory(dir);
            EnvTools.IO.AtomicFiles.WriteAtomically(Path.Combine(dir, RemoteRepoData.Zst), zst);
            EnvTools.IO.AtomicFiles.WriteAtomically(Path.Combine(dir, RemoteRepoData.Json), json); // the file every client reads: last
            return true;
        }, $"write the repodata of {dir}");
        return Task.CompletedTask;
    }

    private static string TempName(string target) =>
        Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");

    private T Guard<T>(Func<T> action, string what)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PublishDestinationUnavailableException(Root, $"Cannot {what} in the channel folder {Root}: {ex.Message}", ex);
        }
    }
}
