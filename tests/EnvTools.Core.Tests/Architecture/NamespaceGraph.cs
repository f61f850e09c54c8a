using Mono.Cecil;
using Mono.Cecil.Cil;

namespace EnvTools.Tests.Architecture;

/// <summary>
/// Which namespaces of an assembly use which (<c>EnvTools.Install</c> → <c>EnvTools.Conda</c> …), read from its IL:
/// base types, interfaces, fields, properties, method signatures, locals, the types, methods and fields that method
/// bodies touch, generic arguments and attributes. Nested and compiler-generated types count for their namespace.
/// </summary>
internal sealed class NamespaceGraph
{
    private readonly Dictionary<string, HashSet<string>> _edges = new(StringComparer.Ordinal);
    private readonly Dictionary<(string From, string To), string> _witness = new();
    private readonly string _root;

    private NamespaceGraph(string root) => _root = root;

    /// <summary>The namespaces (at the depth below <paramref name="root"/>) and their uses.</summary>
    public IReadOnlyDictionary<string, HashSet<string>> Edges => _edges;

    /// <summary>One place that makes <paramref name="from"/> use <paramref name="to"/> (for the failure message).</summary>
    public string Witness(string from, string to) => _witness.GetValueOrDefault((from, to), "?");

    public static NamespaceGraph Read(string assemblyPath, string root)
    {
        var graph = new NamespaceGraph(root);
        using AssemblyDefinition asm = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (TypeDefinition t in asm.MainModule.GetTypes())
        {
            graph.Visit(t);
        }

        return graph;
    }

    /// <summary>The groups of namespaces that use each other in a circle (strongly connected, more than one).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<IReadOnlyList<string>>();
        int next = 0;

        void Connect(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (string w in _edges.GetValueOrDefault(v) ?? new HashSet<string>())
            {
                if (!index.TryGetValue(w, out int wIndex))
                {
                    Connect(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], wIndex);
                }
            }

            if (low[v] == index[v])
            {
                var group = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    group.Add(w);
                }
                while (w != v);
                if (group.Count > 1)
                {
                    group.Sort(StringComparer.Ordinal);
                    result.Add(group);
                }
            }
        }

        foreach (string v in _edges.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Connect(v);
            }
        }

        return result;
    }

    private string? Group(TypeReference? type)
    {
        while (type is { DeclaringType: not null })
        {
            type = type.DeclaringType;
        }

        string? ns = type?.Namespace;
        if (ns is null || !(ns == _root || ns.StartsWith(_root + ".", StringComparison.Ordinal)))
        {
            return null;
        }

        string rest = ns.Length > _root.Length ? ns[(_root.Length + 1)..] : string.Empty;
        int dot = rest.IndexOf('.');
        return rest.Length == 0 ? _root : _root + "." + (dot < 0 ? rest : rest[..dot]);
    }

    private void Visit(TypeDefinition t)
    {
        string? from = Group(t);
        if (from is null)
        {
            return;
        }

        string where = t.FullName;
        void Use(TypeReference? r, string what)
        {
            foreach (TypeReference part in Parts(r))
            {
                if (Group(part) is { } to && to != from)
                {
                    if (!_edges.TryGetValue(from, out var set))
                    {
                        _edges[from] = set = new HashSet<string>(StringComparer.Ordinal);
                    }

                    if (set.Add(to))
                    {
                        _witness[(from, to)] = $"{where}: {what} {part.FullName}";
                    }
                }
            }
        }

        Use(t.BaseType, "base");
        foreach (InterfaceImplementation i in t.Interfaces)
        {
            Use(i.InterfaceType, "interface");
        }

        foreach (CustomAttribute a in t.CustomAttributes)
        {
            Use(a.AttributeType, "attribute");
        }

        foreach (FieldDefinition f in t.Fields)
        {
            Use(f.FieldType, $"field {f.Name}");
        }

        foreach (PropertyDefinition p in t.Properties)
        {
            Use(p.PropertyType, $"property {p.Name}");
        }

        foreach (MethodDefinition m in t.Methods)
        {
            Use(m.ReturnType, $"{m.Name} returns");
            foreach (ParameterDefinition p in m.Parameters)
            {
                Use(p.ParameterType, $"{m.Name} takes");
            }

            if (!m.HasBody)
            {
                continue;
            }

            foreach (VariableDefinition v in m.Body.Variables)
            {
                Use(v.VariableType, $"{m.Name} local");
            }

            foreach (Instruction ins in m.Body.Instructions)
            {
                switch (ins.Operand)
                {
                    case TypeReference tr:
                        Use(tr, $"{m.Name} uses");
                        break;
                    case MethodReference mr:
                        Use(mr.DeclaringType, $"{m.Name} calls {mr.Name} of");
                        Use(mr.ReturnType, $"{m.Name} calls {mr.Name} returning");
                        if (mr is GenericInstanceMethod gm)
                        {
                            foreach (TypeReference ga in gm.GenericArguments)
                            {
                                Use(ga, $"{m.Name} calls {mr.Name} with");
                            }
                        }

                        break;
                    case FieldReference fr:
                        Use(fr.DeclaringType, $"{m.Name} reads {fr.Name} of");
                        break;
                }
            }
        }
    }

    private static IEnumerable<TypeReference> Parts(TypeReference? r)
    {
        switch (r)
        {
            case null:
                yield break;
            case GenericInstanceType g:
                yield return g.ElementType;
                foreach (TypeReference a in g.GenericArguments)
                {
                    foreach (TypeReference p in Parts(a))
                    {
                        yield return p;
                    }
                }

                break;
            case TypeSpecification s:
                foreach (TypeReference p in Parts(s.ElementType))
                {
                    yield return p;
                }

                break;
            default:
                yield return r;
                break;
        }
    }
}
