using System.Security.Cryptography;
using EnvTools.Conda;
using EnvTools.IO;

namespace EnvTools.Environments;

/// <summary>
/// Checks every file a prefix's conda-meta records list (<c>conda doctor</c>): missing files and links, sizes,
/// and SHA-256 (<c>sha256_in_prefix</c> when recorded, else <c>sha256</c>). Files whose prefix placeholder
/// was rewritten are hashed only against <c>sha256_in_prefix</c> and, in text mode, not size-checked (the
/// rewrite changes the size); soft links are checked for existence only; a file whose size is already
/// wrong is not hashed. A path two packages claim (a clobber) is fine when it matches either. Compiled python files
/// (<c>.pyc</c>, <c>.pyo</c>) are skipped, as conda doctor skips them. Files are hashed in parallel.
/// </summary>
public static class PrefixVerifier
{
    /// <summary>Verifies the prefix at <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<FileIssue> Verify(string prefix, IProgress<VerifyProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Verify(PrefixData.Load(prefix, cancellationToken), progress, cancellationToken);

    /// <summary>Verifies the files of already loaded records; issues come sorted by package, then path.</summary>
    public static IReadOnlyList<FileIssue> Verify(PrefixData data, IProgress<VerifyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var claims = new Dictionary<string, List<Claim>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (PrefixRecord r in data.Records)
        {
            IReadOnlyList<PrefixRecordPath> prefixPaths = r.GetPrefixPaths();
            IEnumerable<PrefixRecordPath> entries = prefixPaths.Count > 0
                ? prefixPaths
                : r.Files.Select(f => new PrefixRecordPath { Path = f });
            foreach (PrefixRecordPath e in entries)
            {
                if (string.IsNullOrEmpty(e.Path) || IsCompiledPython(e))
                {
                    continue;
                }

                if (!claims.TryGetValue(e.Path, out List<Claim>? list))
                {
                    claims[e.Path] = list = new List<Claim>(1);
                    order.Add(e.Path);
                }

                list.Add(new Claim(r.Name, e));
            }
        }

        var results = new FileIssue?[order.Count];
        int done = 0;
        Parallelism.For(order.Count, cancellationToken, i =>
        {
            results[i] = Check(data.Prefix, order[i], claims[order[i]]);
            int n = Interlocked.Increment(ref done);
            if (progress is not null && (n % 256 == 0 || n == order.Count))
            {
                progress.Report(new VerifyProgress(n, order.Count));
            }
        });

        return results.OfType<FileIssue>()
            .OrderBy(x => x.Package, StringComparer.Ordinal).ThenBy(x => x.Path, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Compiled python files are not checked, as <c>conda doctor</c> does not check them: conda records a noarch: python
    /// package's <c>.pyc</c> files before compiling them, and keeps them listed when the compilation fails.
    /// </summary>
    private static bool IsCompiledPython(PrefixRecordPath e) =>
        e.PathType == "pyc_file" || e.Path.EndsWith(".pyc", StringComparison.Ordinal) || e.Path.EndsWith(".pyo", StringComparison.Ordinal);

    private readonly record struct Claim(string Package, PrefixRecordPath Entry);

    private static FileIssue? Check(string prefix, string relative, List<Claim> claims)
    {
        string full = Path.Combine(prefix, relative.Replace('/', Path.DirectorySeparatorChar));
        FileSystemInfo? info = Stat(full);
        FileIssue? first = null;
        string? actualHash = null;
        foreach (Claim c in claims)
        {
            FileIssue? issue = CheckOne(prefix, c, info, full, ref actualHash);
            if (issue is null)
            {
                return null;
            }

            first ??= issue;
        }

        // Report against the package that installed the file last (whose content should be there).
        return first is null ? null : first with { Package = claims[^1].Package };
    }

    private static FileIssue? CheckOne(string prefix, Claim c, FileSystemInfo? info, string full, ref string? actualHash)
    {
        PrefixRecordPath e = c.Entry;
        FileIssue Issue(FileIssueKind kind, string? expected = null, string? actual = null) => new(c.Package, e.Path, kind, expected, actual, prefix);
        if (info is null)
        {
            return Issue(FileIssueKind.Missing);
        }

        switch (e.PathType)
        {
            case "softlink":
                return null;
            case "directory":
                return info is DirectoryInfo ? null : Issue(FileIssueKind.Missing);
        }

        if (info is not FileInfo file || (file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true }))
        {
            return Issue(FileIssueKind.Missing); // a folder where a file should be, or a dangling link
        }

        bool rewritten = e.PrefixPlaceholder is not null;
        bool textRewrite = rewritten && !string.Equals(e.FileMode, "binary", StringComparison.OrdinalIgnoreCase);
        if (e.SizeInBytes is { } expectedSize && !textRewrite && file.Length != expectedSize)
        {
            return Issue(FileIssueKind.SizeMismatch, expectedSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                file.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        string? expectedHash = e.Sha256InPrefix ?? (rewritten ? null : e.Sha256);
        if (string.IsNullOrEmpty(expectedHash))
        {
            return null;
        }

        actualHash ??= Hash(full);
        return actualHash is not null && !string.Equals(actualHash, expectedHash, StringComparison.OrdinalIgnoreCase)
            ? Issue(FileIssueKind.Modified, expectedHash.ToLowerInvariant(), actualHash)
            : null;
    }

    /// <summary>The entry at <paramref name="path"/> without following a final link: a link as a FileInfo with a LinkTarget, null when absent.</summary>
    private static FileSystemInfo? Stat(string path)
    {
        var f = new FileInfo(path);
        if (f.Exists || f.LinkTarget is not null)
        {
            return f;
        }

        var d = new DirectoryInfo(path);
        return d.Exists ? d : null;
    }

    private static string? Hash(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
            return Checksums.HexOf(HashAlgorithmName.SHA256, stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
