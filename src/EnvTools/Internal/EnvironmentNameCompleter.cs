using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using EnvTools.Config;
using EnvTools.Environments;

namespace EnvTools.Commands.Internal;

/// <summary>Completes the names of the known environments (envs dirs and environments.txt).</summary>
public sealed class EnvironmentNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<EnvironmentLocation> environments;
        try
        {
            environments = new EnvironmentLocator(Settings.Load()).List();
        }
        catch (EnvToolsException)
        {
            yield break;
        }

        foreach (EnvironmentLocation e in environments)
        {
            if (e.Name is { } name && name.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, e.Prefix);
            }
        }
    }
}
