using System.Text.Json;
using System.Text.Json.Nodes;

namespace EnvTools.Environments;

/// <summary>A variable an environment sets when it is activated, and the file it comes from.</summary>
/// <param name="Name">The variable's name.</param>
/// <param name="Value">Its value; <see cref="EnvironmentConfigVariables.UnsetValue"/> means "unset it".</param>
/// <param name="Source">The file (<c>conda-meta/state</c> or an <c>etc/conda/env_vars.d/*.json</c>).</param>
public sealed record EnvironmentVariableEntry(string Name, string Value, string Source)
{
    /// <summary>The environment's folder, when the reader knows it (Get-EnvVariable sets it, so entries pipe into
    /// Remove-EnvVariable).</summary>
    public string? Prefix { get; init; }
}

/// <summary>
/// The variables of an environment, in conda's files: <c>conda-meta/state</c> (<c>{"env_vars": {...}}</c>,
/// what <c>conda env config vars set</c> writes) and the packages' <c>etc/conda/env_vars.d/*.json</c> (a JSON
/// object each, read in file name order). At activation the packages' come first and the state file wins.
/// </summary>
public static class EnvironmentConfigVariables
{
    /// <summary>The value conda uses in the state file to mean "unset this variable on activation".</summary>
    public const string UnsetValue = "***unset***";

    /// <summary>The state file of a prefix.</summary>
    public static string StatePath(string prefix) => Path.Combine(prefix, "conda-meta", "state");

    /// <summary>The folder of the packages' variable files.</summary>
    public static string PackageVariablesFolder(string prefix) => Path.Combine(prefix, "etc", "conda", "env_vars.d");

    /// <summary>The <c>env_vars</c> of the state file, in file order (none when there is no file).</summary>
    /// <exception cref="MalformedDataException">The file is not conda's JSON (<c>InvalidStateFile</c>).</exception>
    public static IReadOnlyList<EnvironmentVariableEntry> Read(string prefix)
    {
        string path = StatePath(prefix);
        JsonObject? state = ReadObject(path);
        return state?["env_vars"] is JsonObject vars ? Entries(vars, path) : Array.Empty<EnvironmentVariableEntry>();
    }

    /// <summary>The packages' variables (<c>env_vars.d</c>), a later file winning over an earlier one.</summary>
    public static IReadOnlyList<EnvironmentVariableEntry> ReadPackageVariables(string prefix)
    {
        string dir = PackageVariablesFolder(prefix);
        if (!Directory.Exists(dir))
        {
            return Array.Empty<EnvironmentVariableEntry>();
        }

        var merged = new List<EnvironmentVariableEntry>();
        foreach (string file in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            if (ReadObject(file) is { } obj)
            {
                Merge(merged, Entries(obj, file));
            }
        }

        return merged;
    }

    /// <summary>What activation sets: the packages' variables, then the state file's over them.</summary>
    public static IReadOnlyList<EnvironmentVariableEntry> ForActivation(string prefix)
    {
        var merged = new List<EnvironmentVariableEntry>(ReadPackageVariables(prefix));
        Merge(merged, Read(prefix));
        return merged;
    }

    /// <summary>Sets variables in the state file (creating it), keeping its other keys and variables.</summary>
    /// <exception cref="MalformedDataException">The existing file is not conda's JSON.</exception>
    public static void Set(string prefix, IEnumerable<KeyValuePair<string, string>> variables)
    {
        string path = StatePath(prefix);
        JsonObject state = ReadObject(path) ?? new JsonObject();
        if (state["env_vars"] is not JsonObject vars)
        {
            vars = new JsonObject();
            state["env_vars"] = vars;
        }

        foreach (var (name, value) in variables)
        {
            ValidateName(name);
            vars[name] = value;
        }

        Write(path, state);
    }

    /// <summary>Removes variables from the state file; returns the names that were there.</summary>
    public static IReadOnlyList<string> Remove(string prefix, IEnumerable<string> names)
    {
        string path = StatePath(prefix);
        if (ReadObject(path) is not { } state || state["env_vars"] is not JsonObject vars)
        {
            return Array.Empty<string>();
        }

        var removed = names.Where(vars.Remove).ToArray();
        if (removed.Length > 0)
        {
            Write(path, state);
        }

        return removed;
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('=') || name.Contains('\0'))
        {
            throw new InvalidSpecException(name, "an environment variable name must be non-empty and hold no '=' or NUL");
        }
    }

    private static void Merge(List<EnvironmentVariableEntry> into, IEnumerable<EnvironmentVariableEntry> entries)
    {
        foreach (EnvironmentVariableEntry e in entries)
        {
            int i = into.FindIndex(x => string.Equals(x.Name, e.Name, StringComparison.Ordinal));
            if (i >= 0)
            {
                into[i] = e;
            }
            else
            {
                into.Add(e);
            }
        }
    }

    private static List<EnvironmentVariableEntry> Entries(JsonObject vars, string source) =>
        vars.Select(kv => new EnvironmentVariableEntry(kv.Key, kv.Value switch
        {
            null => string.Empty,
            JsonValue v when v.TryGetValue(out string? s) => s,
            JsonNode n => n.ToJsonString(),
        }, source)).ToList();

    /// <summary>JsonNode decodes keys and strings lazily: decode them all here, where a failure names the file.</summary>
    private static void DecodeAll(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (KeyValuePair<string, JsonNode?> kv in o)
                {
                    DecodeAll(kv.Value);
                }

                break;
            case JsonArray a:
                foreach (JsonNode? item in a)
                {
                    DecodeAll(item);
                }

                break;
            case JsonValue v:
                _ = v.TryGetValue(out string? _);
                break;
        }
    }

    private static JsonObject? ReadObject(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            string text = File.ReadAllText(path);
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            JsonObject state = JsonNode.Parse(text) as JsonObject ?? throw new MalformedDataException("InvalidStateFile", path, "expected a JSON object");
            DecodeAll(state);
            return state;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a key or string that is not valid text (a lone surrogate escape such as \ud800)
            throw new MalformedDataException("InvalidStateFile", path, ex.Message, ex);
        }
    }

    private static void Write(string path, JsonObject state)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string tmp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(tmp, state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(tmp, path, overwrite: true);
    }
}
