using System.Globalization;
using System.Text;

namespace EnvTools.Conda;

/// <summary>
/// One sub-component of a parsed conda version: a number, conda's <c>post</c> (+infinity), or a
/// lower-case string (<c>dev</c> is stored as <c>DEV</c> so that it sorts before every other string,
/// exactly as conda does). <c>default</c> is the number 0, conda's fill value.
/// </summary>
/// <remarks>
/// Encoding (16 bytes, no boxing): <see cref="Str"/> null means a number <see cref="Num"/> below
/// 10^18, or <c>post</c> when <see cref="Num"/> is <see cref="PostValue"/>; <see cref="Str"/> set and
/// <see cref="Num"/> equal to <see cref="BigMarker"/> is a number of 19 or more significant digits,
/// kept as its digits; otherwise <see cref="Str"/> is a string sub-component.
/// </remarks>
internal readonly struct VersionAtom
{
    internal const long PostValue = long.MaxValue;
    internal const long BigMarker = -1;
    internal const int MaxSmallDigits = 18;

    internal readonly long Num;
    internal readonly string? Str;

    private VersionAtom(long num, string? str)
    {
        Num = num;
        Str = str;
    }

    internal static readonly VersionAtom Zero;
    internal static readonly VersionAtom Post = new(PostValue, null);

    internal static VersionAtom Number(long value) => new(value, null);

    internal static VersionAtom BigNumber(string significantDigits) => new(BigMarker, significantDigits);

    internal static VersionAtom Text(string value) => new(0, value);

    internal bool IsString => Str is not null && Num != BigMarker;

    internal bool IsZero => Str is null && Num == 0;

    /// <summary>0: ordinary number, 1: big number, 2: post (infinity). Only for non-strings.</summary>
    private int NumericRank => Str is null ? (Num == PostValue ? 2 : 0) : 1;

    /// <summary>conda's ordering of two sub-components: strings &lt; numbers, strings ordinal, numbers numeric, post = +inf.</summary>
    internal static int Compare(in VersionAtom a, in VersionAtom b)
    {
        bool aStr = a.IsString, bStr = b.IsString;
        if (aStr)
        {
            if (bStr)
            {
                int c = string.CompareOrdinal(a.Str, b.Str);
                return c < 0 ? -1 : (c > 0 ? 1 : 0);
            }

            return -1;
        }

        if (bStr)
        {
            return 1;
        }

        int ra = a.NumericRank, rb = b.NumericRank;
        if (ra != rb)
        {
            return ra < rb ? -1 : 1;
        }

        switch (ra)
        {
            case 0:
                return a.Num.CompareTo(b.Num);
            case 2:
                return 0;
            default:
                if (a.Str!.Length != b.Str!.Length)
                {
                    return a.Str.Length < b.Str.Length ? -1 : 1;
                }

                int c = string.CompareOrdinal(a.Str, b.Str);
                return c < 0 ? -1 : (c > 0 ? 1 : 0);
        }
    }

    internal int Hash()
    {
        if (Str is null)
        {
            return Num.GetHashCode();
        }

        int h = string.GetHashCode(Str, StringComparison.Ordinal);
        return Num == BigMarker ? ~h : h;
    }

    /// <summary>Appends the atom as Python's repr would print conda's value (<c>1</c>, <c>inf</c>, <c>'a'</c>).</summary>
    internal void AppendPython(StringBuilder sb)
    {
        if (Str is null)
        {
            sb.Append(Num == PostValue ? "inf" : Num.ToString(CultureInfo.InvariantCulture));
        }
        else if (Num == BigMarker)
        {
            sb.Append(Str);
        }
        else
        {
            sb.Append('\'').Append(Str).Append('\'');
        }
    }
}
