using System.Collections;
using System.Management.Automation;

namespace EnvTools.Commands.Internal;

/// <summary>
/// The output objects of the module: the engine value wrapped in a PSObject typed for the format views, with each
/// version it carries (Version, OldVersion, PythonVersion, CudaVersion) given as the conda
/// <see cref="Conda.Version"/> type, so that <c>Sort-Object Version</c> and <c>-gt</c> follow conda's ordering
/// (1.2, 1.9, 1.10) while the value prints (and serialises to JSON) as the text it was written with.
/// </summary>
internal static class OutputObjects
{
    private static readonly string[] VersionProperties = { "Version", "OldVersion", "PythonVersion", "CudaVersion" };

    /// <summary>Lists of package objects within an output object (a revision's Added, Removed …) wrapped likewise.</summary>
    private static readonly (string Property, string TypeName)[] NestedLists =
    {
        ("Added", "EnvTools.RevisionPackage"), ("Removed", "EnvTools.RevisionPackage"),
        ("Upgraded", "EnvTools.RevisionPackageChange"), ("Downgraded", "EnvTools.RevisionPackageChange"),
    };

    /// <summary>The output object of an engine value, typed as <paramref name="typeName"/>.</summary>
    internal static PSObject Of(object value, string typeName)
    {
        var o = PSObject.AsPSObject(value);
        o.TypeNames.Insert(0, typeName);
        foreach (string name in VersionProperties)
        {
            if (o.Properties[name] is { MemberType: PSMemberTypes.Property, Value: string text } &&
                Conda.Version.TryParse(text, out Conda.Version? version))
            {
                // an instance member shadows the adapted string property of the same name
                o.Properties.Add(new PSNoteProperty(name, version), preValidated: true);
            }
        }

        foreach ((string property, string nestedType) in NestedLists)
        {
            if (o.Properties[property] is { MemberType: PSMemberTypes.Property, Value: IEnumerable items and not string })
            {
                o.Properties.Add(new PSNoteProperty(property, items.Cast<object>().Select(i => Of(i, nestedType)).ToArray()), preValidated: true);
            }
        }

        return o;
    }

    /// <summary>A tree of string-keyed maps, lists and values as PSObjects with one note property per key.</summary>
    internal static object Tree(object value) => value switch
    {
        IReadOnlyDictionary<string, object> map => Note(map),
        string s => s,
        IEnumerable list => list.Cast<object>().Select(Tree).ToArray(),
        _ => value,
    };

    private static PSObject Note(IReadOnlyDictionary<string, object> map)
    {
        var o = new PSObject();
        foreach (KeyValuePair<string, object> e in map)
        {
            o.Properties.Add(new PSNoteProperty(e.Key, Tree(e.Value)));
        }

        return o;
    }
}
