using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using EnvTools.Config;
using EnvTools.Environments;

namespace EnvTools.Commands.Internal;

/// <summary>Completes the names of the known environments (the folders of the envs dirs and the named ones in environments.txt).</summary>
public sealed class EnvironmentNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<EnvironmentLocation> known;
        try
        {
            known = new EnvironmentLocator(Settings.Load(null, null, ConfigEnvironment.FromProcess())).List();
        }
        catch (Exception ex) when (ex is EnvToolsException or IOException or UnauthorizedAccessException)
        {
            return Array.Empty<CompletionResult>();
        }

        string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return known
            .Where(e => e.Name is not null && e.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(e => e.Name!)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.OrdinalIgnoreCase)
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n))
            .ToArray();
    }
}
