using EnvTools.Conda;
using EnvTools.Config;

namespace EnvTools.Environments;

/// <summary>
/// What is installed in a prefix: the conda-meta records, read once, and the packages as <c>conda list</c>
/// shows them (conda records plus the Python distributions in site-packages that no record owns).
/// </summary>
public sealed class PrefixData
{
    private readonly Dictionary<string, PrefixRecord> _byName;

    private PrefixData(string prefix, PrefixRecord[] records)
    {
        Prefix = prefix;
        Records = records;
        _byName = new Dictionary<string, PrefixRecord>(StringComparer.Ordinal);
        foreach (PrefixRecord r in records)
        {
            _byName[r.Name] = r;
        }
    }

    /// <summary>The prefix (absolute).</summary>
    public string Prefix { get; }

    /// <summary>The conda-meta records, by name (ordinal).</summary>
    public IReadOnlyList<PrefixRecord> Records { get; }

    /// <summary>
    /// Reads every <c>conda-meta/*.json</c> record of <paramref name="prefix"/> (in parallel) as of its last committed
    /// state: while a transaction is pending (running in another process, or interrupted and not yet rolled back) the
    /// records it wrote are not shown and those it moved aside are (<see cref="TransactionPending"/> says so).
    /// </summary>
    /// <exception cref="MalformedDataException">A record is not valid (<c>MalformedPrefixRecord</c>).</exception>
    public static PrefixData Load(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        string full = EnvironmentLocator.NormalizePrefix(prefix);
        for (int attempt = 0; ; attempt++)
        {
            string[] files = PrefixJournal.CommittedRecordFiles(full, out bool pending);
            var records = new PrefixRecord[files.Length];
            try
            {
                Parallelism.For(files.Length, cancellationToken, i => records[i] = PrefixRecord.Read(files[i]));
            }
            catch (Exception ex) when (attempt < 20 && IsVanished(ex) && files.Any(f => !File.Exists(f)))
            {
                // a running transaction moved a record between the listing and the read: list again
                Thread.Sleep(10);
                continue;
            }

            Array.Sort(records, (a, b) => StringComparer.Ordinal.Compare(a.Name, b.Name));
            return new PrefixData(full, records) { TransactionPending = pending };
        }
    }

    /// <summary>True when an uncommitted transaction is pending: another process is changing the environment, or one
    /// was interrupted and the next change to the environment rolls it back.</summary>
    public bool TransactionPending { get; private init; }

    private static bool IsVanished(Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException => true,
        AggregateException a => a.InnerExceptions.All(IsVanished),
        _ => ex.InnerException is { } inner && IsVanished(inner),
    };

    /// <summary>The record of the package called <paramref name="name"/>, or null.</summary>
    public PrefixRecord? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// The site-packages folder relative to the prefix (forward slashes), from the python record: its
    /// <c>python_site_packages_path</c>, else <c>Lib/site-packages</c> for Windows builds and
    /// <c>lib/pythonX.Y/site-packages</c> (<c>X.Yt</c> for free-threaded builds) otherwise; null without python.
    /// </summary>
    public string? SitePackagesPath => SitePackages.RelativePath(Find("python"));

    /// <summary>
    /// The installed packages, sorted by name: one per conda record (with the requested spec from the record
    /// or the history), then, with <paramref name="includePip"/>, the site-packages distributions that no
    /// record owns (<c>*.dist-info</c> whose INSTALLER is not conda, <c>*.egg-info</c>, <c>*.egg</c>).
    /// </summary>
    /// <param name="includePip">Whether to list Python distributions no conda package owns.</param>
    /// <param name="configuredPins">The configured <c>pinned_packages</c>, which mark packages pinned besides the pin file.</param>
    /// <param name="channels">Names channels under the configured channel alias and custom channels (default: conda's defaults).</param>
    public IReadOnlyList<InstalledPackage> GetPackages(bool includePip = true, IEnumerable<string>? configuredPins = null, ChannelResolver? channels = null)
    {
        IReadOnlyDictionary<string, string> history = PrefixHistory.Load(PrefixHistory.PathFor(Prefix)).GetRequestedSpecs();
        var pinned = new HashSet<string>(PrefixPins.Read(Prefix).Select(p => p.Package), StringComparer.Ordinal);
        foreach (string pin in configuredPins ?? Array.Empty<string>())
        {
            if (MatchSpec.TryParse(pin, out MatchSpec? spec) && spec is not null)
            {
                pinned.Add(spec.Name);
            }
        }

        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        var result = new List<InstalledPackage>(Records.Count);
        foreach (PrefixRecord r in Records)
        {
            string? channel = null;
            if (r.Channel is { } raw && !names.TryGetValue(raw, out channel))
            {
                names[raw] = channel = CondaMetaNames.ShortChannel(raw, channels);
            }

            result.Add(new InstalledPackage
            {
                Name = r.Name,
                Version = r.Version,
                Build = r.Build,
                BuildNumber = r.BuildNumber,
                Channel = channel,
                Subdir = r.Subdir,
                Size = InstalledSize(r),
                RequestedSpec = RequestedSpecOf(r, history),
                Source = PackageSource.Conda,
                Prefix = Prefix,
                PrefixRecord = r,
                IsPinned = pinned.Contains(r.Name),
            });
        }

        if (includePip && SitePackagesPath is { } sp)
        {
            result.AddRange(SitePackages.FindUnmanaged(Prefix, sp, Records));
        }

        result.Sort((a, b) => StringComparer.Ordinal.Compare(a.Name, b.Name) is var c && c != 0 ? c : a.Source.CompareTo(b.Source));
        return result;
    }

    private static long? InstalledSize(PrefixRecord r)
    {
        long sum = 0;
        bool any = false;
        foreach (PrefixRecordPath p in r.PathsData?.Paths ?? [])
        {
            if (p.SizeInBytes is { } n)
            {
                sum += n;
                any = true;
            }
        }

        return any ? sum : r.Size;
    }

    private static string? RequestedSpecOf(PrefixRecord r, IReadOnlyDictionary<string, string> history)
    {
        // conda writes the string "None" where it had no spec.
        if (!string.IsNullOrWhiteSpace(r.RequestedSpec) && r.RequestedSpec != "None")
        {
            return r.RequestedSpec;
        }

        if (r.RequestedSpecs is { Count: > 0 } specs)
        {
            return string.Join(", ", specs);
        }

        return history.GetValueOrDefault(r.Name);
    }
}
