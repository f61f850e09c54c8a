using System.Text.Json.Nodes;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Install;
using EnvTools.Packages;

namespace EnvTools.Bench;

/// <summary>
/// The source channel of the Mirrors suite, a folder: the conda-forge python 3.9 subset's repodata for every subdir, in
/// which the records of one environment's packages (the solve of <see cref="Specs"/> for linux-64 on the original
/// repodata) are replaced by records of archives built here with <see cref="PackageBuilder"/> (same name, version,
/// build, depends, constrains, noarch, timestamp; new size, md5 and sha256). The subset has repodata but no archives,
/// so the archives are real <c>.conda</c> files with incompressible payloads of the original record's size, clamped to
/// <see cref="MinPayload"/>..<see cref="MaxPayload"/> bytes. The subset's per-record <c>url</c> and <c>channel</c> (conda.anaconda.org)
/// are dropped from every record, so that records resolve against the channel they are read from.
/// </summary>
internal sealed class MirrorChannel
{
    internal const int MinPayload = 128 * 1024;
    internal const int MaxPayload = 4 * 1024 * 1024;
    internal const string Subdir = "linux-64";

    internal static readonly string[] Specs = { "python=3.9", "pip" };

    private MirrorChannel(string folder, string[] subdirs, IReadOnlyList<BuiltPackage> archives, IReadOnlyList<RepoDataRecord> solved)
    {
        Folder = folder;
        Subdirs = subdirs;
        Archives = archives;
        Solved = solved;
    }

    /// <summary>The channel folder (SUBDIR/repodata.json and the built archives).</summary>
    internal string Folder { get; }

    internal string[] Subdirs { get; }

    /// <summary>The built archives (linux-64 and noarch).</summary>
    internal IReadOnlyList<BuiltPackage> Archives { get; }

    /// <summary>The environment's records as solved on the original repodata.</summary>
    internal IReadOnlyList<RepoDataRecord> Solved { get; }

    internal long ArchiveBytes => Archives.Sum(a => a.Size);

    /// <summary>Builds the channel under <paramref name="root"/> (kept between runs when complete).</summary>
    internal static MirrorChannel Ensure(string subset, string root)
    {
        string[] subdirs = Directory.GetDirectories(subset).Select(Path.GetFileName).Where(s => File.Exists(Path.Combine(subset, s!, "repodata.json")))
            .Order(StringComparer.Ordinal).ToArray()!;
        string original = Path.Combine(root, "original");
        foreach (string s in subdirs)
        {
            Directory.CreateDirectory(Path.Combine(original, s));
            string to = Path.Combine(original, s, "repodata.json");
            if (!File.Exists(to))
            {
                File.Copy(Path.Combine(subset, s, "repodata.json"), to);
            }
        }

        IReadOnlyList<RepoDataRecord> solved = Solve(original, root);
        string folder = Path.Combine(root, "source");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var built = new List<BuiltPackage>();
        foreach (RepoDataRecord r in solved)
        {
            built.Add(Build(r, Path.Combine(folder, r.Subdir!), root));
        }

        foreach (string s in subdirs)
        {
            Directory.CreateDirectory(Path.Combine(folder, s));
            File.WriteAllText(Path.Combine(folder, s, "repodata.json"),
                Rewrite(Path.Combine(original, s, "repodata.json"), solved.Where(r => r.Subdir == s).Zip(built.Where((_, i) => solved[i].Subdir == s))));
        }

        return new MirrorChannel(folder, subdirs, built, solved);
    }

    /// <summary>The solve of <see cref="Specs"/> for linux-64 against the original repodata (a plan; nothing is installed).</summary>
    private static IReadOnlyList<RepoDataRecord> Solve(string original, string root)
    {
        string home = Path.Combine(root, "solve-home");
        Directory.CreateDirectory(home);
        Settings settings = Settings.Load(null, new Dictionary<string, object?>
        {
            ["pkgs_dirs"] = new[] { Path.Combine(home, "pkgs") },
            ["envs_dirs"] = new[] { Path.Combine(home, "envs") },
        }, ConfigEnvironment.Create(home, new Dictionary<string, string>(), Array.Empty<string>(), root, isWindows: false));
        var installer = new EnvironmentInstaller(settings, options: new InstallOptions { RegisterEnvironment = false });
        EnvironmentPlan plan = installer.Plan(new EnvironmentRequest
        {
            Prefix = Path.Combine(home, "envs", "solve"),
            Action = EnvironmentAction.Create,
            Specs = Specs.Select(MatchSpec.Parse).ToArray(),
            Channels = new[] { EnvTools.Config.ChannelResolver.ParseChannel(new Uri(original).AbsoluteUri) },
            Platform = Platform.Parse(Subdir),
            NoDefaultPackages = true,
        });
        return plan.FinalRecords.OrderBy(r => r.Name, StringComparer.Ordinal).ToArray();
    }

    private static BuiltPackage Build(RepoDataRecord r, string outDir, string root)
    {
        string src = Path.Combine(root, "build-src");
        if (Directory.Exists(src))
        {
            Directory.Delete(src, recursive: true);
        }

        int size = (int)Math.Clamp(r.Size ?? MinPayload, MinPayload, MaxPayload);
        string rel = r.NoArch == NoArchKind.Python ? $"site-packages/{r.Name.Replace('-', '_')}/_payload.bin" : $"share/{r.Name}/payload.bin";
        string file = Path.Combine(src, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        byte[] payload = new byte[size];
        new Random(r.Name.Aggregate(size, (h, c) => (h * 31) + c)).NextBytes(payload);
        File.WriteAllBytes(file, payload);
        var definition = new PackageDefinition
        {
            Name = r.Name,
            Version = r.Version,
            Build = r.Build,
            BuildNumber = r.BuildNumber,
            Subdir = r.Subdir!,
            Noarch = r.NoArch switch { NoArchKind.Python => "python", NoArchKind.Generic => "generic", _ => null },
            Depends = r.Depends,
            Constrains = r.Constrains,
            License = r.License,
            Timestamp = r.Timestamp,
        };
        BuiltPackage built = PackageBuilder.Build(src, definition, outDir, PackageFormats.Conda).Single();
        Directory.Delete(src, recursive: true);
        return built;
    }

    /// <summary>The original repodata with each solved record's entry moved to <c>packages.conda</c> under the built archive's name and checksums.</summary>
    private static string Rewrite(string repodata, IEnumerable<(RepoDataRecord Record, BuiltPackage Built)> replaced)
    {
        JsonObject doc = JsonNode.Parse(File.ReadAllText(repodata))!.AsObject();
        JsonObject conda = doc["packages.conda"] as JsonObject ?? new JsonObject();
        doc["packages.conda"] = conda;
        foreach ((RepoDataRecord record, BuiltPackage built) in replaced)
        {
            JsonObject? entry = null;
            foreach (string key in new[] { "packages", "packages.conda" })
            {
                if (doc[key] is JsonObject table && table[record.FileName] is JsonObject found)
                {
                    entry = (JsonObject)found.DeepClone();
                    table.Remove(record.FileName);
                }
            }

            entry ??= new JsonObject();
            entry["fn"] = built.FileName;
            entry["size"] = built.Size;
            entry["md5"] = built.Md5;
            entry["sha256"] = built.Sha256;
            conda[built.FileName] = entry;
        }

        // the subset's records carry conda.anaconda.org's url and channel: a mirror's records resolve against the mirror
        foreach (string key in new[] { "packages", "packages.conda" })
        {
            if (doc[key] is JsonObject table)
            {
                foreach (KeyValuePair<string, JsonNode?> e in table)
                {
                    (e.Value as JsonObject)?.Remove("url");
                    (e.Value as JsonObject)?.Remove("channel");
                }
            }
        }

        return doc.ToJsonString();
    }
}
