namespace EnvTools.Conda;

/// <summary>Close-match suggestions for names a user mistyped (packages, environments, platforms).</summary>
internal static class TextDistance
{
    /// <summary>The Levenshtein distance of two strings, ignoring case.</summary>
    internal static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }

    /// <summary>
    /// Up to <paramref name="max"/> of <paramref name="names"/> close to <paramref name="name"/>: within a third of its
    /// length in edits (at least 2), or containing it or contained in it (3 characters or more); closest first.
    /// </summary>
    internal static IReadOnlyList<string> CloseNames(IEnumerable<string> names, string name, int max = 5) =>
        names
            .Select(n => (Name: n, Distance: EditDistance(name, n)))
            .Where(x => x.Distance <= Math.Max(2, name.Length / 3)
                || (name.Length >= 3 && x.Name.Length >= 3 && (x.Name.Contains(name, StringComparison.Ordinal) || name.Contains(x.Name, StringComparison.Ordinal))))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.Name)
            .ToArray();
}
