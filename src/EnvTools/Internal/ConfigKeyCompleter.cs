using System.Management.Automation;
using EnvTools.Config;

namespace EnvTools.Commands;

/// <summary>Completes configuration key names.</summary>
public sealed class ConfigKeyCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters) =>
        Settings.KnownKeys.Union(CondaKeys.Names).Order(StringComparer.Ordinal).Where(k => k.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            .Select(k => new CompletionResult(k, k, CompletionResultType.ParameterValue, k));
}
