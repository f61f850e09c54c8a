using System.Text.RegularExpressions;
using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>Python distributions in site-packages that no conda record owns, read as conda reads them.</summary>
internal static partial class SitePackages
{
    [GeneratedRegex(@"_cp\d+t(_|$)", RegexOptions.CultureInvariant)]
    private static partial Regex FreeThreadedBuild();

    internal static string? RelativePath(PrefixRecord? python)
    {
        if (python is null)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(python.PythonSitePackagesPath))
        {
            return python.PythonSitePackagesPath.Replace('\\', '/').Trim('/');
        }

        if (python.Subdir?.StartsWith("win", StringComparison.Ordinal) == true)
        {
            return "Lib/site-packages";
        }

        string[] parts = python.Version.Split('.');
        if (parts.Length < 2)
        {
            return null;
        }

        string t = FreeThreadedBuild().IsMatch(python.Build) ? "t" : string.Empty;
        return $"lib/python{parts[0]}.{parts[1]}{t}/site-packages";
    }

    /// <summary>conda's <c>norm_package_name</c>: lower case, <c>.</c> and <c>_</c> become <c>-</c>.</summary>
    internal static string NormalizeName(string name) => name.Replace('.', '-').Replace('_', '-').ToLowerInvariant();

    internal static IEnumerable<InstalledPackage> FindUnmanaged(string prefix, string sitePackagesRelative, IReadOnlyList<PrefixRecord> records)
    {
        string dir = Path.Combine(prefix, sitePackagesRelative.Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(dir))
        {
            yield break;
        }

        var comparer = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var owned = new HashSet<string>(comparer);
        string start = sitePackagesRelative + "/";
        foreach (PrefixRecord r in records)
        {
            foreach (string f in r.Files)
            {
                string file = f.Replace('\\', '/');
                if (file.StartsWith(start, comparer == StringComparer.Ordinal ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase))
                {
                    int slash = file.IndexOf('/', start.Length);
                    owned.Add(slash < 0 ? file[start.Length..] : file[start.Length..slash]);
                }
            }
        }

        foreach (string entry in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(entry);
            if (owned.Contains(name))
            {
                continue;
            }

            InstalledPackage? p = name switch
            {
                _ when name.EndsWith(".dist-info", StringComparison.OrdinalIgnoreCase) && Directory.Exists(entry) => FromDistInfo(prefix, entry),
                _ when name.EndsWith(".egg-info", StringComparison.OrdinalIgnoreCase) =>
                    FromMetadata(prefix, Directory.Exists(entry) ? Path.Combine(entry, "PKG-INFO") : entry, null),
                _ when name.EndsWith(".egg", StringComparison.OrdinalIgnoreCase) && Directory.Exists(entry) =>
                    FromMetadata(prefix, Path.Combine(entry, "EGG-INFO", "PKG-INFO"), null),
                _ => null,
            };
            if (p is not null)
            {
                yield return p;
            }
        }
    }

    private static InstalledPackage? FromDistInfo(string prefix, string distInfo)
    {
        string installer = Path.Combine(distInfo, "INSTALLER");
        if (File.Exists(installer) && string.Equals(File.ReadAllText(installer).Trim(), "conda", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return FromMetadata(prefix, Path.Combine(distInfo, "METADATA"), RecordSize(Path.Combine(distInfo, "RECORD")));
    }

    private static InstalledPackage? FromMetadata(string prefix, string metadataFile, long? size)
    {
        if (!File.Exists(metadataFile))
        {
            return null;
        }

        string? name = null, version = null;
        foreach (string line in File.ReadLines(metadataFile))
        {
            if (line.Length == 0)
            {
                break; // the headers end at the first blank line; the description follows
            }

            if (name is null && line.StartsWith("Name:", StringComparison.OrdinalIgnoreCase))
            {
                name = line[5..].Trim();
            }
            else if (version is null && line.StartsWith("Version:", StringComparison.OrdinalIgnoreCase))
            {
                version = line[8..].Trim();
            }
        }

        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version))
        {
            return null;
        }

        return new InstalledPackage
        {
            Name = NormalizeName(name),
            Version = version,
            Build = "pypi_0",
            BuildNumber = 0,
            Channel = "pypi",
            Subdir = "pypi",
            Size = size,
            Source = PackageSource.Pypi,
            Prefix = prefix,
        };
    }

    /// <summary>The sum of the size column of a dist-info RECORD (<c>path,hash,size</c>), or null.</summary>
    private static long? RecordSize(string recordFile)
    {
        if (!File.Exists(recordFile))
        {
            return null;
        }

        long sum = 0;
        bool any = false;
        foreach (string line in File.ReadLines(recordFile))
        {
            int comma = line.LastIndexOf(',');
            if (comma >= 0 && long.TryParse(line.AsSpan(comma + 1), out long n))
            {
                sum += n;
                any = true;
            }
        }

        return any ? sum : null;
    }
}
