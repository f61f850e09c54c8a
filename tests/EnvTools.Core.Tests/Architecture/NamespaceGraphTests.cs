using Mono.Cecil;
using Mono.Cecil.Cil;
using Xunit;

namespace EnvTools.Tests.Architecture;

/// <summary>
/// The layer test can only fail if <see cref="NamespaceGraph"/> sees the uses: these build small assemblies with Cecil
/// (namespaces that use each other through a field, a method body, a nested type) and check the edges and circles read
/// back from them.
/// </summary>
public sealed class NamespaceGraphTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("envtools-nsgraph-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AFieldOneWayIsAnEdgeAndNoCircle()
    {
        string path = Build("OneWay", module =>
        {
            TypeDefinition low = AddType(module, "Root.Low", "Record");
            TypeDefinition high = AddType(module, "Root.High", "Plan");
            high.Fields.Add(new FieldDefinition("record", FieldAttributes.Private, low));
        });

        NamespaceGraph graph = NamespaceGraph.Read(path, "Root");

        Assert.Equal(new[] { "Root.Low" }, graph.Edges["Root.High"]);
        Assert.False(graph.Edges.ContainsKey("Root.Low"));
        Assert.Contains("field record", graph.Witness("Root.High", "Root.Low"), StringComparison.Ordinal);
        Assert.Empty(graph.Cycles());
    }

    [Fact]
    public void ACallBackFromAMethodBodyClosesACircle()
    {
        string path = Build("Circle", module =>
        {
            TypeDefinition a = AddType(module, "Root.A.Deep", "Alpha");
            TypeDefinition b = AddType(module, "Root.B", "Beta");
            TypeDefinition c = AddType(module, "Root.C", "Gamma");
            a.Fields.Add(new FieldDefinition("beta", FieldAttributes.Private, b));
            b.Fields.Add(new FieldDefinition("gamma", FieldAttributes.Private, c));

            // Gamma uses Alpha only inside a method body (a local and a newobj), through a nested type of Alpha.
            var nested = new TypeDefinition(string.Empty, "Inner", TypeAttributes.NestedPublic | TypeAttributes.Class, module.TypeSystem.Object);
            a.NestedTypes.Add(nested);
            var ctor = new MethodDefinition(".ctor", MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.RTSpecialName | MethodAttributes.HideBySig, module.TypeSystem.Void);
            nested.Methods.Add(ctor);
            ctor.Body.GetILProcessor().Emit(OpCodes.Ret);
            var use = new MethodDefinition("Use", MethodAttributes.Public | MethodAttributes.Static, module.TypeSystem.Void);
            c.Methods.Add(use);
            use.Body.Variables.Add(new VariableDefinition(module.TypeSystem.Object));
            ILProcessor il = use.Body.GetILProcessor();
            il.Emit(OpCodes.Newobj, ctor);
            il.Emit(OpCodes.Stloc_0);
            il.Emit(OpCodes.Ret);
        });

        NamespaceGraph graph = NamespaceGraph.Read(path, "Root");

        Assert.Contains("Root.A", graph.Edges["Root.C"]);
        Assert.Contains("Use", graph.Witness("Root.C", "Root.A"), StringComparison.Ordinal);
        IReadOnlyList<string> circle = Assert.Single(graph.Cycles());
        Assert.Equal(new[] { "Root.A", "Root.B", "Root.C" }, circle);
    }

    private static TypeDefinition AddType(ModuleDefinition module, string ns, string name)
    {
        var t = new TypeDefinition(ns, name, TypeAttributes.Public | TypeAttributes.Class, module.TypeSystem.Object);
        module.Types.Add(t);
        return t;
    }

    private string Build(string name, Action<ModuleDefinition> build)
    {
        using AssemblyDefinition asm = AssemblyDefinition.CreateAssembly(new AssemblyNameDefinition(name, new Version(1, 0)), name, ModuleKind.Dll);
        build(asm.MainModule);
        string path = Path.Combine(_dir, name + ".dll");
        asm.Write(path);
        return path;
    }
}
