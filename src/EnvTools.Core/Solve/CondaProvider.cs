using EnvTools.Conda;
using EnvTools.Solve.Encoding;

namespace EnvTools.Solve;

/// <summary>A candidate record of a package name: one solvable (and SAT variable).</summary>
internal sealed class Candidate
{
    public Candidate(RepoDataRecord record, NameEntry name, int channel)
    {
        Record = record;
        Name = name;
        Channel = channel;
    }

    public RepoDataRecord Record { get; }

    public NameEntry Name { get; }

    /// <summary>Position in its name's final preference order (0 = most preferred).</summary>
    public int Order { get; set; }

    /// <summary>Channel index (priority: lower is better); the channel count for installed-only and virtual records.</summary>
    public int Channel { get; }

    /// <summary>The installed record this candidate stands for, when it is installed.</summary>
    public RepoDataRecord? Installed { get; set; }

    public bool IsVirtual { get; init; }

    /// <summary>The solvable id (its SAT variable), once loading is done; −1 before.</summary>
    public int Id { get; set; } = -1;

    public Requirement[] Depends { get; set; } = Array.Empty<Requirement>();

    public Requirement[] Constrains { get; set; } = Array.Empty<Requirement>();

    /// <summary>The ids of <see cref="Depends"/> (made when first asked for).</summary>
    public int[]? DependIds { get; set; }

    /// <summary>The ids of <see cref="Constrains"/> (made when first asked for).</summary>
    public int[]? ConstrainIds { get; set; }

    /// <summary>A root spec of its name (a requested, history or installed spec, all hard) does not match it, so no
    /// solution holds it: its dependencies are neither loaded nor encoded.</summary>
    public bool RootExcluded { get; set; }

    public string Display => $"{Record.Name} {Record.Version} {Record.Build}";

    public override string ToString() => Display;
}

/// <summary>All candidates of one package name, best first.</summary>
internal sealed class NameEntry
{
    public NameEntry(string name) => Name = name;

    public string Name { get; }

    /// <summary>The name id, once loading is done.</summary>
    public int Id { get; set; } = -1;

    public List<Candidate> Candidates { get; } = new();

    /// <summary>The solvable ids of <see cref="Candidates"/>, in order (set with the ids).</summary>
    public int[] CandidateIds { get; set; } = Array.Empty<int>();
}

/// <summary>A spec and the candidates that match it (in preference order).</summary>
internal sealed class Requirement
{
    public Requirement(int id, MatchSpec spec, NameEntry? name, Candidate[] matches)
    {
        Id = id;
        Spec = spec;
        Name = name;
        Matches = matches;
    }

    /// <summary>The interned requirement id.</summary>
    public int Id { get; }

    public MatchSpec Spec { get; }

    public NameEntry? Name { get; }

    public Candidate[] Matches { get; }

    /// <summary>The ids of <see cref="Matches"/> (made when first asked for).</summary>
    public int[]? MatchIds { get; set; }

    public override string ToString() => Spec.ToString();
}

internal enum RootKind
{
    Spec,
    History,
    Installed,
    Virtual,
}

internal sealed record Root(RootKind Kind, MatchSpec Spec, Requirement Requirement);

/// <summary>
/// The conda side of the solver's seam: loads the candidates a request reaches from its channels, installed and
/// virtual packages, and hands them to the <see cref="ClauseEncoder"/> as interned ids. Every conda rule lives here:
/// which roots a request makes (history, aggressive updates, the python minor pin, removals), channel priority and
/// .conda/.tar.bz2 twins, installed records, virtual packages, track_features and legacy features, the candidate order,
/// and pins and removals as exclusions.
/// </summary>
internal sealed partial class CondaProvider : IDependencyProvider, IInterner
{
    private readonly SolveRequest _request;
    private readonly CancellationToken _ct;
    private readonly bool _unfavourSpecs;
    private readonly Dictionary<string, NameEntry> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MatchSpec> _specCache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Requirement> _reqCache = new(StringComparer.Ordinal);
    private readonly List<Requirement> _requirements = new();
    private readonly List<Candidate> _solvables = new();
    private readonly List<NameEntry> _nameList = new();
    private readonly List<Root> _roots = new();
    private readonly HashSet<string> _removedNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _specNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _favoured = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RepoDataRecord> _addBack = new(StringComparer.Ordinal);
    private readonly List<Exclusion> _exclusions = new();
    private readonly List<(bool Pin, MatchSpec Spec)> _exclusionReasons = new();
    private int[] _rootIds = Array.Empty<int>();

    public CondaProvider(SolveRequest request, CancellationToken ct, bool unfavourSpecs = false)
    {
        _request = request;
        _ct = ct;
        _unfavourSpecs = unfavourSpecs;
    }

    /// <summary>The loaded names, by name.</summary>
    public IReadOnlyDictionary<string, NameEntry> Names => _names;

    /// <summary>Every candidate, by solvable id.</summary>
    public IReadOnlyList<Candidate> Solvables => _solvables;

    /// <summary>The roots (hard requirements), in order: requested, history, installed, virtual.</summary>
    public IReadOnlyList<Root> Roots => _roots;

    /// <summary>The requirement ids of <see cref="Roots"/>, in the same order.</summary>
    public int[] RootIds => _rootIds;

    /// <summary>Candidates no solution may hold (pins, removals), for the encoder.</summary>
    public IReadOnlyList<Exclusion> Exclusions => _exclusions;

    /// <summary>The names the request asks for.</summary>
    public IReadOnlySet<string> SpecNames => _specNames;

    /// <summary>The names the request removes.</summary>
    public IReadOnlySet<string> RemovedNames => _removedNames;

    /// <summary>Installed records of an inconsistent environment, put back as they are after the solve.</summary>
    public IReadOnlyDictionary<string, RepoDataRecord> AddBack => _addBack;

    /// <summary>Whether exclusion <paramref name="reason"/> is a pin (else a removal), and its spec.</summary>
    public (bool Pin, MatchSpec Spec) ExclusionReason(int reason) => _exclusionReasons[reason];

    private int ChannelCount => _request.Channels.Count;

    // ----- IDependencyProvider -----

    public int SolvableCount => _solvables.Count;

    public int NameOf(int solvable) => _solvables[solvable].Name.Id;

    public int[] Candidates(int name) => _nameList[name].CandidateIds;

    public int RequirementName(int requirement) => _requirements[requirement].Name?.Id ?? -1;

    public int[] Matches(int requirement) => _requirements[requirement].MatchIds ??= Ids(_requirements[requirement].Matches);

    public int[] Dependencies(int solvable) => _solvables[solvable].DependIds ??= Ids(_solvables[solvable].Depends);

    public int[] Constrains(int solvable) => _solvables[solvable].ConstrainIds ??= Ids(_solvables[solvable].Constrains);

    // ----- IInterner -----

    public string DisplaySolvable(int solvable) => _solvables[solvable].Display;

    public string DisplayRequirement(int requirement) => _requirements[requirement].Spec.ToString();

    private static int[] Ids(Candidate[] candidates)
    {
        var ids = new int[candidates.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = candidates[i].Id;
        }

        return ids;
    }

    private static int[] Ids(Requirement[] requirements)
    {
        var ids = new int[requirements.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = requirements[i].Id;
        }

        return ids;
    }

    /// <summary>Numbers the names and candidates (in load order, each name's candidates in preference order).</summary>
    private void AssignIds()
    {
        foreach (var entry in _names.Values)
        {
            entry.Id = _nameList.Count;
            _nameList.Add(entry);
            var ids = new int[entry.Candidates.Count];
            for (int i = 0; i < ids.Length; i++)
            {
                var c = entry.Candidates[i];
                c.Id = _solvables.Count;
                _solvables.Add(c);
                ids[i] = c.Id;
            }

            entry.CandidateIds = ids;
        }
    }

    /// <summary>Pins (unless ignored) and removals: the candidates they rule out, pins first.</summary>
    private void AddExclusions()
    {
        foreach (var pin in _request.IgnorePinned ? Array.Empty<MatchSpec>() : _request.PinnedSpecs)
        {
            Exclude(pin, pin: true);
        }

        foreach (var rm in _request.SpecsToRemove)
        {
            Exclude(rm, pin: false);
        }
    }

    private void Exclude(MatchSpec spec, bool pin)
    {
        if (!_names.TryGetValue(spec.Name, out var entry))
        {
            return;
        }

        int reason = _exclusionReasons.Count;
        _exclusionReasons.Add((pin, spec));
        foreach (var c in entry.Candidates)
        {
            // a pin keeps only what it matches; a removal takes out what it matches
            if (spec.Matches(c.Record) != pin)
            {
                _exclusions.Add(new Exclusion(c.Id, reason));
            }
        }
    }
}
