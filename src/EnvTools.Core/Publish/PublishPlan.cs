using EnvTools.Conda;
using EnvTools.Solve;

namespace EnvTools.Publish;

/// <summary>
/// What a publish will do, before it writes anything (<see cref="ChannelPublisher.PlanAsync"/>): the subdirs, every selected
/// archive with whether the destination has it, and which subdirs' repodata would change. A caller may decline single
/// copies or repodata writes (ShouldProcess) before <see cref="ChannelPublisher.PublishAsync"/>. Holds the source's
/// repodata: dispose it when done.
/// </summary>
public sealed class PublishPlan : IDisposable
{
    private readonly HashSet<PublishItem> _declined = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _declinedRepodata = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<IRecordSource> _loaded;

    internal PublishPlan(Channel source, IChannelDestination destination, IReadOnlyList<string> subdirs, IReadOnlyList<PublishItem> items,
        IReadOnlyDictionary<string, DestinationRepodata?> existing, IReadOnlyList<string> repodataChanges, IReadOnlyList<IRecordSource> loaded)
    {
        SourceChannel = source;
        DestinationStore = destination;
        Subdirs = subdirs;
        Items = items;
        Existing = existing;
        RepodataChanges = repodataChanges;
        _loaded = loaded;
    }

    /// <summary>The source channel (without credentials).</summary>
    public string Source => SourceChannel.DisplayUrl;

    /// <summary>The destination (a folder, or a URL without credentials).</summary>
    public string Destination => DestinationStore.DisplayName;

    /// <summary>The subdirs published (<c>noarch</c> last), each of which gets repodata.</summary>
    public IReadOnlyList<string> Subdirs { get; }

    /// <summary>Every selected archive, by subdir then file name.</summary>
    public IReadOnlyList<PublishItem> Items { get; }

    /// <summary>The archives to copy: not at the destination, not declined.</summary>
    public IReadOnlyList<PublishItem> ToCopy => Items.Where(i => !i.Present && !_declined.Contains(i)).ToArray();

    /// <summary>The subdirs whose repodata changes when every copy succeeds (the others are left untouched).</summary>
    public IReadOnlyList<string> RepodataChanges { get; }

    internal Channel SourceChannel { get; }

    /// <summary>The publisher that made the plan (and publishes it).</summary>
    internal ChannelPublisher? Publisher { get; init; }

    internal IChannelDestination DestinationStore { get; }

    /// <summary>The destination's repodata of each subdir as read by the plan (null where it had none).</summary>
    internal IReadOnlyDictionary<string, DestinationRepodata?> Existing { get; }

    /// <summary>Leaves an archive out: it is not copied and not added to the repodata.</summary>
    public void Decline(PublishItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _declined.Add(item);
    }

    /// <summary>Leaves a subdir's repodata as it is (its new archives are copied but not listed).</summary>
    public void DeclineRepodata(string subdir)
    {
        ArgumentNullException.ThrowIfNull(subdir);
        _declinedRepodata.Add(subdir);
    }

    /// <summary>Publishes the plan with the publisher that made it (see <see cref="ChannelPublisher.PublishAsync"/>).</summary>
    public Task<PublishResult> PublishAsync(IProgress<PublishProgress>? progress = null, Action<PublishedPackage>? packageDone = null,
        Action<PublishFailure>? packageFailed = null, CancellationToken cancellationToken = default) =>
        (Publisher ?? throw new InvalidOperationException("The plan was not made by a ChannelPublisher."))
            .PublishAsync(this, progress, packageDone, packageFailed, cancellationToken);

    /// <summary>A line that says what the plan selected, what it copies and what the destination has already.</summary>
    public string Describe() => $"{Items.Count} package(s) selected from {Source} in {string.Join(", ", Subdirs)}: " +
        $"{ToCopy.Count} to copy, {Items.Count - ToCopy.Count} at {Destination} already.";

    /// <summary>
    /// Asks <paramref name="shouldProcess"/> (target, action: as PowerShell's ShouldProcess) for each copy and then each
    /// repodata write whether to do it, declining the ones refused; false when there was something to do and all of it
    /// was refused (nothing is to be written then).
    /// </summary>
    public bool Approve(Func<string, string, bool> shouldProcess)
    {
        ArgumentNullException.ThrowIfNull(shouldProcess);
        bool work = false, approved = false;
        foreach (PublishItem item in ToCopy)
        {
            work = true;
            if (shouldProcess($"{item.Subdir}/{item.FileName} ({item.Record.Size:N0} bytes) to {Destination}", "Copy package"))
            {
                approved = true;
            }
            else
            {
                Decline(item);
            }
        }

        foreach (string subdir in RepodataChanges)
        {
            work = true;
            if (shouldProcess($"{Destination}/{subdir}/repodata.json (and repodata.json.zst)", "Write repodata"))
            {
                approved = true;
            }
            else
            {
                DeclineRepodata(subdir);
            }
        }

        return approved || !work;
    }

    internal bool IsDeclined(PublishItem item) => _declined.Contains(item);

    internal bool IsRepodataDeclined(string subdir) => _declinedRepodata.Contains(subdir);

    /// <summary>Releases the source's repodata.</summary>
    public void Dispose()
    {
        foreach (IRecordSource source in _loaded)
        {
            (source as IDisposable)?.Dispose();
        }
    }
}
