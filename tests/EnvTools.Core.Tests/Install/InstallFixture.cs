using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EnvTools.Conda;
using EnvTools.Install;
using EnvTools.Packages;
using EnvTools.Environments;

namespace EnvTools.Tests.Install;

/// <summary>A temporary package cache, prefix and home for one install test; deleted on dispose.</summary>
public sealed class InstallFixture : IDisposable
{
    public InstallFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "envtools-install-" + Guid.NewGuid().ToString("N")[..10]);
        Pkgs = Path.Combine(Root, "pkgs");
        Prefix = Path.Combine(Root, "envs", "test");
        Home = Path.Combine(Root, "home");
        Directory.CreateDirectory(Pkgs);
        Directory.CreateDirectory(Home);
    }

    public string Root { get; }

    public string Pkgs { get; }

    public string Prefix { get; }

    public string Home { get; }

    public string EnvironmentsTxt => Path.Combine(Home, ".conda", "environments.txt");

    /// <summary>The platform the installs target (the host's when null): a test of one layout sets it.</summary>
    public Platform? Target { get; set; }

    /// <summary>What a text placeholder becomes for the target: the prefix, with forward slashes on Windows (as conda writes it).</summary>
    public string TextPrefix => (Target ?? Platform.Current).IsWindows ? Prefix.Replace('\\', '/') : Prefix;

    /// <summary>A post-link script for the host's shell: <c>bin/.NAME-post-link.sh</c>, or <c>Scripts\.NAME-post-link.bat</c> on Windows.</summary>
    public static FixtureFile PostLink(string name, string sh, string bat) => OperatingSystem.IsWindows()
        ? new FixtureFile($"Scripts/.{name}-post-link.bat", bat.ReplaceLineEndings("\r\n"))
        : new FixtureFile($"bin/.{name}-post-link.sh", sh);

    public InstallOptions Options(bool scripts = false, bool compile = true) => new()
    {
        TargetPlatform = Target ?? Platform.Current,
        EnvironmentsFile = EnvironmentsTxt,
        AllowLinkScripts = scripts,
        CompilePyc = compile,
        LockTimeout = TimeSpan.FromSeconds(5),
        HistoryCommand = "envtools test",
        UpdateSpecs = new[] { "test" },
    };

    /// <summary>Extracts a real archive into the cache and returns the package to link.</summary>
    public LinkPackage Extract(string archive, string? requestedSpec = null)
    {
        string name = Path.GetFileName(archive);
        string stem = name.EndsWith(".conda", StringComparison.Ordinal) ? name[..^6] : name.EndsWith(".tar.bz2", StringComparison.Ordinal) ? name[..^8] : name;
        string dir = Path.Combine(Pkgs, stem);
        PackageArchive.Extract(archive, dir);
        File.Copy(archive, Path.Combine(Pkgs, name), overwrite: true);
        var rec = RecordOf(dir, name, Sha256(File.ReadAllBytes(archive)), new FileInfo(archive).Length);
        return new LinkPackage(rec, dir, requestedSpec);
    }

    /// <summary>A repodata record for an extracted package folder, from its index.json.</summary>
    public static RepoDataRecord RecordOf(string dir, string fileName, string? sha256 = null, long? size = null)
    {
        var idx = PackageArchive.ReadIndexJson(dir);
        string subdir = idx.Subdir ?? "noarch";
        return new RepoDataRecord
        {
            Name = idx.Name,
            Version = idx.Version,
            Build = idx.Build,
            BuildNumber = idx.BuildNumber,
            Depends = idx.Depends,
            Constrains = idx.Constrains,
            Subdir = subdir,
            NoArch = idx.Noarch switch { "python" => NoArchKind.Python, "generic" => NoArchKind.Generic, _ => NoArchKind.None },
            FileName = fileName,
            Url = $"https://conda.anaconda.org/test-channel/{subdir}/{fileName}",
            Channel = $"https://conda.anaconda.org/test-channel/{subdir}",
            Sha256 = sha256,
            Size = size,
        };
    }

    /// <summary>Builds an extracted package folder: info/index.json, info/paths.json and the files.</summary>
    public LinkPackage Build(string name, string version, IEnumerable<FixtureFile> files, string? noarch = null, IEnumerable<string>? depends = null,
        IEnumerable<string>? entryPoints = null, string build = "0")
    {
        string dir = Path.Combine(Pkgs, $"{name}-{version}-{build}");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }

        Directory.CreateDirectory(Path.Combine(dir, "info"));
        var index = new Dictionary<string, object?>
        {
            ["name"] = name,
            ["version"] = version,
            ["build"] = build,
            ["build_number"] = 0,
            ["depends"] = (depends ?? Array.Empty<string>()).ToArray(),
            ["subdir"] = noarch is null ? "linux-64" : "noarch",
        };
        if (noarch is not null)
        {
            index["noarch"] = noarch;
        }

        File.WriteAllText(Path.Combine(dir, "info", "index.json"), JsonSerializer.Serialize(index));
        var paths = new List<Dictionary<string, object?>>();
        foreach (var f in files)
        {
            string full = Path.Combine(dir, f.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            var entry = new Dictionary<string, object?> { ["_path"] = f.Path };
            if (f.LinkTarget is not null)
            {
                File.CreateSymbolicLink(full, f.LinkTarget);
                entry["path_type"] = "softlink";
            }
            else
            {
                File.WriteAllBytes(full, f.Content);
                if (f.Mode is { } mode && !OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(full, mode);
                }

                entry["path_type"] = "hardlink";
                entry["sha256"] = Sha256(f.Content);
                entry["size_in_bytes"] = f.Content.Length;
            }

            if (f.Placeholder is not null)
            {
                entry["prefix_placeholder"] = f.Placeholder;
                entry["file_mode"] = f.Binary ? "binary" : "text";
            }

            if (f.NoLink)
            {
                entry["no_link"] = true;
            }

            paths.Add(entry);
        }

        File.WriteAllText(Path.Combine(dir, "info", "paths.json"), JsonSerializer.Serialize(new { paths, paths_version = 1 }));
        if (noarch == "python")
        {
            var link = new { noarch = new { type = "python", entry_points = (entryPoints ?? Array.Empty<string>()).ToArray() }, package_metadata_version = 1 };
            File.WriteAllText(Path.Combine(dir, "info", "link.json"), JsonSerializer.Serialize(link));
        }

        return new LinkPackage(RecordOf(dir, $"{name}-{version}-{build}.tar.bz2"), dir);
    }

    public TransactionResult Install(params LinkPackage[] packages) => Install(Options(), packages);

    public TransactionResult Install(InstallOptions options, params LinkPackage[] packages)
    {
        var plan = TransactionPlan.Create(Prefix, PrefixState.ReadInstalled(Prefix), PrefixState.ReadInstalled(Prefix).Cast<RepoDataRecord>()
            .Where(r => packages.All(p => p.Record.Name != r.Name)).Concat(packages.Select(p => p.Record)).ToList(),
            r => packages.First(p => p.Record == r).ExtractedDirectory,
            packages.Where(p => p.RequestedSpec is not null).ToDictionary(p => p.Record.Name, p => p.RequestedSpec!));
        return PrefixTransaction.Execute(plan, options);
    }

    public TransactionResult Remove(InstallOptions options, params string[] names)
    {
        var installed = PrefixState.ReadInstalled(Prefix);
        var plan = TransactionPlan.Create(Prefix, installed, installed.Where(r => !names.Contains(r.Name)).Cast<RepoDataRecord>().ToList(), _ => throw new InvalidOperationException());
        return PrefixTransaction.Execute(plan, options);
    }

    public string ReadText(string rel) => File.ReadAllText(Path.Combine(Prefix, rel));

    public PrefixRecord Record(string name) => PrefixState.ReadInstalled(Prefix).Single(r => r.Name == name);

    /// <summary>Every entry under the prefix (but the lock file) with its kind, mode, link target and content hash.</summary>
    public static SortedDictionary<string, string> Snapshot(string root)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(root))
        {
            return map;
        }

        foreach (var e in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            string rel = Path.GetRelativePath(root, e.FullName).Replace('\\', '/');
            if (rel.EndsWith(PrefixLock.FileName, StringComparison.Ordinal))
            {
                continue;
            }

            string desc = e.LinkTarget is { } t ? "link->" + t
                : e is DirectoryInfo ? "dir"
                : $"file {ModeOf(e.FullName)} {Sha256(File.ReadAllBytes(e.FullName))}";
            map[rel] = desc;
        }

        return map;
    }

    /// <summary>The Unix mode of a file (0 on Windows).</summary>
    public static UnixFileMode ModeOf(string path) => OperatingSystem.IsWindows() ? 0 : File.GetUnixFileMode(path);

    public static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    /// <summary>Hard-link count and inode of a file (Linux <c>stat</c>).</summary>
    public static (long Links, long Inode) Stat(string path)
    {
        var psi = new ProcessStartInfo("stat", new[] { "-c", "%h %i", path }) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string[] parts = p.StandardOutput.ReadToEnd().Trim().Split(' ');
        p.WaitForExit();
        return (long.Parse(parts[0]), long.Parse(parts[1]));
    }

    public static (int Code, string Output) RunProcess(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var so = p.StandardOutput.ReadToEndAsync();
        string se = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, so.Result + se);
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Root))
            {
                Directory.Delete(Root, true);
            }
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A file of a fixture package.</summary>
public sealed record FixtureFile(string Path, byte[] Content)
{
    public FixtureFile(string path, string text)
        : this(path, Encoding.UTF8.GetBytes(text))
    {
    }

    public string? Placeholder { get; init; }

    public bool Binary { get; init; }

    public bool NoLink { get; init; }

    public string? LinkTarget { get; init; }

    public UnixFileMode? Mode { get; init; }
}
