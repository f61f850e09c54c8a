namespace EnvTools.Conda;

/// <summary>Which rules <see cref="ChannelPath.LooksLikePath"/> applies.</summary>
internal enum ChannelPathRules
{
    /// <summary>
    /// The channel part of a match spec (<c>./chan::numpy</c>, a history or lock file's spec): syntax only, close to
    /// conda's <c>is_path</c>, so that a spec means the same on every machine and never touches the file system.
    /// A path starts with <c>/</c>, <c>./</c>, <c>../</c>, <c>~</c> or <c>\</c>, is <c>.</c>, or is a drive path
    /// (<c>C:</c>, <c>C:\…</c>, <c>C:/…</c>).
    /// </summary>
    Spec,

    /// <summary>
    /// A channel the user names directly (<c>-Channel</c>, <c>channels:</c> in .condarc or environment.yml): the
    /// <see cref="Spec"/> starts and <c>..</c>, plus any text holding a <c>\</c> or with <c>:</c> second (a Windows
    /// path typed on the command line), plus a name that is an existing directory under the working directory
    /// (so <c>-Channel mychannel</c> next to a local channel folder uses it, as mamba does). These are looser than
    /// <see cref="Spec"/> because a wrongly taken path there still fails loudly when resolved, and the directory probe
    /// is right for a command run in that directory but would make a stored spec's meaning depend on where it is read.
    /// </summary>
    Argument,
}

/// <summary>Whether a channel text is a local path rather than a name or URL, and drive-path detection.</summary>
internal static class ChannelPath
{
    /// <summary>Whether <paramref name="s"/> (trimmed, not a URL) names a local path under <paramref name="rules"/>.</summary>
    /// <param name="s">The channel text.</param>
    /// <param name="rules">The context's rules (see <see cref="ChannelPathRules"/>).</param>
    /// <param name="workingDirectory">For <see cref="ChannelPathRules.Argument"/>: where a relative name is probed as a directory (the current directory by default).</param>
    public static bool LooksLikePath(string s, ChannelPathRules rules, string? workingDirectory = null)
    {
        if (s.StartsWith('/') || s.StartsWith("./", StringComparison.Ordinal) || s.StartsWith("../", StringComparison.Ordinal)
            || s.StartsWith('~') || s.StartsWith('\\') || s == ".")
        {
            return true;
        }

        if (rules == ChannelPathRules.Spec)
        {
            return IsDrivePath(s);
        }

        return s == ".." || s.Contains('\\', StringComparison.Ordinal) || (s.Length > 1 && s[1] == ':')
            || Directory.Exists(Path.Combine(workingDirectory ?? Directory.GetCurrentDirectory(), s));
    }

    /// <summary>Whether <paramref name="s"/> is a Windows drive path: a letter and <c>:</c>, then nothing or a separator.</summary>
    /// <param name="s">The text.</param>
    public static bool IsDrivePath(string s) =>
        s.Length >= 2 && char.IsAsciiLetter(s[0]) && s[1] == ':' && (s.Length == 2 || s[2] == '\\' || s[2] == '/');
}
