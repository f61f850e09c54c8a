using System.Collections;
using System.Management.Automation;
using System.Text;

namespace EnvTools.Commands.Internal;

/// <summary>
/// The command line a change records in <c>conda-meta/history</c> (<c># cmd:</c>): the cmdlet and the parameters bound
/// to it, with their values as they were bound — never the rest of the input line (which may hold other statements and
/// secrets). Common parameters are left out; URLs are written with their tokens and passwords masked.
/// </summary>
internal static class InvocationText
{
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
        "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm",
    };

    internal static string Of(PSCmdlet cmdlet)
    {
        var sb = new StringBuilder(cmdlet.MyInvocation.MyCommand?.Name ?? cmdlet.MyInvocation.InvocationName);
        foreach (KeyValuePair<string, object> p in cmdlet.MyInvocation.BoundParameters)
        {
            if (Common.Contains(p.Key))
            {
                continue;
            }

            object? value = p.Value is PSObject pso ? pso.BaseObject : p.Value;
            switch (value)
            {
                case SwitchParameter s:
                    if (s.IsPresent)
                    {
                        sb.Append(" -").Append(p.Key);
                    }

                    break;
                case bool b:
                    sb.Append(" -").Append(p.Key).Append(':').Append(b ? "$true" : "$false");
                    break;
                case string text:
                    sb.Append(" -").Append(p.Key).Append(' ').Append(Quote(text));
                    break;
                case IEnumerable items:
                    sb.Append(" -").Append(p.Key).Append(' ').Append(string.Join(", ", items.Cast<object?>().Select(i => Quote(Convert.ToString(i, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty))));
                    break;
                default:
                    sb.Append(" -").Append(p.Key).Append(' ').Append(Quote(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty));
                    break;
            }
        }

        return Conda.UrlRedaction.RedactCommandLine(sb.ToString());
    }

    /// <summary>A value as PowerShell would read it back: bare when it is a plain word, else single-quoted.</summary>
    private static string Quote(string text)
    {
        string oneLine = text.ReplaceLineEndings(" ");
        bool bare = oneLine.Length > 0 && oneLine.All(c => char.IsLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or ':' or '=' or '*' or '+' or '!' or '~')
            && !oneLine.StartsWith('-');
        return bare ? oneLine : "'" + oneLine.Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}
