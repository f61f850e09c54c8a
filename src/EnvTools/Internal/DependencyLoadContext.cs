using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace EnvTools.Commands.Internal;

/// <summary>
/// Loads the module's third-party libraries (ZstdSharp, SharpCompress, YamlDotNet, Polly,
/// Microsoft.Extensions.*) from the module's <c>Dependencies</c> folder into an isolated
/// <see cref="AssemblyLoadContext"/>, so that they never clash with another module's copies of the
/// same libraries and never leak into the default context.
/// </summary>
/// <remarks>
/// The module assembly and the engine (EnvTools.Core) live in the default context so that PowerShell's
/// type resolution sees the engine's public types (<c>[EnvTools.Conda.Version]::Parse('1.0')</c>);
/// PowerShell does not resolve type literals from custom load contexts. When the engine binds a
/// library the default context cannot find, the <see cref="AssemblyLoadContext.Resolving"/> hook below
/// hands it the copy from this context.
/// </remarks>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private static readonly string ModuleDirectory =
        Path.GetDirectoryName(typeof(DependencyLoadContext).Assembly.Location) ?? AppContext.BaseDirectory;

    private static readonly string DependencyDirectory = Path.Combine(ModuleDirectory, "Dependencies");

    internal static readonly DependencyLoadContext Instance = new();

    private DependencyLoadContext() : base("EnvTools.Dependencies", isCollectible: false) { }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string candidate = Path.Combine(DependencyDirectory, assemblyName.Name + ".dll");
        // Anything shipped in Dependencies/ is ours to isolate; the framework and PowerShell itself are shared.
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }

    private static readonly object Gate = new();
    private static Func<AssemblyLoadContext, AssemblyName, Assembly?>? _hook;

    /// <summary>Whether the hook is in place (while the module is imported).</summary>
    internal static bool IsRegistered
    {
        get
        {
            lock (Gate)
            {
                return _hook is not null;
            }
        }
    }

    /// <summary>Hooks the default context before any type of this module is used (and again on a re-import).</summary>
#pragma warning disable CA2255 // a binary module must hook resolution before PowerShell reflects over its cmdlets
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        if (!Directory.Exists(DependencyDirectory))
        {
            return; // running from a build folder: everything sits side by side
        }

        lock (Gate)
        {
            if (_hook is not null)
            {
                return;
            }

            _hook = static (context, name) =>
            {
                if (string.Equals(name.Name, "EnvTools.Core", StringComparison.Ordinal))
                {
                    string core = Path.Combine(ModuleDirectory, "EnvTools.Core.dll");
                    return File.Exists(core) ? context.LoadFromAssemblyPath(core) : null;
                }

                return File.Exists(Path.Combine(DependencyDirectory, name.Name + ".dll"))
                    ? Instance.LoadFromAssemblyName(name)
                    : null;
            };
            Default.Resolving += _hook;
        }
    }

    /// <summary>Takes the hook out when the module is removed (Remove-Module); an import puts it back.</summary>
    internal static void Unregister()
    {
        lock (Gate)
        {
            if (_hook is not null)
            {
                Default.Resolving -= _hook;
                _hook = null;
            }
        }
    }
}
