using EnvTools.Conda;

namespace EnvTools.Solve;

/// <summary>One package spec that no candidate satisfies, with what needed it and close matches.</summary>
public sealed class MissingPackage
{
    /// <summary>Creates an entry.</summary>
    public MissingPackage(MatchSpec spec, IReadOnlyList<string> neededBy, IReadOnlyList<string> closeMatches)
    {
        Spec = spec;
        NeededBy = neededBy;
        CloseMatches = closeMatches;
    }

    /// <summary>The spec nothing satisfies.</summary>
    public MatchSpec Spec { get; }

    /// <summary>The chain from the requested spec to the spec (requested spec first); empty when requested directly.</summary>
    public IReadOnlyList<string> NeededBy { get; }

    /// <summary>Close matches: the same name in other channels or subdirs, other versions, near names.</summary>
    public IReadOnlyList<string> CloseMatches { get; }

    /// <inheritdoc />
    public override string ToString() => CondaProblem.SpecText(Spec);
}

/// <summary>Some requested specs (or dependencies every candidate of a requested spec needs) match no package.</summary>
public sealed class PackagesNotFoundException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public PackagesNotFoundException(IReadOnlyList<MissingPackage> missing, IReadOnlyList<string> channels)
        : base("PackagesNotFound", ErrorKind.ObjectNotFound, Format(missing, channels), missing)
    {
        Missing = missing;
        Channels = channels;
    }

    /// <summary>Every missing spec.</summary>
    public IReadOnlyList<MissingPackage> Missing { get; }

    /// <summary>The channels searched.</summary>
    public IReadOnlyList<string> Channels { get; }

    private static string Format(IReadOnlyList<MissingPackage> missing, IReadOnlyList<string> channels)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("The following packages are not available from the channels (")
          .Append(string.Join(", ", channels)).Append("):");
        foreach (var m in missing)
        {
            sb.Append("\n  - ").Append(CondaProblem.SpecText(m.Spec));
            if (m.NeededBy.Count > 0)
            {
                sb.Append(" (required by ").Append(string.Join(" → ", m.NeededBy)).Append(')');
            }

            if (m.CloseMatches.Count > 0)
            {
                sb.Append("\n      close matches: ").Append(string.Join(", ", m.CloseMatches));
            }
        }

        return sb.ToString();
    }
}

/// <summary>What a <see cref="ConflictNode"/> stands for.</summary>
public enum ConflictNodeKind
{
    /// <summary>The root: the set of requested specs that cannot all be satisfied.</summary>
    Root,

    /// <summary>A spec (requested, or a dependency of a candidate) whose candidates are listed as children.</summary>
    Requirement,

    /// <summary>A candidate record; its children are the dependencies (or constraints) that fail.</summary>
    Candidate,

    /// <summary>A spec that conflicts with a choice made elsewhere in the tree (a leaf).</summary>
    Conflict,

    /// <summary>A spec no package matches (a leaf).</summary>
    Missing,

    /// <summary>A record that is locked (installed and frozen, or pinned) or a virtual package (a leaf).</summary>
    Locked,
}

/// <summary>A node of an unsatisfiability explanation: requested spec → candidates → failing dependency → …</summary>
public sealed class ConflictNode
{
    /// <summary>Creates a node.</summary>
    public ConflictNode(ConflictNodeKind kind, string text, MatchSpec? spec, PackageRecord? record, IReadOnlyList<ConflictNode> children)
    {
        Kind = kind;
        Text = text;
        Spec = spec;
        Record = record;
        Children = children;
    }

    /// <summary>What the node stands for.</summary>
    public ConflictNodeKind Kind { get; }

    /// <summary>The node's line of text in the explanation.</summary>
    public string Text { get; }

    /// <summary>The spec of a requirement, conflict or missing node.</summary>
    public MatchSpec? Spec { get; }

    /// <summary>The record of a candidate or locked node.</summary>
    public PackageRecord? Record { get; }

    /// <summary>The child nodes.</summary>
    public IReadOnlyList<ConflictNode> Children { get; }

    /// <summary>The subtree as indented text (box-drawing characters, as resolvo prints it).</summary>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(Text);
        AppendChildren(sb, this, string.Empty);
        return sb.ToString();
    }

    private static void AppendChildren(System.Text.StringBuilder sb, ConflictNode node, string indent)
    {
        for (int i = 0; i < node.Children.Count; i++)
        {
            bool last = i == node.Children.Count - 1;
            var child = node.Children[i];
            sb.Append('\n').Append(indent).Append(last ? "└─ " : "├─ ").Append(child.Text);
            AppendChildren(sb, child, indent + (last ? "   " : "│  "));
        }
    }
}

/// <summary>The request cannot be satisfied; <see cref="Tree"/> explains which requested specs conflict, and through what.</summary>
public sealed class UnsatisfiableException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public UnsatisfiableException(ConflictNode tree, IReadOnlyList<MatchSpec> conflictingSpecs)
        : base("Unsatisfiable", ErrorKind.InvalidResult, tree.ToString(), tree)
    {
        Tree = tree;
        ConflictingSpecs = conflictingSpecs;
    }

    /// <summary>The explanation tree (its root lists the conflicting requested specs).</summary>
    public ConflictNode Tree { get; }

    /// <summary>The requested (or pinned, history, installed) specs that together cannot be satisfied.</summary>
    public IReadOnlyList<MatchSpec> ConflictingSpecs { get; }
}
