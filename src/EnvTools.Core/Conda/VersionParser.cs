using System.Buffers;

namespace EnvTools.Conda;

/// <summary>
/// Splits a normalised conda version (lower case, only <c>[a-z0-9*.+!_]</c>) into conda's component
/// lists: the epoch, the version segments (split at '.' and '_', a trailing '_' kept on the last
/// segment), and the local segments after '+'. Each segment is split into runs of digits, of '*' and
/// of other characters; a segment not starting with a digit gets a leading 0.
/// </summary>
internal static class VersionParser
{
    internal static bool Parse(string s, out VersionAtom[]? atoms, out int[]? ends, out int versionSegments, out string? reason, out int position)
    {
        atoms = null;
        ends = null;
        versionSegments = 0;

        // Epoch.
        int bang = s.IndexOf('!');
        int restStart = 0;
        if (bang >= 0)
        {
            int second = s.IndexOf('!', bang + 1);
            if (second >= 0)
            {
                reason = "duplicated epoch separator '!'";
                position = second;
                return false;
            }

            if (bang == 0 || !AllDigits(s, 0, bang))
            {
                reason = "epoch must be an integer";
                position = 0;
                return false;
            }

            restStart = bang + 1;
        }

        // Local version.
        int plus = s.IndexOf('+', restStart);
        int mainEnd = s.Length;
        if (plus >= 0)
        {
            int second = s.IndexOf('+', plus + 1);
            if (second >= 0)
            {
                reason = "duplicated local version separator '+'";
                position = second;
                return false;
            }

            mainEnd = plus;
        }

        if (mainEnd == restStart)
        {
            reason = plus >= 0 ? "missing version before local version separator '+'" : "missing version after epoch separator '!'";
            position = restStart;
            return false;
        }

        VersionAtom[] atomBuf = ArrayPool<VersionAtom>.Shared.Rent(2 * s.Length + 2);
        int[] endBuf = ArrayPool<int>.Shared.Rent(s.Length + 3);
        try
        {
            int na = 0, ns = 0;

            // Epoch segment.
            if (bang >= 0)
            {
                atomBuf[na++] = ParseNumber(s, 0, bang);
            }
            else
            {
                atomBuf[na++] = VersionAtom.Zero;
            }

            endBuf[ns++] = na;

            // Version segments; a trailing '_' is not a separator but part of the last segment.
            bool trailingUnderscore = s[mainEnd - 1] == '_';
            int bodyEnd = trailingUnderscore ? mainEnd - 1 : mainEnd;
            int segStart = restStart;
            for (int i = restStart; i <= bodyEnd; i++)
            {
                if (i == bodyEnd || s[i] == '.' || s[i] == '_')
                {
                    bool isLast = i == bodyEnd;
                    if (!AddSegment(s, segStart, i, isLast && trailingUnderscore, atomBuf, ref na, out reason))
                    {
                        position = segStart;
                        return false;
                    }

                    endBuf[ns++] = na;
                    segStart = i + 1;
                }
            }

            versionSegments = ns;

            // Local segments.
            if (plus >= 0)
            {
                segStart = plus + 1;
                for (int i = plus + 1; i <= s.Length; i++)
                {
                    if (i == s.Length || s[i] == '.' || s[i] == '_')
                    {
                        if (!AddSegment(s, segStart, i, false, atomBuf, ref na, out reason))
                        {
                            position = segStart;
                            return false;
                        }

                        endBuf[ns++] = na;
                        segStart = i + 1;
                    }
                }
            }

            atoms = atomBuf.AsSpan(0, na).ToArray();
            ends = endBuf.AsSpan(0, ns).ToArray();
            reason = null;
            position = -1;
            return true;
        }
        finally
        {
            ArrayPool<VersionAtom>.Shared.Return(atomBuf, clearArray: true);
            ArrayPool<int>.Shared.Return(endBuf);
        }
    }

    private static bool AllDigits(string s, int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    // Adds the atoms of s[start, end) (+ an appended '_' when extraUnderscore).
    private static bool AddSegment(string s, int start, int end, bool extraUnderscore, VersionAtom[] buf, ref int n, out string? reason)
    {
        if (start == end && !extraUnderscore)
        {
            reason = "empty version component";
            return false;
        }

        reason = null;
        if (start == end || !char.IsAsciiDigit(s[start]))
        {
            buf[n++] = VersionAtom.Zero;
        }

        int i = start;
        while (i < end)
        {
            char c = s[i];
            int j = i + 1;
            if (char.IsAsciiDigit(c))
            {
                while (j < end && char.IsAsciiDigit(s[j]))
                {
                    j++;
                }

                buf[n++] = ParseNumber(s, i, j);
            }
            else if (c == '*')
            {
                while (j < end && s[j] == '*')
                {
                    j++;
                }

                buf[n++] = VersionAtom.Text(Intern(s, i, j));
            }
            else
            {
                while (j < end && !char.IsAsciiDigit(s[j]) && s[j] != '*')
                {
                    j++;
                }

                if (j == end && extraUnderscore)
                {
                    // The trailing '_' joins the last run of letters: '1a_' -> [1, 'a_'].
                    buf[n++] = VersionAtom.Text(string.Concat(s.AsSpan(i, j - i), "_"));
                    return true;
                }

                buf[n++] = TextAtom(s, i, j);
            }

            i = j;
        }

        if (extraUnderscore)
        {
            buf[n++] = VersionAtom.Text("_");
        }

        return true;
    }

    private static VersionAtom TextAtom(string s, int start, int end)
    {
        ReadOnlySpan<char> run = s.AsSpan(start, end - start);
        if (run.SequenceEqual("post"))
        {
            return VersionAtom.Post;
        }

        if (run.SequenceEqual("dev"))
        {
            return VersionAtom.Text("DEV");
        }

        return VersionAtom.Text(Intern(s, start, end));
    }

    private static string Intern(string s, int start, int end)
    {
        ReadOnlySpan<char> run = s.AsSpan(start, end - start);
        return run switch
        {
            "a" => "a",
            "b" => "b",
            "c" => "c",
            "rc" => "rc",
            "alpha" => "alpha",
            "beta" => "beta",
            "g" => "g",
            "h" => "h",
            "p" => "p",
            "r" => "r",
            "_" => "_",
            "*" => "*",
            _ => run.ToString(),
        };
    }

    private static VersionAtom ParseNumber(string s, int start, int end)
    {
        while (start < end - 1 && s[start] == '0')
        {
            start++;
        }

        int digits = end - start;
        if (digits > VersionAtom.MaxSmallDigits)
        {
            return VersionAtom.BigNumber(s.Substring(start, digits));
        }

        long v = 0;
        for (int i = start; i < end; i++)
        {
            v = (v * 10) + (s[i] - '0');
        }

        return VersionAtom.Number(v);
    }
}
