using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using EnvTools.Config;
using EnvTools.Environments;

namespace EnvTools.Commands.Internal;

/// <summary>Completes environment names from the envs dirs and environments.txt.</summary>
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
        catch (EnvToolsException)
        {
            yield break;
        }

        foreach (EnvironmentLocation e in known)
        {
            if (e.Name is { } n && n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(n, n, CompletionResultType.ParameterValue, e.Prefix);
            }
        }
    }
}
