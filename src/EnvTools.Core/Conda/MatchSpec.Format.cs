using System.Buffers;
using System.Text;

namespace EnvTools.Conda;

// The string forms: str(MatchSpec), conda_build_form(), conda_env_form() (moved as is out of MatchSpec.cs).
public sealed partial class MatchSpec
{
    private static readonly SearchValues<char> VersionOperators = SearchValues.Create("><$^|,");
    private static readonly SearchValues<char> BuildQuoted = SearchValues.Create("><$^|, '\"[]=");
    private static readonly SearchValues<char> BracketQuoted = SearchValues.Create(", =[]'\"");

    /// <summary>conda's <c>conda_build_form()</c>: <c>name [version [build]]</c> with spaces (the exact name is required).</summary>
    public string CondaBuildForm()
    {
        string name = NameMatcher.ExactValue ?? throw new InvalidOperationException($"'{this}' has no exact package name");
        var sb = new StringBuilder(name);
        if (Build is not null)
        {
            sb.Append(' ').Append(VersionText ?? "*").Append(' ').Append(Build.Pattern);
        }
        else if (VersionText is not null)
        {
            sb.Append(' ').Append(VersionText);
        }

        return sb.ToString();
    }

    /// <summary>conda's <c>conda_env_form()</c>: the canonical form without channel and with <c>=</c> for <c>==</c> (environment.yml export).</summary>
    public string CondaEnvForm()
    {
        string s = ToString();
        int sep = s.IndexOf("::", StringComparison.Ordinal);
        if (sep >= 0)
        {
            s = s[(sep + 2)..];
        }

        int eq = s.IndexOf("==", StringComparison.Ordinal);
        return eq >= 0 ? s.Remove(eq, 1) : s;
    }


    /// <summary>The version text conda's <c>__str__</c> sees (<c>str(VersionSpec)</c>); groups keep their parentheses.</summary>
    private string? DisplayVersion =>
        VersionText is null || Version is null ? null : VersionText.Contains('(') ? VersionText : Version.ToString();

    private string Format()
    {
        var builder = new StringBuilder();
        var brackets = new List<string>();

        bool channelExact = Channel is not null && !Channel.IsPattern;
        if (channelExact)
        {
            builder.Append(Channel!.Value);
        }
        else if (Channel is not null && !Channel.IsMatchAll)
        {
            brackets.Add(KeyValue("channel", Channel.Value));
        }

        if (Subdir is not null)
        {
            if (channelExact)
            {
                builder.Append('/').Append(Subdir);
            }
            else
            {
                brackets.Add(KeyValue("subdir", Subdir));
            }
        }

        if (builder.Length > 0)
        {
            builder.Append("::");
        }

        builder.Append(Name);

        bool versionExact = false;
        bool buildDone = false;
        string? version = DisplayVersion;
        if (version is not null && version != "*")
        {
            // conda's short forms ('==1.2', '=1.7' for 1.7.*, '!=1.3', '~=1.2'); each is used only where it reads
            // back as this version spec, else the version goes in brackets (e.g. '9*.*', a glob, or text with quotes)
            string? shortForm = null;
            if (version.AsSpan().IndexOfAny(VersionOperators) >= 0)
            {
            }
            else if (version.StartsWith("!=", StringComparison.Ordinal) || version.StartsWith("~=", StringComparison.Ordinal))
            {
                shortForm = Build is null ? version : null;
            }
            else if (version.EndsWith('*'))
            {
                shortForm = "=" + (version.EndsWith(".*", StringComparison.Ordinal) ? version[..^2] : version[..^1]);
            }
            else
            {
                shortForm = version.StartsWith("==", StringComparison.Ordinal) ? version : "==" + version;
                versionExact = true;
            }

            if (shortForm is not null && ShortFormReadsBack(shortForm))
            {
                builder.Append(shortForm);
            }
            else if (Build is not null && version.StartsWith('=') && ShortFormReadsBack(version + "=" + Build.Pattern, Build.Pattern))
            {
                // '==1.2,<3' keeps its '==' only next to a build ('name==1.2,<3=py_0'); in brackets it would be read as '1.2,<3'
                builder.Append(version).Append('=').Append(Build.Pattern);
                buildDone = true;
            }
            else
            {
                versionExact = false;
                brackets.Add(KeyValue("version", version, quote: true));
            }
        }

        if (Build is not null && !buildDone)
        {
            string build = Build.Pattern;
            if (build.AsSpan().IndexOfAny(BuildQuoted) >= 0)
            {
                brackets.Add(KeyValue("build", build, quote: true));
            }
            else if (build.Contains('*'))
            {
                brackets.Add($"build={build}");
            }
            else if (versionExact)
            {
                builder.Append('=').Append(build);
            }
            else
            {
                brackets.Add($"build={build}");
            }
        }

        if (BuildNumber is not null)
        {
            brackets.Add(KeyValue("build_number", BuildNumber.Text));
        }

        if (TrackFeatures is not null)
        {
            brackets.Add(KeyValue("track_features", string.Join(" ", TrackFeatures)));
        }

        if (Features is not null)
        {
            brackets.Add(KeyValue("features", string.Join(" ", Features)));
        }

        // a package file or URL is shown as conda shows it (channel/subdir::name==version=build); a url
        // given in brackets next to a channel stays, or the text would not read back to this spec
        if (Url is not null && (Channel is null || !FromPackageFile))
        {
            brackets.Add(KeyValue("url", Url));
        }

        if (Md5 is not null)
        {
            brackets.Add(KeyValue("md5", Md5));
        }

        if (Sha256 is not null)
        {
            brackets.Add(KeyValue("sha256", Sha256));
        }

        if (License is not null)
        {
            brackets.Add(KeyValue("license", License.Pattern));
        }

        if (LicenseFamily is not null)
        {
            brackets.Add(KeyValue("license_family", LicenseFamily.Pattern));
        }

        if (FileName is not null && (Url is null || !UrlNamesFile))
        {
            brackets.Add(KeyValue("fn", FileName));
        }

        if (When is not null)
        {
            brackets.Add(KeyValue("when", When));
        }

        if (Extras is not null)
        {
            brackets.Add("extras=" + ListValue(Extras));
        }

        if (Flags is not null)
        {
            brackets.Add("flags=" + ListValue(Flags));
        }

        if (brackets.Count > 0)
        {
            builder.Append('[').AppendJoin(',', brackets).Append(']');
        }

        return builder.ToString();
    }

    private static string KeyValue(string key, string value, bool quote = false)
    {
        if (!quote && value.AsSpan().IndexOfAny(BracketQuoted) < 0 && value.Length > 0)
        {
            return $"{key}={value}";
        }

        return value.Contains('\'') ? $"{key}=\"{value}\"" : $"{key}='{value}'";
    }

    /// <summary>Whether <c>name</c> followed by the short version text (e.g. <c>=1.7</c>, no build) reads back as this spec's version.</summary>
    private bool ShortFormReadsBack(string text, string? build = null)
    {
        ParsedMatchSpec? p = MatchSpecParser.Parse("x" + text, out _);
        return p is not null && p.Fields.Count == (build is null ? 2 : 3) && p.Fields.TryGetValue("version", out string? v)
            && VersionSpec.TryParse(v, out VersionSpec? back) && back == Version
            && (build is null || (p.Fields.TryGetValue("build", out string? b) && b == build));
    }

    private static string ListValue(IReadOnlyList<string> items) =>
        "[" + string.Join(", ", items.Order(StringComparer.Ordinal).Select(i => i.Contains('\'') ? $"\"{i}\"" : $"'{i}'")) + "]";
}
