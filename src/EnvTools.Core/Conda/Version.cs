using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace EnvTools.Conda;

/// <summary>
/// A conda package version with conda's ordering (conda's <c>VersionOrder</c>, CEP-33): an optional
/// integer epoch (<c>1!</c>), dot/underscore separated components split into runs of digits and
/// letters, an optional local version after <c>+</c>; <c>dev</c> &lt; <c>_</c> &lt; letters &lt;
/// numbers &lt; <c>post</c>; comparison is case-insensitive and missing components count as 0, so
/// <c>1.0 == 1.0.0</c>.
/// </summary>
/// <remarks>Immutable and thread-safe. <see cref="Equals(Version?)"/>, <see cref="GetHashCode"/> and
/// <see cref="CompareTo(Version?)"/> agree.</remarks>
public sealed class Version : IComparable<Version>, IEquatable<Version>, IComparable
{
    private static readonly BoundedCache<string, Version?> Cache = new(65536, StringComparer.Ordinal);

    private readonly string _text;
    private readonly string _normalized;
    private readonly VersionAtom[] _atoms;

    // _ends[i] is the exclusive end (in _atoms) of segment i; segments [0, _versionSegments) are the
    // version (segment 0 is the epoch), the rest the local version.
    private readonly int[] _ends;
    private readonly int _versionSegments;
    private readonly int _hash;

    private Version(string text, string normalized, VersionAtom[] atoms, int[] ends, int versionSegments)
    {
        _text = text;
        _normalized = normalized;
        _atoms = atoms;
        _ends = ends;
        _versionSegments = versionSegments;
        _hash = ComputeHash();
    }

    /// <summary>The comparer of conda's version order (the same as <see cref="CompareTo(Version?)"/>).</summary>
    public static IComparer<Version> Comparer { get; } = System.Collections.Generic.Comparer<Version>.Default;

    /// <summary>The epoch (the integer before <c>!</c>), 0 when none is given; <see cref="int.MaxValue"/> when it does not fit.</summary>
    public int Epoch
    {
        get
        {
            VersionAtom e = _atoms[0];
            return e.Str is null && e.Num <= int.MaxValue ? (int)e.Num : int.MaxValue;
        }
    }

    /// <summary>The local version (the part after <c>+</c>, normalised as in <see cref="Normalized"/>), or null when there is none.</summary>
    public string? Local
    {
        get
        {
            int plus = _normalized.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? null : _normalized[(plus + 1)..];
        }
    }

    /// <summary>
    /// conda's normalised form (<c>str(VersionOrder(v))</c>): stripped, lower-cased, and with dashes
    /// turned into underscores when the text has no underscore.
    /// </summary>
    public string Normalized => _normalized;

    internal int VersionSegmentCount => _versionSegments;

    internal int LocalSegmentCount => _ends.Length - _versionSegments;

    /// <summary>Parses a conda version; throws <see cref="InvalidSpecException"/> with the reason and position when it is invalid.</summary>
    /// <param name="text">The version text, e.g. <c>1.2.3</c>, <c>1!2.0rc1+local.1</c>.</param>
    public static Version Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParseCore(text, out Version? version, out string? reason, out int position))
        {
            throw new InvalidSpecException(text, reason!, position);
        }

        return version!;
    }

    /// <summary>Parses a conda version without throwing; false (and null) when <paramref name="text"/> is null or invalid.</summary>
    /// <param name="text">The version text.</param>
    /// <param name="version">The parsed version, or null.</param>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Version? version)
    {
        if (text is null)
        {
            version = null;
            return false;
        }

        return TryParseCore(text, out version, out _, out _);
    }

    /// <summary>Parses through a bounded cache (repodata repeats the same version strings); null when invalid.</summary>
    internal static Version? ParseCached(string text)
    {
        if (Cache.TryGetValue(text, out Version? v))
        {
            return v;
        }

        _ = TryParseCore(text, out v, out _, out _); // an invalid text caches null
        Cache.Add(text, v);
        return v;
    }

    /// <summary>The version text as given, with surrounding whitespace removed (conda keeps the original string).</summary>
    public override string ToString() => _text;

    /// <summary>
    /// conda's <c>startswith</c>: true when this version matches <paramref name="prefix"/> up to the
    /// prefix's last sub-component, where a trailing string sub-component of the prefix only has to be a
    /// string prefix (<c>1.2.3rc1</c> starts with <c>1.2.3r</c>); the relation behind <c>=1.2</c> and <c>1.2.*</c>.
    /// </summary>
    /// <param name="prefix">The prefix version.</param>
    public bool StartsWith(Version prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        int t1From, t1To, t2From, t2To;
        if (prefix.LocalSegmentCount > 0)
        {
            if (CompareSegments(this, 0, _versionSegments, prefix, 0, prefix._versionSegments) != 0)
            {
                return false;
            }

            t1From = _versionSegments;
            t1To = _ends.Length;
            t2From = prefix._versionSegments;
            t2To = prefix._ends.Length;
        }
        else
        {
            t1From = 0;
            t1To = _versionSegments;
            t2From = 0;
            t2To = prefix._versionSegments;
        }

        int nt = t2To - t2From - 1;
        int t1Len = t1To - t1From;
        if (CompareSegments(this, t1From, t1From + Math.Min(nt, t1Len), prefix, t2From, t2From + nt) != 0)
        {
            return false;
        }

        int v1Start = 0, v1Len = 0;
        if (t1Len > nt)
        {
            (v1Start, v1Len) = SegmentSpan(t1From + nt);
        }

        (int v2Start, int v2Len) = prefix.SegmentSpan(t2From + nt);
        int na = v2Len - 1;
        if (CompareAtoms(_atoms, v1Start, Math.Min(na, v1Len), prefix._atoms, v2Start, na) != 0)
        {
            return false;
        }

        VersionAtom c1 = v1Len > na ? _atoms[v1Start + na] : VersionAtom.Zero;
        VersionAtom c2 = prefix._atoms[v2Start + na];
        if (c2.IsString)
        {
            return c1.IsString && c1.Str!.StartsWith(c2.Str!, StringComparison.Ordinal);
        }

        return VersionAtom.Compare(c1, c2) == 0;
    }

    /// <summary>
    /// conda's compatible-release relation <c>~=</c>: this version is at least <paramref name="bound"/> and
    /// starts with <paramref name="bound"/> without its last dot-separated part (<c>~=1.4.2</c> means
    /// <c>&gt;=1.4.2,=1.4</c>). Throws <see cref="InvalidSpecException"/> when the bound has no dot.
    /// </summary>
    /// <param name="bound">The version after <c>~=</c>.</param>
    public bool IsCompatibleWith(Version bound)
    {
        ArgumentNullException.ThrowIfNull(bound);
        Version prefix = bound.CompatiblePrefix()
            ?? throw new InvalidSpecException("~=" + bound._text, "'~=' needs a version with at least two components", 2);
        return IsCompatibleWith(bound, prefix);
    }

    internal bool IsCompatibleWith(Version bound, Version prefix) => CompareTo(bound) >= 0 && StartsWith(prefix);

    /// <summary>The version conda's <c>~=</c> checks with startswith: the normalised text up to its last '.', or null when that is not a version.</summary>
    internal Version? CompatiblePrefix()
    {
        int dot = _normalized.LastIndexOf('.');
        if (dot <= 0)
        {
            return null;
        }

        return TryParseCore(_normalized[..dot], out Version? p, out _, out _) ? p : null;
    }

    /// <summary>Compares in conda's version order.</summary>
    /// <param name="other">The other version; null sorts first.</param>
    public int CompareTo(Version? other)
    {
        if (other is null)
        {
            return 1;
        }

        if (ReferenceEquals(this, other))
        {
            return 0;
        }

        int c = CompareSegments(this, 0, _versionSegments, other, 0, other._versionSegments);
        if (c != 0)
        {
            return c;
        }

        return CompareSegments(this, _versionSegments, _ends.Length, other, other._versionSegments, other._ends.Length);
    }

    /// <summary>Compares with another <see cref="Version"/>.</summary>
    /// <param name="obj">A version or null.</param>
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        Version v => CompareTo(v),
        _ => throw new ArgumentException("Object must be of type Version.", nameof(obj)),
    };

    /// <summary>conda's version equality (trailing zeros and case do not matter: <c>1.0 == 1.0.0</c>, <c>1.0RC == 1.0rc</c>).</summary>
    /// <param name="other">The other version.</param>
    public bool Equals(Version? other) => other is not null && (ReferenceEquals(this, other) || (_hash == other._hash && CompareTo(other) == 0));

    /// <summary>Equality with another object (see <see cref="Equals(Version?)"/>).</summary>
    /// <param name="obj">The other object.</param>
    public override bool Equals(object? obj) => obj is Version v && Equals(v);

    /// <summary>A hash consistent with <see cref="Equals(Version?)"/> (trailing zeros ignored).</summary>
    public override int GetHashCode() => _hash;

    /// <summary>Equality.</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">A version.</param>
    public static bool operator ==(Version? left, Version? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">A version.</param>
    public static bool operator !=(Version? left, Version? right) => !(left == right);

    /// <summary>Less than (null sorts first).</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">A version.</param>
    public static bool operator <(Version? left, Version? right) => Compare(left, right) < 0;

    /// <summary>Less than or equal (null sorts first).</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">A version.</param>
    public static bool operator <=(Version? left, Version? right) => Compare(left, right) <= 0;

    /// <summary>Greater than (null sorts first).</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">A version.</param>
    public static bool operator >(Version? left, Version? right) => Compare(left, right) > 0;

    /// <summary>Greater than or equal (null sorts first).</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">A version.</param>
    public static bool operator >=(Version? left, Version? right) => Compare(left, right) >= 0;

    private static int Compare(Version? a, Version? b) => a is null ? (b is null ? 0 : -1) : a.CompareTo(b);

    /// <summary>The parsed version part in the format conda prints <c>VersionOrder(v).version</c>, e.g. <c>[[0], [1], [2, 'a', 1]]</c>.</summary>
    internal string FormatVersionComponents() => FormatSegments(0, _versionSegments);

    /// <summary>The parsed local part in conda's print format (<c>[]</c> when there is none).</summary>
    internal string FormatLocalComponents() => FormatSegments(_versionSegments, _ends.Length);

    private string FormatSegments(int from, int to)
    {
        var sb = new StringBuilder();
        sb.Append('[');
        for (int s = from; s < to; s++)
        {
            if (s > from)
            {
                sb.Append(", ");
            }

            (int start, int len) = SegmentSpan(s);
            sb.Append('[');
            for (int i = 0; i < len; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                _atoms[start + i].AppendPython(sb);
            }

            sb.Append(']');
        }

        return sb.Append(']').ToString();
    }

    private (int Start, int Length) SegmentSpan(int segment)
    {
        int start = segment == 0 ? 0 : _ends[segment - 1];
        return (start, _ends[segment] - start);
    }

    /// <summary>Compares segment ranges with conda's padding: a missing segment is empty, a missing atom is 0.</summary>
    private static int CompareSegments(Version a, int aFrom, int aTo, Version b, int bFrom, int bTo)
    {
        int n = Math.Max(aTo - aFrom, bTo - bFrom);
        for (int k = 0; k < n; k++)
        {
            int aStart = 0, aLen = 0, bStart = 0, bLen = 0;
            if (aFrom + k < aTo)
            {
                (aStart, aLen) = a.SegmentSpan(aFrom + k);
            }

            if (bFrom + k < bTo)
            {
                (bStart, bLen) = b.SegmentSpan(bFrom + k);
            }

            int c = CompareAtoms(a._atoms, aStart, aLen, b._atoms, bStart, bLen);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private static int CompareAtoms(VersionAtom[] a, int aStart, int aLen, VersionAtom[] b, int bStart, int bLen)
    {
        int n = Math.Max(aLen, bLen);
        for (int i = 0; i < n; i++)
        {
            VersionAtom x = i < aLen ? a[aStart + i] : VersionAtom.Zero;
            VersionAtom y = i < bLen ? b[bStart + i] : VersionAtom.Zero;
            int c = VersionAtom.Compare(x, y);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private int ComputeHash()
    {
        var h = new HashCode();
        HashPart(ref h, 0, _versionSegments);
        h.Add(0x5F5F5F5F);
        HashPart(ref h, _versionSegments, _ends.Length);
        return h.ToHashCode();
    }

    // Hashes segments with trailing zero atoms and trailing empty segments dropped, so that versions
    // equal under zero padding hash alike.
    private void HashPart(ref HashCode h, int from, int to)
    {
        int last = -1;
        for (int s = to - 1; s >= from; s--)
        {
            if (TrimmedLength(s) > 0)
            {
                last = s;
                break;
            }
        }

        for (int s = from; s <= last; s++)
        {
            (int start, _) = SegmentSpan(s);
            int len = TrimmedLength(s);
            for (int i = 0; i < len; i++)
            {
                h.Add(_atoms[start + i].Hash());
            }

            h.Add(-7);
        }
    }

    private int TrimmedLength(int segment)
    {
        (int start, int len) = SegmentSpan(segment);
        while (len > 0 && _atoms[start + len - 1].IsZero)
        {
            len--;
        }

        return len;
    }

    internal static bool TryParseCore(string input, [NotNullWhen(true)] out Version? version, out string? reason, out int position)
    {
        version = null;
        int start = 0, end = input.Length;
        while (start < end && char.IsWhiteSpace(input[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(input[end - 1]))
        {
            end--;
        }

        if (start == end)
        {
            reason = "empty version string";
            position = 0;
            return false;
        }

        string text = start == 0 && end == input.Length ? input : input[start..end];
        if (!Normalize(text, out string? norm, out reason, out int bad))
        {
            position = start + bad;
            return false;
        }

        if (!VersionParser.Parse(norm!, out VersionAtom[]? atoms, out int[]? ends, out int versionSegments, out reason, out bad))
        {
            position = start + bad;
            return false;
        }

        version = new Version(text, norm!, atoms!, ends!, versionSegments);
        reason = null;
        position = -1;
        return true;
    }

    /// <summary>conda's lower-casing and character check; dashes become underscores when there is no underscore.</summary>
    private static bool Normalize(string text, out string? normalized, out string? reason, out int position)
    {
        bool needsCopy = false;
        int firstDash = -1, firstUnderscore = -1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '+' or '!' or '*')
            {
                continue;
            }

            if (c == '_')
            {
                if (firstUnderscore < 0)
                {
                    firstUnderscore = i;
                }

                continue;
            }

            if (c == '-')
            {
                if (firstDash < 0)
                {
                    firstDash = i;
                }

                needsCopy = true;
                continue;
            }

            char lower = c is >= 'A' and <= 'Z' ? (char)(c + 32) : char.ToLowerInvariant(c);
            if (lower is >= 'a' and <= 'z')
            {
                needsCopy = true;
                continue;
            }

            normalized = null;
            reason = $"invalid character(s): '{c}' is not allowed in a version (allowed: letters, digits, '.', '_', '-', '+', '!', '*')";
            position = i;
            return false;
        }

        if (firstDash >= 0 && firstUnderscore >= 0)
        {
            normalized = null;
            reason = "invalid character(s): cannot use both '-' and '_' as separators";
            position = Math.Max(firstDash, firstUnderscore);
            return false;
        }

        reason = null;
        position = -1;
        if (!needsCopy)
        {
            normalized = text;
            return true;
        }

        normalized = string.Create(text.Length, text, static (span, t) =>
        {
            for (int i = 0; i < t.Length; i++)
            {
                char c = t[i];
                span[i] = c == '-' ? '_' : (c is >= 'A' and <= 'Z' ? (char)(c + 32) : (c < 128 ? c : char.ToLowerInvariant(c)));
            }
        });
        return true;
    }
}
