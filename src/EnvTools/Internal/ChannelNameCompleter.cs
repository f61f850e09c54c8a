using System.Buffers;
using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using EnvTools.Config;
using EnvTools.Environments;

namespace EnvTools.Commands.Internal;

/// <summary>
/// Completes -Channel: the configured channels, <c>defaults</c>, the names of custom_channels and custom_multichannels,
/// then the channels used lately (repodata in the cache, packages in the known environments), in that order.
/// Channels under the channel_alias complete as their name (<c>conda-forge</c>).
/// </summary>
public sealed class ChannelNameCompleter : IArgumentCompleter
{
    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(" '\"$`,;(){}@#");

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var candidates = new List<(string Channel, string Tip)>();
        try
        {
            Settings settings = Settings.Load(null, null, ConfigEnvironment.FromProcess());
            string alias = settings.ChannelAlias.TrimEnd('/') + "/";
            string Short(string c) => c.StartsWith(alias, StringComparison.Ordinal) ? c[alias.Length..] : c;
            candidates.AddRange(settings.Channels.Select(c => (c, "configured channel")));
            candidates.Add(("defaults", "defaults: " + string.Join(", ", settings.DefaultChannels)));
            candidates.AddRange(settings.CustomChannels.Keys.Select(k => (k, $"custom_channels: {settings.CustomChannels[k]}/{k}")));
            candidates.AddRange(settings.CustomMultichannels.Keys.Select(k => (k, "custom_multichannels: " + string.Join(", ", settings.CustomMultichannels[k]))));
            candidates.AddRange(RecentChannels.List(settings).Select(c => (Short(c), "recently used: " + c)));
        }
        catch (Exception ex) when (ex is EnvToolsException or IOException or UnauthorizedAccessException)
        {
            return Array.Empty<CompletionResult>();
        }

        return candidates
            .Where(c => c.Channel.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .DistinctBy(c => c.Channel, StringComparer.Ordinal)
            .Select(c => new CompletionResult(Quote(c.Channel), c.Channel, CompletionResultType.ParameterValue, c.Tip))
            .ToArray();
    }

    private static string Quote(string s) => s.AsSpan().IndexOfAny(NeedsQuotes) >= 0
        ? "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'"
        : s;
}
