using System.Text;
using System.Text.RegularExpressions;
using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>One package line of an <c>@EXPLICIT</c> file: the archive's URL and its hash from the URL's fragment.</summary>
/// <param name="Url">The URL without its fragment (a local path is turned into a <c>file://</c> URL).</param>
/// <param name="Md5">The MD5 from a <c>#&lt;32 hex&gt;</c> fragment, or null.</param>
/// <param name="Sha256">The SHA-256 from a <c>#sha256:&lt;64 hex&gt;</c> or <c>#&lt;64 hex&gt;</c> fragment, or null.</param>
/// <param name="Line">The 1-based line in the file.</param>
public sealed record ExplicitPackage(string Url, string? Md5, string? Sha256, int Line)
{
    /// <summary>The archive's file name (the URL's last segment).</summary>
    public string FileName => Uri.UnescapeDataString(Url[(Url.LastIndexOf('/') + 1)..]);

    /// <summary>The subdir (the URL's segment before the file name), or null when the URL has none.</summary>
    public string? Subdir
    {
        get
        {
            string[] parts = new Uri(Url).AbsolutePath.TrimEnd('/').Split('/');
            return parts.Length >= 2 && parts[^2].Length > 0 ? parts[^2] : null;
        }
    }

    /// <summary>The package record conda derives from the URL (name, version and build from the file name; channel = the
    /// subdir URL); the package's own metadata (depends …) comes from its <c>info/index.json</c> once fetched.</summary>
    public RepoDataRecord ToRecord()
    {
        (string name, string version, string build) = ArchiveName.Split(FileName)
            ?? throw new InvalidOperationException($"'{FileName}' is not a package file name");
        return new RepoDataRecord
        {
            Name = name,
            Version = version,
            Build = build,
            BuildNumber = ArchiveName.BuildNumberOf(build),
            FileName = FileName,
            Url = Url,
            Channel = Url[..Url.LastIndexOf('/')],
            Subdir = Subdir,
            Md5 = Md5,
            Sha256 = Sha256,
        };
    }
}

/// <summary>
/// An <c>@EXPLICIT</c> file (CEP-23; <c>conda list --explicit</c>, conda-lock's <c>.lock</c> files): comments (a
/// <c># platform: X</c> comment names the platform), the <c>@EXPLICIT</c> marker, then one package URL per line with an
/// optional hash fragment (<c>#&lt;md5&gt;</c>, <c>#sha256:&lt;hex&gt;</c> or <c>#&lt;sha256 hex&gt;</c>). It is
/// installed exactly as listed, without a solve.
/// </summary>
public sealed partial class ExplicitFile
{
    /// <summary>The marker line that makes a spec file explicit.</summary>
    public const string Marker = "@EXPLICIT";

    /// <summary>The file read, or null for text parsed from memory.</summary>
    public string? FilePath { get; init; }

    /// <summary>The platform from the <c># platform:</c> comment, or null.</summary>
    public string? Platform { get; init; }

    /// <summary>The packages, in file order (conda's install order).</summary>
    public IReadOnlyList<ExplicitPackage> Packages { get; init; } = Array.Empty<ExplicitPackage>();

    /// <summary>Whether text is an explicit file (a line that is exactly <c>@EXPLICIT</c>).</summary>
    public static bool IsExplicit(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split('\n').Any(l => l.Trim() == Marker);
    }

    /// <summary>Reads a file.</summary>
    /// <exception cref="InvalidEnvironmentFileException">No <c>@EXPLICIT</c> marker, a line that is no package URL, or a bad hash.</exception>
    public static ExplicitFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ExplicitFile f = Parse(EnvironmentFile.ReadText(path), path);
        return new ExplicitFile { FilePath = Path.GetFullPath(path), Platform = f.Platform, Packages = f.Packages };
    }

    /// <summary>Parses explicit-file text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidEnvironmentFileException">No <c>@EXPLICIT</c> marker, a line that is no package URL, or a bad hash.</exception>
    public static ExplicitFile Parse(string text, string source = "explicit.txt")
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] lines = text.Split('\n');
        string? platform = null;
        bool marked = false;
        var packages = new List<ExplicitPackage>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            int number = i + 1;
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                if (PlatformComment().Match(line) is { Success: true } m)
                {
                    platform = m.Groups[1].Value;
                }

                continue;
            }

            if (line == Marker)
            {
                marked = true;
                continue;
            }

            if (!marked)
            {
                throw new InvalidEnvironmentFileException(source, number, null, $"'{line}' comes before the {Marker} line; an explicit file lists package URLs after it");
            }

            packages.Add(ParsePackage(line, source, number));
        }

        if (!marked)
        {
            throw new InvalidEnvironmentFileException(source, 0, null, $"has no {Marker} line");
        }

        return new ExplicitFile { Platform = platform, Packages = packages };
    }

    /// <summary>The records to install, in file order.</summary>
    public IReadOnlyList<RepoDataRecord> ToRecords() => Packages.Select(p => p.ToRecord()).ToArray();

    /// <summary>
    /// Writes an explicit file for <paramref name="records"/> (in the order given, which should be install order): the
    /// header comments, <c># platform:</c>, <c>@EXPLICIT</c>, then each URL with <c>#sha256:&lt;hex&gt;</c> (CEP-23) —
    /// or <c>#&lt;md5&gt;</c> when only the MD5 is known. Tokens and passwords are stripped from every URL.
    /// </summary>
    public static string Write(IEnumerable<RepoDataRecord> records, string platform, string? createdBy = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var sb = new StringBuilder();
        sb.Append("# This file may be used to create an environment using:\n");
        sb.Append("# $ conda create --name <env> --file <this file>\n");
        sb.Append("# or: New-Env <env> -File <this file>\n");
        sb.Append("# platform: ").Append(platform).Append('\n');
        if (createdBy is not null)
        {
            sb.Append("# created-by: ").Append(createdBy).Append('\n');
        }

        sb.Append(Marker).Append('\n');
        foreach (RepoDataRecord r in records)
        {
            sb.Append(StripCredentials(r.Url));
            if (r.Sha256 is { Length: > 0 } sha)
            {
                sb.Append("#sha256:").Append(sha.ToLowerInvariant());
            }
            else if (r.Md5 is { Length: > 0 } md5)
            {
                sb.Append('#').Append(md5.ToLowerInvariant());
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>A URL without anaconda.org-style tokens (<c>/t/&lt;token&gt;/</c>) and without user info: what may be exported.</summary>
    public static string StripCredentials(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.Contains("://", StringComparison.Ordinal))
        {
            return url;
        }

        string s = UserInfoRe().Replace(url, string.Empty);
        return TokenRe().Replace(s, string.Empty);
    }

    private static ExplicitPackage ParsePackage(string line, string source, int number)
    {
        string url = line;
        string? md5 = null, sha256 = null;
        int hash = line.IndexOf('#');
        if (hash >= 0)
        {
            url = line[..hash].Trim();
            string fragment = line[(hash + 1)..].Trim();
            if (fragment.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
            {
                sha256 = fragment[7..];
                if (!IsHex(sha256, 64))
                {
                    throw new InvalidEnvironmentFileException(source, number, null, $"'{fragment}' is not a SHA-256 (64 hex digits)");
                }
            }
            else if (IsHex(fragment, 64))
            {
                sha256 = fragment;
            }
            else if (IsHex(fragment, 32))
            {
                md5 = fragment;
            }
            else
            {
                throw new InvalidEnvironmentFileException(source, number, null,
                    $"'#{fragment}' is no package hash: an explicit URL may end with #<md5>, #sha256:<hex> or #<sha256 hex>");
            }
        }

        if (!url.Contains("://", StringComparison.Ordinal) && Path.IsPathFullyQualified(url))
        {
            // a local path; '//host\u00FF/x' and the like are UNC names System.Uri cannot take
            url = Uri.TryCreate(url, UriKind.Absolute, out Uri? local) ? local.AbsoluteUri
                : throw new InvalidEnvironmentFileException(source, number, null, $"'{url}' is not a package URL or path");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme is not ("http" or "https" or "file" or "ftp" or "s3" or "oci")))
        {
            throw new InvalidEnvironmentFileException(source, number, null, $"'{url}' is not a package URL");
        }

        string fileName = Uri.UnescapeDataString(url[(url.LastIndexOf('/') + 1)..]);
        if (ArchiveName.Split(fileName) is null)
        {
            throw new InvalidEnvironmentFileException(source, number, null,
                $"'{fileName}' is not a package archive (name-version-build.conda or .tar.bz2)");
        }

        return new ExplicitPackage(url, md5?.ToLowerInvariant(), sha256?.ToLowerInvariant(), number);
    }

    private static bool IsHex(string s, int length) => s.Length == length && s.All(Uri.IsHexDigit);

    [GeneratedRegex(@"^#\s*platform:\s*(\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex PlatformComment();

    [GeneratedRegex(@"(?<=://)[^/@\s]*@")]
    private static partial Regex UserInfoRe();

    [GeneratedRegex(@"/t/[^/\s]+(?=/)")]
    private static partial Regex TokenRe();
}
