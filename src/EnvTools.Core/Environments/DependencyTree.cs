using EnvTools.Conda;

namespace EnvTools.Environments;

/// <summary>Which way a <see cref="DependencyTree"/> walks.</summary>
// Int64-based on purpose: PowerShell's ConvertTo-Json writes Int64 enums by name (others as numbers).
public enum DependencyDirection : long
{
    /// <summary>What a package needs (its <c>depends</c>), like <c>mamba repoquery depends</c>.</summary>
    Dependencies,

    /// <summary>What needs a package (installed packages whose <c>depends</c> name it), like <c>mamba repoquery whoneeds</c>.</summary>
    Dependents,
}

/// <summary>One line of a dependency tree: a package reached from the root through <see cref="Spec"/>.</summary>
public sealed record DependencyNode
{
    /// <summary>The package's name (for a missing dependency, the name its spec asks for).</summary>
    public required string Name { get; init; }

    /// <summary>The installed version, or null when the dependency is missing or virtual.</summary>
    public string? Version { get; init; }

    /// <summary>The installed build, or null.</summary>
    public string? Build { get; init; }

    /// <summary>The dependency spec that links this node to its parent (a <c>depends</c> entry of the parent, or for
    /// dependents one of this package's own entries); null for the root.</summary>
    public string? Spec { get; init; }

    /// <summary>0 for the root, 1 for what it needs (or what needs it), and so on.</summary>
    public required int Depth { get; init; }

    /// <summary>The parent's name; null for the root.</summary>
    public string? Parent { get; init; }

    /// <summary>The names from the root to this node.</summary>
    public required IReadOnlyList<string> Path { get; init; }

    /// <summary>Which way the tree was walked.</summary>
    public required DependencyDirection Direction { get; init; }

    /// <summary>The package was shown (and expanded) earlier in the tree, so it is not expanded again.</summary>
    public bool IsRepeated { get; init; }

    /// <summary>The spec names a package that is not installed, or that the installed one does not satisfy (an
    /// inconsistent environment: after <c>Uninstall-EnvPackage -Force</c> or <c>-NoDeps</c>).</summary>
    public bool IsMissing { get; init; }

    /// <summary>The spec names a virtual package (<c>__glibc</c>, <c>__cuda</c> …), which is not installed.</summary>
    public bool IsVirtual { get; init; }
}

/// <summary>Dependency trees over the packages of an environment (what a package needs, and what needs it).</summary>
public static class DependencyTree
{
    /// <summary>
    /// The tree rooted at the installed package <paramref name="package"/>, depth first, root first: its dependencies
    /// or its dependents, one level or (<paramref name="recurse"/>) all. A package already expanded is listed again as
    /// <see cref="DependencyNode.IsRepeated"/> and not expanded, so cycles end.
    /// </summary>
    /// <exception cref="PackageNotInstalledException">No installed package has that name.</exception>
    public static IReadOnlyList<DependencyNode> Walk(IReadOnlyList<RepoDataRecord> installed, string package, DependencyDirection direction,
        bool recurse, string prefix)
    {
        ArgumentNullException.ThrowIfNull(installed);
        var byName = new Dictionary<string, RepoDataRecord>(StringComparer.Ordinal);
        foreach (RepoDataRecord r in installed)
        {
            byName[r.Name] = r;
        }

        if (!byName.TryGetValue(package, out RepoDataRecord? root))
        {
            throw new PackageNotInstalledException(package, prefix, TextDistance.CloseNames(byName.Keys, package));
        }

        var result = new List<DependencyNode>();
        var expanded = new HashSet<string>(StringComparer.Ordinal);
        void Visit(DependencyNode node, RepoDataRecord? record)
        {
            result.Add(node);
            if (record is null || node.IsRepeated || (!recurse && node.Depth >= 1) || !expanded.Add(node.Name))
            {
                return;
            }

            foreach ((RepoDataRecord? child, string name, string spec, bool missing, bool isVirtual) in Children(record, direction, byName, installed))
            {
                var path = node.Path.Append(name).ToArray();
                Visit(new DependencyNode
                {
                    Name = name,
                    Version = child?.Version,
                    Build = child?.Build,
                    Spec = spec,
                    Depth = node.Depth + 1,
                    Parent = node.Name,
                    Path = path,
                    Direction = direction,
                    IsRepeated = child is not null && recurse && expanded.Contains(name),
                    IsMissing = missing,
                    IsVirtual = isVirtual,
                }, child);
            }
        }

        Visit(new DependencyNode
        {
            Name = root.Name,
            Version = root.Version,
            Build = root.Build,
            Depth = 0,
            Path = new[] { root.Name },
            Direction = direction,
        }, root);
        return result;
    }

    private static IEnumerable<(RepoDataRecord? Record, string Name, string Spec, bool Missing, bool Virtual)> Children(RepoDataRecord record,
        DependencyDirection direction, Dictionary<string, RepoDataRecord> byName, IReadOnlyList<RepoDataRecord> installed)
    {
        if (direction == DependencyDirection.Dependencies)
        {
            foreach (string d in record.Depends)
            {
                if (!MatchSpec.TryParse(d, out MatchSpec? spec))
                {
                    continue;
                }

                bool isVirtual = spec!.Name.StartsWith("__", StringComparison.Ordinal);
                byName.TryGetValue(spec.Name, out RepoDataRecord? dep);
                yield return (dep, spec.Name, d, !isVirtual && (dep is null || !spec.Matches(dep)), isVirtual);
            }

            yield break;
        }

        foreach (RepoDataRecord other in installed.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            foreach (string d in other.Depends)
            {
                if (MatchSpec.TryParse(d, out MatchSpec? spec) && spec!.Name == record.Name)
                {
                    yield return (other, other.Name, d, !spec.Matches(record), false);
                    break;
                }
            }
        }
    }
}
