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
