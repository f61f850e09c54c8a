using System.Text;
using System.Text.RegularExpressions;

namespace EnvTools.Bench;

/// <summary>docs/benchmarks.md, one replaceable section per suite so suites can run separately.</summary>
internal sealed class BenchmarkReport
{
    private const string Header = """
        # Benchmarks

        Measured by the harness (`dotnet pwsh ./build.ps1 Bench [-Suite Parse|Solve|All]`), never by unit
        tests. Each table compares EnvTools with reference tools measured in the same run on the same
        machine; ratios are the figures to read, absolute times depend on the machine.

        """;

    private readonly Dictionary<string, string> _sections = new(StringComparer.Ordinal);
    private readonly List<string> _order = new();
    private readonly Dictionary<string, string> _trailers = new(StringComparer.Ordinal);

    internal BenchmarkReport(string path)
    {
        Path = path;
        if (File.Exists(path))
        {
            string text = File.ReadAllText(path);
            MatchCollection found = Regex.Matches(text, @"<!-- (\w+):begin -->\n(.*?)<!-- \1:end -->", RegexOptions.Singleline);
            for (int i = 0; i < found.Count; i++)
            {
                Match m = found[i];
                _sections[m.Groups[1].Value] = m.Groups[2].Value;
                _order.Add(m.Groups[1].Value);

                // hand-written text between this section and the next one (or the end) stays where it is
                int end = i + 1 < found.Count ? found[i + 1].Index : text.Length;
                string between = text[(m.Index + m.Length)..end].Trim('\n');
                if (between.Length > 0)
                {
                    _trailers[m.Groups[1].Value] = between;
                }
            }
        }
    }

    internal string Path { get; }

    /// <param name="name">The section's marker name.</param>
    /// <param name="markdown">Its text.</param>
    /// <param name="after">Where a new section goes: after this one when it exists, else at the end.</param>
    internal void SetSection(string name, string markdown, string? after = null)
    {
        if (!_sections.ContainsKey(name))
        {
            int at = after is null ? -1 : _order.IndexOf(after);
            _order.Insert(at < 0 ? _order.Count : at + 1, name);
        }

        _sections[name] = markdown.EndsWith('\n') ? markdown : markdown + "\n";
    }

    internal void Save()
    {
        var sb = new StringBuilder(Header);
        foreach (string name in _order)
        {
            sb.Append("<!-- ").Append(name).Append(":begin -->\n").Append(_sections[name]).Append("<!-- ").Append(name).Append(":end -->\n\n");
            if (_trailers.TryGetValue(name, out string? trailer))
            {
                sb.Append(trailer).Append("\n\n");
            }
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        File.WriteAllText(Path, sb.ToString());
    }
}
