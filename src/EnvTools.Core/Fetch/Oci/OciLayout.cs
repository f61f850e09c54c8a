using System.Text;
using System.Text.RegularExpressions;
using EnvTools.Conda;

namespace EnvTools.Fetch.Oci;

/// <summary>What an <c>oci://</c> channel URL names: a subdir's repodata, a package archive, or nothing the layout has.</summary>
internal enum OciTargetKind
{
    /// <summary><c>repodata.json</c> (and its <c>.zst</c>/<c>.bz2</c> forms): a layer of <c>…/SUBDIR/repodata.json:latest</c>.</summary>
    Repodata,
    /// <summary>A <c>.conda</c> or <c>.tar.bz2</c> archive: the blob of <c>…/SUBDIR/NAME:VERSION-BUILD</c>.</summary>
    Package,
}

/// <summary>
/// One file of an <c>oci://HOST[:PORT]/NAMESPACE/CHANNEL</c> channel mapped onto the registry: the registry's authority,
/// the repository, the tag and which layers stand for the file.
/// </summary>
/// <param name="Authority">The registry, <c>HOST[:PORT]</c>.</param>
/// <param name="Repository">The repository, e.g. <c>channel-mirrors/conda-forge/linux-64/zzz_openmp_mutex</c>.</param>
/// <param name="Tag">The tag (<c>latest</c> for repodata, the escaped <c>VERSION-BUILD</c> for a package).</param>
/// <param name="Kind">Repodata or package.</param>
/// <param name="FileName">The file the channel URL asked for.</param>
/// <param name="MediaTypes">The layer media types that serve the file, preferred first.</param>
internal sealed record OciTarget(string Authority, string Repository, string Tag, OciTargetKind Kind, string FileName, IReadOnlyList<string> MediaTypes);

/// <summary>
/// The layout conda-oci-mirror publishes and rattler and mamba read (channel-mirrors/conda-oci-mirror):
/// <list type="bullet">
/// <item>repodata: repository <c>NAMESPACE/CHANNEL/SUBDIR/repodata.json</c>, tag <c>latest</c>, one layer per form
/// (<c>application/vnd.conda.repodata.v1+json</c>, <c>…+zst</c>, <c>…+bz2</c>, <c>…+gzip</c>);</item>
/// <item>a package <c>NAME-VERSION-BUILD.conda|.tar.bz2</c>: repository <c>…/SUBDIR/NAME</c> (a leading <c>_</c> becomes
/// <c>zzz_</c>, since a repository component must start with a letter or digit), tag <c>VERSION-BUILD</c> with
/// <c>+</c> → <c>__p__</c>, <c>!</c> → <c>__e__</c>, <c>=</c> → <c>__eq__</c>; the archive is a layer of media type
/// <c>application/vnd.conda.package.v2</c> (.conda) or <c>.v1</c> (.tar.bz2) whose digest is its sha256.</item>
/// </list>
/// </summary>
internal static partial class OciLayout
{
    /// <summary>The channel URL scheme.</summary>
    internal const string Scheme = "oci";

    /// <summary>The tag of a subdir's current repodata.</summary>
    internal const string RepodataTag = "latest";

    /// <summary>The last repository component of a subdir's repodata.</summary>
    internal const string RepodataRepository = "repodata.json";

    /// <summary>An OCI image manifest.</summary>
    internal const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>Docker's image manifest (schema 2): the same shape, accepted when a registry converts.</summary>
    internal const string DockerManifestMediaType = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>The empty config of an artifact manifest (its blob is <c>{}</c>).</summary>
    internal const string EmptyConfigMediaType = "application/vnd.oci.empty.v1+json";

    /// <summary>repodata.json as JSON.</summary>
    internal const string RepodataJson = "application/vnd.conda.repodata.v1+json";

    /// <summary>repodata.json compressed with zstd.</summary>
    internal const string RepodataZst = RepodataJson + "+zst";

    /// <summary>repodata.json compressed with bzip2.</summary>
    internal const string RepodataBz2 = RepodataJson + "+bz2";

    /// <summary>repodata.json compressed with gzip.</summary>
    internal const string RepodataGzip = RepodataJson + "+gzip";

    /// <summary>A <c>.conda</c> archive.</summary>
    internal const string PackageConda = "application/vnd.conda.package.v2";

    /// <summary>A <c>.tar.bz2</c> archive.</summary>
    internal const string PackageTarBz2 = "application/vnd.conda.package.v1";

    /// <summary>The annotation that names a layer's file.</summary>
    internal const string TitleAnnotation = "org.opencontainers.image.title";

    /// <summary>Whether <paramref name="url"/> is an <c>oci://</c> URL.</summary>
    internal static bool IsOci(Uri url) => string.Equals(url.Scheme, Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>The repository component of a package name: a leading <c>_</c> becomes <c>zzz_</c>.</summary>
    internal static string PackageRepositoryName(string name) => name.StartsWith('_') ? "zzz" + name : name;

    /// <summary>The tag of a package: <c>VERSION-BUILD</c> with <c>+</c>, <c>!</c> and <c>=</c> escaped.</summary>
    internal static string PackageTag(string version, string build)
    {
        var sb = new StringBuilder(version.Length + build.Length + 8);
        foreach (char c in $"{version}-{build}")
        {
            sb.Append(c switch
            {
                '+' => "__p__",
                '!' => "__e__",
                '=' => "__eq__",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }

    /// <summary>The layer media type of an archive file name (<c>.conda</c> → v2, <c>.tar.bz2</c> → v1), or null.</summary>
    internal static string? PackageMediaType(string fileName) =>
        fileName.EndsWith(".conda", StringComparison.Ordinal) ? PackageConda
        : fileName.EndsWith(".tar.bz2", StringComparison.Ordinal) ? PackageTarBz2
        : null;

    /// <summary>
    /// The layers that serve a repodata file name, preferred first: <c>.zst</c> and <c>.bz2</c> their own, <c>repodata.json</c>
    /// the JSON layer or else the gzip one (the repodata reader tells compressed bodies by their magic bytes). Null for
    /// files the layout does not have (<c>repodata_shards.msgpack.zst</c>, <c>current_repodata.json</c> …).
    /// </summary>
    internal static IReadOnlyList<string>? RepodataMediaTypes(string fileName) => fileName switch
    {
        "repodata.json.zst" => new[] { RepodataZst },
        "repodata.json.bz2" => new[] { RepodataBz2 },
        "repodata.json" => new[] { RepodataJson, RepodataGzip },
        _ => null,
    };

    /// <summary>The repository that holds a subdir's repodata: <c>CHANNELPATH/SUBDIR/repodata.json</c>.</summary>
    internal static string RepodataRepositoryOf(string channelPath, string subdir) => $"{channelPath}/{subdir}/{RepodataRepository}";

    /// <summary>The repository that holds the archives of package <paramref name="name"/>: <c>CHANNELPATH/SUBDIR/NAME</c>.</summary>
    internal static string PackageRepositoryOf(string channelPath, string subdir, string name) => $"{channelPath}/{subdir}/{PackageRepositoryName(name)}";

    /// <summary>
    /// The file an <c>oci://</c> URL asks for (<c>oci://HOST/PATH…/SUBDIR/FILE</c>), or null when it names nothing of the
    /// layout (too few path segments, or a file that is neither repodata nor an archive).
    /// </summary>
    internal static OciTarget? Parse(Uri url)
    {
        string[] segments = url.AbsolutePath.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (!IsOci(url) || segments.Length < 3 || segments.Any(s => s.Length == 0))
        {
            return null;
        }

        string file = segments[^1];
        string subdirPath = string.Join('/', segments[..^1]);
        if (RepodataMediaTypes(file) is { } repodata)
        {
            return new OciTarget(url.Authority, $"{subdirPath}/{RepodataRepository}", RepodataTag, OciTargetKind.Repodata, file, repodata);
        }

        if (ArchiveName.Split(file) is (string name, string version, string build) && PackageMediaType(file) is { } mediaType)
        {
            return new OciTarget(url.Authority, $"{subdirPath}/{PackageRepositoryName(name)}", PackageTag(version, build), OciTargetKind.Package, file, new[] { mediaType });
        }

        return null;
    }

    /// <summary>The channel path of an <c>oci://</c> channel URL (<c>NAMESPACE/CHANNEL</c>, no leading or trailing slash).</summary>
    internal static string ChannelPath(Uri channel) => Uri.UnescapeDataString(channel.AbsolutePath.Trim('/'));

    /// <summary>Whether a repository name is one the distribution spec allows (lower-case components joined by <c>/</c>).</summary>
    internal static bool IsValidRepository(string repository) => RepositoryPattern().IsMatch(repository);

    /// <summary>Whether a tag is one the distribution spec allows (<c>[A-Za-z0-9_][A-Za-z0-9._-]{0,127}</c>).</summary>
    internal static bool IsValidTag(string tag) => TagPattern().IsMatch(tag);

    /// <summary>Whether a digest is well-formed (<c>algorithm:hex</c>), so that it can go into a URL as is.</summary>
    internal static bool IsValidDigest(string digest) => DigestPattern().IsMatch(digest);

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$")]
    private static partial Regex DigestPattern();
}
