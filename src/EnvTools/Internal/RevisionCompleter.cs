using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using EnvTools.Environments;

namespace EnvTools.Commands.Internal;

/// <summary>Completes -Revision with the revision numbers of the environment named by -Name/-Prefix (else the active
/// one), newest first, each with its date and command as the tooltip.</summary>
public sealed class RevisionCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            string target = PackageNameCompletion.TargetPrefix(fakeBoundParameters);
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return EnvironmentRevision.Read(target)
                .Reverse()
                .Select(r => (r, text: r.Revision.ToString(CultureInfo.InvariantCulture)))
                .Where(x => x.text.StartsWith(word, StringComparison.Ordinal))
                .Select(x => new CompletionResult(x.text, $"{x.text}  {x.r.Date:yyyy-MM-dd HH:mm:ss}", CompletionResultType.ParameterValue,
                    $"{x.r.Date:yyyy-MM-dd HH:mm:ss}  {x.r.Command}"))
                .ToArray();
        }
        catch (Exception ex) when (ex is EnvToolsException or IOException or UnauthorizedAccessException)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}
