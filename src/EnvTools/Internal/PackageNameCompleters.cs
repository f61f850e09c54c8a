using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using EnvTools.Config;
using EnvTools.Environments;
using EnvTools.Fetch;

namespace EnvTools.Commands.Internal;

/// <summary>Completes package names from the package cache (what can be installed without a download).</summary>
public sealed class CachedPackageNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        PackageNameCompletion.Complete(wordToComplete, () =>
            PackageCache.FromSettings(Settings.Load()).List()
                .Where(e => e.IsComplete && e.Record is not null)
                .Select(e => (e.Record!.Name, $"{e.Record.Name} {e.Record.Version} {e.Record.Build} (cached)")));
}

/// <summary>Completes the names of the packages installed in the environment the command targets (-Name, -Prefix, or the
/// active one).</summary>
public sealed class InstalledPackageNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        PackageNameCompletion.Complete(wordToComplete, () =>
            PrefixState.ReadInstalled(PackageNameCompletion.TargetPrefix(fakeBoundParameters)).Select(r => (r.Name, $"{r.Name} {r.Version} {r.Build}")));
}

internal static class PackageNameCompletion
{
    /// <summary>The environment the command being completed targets (-Name, -Prefix, else the active one), found as the
    /// cmdlet will find it; an <see cref="EnvToolsException"/> when there is none (the completion then offers nothing).</summary>
    internal static string TargetPrefix(IDictionary fakeBoundParameters)
    {
        string? prefix = fakeBoundParameters["Prefix"] as string;
        return new EnvironmentLocator(Settings.Load()).ResolveTarget(
            fakeBoundParameters["Name"] as string, string.IsNullOrEmpty(prefix) ? null : Path.GetFullPath(prefix));
    }

    internal static IEnumerable<CompletionResult> Complete(string? wordToComplete, Func<IEnumerable<(string Name, string Tip)>> source)
    {
        string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        try
        {
            return source()
                .Where(p => p.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                .GroupBy(p => p.Name, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
                .Select(g => new CompletionResult(g.Key, g.Key, CompletionResultType.ParameterValue, g.First().Tip))
                .ToArray();
        }
        catch (Exception ex) when (ex is EnvToolsException or IOException or UnauthorizedAccessException)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}
