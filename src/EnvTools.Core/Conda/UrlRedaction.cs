using System.Text.RegularExpressions;

namespace EnvTools.Conda;

/// <summary>
/// Hides secrets in URLs before they are shown, logged or exported: an anaconda.org-style token
/// (<c>/t/abc123/</c> → <c>/t/&lt;TOKEN&gt;/</c>) and basic-auth credentials (<c>user:pw@</c> → <c>user:***@</c>; a user name alone, which may be a token, → <c>***@</c>).
/// </summary>
public static partial class UrlRedaction
{
    /// <summary>The text with every URL's token and password masked; text without <c>://</c> is returned as is.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            return text;
        }

        string s = UserInfo().Replace(text, m => m.Groups["pw"].Success ? m.Groups["user"].Value + ":***@" : "***@");
        return Token().Replace(s, "/t/<TOKEN>");
    }

    /// <summary>
    /// A command line with every token and password masked, also in URLs built from variables (a <c>/t/&lt;token&gt;</c>
    /// segment anywhere), as conda-meta/history records it.
    /// </summary>
    public static string RedactCommandLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return AnyToken().Replace(Redact(text), "/t/<TOKEN>");
    }

    [GeneratedRegex(@"/t/(?!<TOKEN>)[^/\s""']+(?=/)")]
    private static partial Regex AnyToken();

    [GeneratedRegex(@"(?<=://)(?<user>[^/@:\s]*)(?<pw>:[^/@\s]*)?@")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"(?<=://[^\s]*)/t/(?!<TOKEN>)[^/\s]+")]
    private static partial Regex Token();
}
