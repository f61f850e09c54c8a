using System.Text.RegularExpressions;

namespace EnvTools.Config;

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

    [GeneratedRegex(@"(?<=://)(?<user>[^/@:\s]*)(?<pw>:[^/@\s]*)?@")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"(?<=://[^\s]*)/t/(?!<TOKEN>)[^/\s]+")]
    private static partial Regex Token();
}
