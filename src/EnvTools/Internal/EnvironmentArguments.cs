using System.Management.Automation;
using EnvTools.Environments;

namespace EnvTools.Commands.Internal;

/// <summary>The parts of environment handling that the environment cmdlets share.</summary>
internal static class EnvironmentArguments
{
    /// <summary>A locator over the configured envs dirs, environments.txt and CONDA_PREFIX, read now.</summary>
    internal static EnvironmentLocator Locator(PSCmdlet cmdlet) => new(ChannelArguments.LoadSettings(cmdlet));

    /// <summary>
    /// The prefix a command works on: -Name/-Env (a name or a path), else -Prefix (a PowerShell path), else the
    /// active environment.
    /// </summary>
    internal static string ResolveTarget(PSCmdlet cmdlet, EnvironmentLocator locator, string? name, string? prefix) =>
        locator.ResolveTarget(name, string.IsNullOrEmpty(prefix) ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(prefix));

    /// <summary>The output object of an engine value, typed as <paramref name="typeName"/> for the format views.</summary>
    internal static PSObject ToOutput(object value, string typeName) => OutputObjects.Of(value, typeName);
}
