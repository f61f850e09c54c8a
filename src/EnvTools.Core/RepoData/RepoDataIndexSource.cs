using EnvTools.Conda;
using EnvTools.Solve;

namespace EnvTools.RepoData;

/// <summary>An <see cref="IRecordSource"/> over a lazily decoded <see cref="RepoDataIndex"/>; disposing it disposes the index.</summary>
public sealed class RepoDataIndexSource : IRecordSource, IDisposable
{
    private readonly RepoDataIndex _index;

    /// <summary>Wraps <paramref name="index"/>.</summary>
    /// <param name="index">The index.</param>
    /// <param name="channel">The channel name or URL.</param>
    /// <param name="subdir">The subdir; default: the index's <c>info.subdir</c>, else <c>noarch</c>.</param>
    public RepoDataIndexSource(RepoDataIndex index, string channel, string? subdir = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(channel);
        _index = index;
        Channel = channel;
        Subdir = subdir ?? index.Subdir ?? "noarch";
    }

    /// <inheritdoc />
    public string Channel { get; }

    /// <inheritdoc />
    public string Subdir { get; }

    /// <inheritdoc />
    public IEnumerable<string> Names => _index.Names;

    /// <inheritdoc />
    public IReadOnlyList<RepoDataRecord> GetRecords(string name) =>
        _index.Contains(name) ? _index.GetRecords(name) : Array.Empty<RepoDataRecord>();

    /// <summary>Releases the index's memory mapping now (see <see cref="RepoDataIndex"/>).</summary>
    public void Dispose() => _index.Dispose();
}
