using System.Management.Automation;

namespace EnvTools.Commands.Internal;

/// <summary>
/// Runs when PowerShell imports the module: loads the engine so that its public types
/// (<c>[EnvTools.Conda.Version]::Parse('1.0')</c>) are usable right after <c>Import-Module</c>; unhooks the dependency
/// resolution on <c>Remove-Module</c>.
/// </summary>
public sealed class EnvToolsModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    /// <inheritdoc />
    public void OnImport()
    {
        DependencyLoadContext.Register(); // again after a Remove-Module (the module initializer runs once per process)
        _ = typeof(EnvTools.Conda.Version).Assembly;
    }

    /// <summary>Takes the module's assembly-resolution hook out of the default load context.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo) => DependencyLoadContext.Unregister();
}
