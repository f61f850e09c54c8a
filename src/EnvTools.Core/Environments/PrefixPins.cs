using System.Globalization;
using System.Text;
using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>Where a pin comes from.</summary>
// Int64-based on purpose: PowerShell's ConvertTo-Json writes Int64 enums by name (others as numbers).
public enum PinSource : long
{
    /// <summary>The environment's <c>conda-meta/pinned</c> file.</summary>
    File,

    /// <summary>The <c>pinned_packages</c> configuration key (.condarc, CONDA_PINNED_PACKAGES).</summary>
    Configuration,
}

/// <summary>One pinned spec: the solver never gives the environment a package of that name that the spec excludes.</summary>
public sealed class EnvironmentPin
{
    /// <summary>The package name the spec constrains.</summary>
    public required string Package { get; init; }

    /// <summary>The spec as written.</summary>
    public required string Spec { get; init; }

    /// <summary>Where it is written.</summary>
    public required PinSource Source { get; init; }

    /// <summary>The environment.</summary>
    public required string Prefix { get; init; }

    /// <inheritdoc />
    public override string ToString() => Spec;
}

/// <summary>
/// Reads and changes an environment's <c>conda-meta/pinned</c> as conda reads it (<c>PrefixData.get_pinned_specs</c>: one
/// MatchSpec a line; blank lines and lines starting with <c>#</c> skipped). Changes keep every other line (comments
/// included) in place, hold one pin per package name (a new pin of a name replaces the line of the old one), and replace
/// the file atomically.
/// </summary>
public static class PrefixPins
{
    /// <summary>The pin file of a prefix.</summary>
    public static string PathFor(string prefix) => Path.Combine(prefix, "conda-meta", "pinned");

    /// <summary>The pins of the file (none when it is missing), in file order; lines that are no MatchSpec are skipped.</summary>
    public static IReadOnlyList<EnvironmentPin> Read(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var result = new List<EnvironmentPin>();
        foreach (string line in ReadLines(prefix))
        {
            if (ParseLine(line) is { } spec)
            {
                result.Add(new EnvironmentPin { Package = spec.Name, Spec = line.Trim(), Source = PinSource.File, Prefix = prefix });
            }
        }

        return result;
    }

    /// <summary>
    /// Pins <paramref name="specs"/> in the file (created when missing). A spec with a name and no other constraint pins
    /// the installed version (<c>name==version</c>); a spec of a name already pinned replaces that line.
    /// </summary>
    /// <returns>The pins written.</returns>
    /// <exception cref="InvalidSpecException">A spec does not parse, or has no package name.</exception>
    /// <exception cref="PackageNotInstalledException">A bare name that is not installed (nothing to pin it to).</exception>
    public static IReadOnlyList<EnvironmentPin> Add(string prefix, IEnumerable<string> specs, IReadOnlyList<PrefixRecord> installed)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(installed);
        var pins = new List<EnvironmentPin>();
        foreach (string text in specs)
        {
            MatchSpec spec = MatchSpec.Parse(text);
            if (spec.Name.Length == 0 || spec.Name == "*")
            {
                throw new InvalidSpecException(text, "a pin needs a package name");
            }

            string written = text.Trim();
            if (spec.Version is null && spec.Build is null && spec.BuildNumber is null)
            {
                PrefixRecord record = installed.FirstOrDefault(r => r.Name == spec.Name)
                    ?? throw new PackageNotInstalledException(spec.Name, prefix, TextDistance.CloseNames(installed.Select(r => r.Name), spec.Name));
                written = $"{spec.Name}=={record.Version}";
            }

            pins.RemoveAll(p => p.Package == spec.Name);
            pins.Add(new EnvironmentPin { Package = spec.Name, Spec = written, Source = PinSource.File, Prefix = prefix });
        }

        List<string> lines = ReadLines(prefix).ToList();
        foreach (EnvironmentPin pin in pins)
        {
            int at = lines.FindIndex(l => ParseLine(l)?.Name == pin.Package);
            if (at >= 0)
            {
                lines[at] = pin.Spec;
                string keep = lines[at];
                lines.RemoveAll(l => !ReferenceEquals(l, keep) && ParseLine(l)?.Name == pin.Package);
            }
            else
            {
                lines.Add(pin.Spec);
            }
        }

        Write(prefix, lines);
        return pins;
    }

    /// <summary>Removes the pins of the named packages; returns the pins removed (names not pinned are left out).</summary>
    public static IReadOnlyList<EnvironmentPin> Remove(string prefix, IEnumerable<string> names)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(names);
        var drop = new HashSet<string>(names, StringComparer.Ordinal);
        var removed = new List<EnvironmentPin>();
        var kept = new List<string>();
        foreach (string line in ReadLines(prefix))
        {
            if (ParseLine(line) is { } spec && drop.Contains(spec.Name))
            {
                removed.Add(new EnvironmentPin { Package = spec.Name, Spec = line.Trim(), Source = PinSource.File, Prefix = prefix });
            }
            else
            {
                kept.Add(line);
            }
        }

        if (removed.Count > 0)
        {
            Write(prefix, kept);
        }

        return removed;
    }

    private static MatchSpec? ParseLine(string line)
    {
        string t = line.Trim();
        if (t.Length == 0 || t.StartsWith('#'))
        {
            return null;
        }

        return MatchSpec.TryParse(t, out MatchSpec? spec) && spec is not null && spec.Name.Length > 0 && spec.Name != "*" ? spec : null;
    }

    private static IEnumerable<string> ReadLines(string prefix)
    {
        string file = PathFor(prefix);
        return File.Exists(file) ? File.ReadAllText(file, Encoding.UTF8).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n').Where((l, i) => l.Length > 0 || i > 0) : Array.Empty<string>();
    }

    private static void Write(string prefix, IEnumerable<string> lines)
    {
        string file = PathFor(prefix);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        string tmp = file + ".envtools-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        string text = string.Join("\n", lines);
        File.WriteAllText(tmp, text.Length == 0 ? string.Empty : text + "\n", new UTF8Encoding(false));
        File.Move(tmp, file, overwrite: true);
    }
}
