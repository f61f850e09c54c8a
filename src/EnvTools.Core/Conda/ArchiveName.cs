using System.Globalization;

namespace EnvTools.Conda;

/// <summary>Package archive file names: <c>name-version-build.conda</c> or <c>.tar.bz2</c>.</summary>
internal static class ArchiveName
{
    /// <summary>Name, version and build of an archive file name, or null when it is not one.</summary>
    internal static (string Name, string Version, string Build)? Split(string fileName)
    {
        string? stem = fileName.EndsWith(".conda", StringComparison.Ordinal) ? fileName[..^6]
            : fileName.EndsWith(".tar.bz2", StringComparison.Ordinal) ? fileName[..^8]
            : null;
        if (stem is null)
        {
            return null;
        }

        int b = stem.LastIndexOf('-');
        int v = b > 0 ? stem.LastIndexOf('-', b - 1) : -1;
        if (v <= 0 || b - v < 2 || b == stem.Length - 1)
        {
            return null;
        }

        return (stem[..v], stem[(v + 1)..b], stem[(b + 1)..]);
    }

    /// <summary>The build number conda-build appends to a build string (<c>py39h1234_5</c> → 5); 0 when there is none.</summary>
    internal static long BuildNumberOf(string build)
    {
        int u = build.LastIndexOf('_');
        string tail = u >= 0 ? build[(u + 1)..] : build;
        return long.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : 0;
    }
}
