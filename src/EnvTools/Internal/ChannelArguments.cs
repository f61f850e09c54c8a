using System.Management.Automation;
using EnvTools.Config;
using EnvTools.Conda;
using EnvTools.RepoData;
using EnvTools.Solve;

namespace EnvTools.Commands.Internal;

/// <summary>The parts of channel/platform handling that several cmdlets share.</summary>
internal static class ChannelArguments
{
    /// <summary>The effective settings (.condarc files, CONDA_* variables) for the session's current directory.</summary>
    internal static Settings LoadSettings(PSCmdlet cmdlet, string? prefix = null, IReadOnlyDictionary<string, object?>? callOptions = null) =>
        Settings.Load(prefix, callOptions, ConfigEnvironment.FromProcess(CurrentDirectory(cmdlet)));

    /// <summary>
    /// The channels to read, as conda's <c>-c</c> and <c>--override-channels</c>: the given ones (names, URLs, folders,
    /// multichannels such as <c>defaults</c>) before the configured <c>channels</c> (which are <c>defaults</c> when
    /// none are configured), or with <paramref name="overrideChannels"/> the given ones alone; an environment file's
    /// <c>nodefaults</c> also leaves the configured ones out. Resolved through the configured alias and custom channels.
    /// </summary>
    /// <exception cref="EnvToolsException">OverrideChannelsWithoutChannel: -OverrideChannels without a channel.</exception>
    internal static IReadOnlyList<Channel> ResolveChannels(PSCmdlet cmdlet, Settings settings, string[]? channels, bool overrideChannels = false) =>
        RequestChannels.Resolve(settings, channels, overrideChannels, CurrentDirectory(cmdlet));

    private static string CurrentDirectory(PSCmdlet cmdlet) => cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath;

    /// <summary>Loads channels, reporting progress through the cmdlet's queue (written on the pipeline thread).</summary>
    internal static IReadOnlyList<SolverChannel> Load(IReadOnlyList<Channel> channels, Platform platform, Settings settings,
        Action<ProgressRecord> queueProgress, CancellationToken cancellationToken)
    {
        IReadOnlyList<SolverChannel> loaded = RepoDataGateway.Load(channels, platform, settings, LoadProgress(queueProgress), cancellationToken);
        queueProgress(LoadCompleted());
        return loaded;
    }

    /// <summary>Channel loading as a progress bar: each subdir read moves it (queued, written on the pipeline thread).</summary>
    internal static IProgress<RepoDataProgress> LoadProgress(Action<ProgressRecord> queueProgress) =>
        new SyncProgress<RepoDataProgress>(p => queueProgress(
            new ProgressRecord(LoadActivityId, "Loading channels", $"{p.Channel}/{p.Subdir}") { PercentComplete = 100 * p.Completed / Math.Max(1, p.Total) }));

    /// <summary>The record that closes the channel-loading bar.</summary>
    internal static ProgressRecord LoadCompleted() =>
        new(LoadActivityId, "Loading channels", "done") { RecordType = ProgressRecordType.Completed };

    private const int LoadActivityId = 1;

    /// <summary>The output object of a package record: the engine record, typed as <c>EnvTools.PackageRecord</c>.</summary>
    internal static PSObject ToOutput(RepoDataRecord record) => OutputObjects.Of(record, "EnvTools.PackageRecord");
}

/// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread (no synchronisation context hop).</summary>
internal sealed class SyncProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;

    internal SyncProgress(Action<T> handler) => _handler = handler;

    public void Report(T value) => _handler(value);
}
