using System.Management.Automation;

namespace EnvTools.Commands.Internal;

/// <summary>
/// Runs when PowerShell imports the module: loads the engine so that its public types
/// (<c>[EnvTools.Conda.Version]::Parse('1.0')</c>) are usable right after <c>Import-Module</c>.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    /// <inheritdoc />
    public void OnImport()
    {
        _ = typeof(EnvTools.Conda.Version).Assembly;
    }

    /// <inheritdoc />
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
    }
}
