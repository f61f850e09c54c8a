using System.Text;
using System.Text.Json;

namespace EnvTools.Bench;

/// <summary>
/// Generates a conda-forge-scale linux-64 channel deterministically from the real conda-forge subset:
/// copy 0 is the real data; copy k renames every package of the subset to <c>name_sK</c> and renames
/// its dependencies and constraints alike, so that each copy is a self-contained, solvable closure.
/// Records are written as conda-forge writes them (no per-record <c>fn</c>/<c>url</c>/<c>channel</c>).
/// </summary>
internal static class CondaForgeScaleGenerator
{
    internal const int Copies = 172; // 172 x 2709 = 465,948 linux-64 records

    /// <summary>The channel's folder when an earlier run generated it completely, else null (nothing is generated).</summary>
    internal static string? Existing(string workRoot) => File.Exists(Marker(Target(workRoot))) ? Target(workRoot) : null;

    private static string Target(string workRoot) => Path.Combine(workRoot, "conda-forge-scale");

    private static string Marker(string target) => Path.Combine(target, $".complete-v2-{Copies}");

    internal static string Ensure(string dataRoot, string workRoot)
    {
        string source = Path.Combine(dataRoot, "repodata", "conda-forge-subchannel-python3.9-2024-05-16");
        string target = Target(workRoot);
        string marker = Marker(target);
        if (File.Exists(marker))
        {
            return target;
        }

        Console.WriteLine($"generating the conda-forge-scale channel ({Copies} copies) in {target} ...");
        var names = new HashSet<string>(StringComparer.Ordinal);
        var subdirs = new[] { "linux-64", "noarch" };
        var docs = new Dictionary<string, JsonDocument>();
        foreach (string subdir in subdirs)
        {
            var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(source, subdir, "repodata.json")));
            docs[subdir] = doc;
            foreach (string key in new[] { "packages", "packages.conda" })
            {
                if (doc.RootElement.TryGetProperty(key, out JsonElement pkgs))
                {
                    foreach (JsonProperty p in pkgs.EnumerateObject())
                    {
                        names.Add(p.Value.GetProperty("name").GetString()!);
                    }
                }
            }
        }

        foreach (string subdir in subdirs)
        {
            string dir = Path.Combine(target, subdir);
            Directory.CreateDirectory(dir);
            string tmp = Path.Combine(dir, "repodata.json.tmp");
            using (var stream = File.Create(tmp))
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true }))
            {
                JsonElement root = docs[subdir].RootElement;
                w.WriteStartObject();
                w.WriteStartObject("info");
                w.WriteString("subdir", subdir);
                w.WriteEndObject();
                w.WriteNumber("repodata_version", 1);
                foreach (string key in new[] { "packages", "packages.conda" })
                {
                    w.WriteStartObject(key);
                    if (root.TryGetProperty(key, out JsonElement pkgs))
                    {
                        // noarch is small and shared: replicate it too, so every copy's closure is complete.
                        for (int k = 0; k < Copies; k++)
                        {
                            foreach (JsonProperty p in pkgs.EnumerateObject())
                            {
                                WriteRecord(w, p, k, names);
                            }
                        }
                    }

                    w.WriteEndObject();
                }

                w.WriteStartArray("removed");
                w.WriteEndArray();
                w.WriteEndObject();
            }

            File.Move(tmp, Path.Combine(dir, "repodata.json"), overwrite: true);
        }

        File.WriteAllText(marker, DateTime.UtcNow.ToString("O"));
        return target;
    }

    private static string Rename(string name, int copy, HashSet<string> names) =>
        copy == 0 || !names.Contains(name) ? name : $"{name}_s{copy}";

    private static string RenameSpec(string spec, int copy, HashSet<string> names)
    {
        if (copy == 0)
        {
            return spec;
        }

        int end = 0;
        while (end < spec.Length && spec[end] != ' ' && spec[end] != '=' && spec[end] != '<' && spec[end] != '>' &&
               spec[end] != '!' && spec[end] != '~' && spec[end] != '[')
        {
            end++;
        }

        string name = spec[..end];
        return names.Contains(name) ? Rename(name, copy, names) + spec[end..] : spec;
    }

    private static void WriteRecord(Utf8JsonWriter w, JsonProperty p, int copy, HashSet<string> names)
    {
        JsonElement r = p.Value;
        string name = r.GetProperty("name").GetString()!;
        string newName = Rename(name, copy, names);
        string fn = copy == 0 ? p.Name : newName + p.Name[name.Length..];
        w.WritePropertyName(fn);
        w.WriteStartObject();
        foreach (JsonProperty f in r.EnumerateObject())
        {
            switch (f.Name)
            {
                case "name":
                    w.WriteString("name", newName);
                    break;
                case "fn" or "url" or "channel":
                    // conda-forge's own repodata.json has none of these per record (the subset tool added them).
                    break;
                case "depends" or "constrains" when f.Value.ValueKind == JsonValueKind.Array:
                    w.WriteStartArray(f.Name);
                    foreach (JsonElement d in f.Value.EnumerateArray())
                    {
                        w.WriteStringValue(RenameSpec(d.GetString()!, copy, names));
                    }

                    w.WriteEndArray();
                    break;
                default:
                    f.WriteTo(w);
                    break;
            }
        }

        w.WriteEndObject();
    }
}
