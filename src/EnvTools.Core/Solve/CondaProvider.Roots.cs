using EnvTools.Conda;

namespace EnvTools.Solve;

/// <summary>conda's rules for the roots of a request: requested, history, aggressive-update, installed and virtual
/// specs, the installed python's minor version, removals and the packages an inconsistent environment keeps.</summary>
internal sealed partial class CondaProvider
{
    internal static string? MajorMinor(string version)
    {
        var parts = version.Split('.');
        return parts.Length >= 2 && parts[0].Length > 0 && parts[1].Length > 0 && parts[0].All(char.IsAsciiDigit)
            && parts[1].All(char.IsAsciiDigit) ? $"{parts[0]}.{parts[1]}" : null;
    }

    /// <summary>The root specs of the request, in order (requested, history, installed, virtual), and which installed
    /// names are favoured (their installed record sorted first).</summary>
    private List<(RootKind Kind, MatchSpec Spec)> PlanRoots()
    {
        foreach (var s in _request.SpecsToRemove)
        {
            _removedNames.Add(s.Name);
        }

        foreach (var s in _request.Specs)
        {
            _specNames.Add(s.Name);
        }

        var mod = _request.UpdateModifier;
        var installedNames = new HashSet<string>(_request.Installed.Select(r => r.Name), StringComparer.Ordinal);
        var installedByName = new Dictionary<string, RepoDataRecord>(StringComparer.Ordinal);
        foreach (var r in _request.Installed)
        {
            installedByName[r.Name] = r;
        }

        bool removing = _request.SpecsToRemove.Count > 0;
        var dropped = DroppedByRemoval();

        if (mod is not UpdateModifier.UpdateAll)
        {
            // Spec names too: an installed record that satisfies the spec is kept (conda: "all requested packages
            // already installed"; rattler: the installed package is favoured).
            _favoured.UnionWith(installedNames);
        }

        if (_unfavourSpecs || _request.UpdateRequested)
        {
            _favoured.ExceptWith(_specNames);
        }

        var pending = new List<(RootKind Kind, MatchSpec Spec)>();
        foreach (var s in _request.Specs)
        {
            pending.Add((RootKind.Spec, s));
        }

        var aggressive = AddAggressiveUpdates(pending, installedNames, installedByName, dropped);
        var historyNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in _request.HistorySpecs)
        {
            historyNames.Add(s.Name);
            if (!_specNames.Contains(s.Name) && !dropped.Contains(s.Name) && !aggressive.Contains(s.Name) && !_request.Prune)
            {
                // UPDATE_ALL relaxes the history specs to their names (conda's _add_specs); pins still apply.
                pending.Add((RootKind.History, mod == UpdateModifier.UpdateAll ? ParseSpec(s.Name) : s));
            }
        }

        // UPDATE_ALL with a history keeps only what the history and the request need (conda drops the rest).
        bool installedRoots = !removing && !_request.Prune && !(mod == UpdateModifier.UpdateAll && _request.HistorySpecs.Count > 0);
        if (installedRoots)
        {
            foreach (var r in _request.Installed)
            {
                if (!_specNames.Contains(r.Name) && !historyNames.Contains(r.Name) && !_removedNames.Contains(r.Name)
                    && !aggressive.Contains(r.Name)
                    && pending.All(p => p.Kind != RootKind.Installed || p.Spec.Name != r.Name))
                {
                    pending.Add((RootKind.Installed, MatchSpec.Parse(r.Name)));
                }
            }
        }

        KeepPythonMinor(pending, installedByName, dropped);
        FindInconsistent(historyNames, aggressive, dropped, installedByName);

        // Virtual packages are always present (their constrains and the constrains against them apply).
        foreach (var vp in _request.VirtualPackages)
        {
            if (pending.All(p => p.Kind != RootKind.Virtual || p.Spec.Name != vp.Name))
            {
                pending.Add((RootKind.Virtual, MatchSpec.Parse(vp.Name)));
            }
        }

        return pending;
    }

    /// <summary>Removing a package takes out the installed packages that depend on it, too (conda's
    /// PrefixGraph.remove_spec): their history specs no longer apply.</summary>
    private HashSet<string> DroppedByRemoval()
    {
        var removeSpecs = _request.SpecsToRemove;
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        if (removeSpecs.Count == 0)
        {
            return dropped;
        }

        foreach (var r in _request.Installed)
        {
            if (removeSpecs.Any(s => s.Matches(r)))
            {
                dropped.Add(r.Name);
            }
        }

        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var r in _request.Installed)
            {
                if (!dropped.Contains(r.Name) && r.Depends.Any(d => TryParse(d) is { } ds && dropped.Contains(ds.Name)))
                {
                    dropped.Add(r.Name);
                    changed = true;
                }
            }
        }

        dropped.UnionWith(_removedNames);
        return dropped;
    }

    /// <summary>conda's aggressive_update_packages (installed ones are requested by name, overriding history, and
    /// updated) and auto_update_conda (in conda's own environment conda is updated along, never downgraded).</summary>
    private HashSet<string> AddAggressiveUpdates(List<(RootKind Kind, MatchSpec Spec)> pending, HashSet<string> installedNames,
        Dictionary<string, RepoDataRecord> installedByName, HashSet<string> dropped)
    {
        var aggressive = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in _request.AggressiveUpdatePackages)
        {
            if (installedNames.Contains(a.Name) && !_specNames.Contains(a.Name) && !dropped.Contains(a.Name) && aggressive.Add(a.Name))
            {
                pending.Add((RootKind.History, a));
                _favoured.Remove(a.Name);
            }
        }

        if (_request.AutoUpdateConda && installedByName.TryGetValue("conda", out var conda) && !_specNames.Contains("conda")
            && !dropped.Contains("conda") && !aggressive.Contains("conda"))
        {
            pending.Add((RootKind.History, ParseSpec($"conda >={conda.Version}")));
            aggressive.Add("conda");
            _favoured.Remove("conda");
        }

        return aggressive;
    }

    /// <summary>conda's business rule: an installed python stays within its major.minor version unless the request names
    /// python.</summary>
    private void KeepPythonMinor(List<(RootKind Kind, MatchSpec Spec)> pending, Dictionary<string, RepoDataRecord> installedByName, HashSet<string> dropped)
    {
        if (installedByName.TryGetValue("python", out var python) && !_specNames.Contains("python") && !dropped.Contains("python")
            && _request.UpdateModifier != UpdateModifier.FreezeInstalled && MajorMinor(python.Version) is { } mm)
        {
            var minor = ParseSpec($"python {mm}.*");
            int at = pending.FindIndex(p => p.Spec.Name == "python");
            if (at < 0)
            {
                pending.Add((RootKind.Installed, minor));
            }
            else if (pending[at].Spec.Version is null)
            {
                pending[at] = (pending[at].Kind, pending[at].Spec.MergeWith(minor));
            }
        }
    }

    /// <summary>conda's inconsistent environments: an installed record whose dependencies the installed records do not
    /// meet, and that no spec names, is put back as it is after the solve.</summary>
    private void FindInconsistent(HashSet<string> historyNames, HashSet<string> aggressive, HashSet<string> dropped,
        Dictionary<string, RepoDataRecord> installedByName)
    {
        if (_request.HistorySpecs.Count == 0)
        {
            return;
        }

        foreach (var r in _request.Installed)
        {
            if (_specNames.Contains(r.Name) || historyNames.Contains(r.Name) || aggressive.Contains(r.Name) || dropped.Contains(r.Name))
            {
                continue;
            }

            bool broken = r.Depends.Any(d => TryParse(d) is { } ds
                && !(installedByName.TryGetValue(ds.Name, out var dep) && ds.Matches(dep)));
            if (broken)
            {
                _addBack[r.Name] = r;
            }
        }
    }
}
