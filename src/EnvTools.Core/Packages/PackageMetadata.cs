using System.Text.Json;

namespace EnvTools.Packages;

/// <summary>How a path of a package is placed in an environment (<c>path_type</c>).</summary>
public enum PathType
{
    /// <summary>A regular file, hard-linked or copied (<c>hardlink</c>).</summary>
    HardLink,
    /// <summary>A symbolic link (<c>softlink</c>).</summary>
    SoftLink,
    /// <summary>An (empty) directory (<c>directory</c>).</summary>
    Directory,
}

/// <summary>How the prefix placeholder inside a file is replaced (<c>file_mode</c>).</summary>
public enum PrefixFileMode
{
    /// <summary>Plain substring replacement; the file may change size.</summary>
    Text,
    /// <summary>C-string replacement padded with NULs; the file keeps its size.</summary>
    Binary,
}

/// <summary>The fields of <c>info/index.json</c> the engine uses.</summary>
/// <param name="Name">Package name.</param>
/// <param name="Version">Version string.</param>
/// <param name="Build">Build string.</param>
/// <param name="BuildNumber">Build number.</param>
/// <param name="Depends">Run dependencies (MatchSpecs).</param>
/// <param name="Constrains">Constraints (MatchSpecs).</param>
/// <param name="Subdir">Subdir (e.g. <c>linux-64</c>), or null.</param>
/// <param name="Noarch">Noarch kind (<c>python</c>, <c>generic</c>), or null.</param>
/// <param name="License">License, or null.</param>
/// <param name="Timestamp">Build timestamp (ms since the epoch), or null.</param>
/// <param name="TrackFeatures">Track features.</param>
public sealed record PackageIndex(
    string Name,
    string Version,
    string Build,
    long BuildNumber,
    IReadOnlyList<string> Depends,
    IReadOnlyList<string> Constrains,
    string? Subdir,
    string? Noarch,
    string? License,
    long? Timestamp,
    IReadOnlyList<string> TrackFeatures);

/// <summary>One entry of <c>info/paths.json</c>.</summary>
/// <param name="Path">Path relative to the package root (<c>_path</c>), with forward slashes.</param>
/// <param name="PathType">How the path is placed.</param>
/// <param name="PrefixPlaceholder">The placeholder to replace, or null.</param>
/// <param name="FileMode">How the placeholder is replaced; null when there is none.</param>
/// <param name="Sha256">SHA-256 of the file in the package, or null.</param>
/// <param name="SizeInBytes">Size of the file in the package, or null.</param>
/// <param name="NoLink">True when the file must be copied, never linked.</param>
public sealed record PackagePath(
    string Path,
    PathType PathType,
    string? PrefixPlaceholder,
    PrefixFileMode? FileMode,
    string? Sha256,
    long? SizeInBytes,
    bool NoLink);

/// <summary>The contents of <c>info/paths.json</c> (or the legacy <c>info/files</c> + <c>info/has_prefix</c>).</summary>
/// <param name="PathsVersion">The <c>paths_version</c> (1), or 0 when synthesised from the legacy files.</param>
/// <param name="Paths">The entries in file order.</param>
public sealed record PackagePaths(int PathsVersion, IReadOnlyList<PackagePath> Paths);

public static partial class PackageArchive
{
    /// <summary>conda's legacy prefix placeholder.</summary>
    public const string LegacyPlaceholder = "/opt/anaconda1anaconda2anaconda3";

    /// <summary>Reads <c>info/index.json</c> of an extracted package folder.</summary>
    /// <exception cref="MalformedDataException">The file is missing fields or is not JSON.</exception>
    public static PackageIndex ReadIndexJson(string extractedDirectory)
    {
        string file = Path.Combine(extractedDirectory, "info", "index.json");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var r = doc.RootElement;
            string? noarch = r.TryGetProperty("noarch", out var na)
                ? na.ValueKind switch
                {
                    JsonValueKind.String => na.GetString(),
                    JsonValueKind.True => "generic",
                    _ => null,
                }
                : null;
            return new PackageIndex(
                Required(r, "name", file),
                Required(r, "version", file),
                Required(r, "build", file),
                r.TryGetProperty("build_number", out var bn) && bn.ValueKind == JsonValueKind.Number ? bn.GetInt64() : 0,
                StringList(r, "depends"),
                StringList(r, "constrains"),
                OptString(r, "subdir"),
                noarch,
                OptString(r, "license"),
                r.TryGetProperty("timestamp", out var ts) && ts.ValueKind == JsonValueKind.Number ? ts.GetInt64() : null,
                StringList(r, "track_features"));
        }
        catch (JsonException ex)
        {
            throw new MalformedDataException("MalformedPackageMetadata", file, ex.Message, ex);
        }
    }

    /// <summary>
    /// Reads <c>info/paths.json</c> of an extracted package folder, or synthesises it from the legacy
    /// <c>info/files</c>, <c>info/has_prefix</c> and <c>info/no_link</c> when it is absent.
    /// </summary>
    /// <exception cref="MalformedDataException">The file is malformed.</exception>
    public static PackagePaths ReadPathsJson(string extractedDirectory)
    {
        string file = Path.Combine(extractedDirectory, "info", "paths.json");
        if (!File.Exists(file))
        {
            return ReadLegacyPaths(extractedDirectory);
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var r = doc.RootElement;
            int version = r.TryGetProperty("paths_version", out var pv) && pv.ValueKind == JsonValueKind.Number ? pv.GetInt32() : 1;
            var list = new List<PackagePath>();
            if (r.TryGetProperty("paths", out var paths) && paths.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in paths.EnumerateArray())
                {
                    string path = Required(p, "_path", file);
                    var type = OptString(p, "path_type") switch
                    {
                        null or "hardlink" => PathType.HardLink,
                        "softlink" => PathType.SoftLink,
                        "directory" => PathType.Directory,
                        var other => throw new MalformedDataException("MalformedPackageMetadata", file, $"unknown path_type '{other}' for '{path}'"),
                    };
                    string? placeholder = OptString(p, "prefix_placeholder");
                    PrefixFileMode? mode = OptString(p, "file_mode") switch
                    {
                        "binary" => PrefixFileMode.Binary,
                        "text" => PrefixFileMode.Text,
                        null => placeholder is null ? null : PrefixFileMode.Text,
                        var other => throw new MalformedDataException("MalformedPackageMetadata", file, $"unknown file_mode '{other}' for '{path}'"),
                    };
                    list.Add(new PackagePath(
                        path,
                        type,
                        placeholder,
                        mode,
                        OptString(p, "sha256"),
                        p.TryGetProperty("size_in_bytes", out var sz) && sz.ValueKind == JsonValueKind.Number ? sz.GetInt64() : null,
                        p.TryGetProperty("no_link", out var nl) && nl.ValueKind == JsonValueKind.True));
                }
            }

            return new PackagePaths(version, list);
        }
        catch (JsonException ex)
        {
            throw new MalformedDataException("MalformedPackageMetadata", file, ex.Message, ex);
        }
    }

    private static PackagePaths ReadLegacyPaths(string dir)
    {
        string files = Path.Combine(dir, "info", "files");
        if (!File.Exists(files))
        {
            throw new MalformedDataException("MalformedPackageMetadata", files, "neither info/paths.json nor info/files exists");
        }

        var prefixes = new Dictionary<string, (string Placeholder, PrefixFileMode Mode)>(StringComparer.Ordinal);
        string hasPrefix = Path.Combine(dir, "info", "has_prefix");
        if (File.Exists(hasPrefix))
        {
            foreach (var raw in File.ReadAllLines(hasPrefix))
            {
                var line = raw.Trim();
                if (line.Length == 0) continue;
                var fields = SplitShellish(line);
                if (fields.Count == 1)
                {
                    prefixes[fields[0]] = (LegacyPlaceholder, PrefixFileMode.Text);
                }
                else if (fields.Count == 3)
                {
                    var mode = fields[1] switch
                    {
                        "binary" => PrefixFileMode.Binary,
                        "text" => PrefixFileMode.Text,
                        _ => throw new MalformedDataException("MalformedPackageMetadata", hasPrefix, $"unknown file mode '{fields[1]}'"),
                    };
                    prefixes[fields[2]] = (fields[0], mode);
                }
                else
                {
                    throw new MalformedDataException("MalformedPackageMetadata", hasPrefix, $"cannot parse line '{line}'");
                }
            }
        }

        var noLink = new HashSet<string>(StringComparer.Ordinal);
        string noLinkFile = Path.Combine(dir, "info", "no_link");
        if (File.Exists(noLinkFile))
        {
            foreach (var l in File.ReadAllLines(noLinkFile))
            {
                if (l.Trim().Length > 0) noLink.Add(l.Trim());
            }
        }

        var list = new List<PackagePath>();
        foreach (var raw in File.ReadAllLines(files))
        {
            string path = raw.Trim();
            if (path.Length == 0) continue;
            string full = Path.Combine(dir, path.Replace('/', Path.DirectorySeparatorChar));
            var type = new FileInfo(full).LinkTarget is not null ? PathType.SoftLink
                : Directory.Exists(full) ? PathType.Directory : PathType.HardLink;
            bool has = prefixes.TryGetValue(path, out var pp);
            list.Add(new PackagePath(path, type, has ? pp.Placeholder : null, has ? pp.Mode : null, null, null, noLink.Contains(path)));
        }

        return new PackagePaths(0, list);
    }

    /// <summary>Splits a has_prefix line on blanks, honouring single and double quotes (as shlex does).</summary>
    private static List<string> SplitShellish(string line)
    {
        var result = new List<string>();
        var cur = new System.Text.StringBuilder();
        char quote = '\0';
        bool any = false;
        foreach (char c in line)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else cur.Append(c);
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (any || cur.Length > 0) result.Add(cur.ToString());
                cur.Clear();
                any = false;
            }
            else
            {
                cur.Append(c);
            }
        }

        if (any || cur.Length > 0) result.Add(cur.ToString());
        return result;
    }

    private static string Required(JsonElement e, string name, string file) =>
        OptString(e, name) ?? throw new MalformedDataException("MalformedPackageMetadata", file, $"missing '{name}'");

    private static string? OptString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IReadOnlyList<string> StringList(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v)) return Array.Empty<string>();
        if (v.ValueKind == JsonValueKind.String)
        {
            return v.GetString()!.Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries);
        }

        return v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : Array.Empty<string>();
    }
}
