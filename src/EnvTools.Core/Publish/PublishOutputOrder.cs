using System.Collections.Concurrent;

namespace EnvTools.Publish;

/// <summary>
/// Hands out the results of a publish (published packages and failures) in the plan's order (subdir, then file name)
/// as they become ready, whatever order the copies end in. Results are added from any thread; taken on one.
/// </summary>
public sealed class PublishOutputOrder
{
    private readonly Queue<string> _order;
    private readonly ConcurrentDictionary<string, object> _ready = new(StringComparer.Ordinal);

    /// <summary>The order of <paramref name="plan"/>'s archives that are present or to be copied (make it after declining).</summary>
    public PublishOutputOrder(PublishPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _order = new Queue<string>(plan.Items.Where(i => i.Present).Concat(plan.ToCopy)
            .OrderBy(i => i.Subdir, StringComparer.Ordinal).ThenBy(i => i.FileName, StringComparer.Ordinal).Select(i => i.ToString()));
    }

    /// <summary>A package published or skipped.</summary>
    public void Add(PublishedPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        _ready[$"{package.Subdir}/{package.FileName}"] = package;
    }

    /// <summary>A package that failed.</summary>
    public void Add(PublishFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        _ready[failure.Item.ToString()] = failure;
    }

    /// <summary>
    /// Hands the results that are next in order and ready to <paramref name="published"/> (null: they are dropped) or
    /// <paramref name="failed"/> (with its <c>subdir/file</c>); stops at the first that is not ready yet.
    /// </summary>
    public void TakeReady(Action<PublishedPackage>? published, Action<string, PublishFailure> failed)
    {
        ArgumentNullException.ThrowIfNull(failed);
        while (_order.TryPeek(out string? next) && _ready.TryRemove(next, out object? result))
        {
            _order.Dequeue();
            if (result is PublishFailure failure)
            {
                failed(next, failure);
            }
            else
            {
                published?.Invoke((PublishedPackage)result);
            }
        }
    }
}
