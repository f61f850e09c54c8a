using System.IO.Enumeration;
using EnvTools.IO;

namespace EnvTools.Environments;

/// <summary>
/// How much disk a prefix takes: <see cref="Size"/> counts the bytes of every regular file once (a file
/// hard-linked twice inside the prefix counts once); <see cref="ExclusiveSize"/> counts only the files
/// whose every hard link lies inside the prefix, i.e. the bytes that removing the prefix frees, the rest
/// being shared with the package cache or other environments. Symbolic links are not followed and count
/// nothing. ExclusiveSize is null where the platform's link counts cannot be read.
/// </summary>
public readonly record struct DiskUsage(long Size, long? ExclusiveSize, int FileCount)
{
    /// <summary>Walks <paramref name="root"/> without following symbolic links; unreadable entries are skipped.</summary>
    public static DiskUsage Measure(string root, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        return FileStatusReader.IsSupported ? MeasureWithLinks(root, cancellationToken) : MeasureLengths(root, cancellationToken);
    }

    private static DiskUsage MeasureWithLinks(string root, CancellationToken ct)
    {
        // (device, inode) -> (size, link count, links seen here) for files with more than one link.
        var multi = new Dictionary<(ulong, ulong), (long Size, long Links, long Seen)>();
        long size = 0, exclusive = 0;
        int files = 0;
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            foreach (string path in Children(pending.Pop()))
            {
                if (!FileStatusReader.TryLStat(path, out FileStatus st))
                {
                    continue;
                }

                if (st.Kind == FileKind.Directory)
                {
                    pending.Push(path);
                    continue;
                }

                if (st.Kind != FileKind.Regular)
                {
                    continue;
                }

                if (st.LinkCount > 1)
                {
                    var key = (st.Device, st.Inode);
                    multi[key] = multi.TryGetValue(key, out var seen) ? seen with { Seen = seen.Seen + 1 } : (st.Size, st.LinkCount, 1);
                    continue;
                }

                files++;
                size += st.Size;
                exclusive += st.Size;
            }
        }

        foreach (var (fileSize, links, seen) in multi.Values)
        {
            files++;
            size += fileSize;
            if (seen >= links)
            {
                exclusive += fileSize;
            }
        }

        return new DiskUsage(size, exclusive, files);
    }

    private static DiskUsage MeasureLengths(string root, CancellationToken ct)
    {
        long size = 0;
        int files = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (long length in new FileSystemEnumerable<long>(root, (ref FileSystemEntry e) => e.Length, options)
                 {
                     ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory,
                 })
        {
            ct.ThrowIfCancellationRequested();
            files++;
            size += length;
        }

        return new DiskUsage(size, null, files);
    }

    private static IEnumerable<string> Children(string dir) =>
        new FileSystemEnumerable<string>(dir, (ref FileSystemEntry e) => e.ToFullPath(),
            new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0 });
}
