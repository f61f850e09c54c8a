namespace EnvTools.Activation;

/// <summary>
/// PATH as a list of entries: prepending the entries an activation adds and taking them out again one by one,
/// leaving every other entry (also ones the user added meanwhile) where it is. Empty entries are kept so that
/// an unchanged PATH comes back byte for byte.
/// </summary>
public static class PathList
{
    /// <summary>The entries of a PATH value (none for null or empty).</summary>
    public static List<string> Split(string? path, char separator) =>
        string.IsNullOrEmpty(path) ? new List<string>() : path.Split(separator).ToList();

    /// <summary>Joins entries into a PATH value.</summary>
    public static string Join(IEnumerable<string> entries, char separator) => string.Join(separator, entries);

    /// <summary><paramref name="entries"/> in front of <paramref name="path"/>.</summary>
    public static string Prepend(string? path, IEnumerable<string> entries, char separator) =>
        Join(entries.Concat(Split(path, separator)), separator);

    /// <summary>
    /// <paramref name="path"/> without one occurrence (the first) of each of <paramref name="entries"/>; entries
    /// that are no longer there are skipped.
    /// </summary>
    public static List<string> Remove(IEnumerable<string> path, IEnumerable<string> entries, bool ignoreCase)
    {
        var list = path.ToList();
        StringComparison cmp = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (string e in entries)
        {
            int i = list.FindIndex(x => string.Equals(x, e, cmp));
            if (i >= 0)
            {
                list.RemoveAt(i);
            }
        }

        return list;
    }

    /// <summary>
    /// The entries of <paramref name="after"/> that <paramref name="before"/> does not account for (counting
    /// repeats), in <paramref name="after"/>'s order.
    /// </summary>
    public static List<string> Added(IEnumerable<string> before, IEnumerable<string> after, bool ignoreCase)
    {
        var remaining = before.ToList();
        var added = new List<string>();
        StringComparison cmp = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (string e in after)
        {
            int i = remaining.FindIndex(x => string.Equals(x, e, cmp));
            if (i >= 0)
            {
                remaining.RemoveAt(i);
            }
            else
            {
                added.Add(e);
            }
        }

        return added;
    }
}
