using System.Globalization;
using System.Text.Json;

namespace EnvTools.Bench;

/// <summary>
/// The local channel folders (<c>&lt;dir&gt;/{linux-64,noarch}/repodata.json</c>) the solve benchmark serves to
/// both solvers. Real data is read in place where it already has that layout; everything else is generated
/// deterministically under bench/work/solve-channels: conda's flat test indexes split into subdirs, stub
/// records completing the pytorch channel's missing dependency names, a correct sudoku channel, a copy of
/// mamba's sudoku channel, and one channel per mamba problem.
/// </summary>
internal static class SolveChannels
{
    private const string Version = "v2";

    internal static readonly string[] Subdirs = { "linux-64", "noarch" };

    internal static string Root(string work) => Path.Combine(work, "solve-channels");

    /// <summary>Generates every channel once (a marker file records completion).</summary>
    internal static void Ensure(string data, string work)
    {
        string root = Root(work);
        string marker = Path.Combine(root, $".complete-{Version}");
        if (File.Exists(marker))
        {
            return;
        }

        Console.WriteLine($"generating the solve benchmark's channels in {root} ...");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        string tests = Path.Combine(data, "repodata", "conda-tests");
        SplitCondaIndex(Path.Combine(tests, "index.json"), Path.Combine(root, "channel-1"));
        SplitCondaIndex(Path.Combine(tests, "index4.json"), Path.Combine(root, "channel-4"));
        PytorchStubs(Path.Combine(data, "repodata", "rattler", "channels", "pytorch"), Path.Combine(root, "pytorch-stubs"));
        // The real pytorch channel has linux-64 only; the reference needs every subdir it is asked for, so the
        // channel is served from a folder that links to the real linux-64 file and adds an empty noarch.
        string pytorchDir = Path.Combine(root, "pytorch");
        Directory.CreateDirectory(Path.Combine(pytorchDir, "linux-64"));
        File.CreateSymbolicLink(Path.Combine(pytorchDir, "linux-64", "repodata.json"),
            Path.Combine(data, "repodata", "rattler", "channels", "pytorch", "linux-64", "repodata.json"));
        EmptySubdir(pytorchDir, "noarch");
        Sudoku(Path.Combine(root, "sudoku"));
        string mamba = Path.Combine(root, "mamba-sudoku");
        Directory.CreateDirectory(Path.Combine(mamba, "noarch"));
        File.Copy(Path.Combine(data, "repodata", "mamba", "repodata", "sudoku.json"), Path.Combine(mamba, "noarch", "repodata.json"));
        EmptySubdir(mamba, "linux-64");
        MambaProblems(Path.Combine(data, "solver-cases", "mamba_problems_graph_cases.json"), root);
        File.WriteAllText(marker, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
    }

    /// <summary>The mamba problem cases without pins (simpleSolve has no pins): (name, folder, specs).</summary>
    internal static IEnumerable<(string Name, string Dir, string[] Specs)> MambaProblemCases(string data, string work)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(data, "solver-cases", "mamba_problems_graph_cases.json")));
        int i = 0;
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            i++;
            if (c.TryGetProperty("pins", out JsonElement pins) && pins.GetArrayLength() > 0)
            {
                continue;
            }

            yield return (c.GetProperty("name").GetString()!, Path.Combine(Root(work), $"mamba-problem-{i}"),
                c.GetProperty("install").EnumerateArray().Select(s => s.GetString()!).ToArray());
        }
    }

    private static void MambaProblems(string file, string root)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(file));
        int i = 0;
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            i++;
            var records = new List<Dictionary<string, object?>>();
            foreach (JsonElement p in c.GetProperty("packages").EnumerateArray())
            {
                records.Add(new Dictionary<string, object?>
                {
                    ["name"] = p.GetProperty("name").GetString(),
                    ["version"] = p.GetProperty("version").GetString(),
                    ["build"] = p.GetProperty("build").GetString(),
                    ["build_number"] = 0,
                    ["depends"] = p.GetProperty("depends").EnumerateArray().Select(d => d.GetString()).ToArray(),
                    ["subdir"] = "linux-64",
                });
            }

            string dir = Path.Combine(root, $"mamba-problem-{i}");
            WriteRepoData(dir, "linux-64", records);
            EmptySubdir(dir, "noarch");
        }
    }

    /// <summary>conda's flat <c>{filename: record}</c> test index, split as conda's tests load it: records whose
    /// <c>subdir</c> is noarch or that have a truthy <c>noarch</c> go to noarch, all others to linux-64.</summary>
    private static void SplitCondaIndex(string file, string dir)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var bySubdir = Subdirs.ToDictionary(s => s, _ => new List<JsonProperty>());
        foreach (JsonProperty p in doc.RootElement.EnumerateObject())
        {
            JsonElement r = p.Value;
            bool noarch = (r.TryGetProperty("subdir", out JsonElement s) && s.ValueKind == JsonValueKind.String && s.GetString() == "noarch")
                || (r.TryGetProperty("noarch", out JsonElement n) && n.ValueKind is JsonValueKind.True or JsonValueKind.String && !(n.ValueKind == JsonValueKind.String && n.GetString() is "" or "false"));
            bySubdir[noarch ? "noarch" : "linux-64"].Add(p);
        }

        foreach (string subdir in Subdirs)
        {
            Directory.CreateDirectory(Path.Combine(dir, subdir));
            using var stream = File.Create(Path.Combine(dir, subdir, "repodata.json"));
            using var w = new Utf8JsonWriter(stream);
            w.WriteStartObject();
            w.WriteStartObject("info");
            w.WriteString("subdir", subdir);
            w.WriteEndObject();
            w.WriteStartObject("packages");
            foreach (JsonProperty p in bySubdir[subdir])
            {
                w.WritePropertyName(p.Name);
                w.WriteStartObject();
                foreach (JsonProperty f in p.Value.EnumerateObject())
                {
                    if (f.Name != "subdir")
                    {
                        f.WriteTo(w);
                    }
                }

                w.WriteString("subdir", subdir);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }
    }

    /// <summary>One stub record (no dependencies) per distinct (version, build) that the pytorch channel's
    /// dependencies on names it lacks ask for, so that every such dependency has a candidate.</summary>
    private static void PytorchStubs(string pytorch, string dir)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(pytorch, "linux-64", "repodata.json")));
        var names = new HashSet<string>(StringComparer.Ordinal);
        var depends = new List<string>();
        foreach (string key in new[] { "packages", "packages.conda" })
        {
            if (doc.RootElement.TryGetProperty(key, out JsonElement pkgs))
            {
                foreach (JsonProperty p in pkgs.EnumerateObject())
                {
                    names.Add(p.Value.GetProperty("name").GetString()!);
                    if (p.Value.TryGetProperty("depends", out JsonElement d))
                    {
                        depends.AddRange(d.EnumerateArray().Select(x => x.GetString()!));
                    }
                }
            }
        }

        var stubs = new SortedDictionary<string, (string Name, string Version, string Build)>(StringComparer.Ordinal);
        foreach (string spec in depends.Distinct(StringComparer.Ordinal))
        {
            string[] parts = spec.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string name = parts[0];
            if (names.Contains(name) || name.StartsWith("__", StringComparison.Ordinal))
            {
                continue;
            }

            string version = parts.Length > 1 ? StubVersion(parts[1]) : "1.0";
            string build = parts.Length > 2 ? parts[2].Replace("*", string.Empty, StringComparison.Ordinal) : "stub_0";
            if (build.Length == 0)
            {
                build = "stub_0";
            }

            stubs[$"{name}-{version}-{build}"] = (name, version, build);
        }

        WriteRepoData(dir, "linux-64", stubs.Values.Select(s => new Dictionary<string, object?>
        {
            ["name"] = s.Name,
            ["version"] = s.Version,
            ["build"] = s.Build,
            ["build_number"] = 0,
            ["depends"] = Array.Empty<string>(),
            ["subdir"] = "linux-64",
        }));
        EmptySubdir(dir, "noarch");
    }

    /// <summary>A version that satisfies a conda version spec of the forms the pytorch channel uses:
    /// its lower bound (<c>&gt;=</c>, <c>==</c>, exact, <c>X.*</c>), else 0.1 (below every upper bound there).</summary>
    internal static string StubVersion(string spec)
    {
        foreach (string part in spec.Split(',', '|'))
        {
            string p = part.Trim();
            if (p.StartsWith(">=", StringComparison.Ordinal) || p.StartsWith("==", StringComparison.Ordinal))
            {
                return p[2..];
            }

            if (p.StartsWith('>'))
            {
                return p[1..] + ".1";
            }

            if (p.StartsWith('<') || p.StartsWith("!=", StringComparison.Ordinal) || p == "*")
            {
                continue;
            }

            return p.TrimStart('=').Replace(".*", string.Empty, StringComparison.Ordinal).TrimEnd('*', '.');
        }

        return "0.1";
    }

    /// <summary>A correct sudoku channel (mamba's record schema): <c>sudoku_X_Y</c> (X = column, Y = row), versions 1..9,
    /// each depending on <c>sudoku_x_y !=v</c> for its 20 row, column and box peers.</summary>
    private static void Sudoku(string dir)
    {
        var records = new List<Dictionary<string, object?>>();
        for (int x = 0; x < 9; x++)
        {
            for (int y = 0; y < 9; y++)
            {
                for (int v = 1; v <= 9; v++)
                {
                    var deps = new List<string>();
                    for (int px = 0; px < 9; px++)
                    {
                        for (int py = 0; py < 9; py++)
                        {
                            bool peer = (px == x || py == y || (px / 3 == x / 3 && py / 3 == y / 3)) && !(px == x && py == y);
                            if (peer)
                            {
                                deps.Add($"sudoku_{px}_{py} !={v}");
                            }
                        }
                    }

                    records.Add(new Dictionary<string, object?>
                    {
                        ["name"] = $"sudoku_{x}_{y}",
                        ["version"] = v.ToString(CultureInfo.InvariantCulture),
                        ["build"] = "0",
                        ["build_number"] = 0,
                        ["depends"] = deps,
                        ["noarch"] = "generic",
                        ["subdir"] = "noarch",
                    });
                }
            }
        }

        WriteRepoData(dir, "noarch", records);
        EmptySubdir(dir, "linux-64");
    }

    private static void EmptySubdir(string dir, string subdir) => WriteRepoData(dir, subdir, Array.Empty<Dictionary<string, object?>>());

    private static void WriteRepoData(string dir, string subdir, IEnumerable<Dictionary<string, object?>> records)
    {
        Directory.CreateDirectory(Path.Combine(dir, subdir));
        var packages = new SortedDictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            packages[$"{r["name"]}-{r["version"]}-{r["build"]}.tar.bz2"] = r;
        }

        var doc = new Dictionary<string, object>
        {
            ["info"] = new Dictionary<string, string> { ["subdir"] = subdir },
            ["packages"] = packages,
            ["packages.conda"] = new Dictionary<string, object>(),
            ["repodata_version"] = 1,
        };
        File.WriteAllBytes(Path.Combine(dir, subdir, "repodata.json"), JsonSerializer.SerializeToUtf8Bytes(doc));
    }
}
