using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using EnvTools.Conda;

namespace EnvTools.Commands.Internal;

/// <summary>Completes conda platform names (subdirs).</summary>
public sealed class PlatformCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Platform.All.Select(p => p.Name)
            .Where(n => n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
}
