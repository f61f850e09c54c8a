using EnvTools.Solve.Encoding;

namespace EnvTools.Tests.Solve.ClauseEncoding;

/// <summary>
/// A hand-written dependency provider for the clause encoder's tests: packages are <c>name version</c> (integer
/// versions), requirements are <c>name</c>, <c>name op version</c> (<c>==</c>, <c>!=</c>, <c>&gt;=</c>, <c>&lt;</c>).
/// A name's candidates are sorted newest first unless the test says otherwise. No conda in sight.
/// </summary>
internal sealed class ToyProvider : IDependencyProvider, IInterner
{
    private readonly List<(string Name, int Version, string[] Depends, string[] Constrains)> _packages = new();
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal);
    private readonly List<int[]> _candidates = new();
    private readonly Dictionary<string, int> _reqIds = new(StringComparer.Ordinal);
    private readonly List<(string Text, int Name, int[] Matches)> _reqs = new();
    private int[]? _nameOf;
    private bool _sealed;

    /// <summary>Adds package <paramref name="name"/> <paramref name="version"/>; returns its solvable id.</summary>
    public int Add(string name, int version, string[]? depends = null, string[]? constrains = null)
    {
        if (_sealed)
        {
            throw new InvalidOperationException("add every package before the first requirement");
        }

        _packages.Add((name, version, depends ?? Array.Empty<string>(), constrains ?? Array.Empty<string>()));
        return _packages.Count - 1;
    }

    /// <summary>Sorts the candidates oldest first instead (to show that the decisions follow the provider's order).</summary>
    public bool OldestFirst { get; init; }

    public int SolvableCount => _packages.Count;

    public int NameOf(int solvable)
    {
        Seal();
        return _nameOf![solvable];
    }

    public int[] Candidates(int name)
    {
        Seal();
        return _candidates[name];
    }

    public int RequirementName(int requirement) => _reqs[requirement].Name;

    public int[] Matches(int requirement) => _reqs[requirement].Matches;

    public int[] Dependencies(int solvable) => _packages[solvable].Depends.Select(Require).ToArray();

    public int[] Constrains(int solvable) => _packages[solvable].Constrains.Select(Require).ToArray();

    public string DisplaySolvable(int solvable) => $"{_packages[solvable].Name} {_packages[solvable].Version}";

    public string DisplayRequirement(int requirement) => _reqs[requirement].Text;

    /// <summary>The id of solvable <paramref name="name"/> <paramref name="version"/>.</summary>
    public int Id(string name, int version) => _packages.FindIndex(p => p.Name == name && p.Version == version);

    /// <summary>Interns the requirement <paramref name="text"/>.</summary>
    public int Require(string text)
    {
        Seal();
        if (_reqIds.TryGetValue(text, out int id))
        {
            return id;
        }

        string[] parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Func<int, bool> accepts = parts.Length == 1 ? _ => true : parts[1] switch
        {
            "==" => v => v == int.Parse(parts[2]),
            "!=" => v => v != int.Parse(parts[2]),
            ">=" => v => v >= int.Parse(parts[2]),
            "<" => v => v < int.Parse(parts[2]),
            _ => throw new ArgumentException(text),
        };
        int name = _names.TryGetValue(parts[0], out int n) ? n : -1;
        int[] matches = name < 0 ? Array.Empty<int>() : _candidates[name].Where(c => accepts(_packages[c].Version)).ToArray();
        _reqs.Add((text, name, matches));
        _reqIds[text] = _reqs.Count - 1;
        return _reqs.Count - 1;
    }

    private void Seal()
    {
        if (_sealed)
        {
            return;
        }

        _sealed = true;
        _nameOf = new int[_packages.Count];
        for (int i = 0; i < _packages.Count; i++)
        {
            if (!_names.TryGetValue(_packages[i].Name, out int n))
            {
                _names[_packages[i].Name] = n = _names.Count;
                _candidates.Add(Array.Empty<int>());
            }

            _nameOf[i] = n;
            _candidates[n] = _candidates[n].Append(i).ToArray();
        }

        for (int n = 0; n < _candidates.Count; n++)
        {
            _candidates[n] = (OldestFirst
                ? _candidates[n].OrderBy(c => _packages[c].Version)
                : _candidates[n].OrderByDescending(c => _packages[c].Version)).ToArray();
        }
    }
}
