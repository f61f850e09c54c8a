using System.Buffers;
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
    private static readonly char[] SpaceOrComma = [' ', ','];

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

        // Streamed (Utf8JsonReader over a pooled buffer): a large package lists tens of thousands of paths, and
        // installs read every package's paths.json.
        byte[]? buffer = null;
        try
        {
            int length;
            using (var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan))
            {
                long size = fs.Length;
                if (size > int.MaxValue)
                {
                    throw new MalformedDataException("MalformedPackageMetadata", file, "the file is too large");
                }

                buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, (int)size));
                length = 0;
                int n;
                while (length < buffer.Length && (n = fs.Read(buffer, length, buffer.Length - length)) > 0)
                {
                    length += n;
                }
            }

            return ParsePathsJson(buffer.AsSpan(0, length), file);
        }
        catch (JsonException ex)
        {
            throw new MalformedDataException("MalformedPackageMetadata", file, ex.Message, ex);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Parses the bytes of a <c>paths.json</c> (validating every path); <paramref name="file"/> names it in errors.</summary>
    internal static PackagePaths ParsePathsJsonBytes(ReadOnlySpan<byte> json, string file)
    {
        try
        {
            return ParsePathsJson(json, file);
        }
        catch (JsonException ex)
        {
            throw new MalformedDataException("MalformedPackageMetadata", file, ex.Message, ex);
        }
    }

    /// <summary>
    /// Checks the metadata of an extracted package before anything of it is linked: every path of paths.json (or the
    /// legacy files), has_prefix, no_link and link.json entry points is safe (<see cref="PackagePathValidator"/>; for a
    /// <c>win-*</c> package or target also no reserved name), and what paths.json declares matches what the folder
    /// holds: a <c>directory</c> is no file or link, and a placeholder is never declared on a real symbolic link.
    /// Packages without paths.json and info/files (not conda packages) are not checked.
    /// </summary>
    /// <param name="extractedDirectory">The extracted package folder.</param>
    /// <param name="source">What errors name (the archive, or the folder).</param>
    /// <param name="windowsTarget">True when the package is linked for Windows; the package's own <c>win-*</c> subdir counts too.</param>
    /// <exception cref="UnsafeArchiveException">A path would leave the prefix or is not allowed.</exception>
    /// <exception cref="MalformedDataException">The metadata is malformed or contradicts the files (<c>MalformedPackageMetadata</c>).</exception>
    internal static PackagePaths? ValidateExtracted(string extractedDirectory, string source, bool windowsTarget)
    {
        string info = Path.Combine(extractedDirectory, "info");
        if (!File.Exists(Path.Combine(info, "paths.json")) && !File.Exists(Path.Combine(info, "files")))
        {
            return null;
        }

        if (!windowsTarget && File.Exists(Path.Combine(info, "index.json")))
        {
            try
            {
                windowsTarget = PackagePathValidator.IsWindowsSubdir(ReadIndexJson(extractedDirectory).Subdir);
            }
            catch (MalformedDataException)
            {
                // linking reads index.json again and reports it
            }
        }

        var paths = ReadPathsJson(extractedDirectory);
        foreach (var p in paths.Paths)
        {
            if (windowsTarget)
            {
                PackagePathValidator.Validate(p.Path, source, windowsTarget: true);
            }

            if (p.PathType == PathType.Directory)
            {
                var fi = new FileInfo(Path.Combine(extractedDirectory, p.Path.Replace('/', Path.DirectorySeparatorChar)));
                if (fi.LinkTarget is not null || fi.Exists)
                {
                    throw new MalformedDataException("MalformedPackageMetadata", source, $"'{p.Path}' is declared a directory, but the package holds a file there");
                }
            }
            else if (p.PathType == PathType.SoftLink && p.PrefixPlaceholder is { Length: > 0 }
                && new FileInfo(Path.Combine(extractedDirectory, p.Path.Replace('/', Path.DirectorySeparatorChar))).LinkTarget is not null)
            {
                throw new MalformedDataException("MalformedPackageMetadata", source,
                    $"'{p.Path}' is a symbolic link with a prefix placeholder (a placeholder is replaced inside a file)");
            }
        }

        foreach (var (name, _, _) in ReadEntryPoints(extractedDirectory))
        {
            ValidateEntryPointName(name, source, windowsTarget);
        }

        return paths;
    }

    /// <summary>An entry point's name becomes a file in the scripts folder: one safe component, no separator.</summary>
    internal static void ValidateEntryPointName(string name, string source, bool windowsTarget)
    {
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
        {
            throw new UnsafeArchiveException(source, name, "is an entry point name with a path separator");
        }

        PackagePathValidator.Validate(name, source, windowsTarget);
    }

    private static PackagePaths ParsePathsJson(ReadOnlySpan<byte> json, string file)
    {
        var r = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
        {
            throw new MalformedDataException("MalformedPackageMetadata", file, "paths.json is not a JSON object");
        }

        int version = 1;
        var list = new List<PackagePath>();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("paths_version"u8))
            {
                r.Read();
                if (r.TokenType == JsonTokenType.Number)
                {
                    version = r.GetInt32();
                }
                else
                {
                    r.Skip();
                }
            }
            else if (r.ValueTextEquals("paths"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.StartArray)
                {
                    r.Skip();
                    continue;
                }

                list.Clear(); // a repeated key: the last one wins, as with a parsed document
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(ReadPathEntry(ref r, file));
                }
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        while (r.Read())
        {
            // the rest must be well-formed too (throws JsonException otherwise)
        }

        return new PackagePaths(version, list);
    }

    private static PackagePath ReadPathEntry(ref Utf8JsonReader r, string file)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new MalformedDataException("MalformedPackageMetadata", file, $"a paths entry is a {r.TokenType}, not an object");
        }

        string? path = null;
        string? pathType = null;
        string? placeholder = null;
        string? fileMode = null;
        string? sha256 = null;
        long? size = null;
        bool noLink = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("_path"u8))
            {
                r.Read();
                path = r.TokenType == JsonTokenType.String ? r.GetString() : null;
            }
            else if (r.ValueTextEquals("sha256"u8))
            {
                r.Read();
                sha256 = r.TokenType == JsonTokenType.String ? r.GetString() : null;
            }
            else if (r.ValueTextEquals("size_in_bytes"u8))
            {
                r.Read();
                size = r.TokenType == JsonTokenType.Number && r.TryGetInt64(out long n) ? n : null;
            }
            else if (r.ValueTextEquals("path_type"u8))
            {
                r.Read();
                pathType = r.TokenType == JsonTokenType.String
                    ? r.ValueTextEquals("hardlink"u8) ? "hardlink" : r.ValueTextEquals("softlink"u8) ? "softlink" : r.ValueTextEquals("directory"u8) ? "directory" : r.GetString()
                    : null;
            }
            else if (r.ValueTextEquals("prefix_placeholder"u8))
            {
                r.Read();
                placeholder = r.TokenType == JsonTokenType.String ? r.GetString() : null;
            }
            else if (r.ValueTextEquals("file_mode"u8))
            {
                r.Read();
                fileMode = r.TokenType == JsonTokenType.String ? r.GetString() : null;
            }
            else if (r.ValueTextEquals("no_link"u8))
            {
                r.Read();
                noLink = r.TokenType == JsonTokenType.True;
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        if (path is null)
        {
            throw new MalformedDataException("MalformedPackageMetadata", file, "missing '_path'");
        }

        PackagePathValidator.Validate(path, file, windowsTarget: false);

        var type = pathType switch
        {
            null or "hardlink" => PathType.HardLink,
            "softlink" => PathType.SoftLink,
            "directory" => PathType.Directory,
            var other => throw new MalformedDataException("MalformedPackageMetadata", file, $"unknown path_type '{other}' for '{path}'"),
        };
        PrefixFileMode? mode = fileMode switch
        {
            "binary" => PrefixFileMode.Binary,
            "text" => PrefixFileMode.Text,
            null => placeholder is null ? null : PrefixFileMode.Text,
            var other => throw new MalformedDataException("MalformedPackageMetadata", file, $"unknown file_mode '{other}' for '{path}'"),
        };
        if (type == PathType.Directory && placeholder is { Length: > 0 })
        {
            // A placeholder is rewritten inside a file: on a directory it is a file declared as a folder.
            throw new MalformedDataException("MalformedPackageMetadata", file, $"'{path}' is a directory with a prefix placeholder");
        }

        return new PackagePath(path, type, placeholder, mode, sha256, size, noLink);
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
                if (fields.Count is 1 or 3)
                {
                    PackagePathValidator.Validate(fields[^1], hasPrefix, windowsTarget: false);
                }

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
                if (l.Trim().Length > 0)
                {
                    PackagePathValidator.Validate(l.Trim(), noLinkFile, windowsTarget: false);
                    noLink.Add(l.Trim());
                }
            }
        }

        var list = new List<PackagePath>();
        foreach (var raw in File.ReadAllLines(files))
        {
            string path = raw.Trim();
            if (path.Length == 0) continue;
            PackagePathValidator.Validate(path, files, windowsTarget: false);
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
            return v.GetString()!.Split(SpaceOrComma, StringSplitOptions.RemoveEmptyEntries);
        }

        return v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : Array.Empty<string>();
    }

    /// <summary>The <c>noarch.entry_points</c> of <c>info/link.json</c> (<c>name = module:func</c>), parsed.</summary>
    internal static IReadOnlyList<(string Name, string Module, string Func)> ReadEntryPoints(string extractedDirectory)
    {
        string file = Path.Combine(extractedDirectory, "info", "link.json");
        if (!File.Exists(file))
        {
            return Array.Empty<(string, string, string)>();
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            if (!doc.RootElement.TryGetProperty("noarch", out var na) || na.ValueKind != JsonValueKind.Object
                || !na.TryGetProperty("entry_points", out var eps) || eps.ValueKind != JsonValueKind.Array)
            {
                return Array.Empty<(string, string, string)>();
            }

            var list = new List<(string, string, string)>();
            foreach (var e in eps.EnumerateArray())
            {
                string text = e.GetString() ?? string.Empty;
                int eq = text.IndexOf('=', StringComparison.Ordinal);
                int colon = text.LastIndexOf(':');
                if (eq <= 0 || colon <= eq)
                {
                    throw new MalformedDataException("MalformedPackageMetadata", file, $"cannot parse entry point '{text}'");
                }

                list.Add((text[..eq].Trim(), text[(eq + 1)..colon].Trim(), text[(colon + 1)..].Trim()));
            }

            return list;
        }
        catch (JsonException ex)
        {
            throw new MalformedDataException("MalformedPackageMetadata", file, ex.Message, ex);
        }
    }
}
