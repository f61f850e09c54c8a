using System.Text;

namespace EnvTools.Config;

/// <summary>conda's value expansion: <c>os.path.expandvars</c> (<c>$VAR</c>, <c>${VAR}</c>; unknown names kept) and <c>expanduser</c>.</summary>
internal static class ValueExpansion
{
    /// <summary>Replaces <c>$NAME</c> and <c>${NAME}</c> with the variable's value; a variable that is not set is left as written.</summary>
    public static string ExpandVariables(string value, IConfigEnvironment env)
    {
        if (value.IndexOf('$') < 0)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length);
        int i = 0;
        while (i < value.Length)
        {
            char c = value[i];
            if (c != '$' || i + 1 >= value.Length)
            {
                sb.Append(c);
                i++;
                continue;
            }

            int start, end, next;
            if (value[i + 1] == '{')
            {
                int close = value.IndexOf('}', i + 2);
                if (close < 0)
                {
                    sb.Append(c);
                    i++;
                    continue;
                }

                start = i + 2;
                end = close;
                next = close + 1;
            }
            else
            {
                start = i + 1;
                end = start;
                while (end < value.Length && (char.IsAsciiLetterOrDigit(value[end]) || value[end] == '_'))
                {
                    end++;
                }

                next = end;
            }

            string name = value[start..end];
            string? replacement = name.Length > 0 ? env.GetEnvironmentVariable(name) : null;
            sb.Append(replacement ?? value[i..next]);
            i = next;
        }

        return sb.ToString();
    }

    /// <summary><c>~</c> or <c>~/…</c> at the start becomes the home folder.</summary>
    public static string ExpandUser(string path, IConfigEnvironment env)
    {
        if (path == "~")
        {
            return env.HomeDirectory;
        }

        if (path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
        {
            return Path.Combine(env.HomeDirectory, path[2..]);
        }

        return path;
    }

    /// <summary>conda's <c>expand</c> for a path: variables, <c>~</c>, then absolute against the working directory.</summary>
    public static string ExpandPath(string path, IConfigEnvironment env) =>
        Path.GetFullPath(ExpandUser(ExpandVariables(path, env), env), env.WorkingDirectory);
}
