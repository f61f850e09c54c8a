using EnvTools.Conda;

namespace EnvTools.Solve;

// conda's --update-deps: two solves (moved out of CondaProblem.cs).
internal sealed partial class CondaProblem
{
    /// <summary>conda's UPDATE_DEPS: solve the request, then solve again with every dependency of the requested
    /// packages (in that solution) requested by name, so that they update to the newest versions the request allows;
    /// pinned names keep their pins and an installed python its major.minor version.</summary>
    private SolveResult UpdateDeps()
    {
        bool onlyDeps = _request.UpdateModifier == UpdateModifier.UpdateDepsOnlyDeps;
        var first = new CondaProblem(_request.With(_request.Specs, _request.HistorySpecs, UpdateModifier.UpdateSpecs, Remaining()), _ct).Run();
        var byName = first.Records.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(_request.Specs.Select(s => s.Name));
        while (queue.Count > 0)
        {
            string n = queue.Dequeue();
            if (!seen.Add(n) || !byName.TryGetValue(n, out var rec))
            {
                continue;
            }

            names.Add(n);
            foreach (var d in rec.Depends)
            {
                if (_provider.TryParse(d) is { } ds)
                {
                    queue.Enqueue(ds.Name);
                }
            }
        }

        var specs = new Dictionary<string, MatchSpec>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            specs[n] = _provider.ParseSpec(n);
        }

        if (!_request.IgnorePinned)
        {
            foreach (var pin in _request.PinnedSpecs)
            {
                specs.Remove(pin.Name);
            }
        }

        if (specs.ContainsKey("python") && _request.Installed.FirstOrDefault(r => r.Name == "python") is { } py && CondaProvider.MajorMinor(py.Version) is { } mm)
        {
            specs["python"] = _provider.ParseSpec($"python {mm}.*");
        }

        foreach (var s in _request.Specs)
        {
            specs[s.Name] = s;
        }

        var second = _request.With(specs.Values.ToList(), _request.HistorySpecs,
            onlyDeps ? UpdateModifier.OnlyDeps : UpdateModifier.UpdateSpecs, Remaining());
        var only = onlyDeps ? new HashSet<string>(_request.Specs.Select(s => s.Name), StringComparer.Ordinal) : null;
        SolveResult result = new CondaProblem(second, _ct, unfavourSpecs: true, onlyDepsNames: only).Run();
        return new SolveResult(result.Records, result.ToInstall, result.ToRemove)
        {
            Omitted = result.Omitted,
            UpdatedSpecs = specs.Values.ToList(),
            LoadTime = first.LoadTime + result.LoadTime,
            SolveTime = first.SolveTime + result.SolveTime,
            Variables = result.Variables,
            Clauses = result.Clauses,
            Conflicts = first.Conflicts + result.Conflicts,
        };
    }
}
