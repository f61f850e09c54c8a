using EnvTools.Conda;

namespace EnvTools.Solve;

/// <summary>The records of one channel subdir, decoded lazily per package name.</summary>
public interface IRecordSource
{
    /// <summary>The channel (canonical name or URL), as written in records.</summary>
    string Channel { get; }

    /// <summary>The subdir, e.g. <c>linux-64</c> or <c>noarch</c>.</summary>
    string Subdir { get; }

    /// <summary>Every package name this source has records for.</summary>
    IEnumerable<string> Names { get; }

    /// <summary>The records of <paramref name="name"/> (empty when there are none).</summary>
    IReadOnlyList<RepoDataRecord> GetRecords(string name);
}

/// <summary>An <see cref="IRecordSource"/> over records held in memory (tests, virtual or installed packages).</summary>
public sealed class InMemoryRecordSource : IRecordSource
{
    private readonly Dictionary<string, List<RepoDataRecord>> _byName = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Groups <paramref name="records"/> by name (looked up case-insensitively, as conda names are).</summary>
    public InMemoryRecordSource(string channel, string subdir, IEnumerable<RepoDataRecord> records)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(subdir);
        ArgumentNullException.ThrowIfNull(records);
        Channel = channel;
        Subdir = subdir;
        foreach (var r in records)
        {
            if (!_byName.TryGetValue(r.Name, out var list))
            {
                _byName[r.Name] = list = new List<RepoDataRecord>();
            }

            list.Add(r);
        }
    }

    /// <inheritdoc />
    public string Channel { get; }

    /// <inheritdoc />
    public string Subdir { get; }

    /// <inheritdoc />
    public IEnumerable<string> Names => _byName.Keys;

    /// <inheritdoc />
    public IReadOnlyList<RepoDataRecord> GetRecords(string name) =>
        _byName.TryGetValue(name, out var list) ? list : Array.Empty<RepoDataRecord>();
}

/// <summary>A channel of a solve request: its subdirs (e.g. <c>linux-64</c> and <c>noarch</c>). Its priority is its
/// position in <see cref="SolveRequest.Channels"/> (first = highest). Disposing it disposes the subdirs that hold a
/// mapped file (a <c>RepoDataIndexSource</c>); what a solve returned stays valid.</summary>
public sealed class SolverChannel : IDisposable
{
    /// <summary>Creates a channel.</summary>
    public SolverChannel(string name, IReadOnlyList<IRecordSource> subdirs)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(subdirs);
        Name = name;
        Subdirs = subdirs;
    }

    /// <summary>The channel's name (or URL).</summary>
    public string Name { get; }

    /// <summary>The channel's subdirs.</summary>
    public IReadOnlyList<IRecordSource> Subdirs { get; }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Disposes every subdir that is disposable.</summary>
    public void Dispose()
    {
        foreach (IRecordSource s in Subdirs)
        {
            (s as IDisposable)?.Dispose();
        }
    }

    /// <summary>Disposes every channel of <paramref name="channels"/> (a loaded channel list, when its solve is done).</summary>
    public static void DisposeAll(IEnumerable<SolverChannel>? channels)
    {
        foreach (SolverChannel c in channels ?? Array.Empty<SolverChannel>())
        {
            c.Dispose();
        }
    }
}
