using EnvTools.Conda;
using EnvTools.Config;

namespace EnvTools.Publish;

/// <summary>What publishing did with one package.</summary>
// Int64-based on purpose: PowerShell's ConvertTo-Json writes Int64 enums by name (others as numbers).
public enum PublishAction : long
{
    /// <summary>The archive was fetched from the source, verified and written to the destination.</summary>
    Copied,

    /// <summary>The destination had the archive already (same file, same checksum): nothing was transferred.</summary>
    Skipped,
}

/// <summary>What <see cref="ChannelPublisher"/> is doing.</summary>
// Int64-based on purpose, as PublishAction.
public enum PublishPhase : long
{
    /// <summary>Reading the source's repodata and the destination's.</summary>
    Loading,

    /// <summary>Asking the destination which archives it has.</summary>
    Checking,

    /// <summary>Copying archives (fetch, verify, write).</summary>
    Copying,

    /// <summary>Writing repodata (after every archive).</summary>
    Repodata,
}

/// <summary>Progress of a publish.</summary>
/// <param name="Phase">What is being done.</param>
/// <param name="Subdir">The subdir of the current item, when there is one.</param>
/// <param name="FileName">The archive (or repodata file) being worked on, when there is one.</param>
/// <param name="Done">Items finished in this phase.</param>
/// <param name="Total">Items of this phase.</param>
/// <param name="BytesDone">Archive bytes copied so far (the copying phase).</param>
/// <param name="BytesTotal">Archive bytes to copy (the copying phase).</param>
public readonly record struct PublishProgress(PublishPhase Phase, string? Subdir, string? FileName, int Done, int Total, long BytesDone = 0, long BytesTotal = 0)
{
    /// <summary>A line for a progress bar: what is read, checked, copied or written (the phase when there is nothing to name).</summary>
    public string Status
    {
        get
        {
            string status = Phase switch
            {
                PublishPhase.Loading => $"reading repodata {Subdir}",
                PublishPhase.Checking => $"checking {Subdir}/{FileName}",
                PublishPhase.Copying => $"copying {Subdir}/{FileName} ({Done}/{Total})",
                _ => $"writing repodata {Subdir}",
            };
            return string.IsNullOrEmpty(status.Trim()) ? Phase.ToString() : status;
        }
    }

    /// <summary>How far the phase is, 0 to 100: by bytes while copying, else by items.</summary>
    public int PercentComplete => Phase == PublishPhase.Copying && BytesTotal > 0
        ? (int)Math.Min(100, 100 * BytesDone / BytesTotal)
        : (int)Math.Min(100, 100L * Done / Math.Max(1, Total));
}

/// <summary>What to publish: a source channel, the subdirs, and which packages.</summary>
public sealed record PublishRequest
{
    /// <summary>The channel to copy from (a folder, <c>file://</c>, <c>http(s)://</c>, <c>oci://</c>, … as every cmdlet reads it).</summary>
    public required Channel Source { get; init; }

    /// <summary>
    /// The subdirs to publish; <c>noarch</c> is always added (clients read it for every platform). Null or empty: every
    /// subdir of a folder channel that has repodata, or, for a remote channel (which cannot be listed), the host's
    /// platform (<see cref="HostPlatform"/>) and <c>noarch</c>.
    /// </summary>
    public IReadOnlyList<string>? Subdirs { get; init; }

    /// <summary>The platform used when <see cref="Subdirs"/> is empty and the source is remote (default: the host's).</summary>
    public Platform? HostPlatform { get; init; }

    /// <summary>The packages to publish; empty: every record of the subdirs (the whole channel).</summary>
    public IReadOnlyList<MatchSpec> Specs { get; init; } = Array.Empty<MatchSpec>();

    /// <summary>
    /// With <see cref="Specs"/>: also every record that the selected ones may depend on, transitively (see
    /// <see cref="PublishSelection"/>).
    /// </summary>
    public bool WithDependencies { get; init; }

    /// <summary>
    /// The request of a Publish-EnvChannel call: <paramref name="source"/> resolved through the settings' channels
    /// (relative folders against <paramref name="cwd"/>), the specs parsed, the host platform the settings' subdir (else
    /// this machine's).
    /// </summary>
    /// <exception cref="EnvToolsException">A spec, the source channel or the configured subdir is not valid.</exception>
    public static PublishRequest Create(Settings settings, string source, string cwd, IReadOnlyList<string>? subdirs,
        IReadOnlyList<string>? specs, bool withDependencies)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PublishRequest
        {
            Source = settings.CreateChannelResolver().ResolveOne(source, cwd),
            Subdirs = subdirs,
            HostPlatform = RequestPlatform.Resolve(null, settings), // the configured subdir (CONDA_SUBDIR), else the host's
            Specs = (specs ?? Array.Empty<string>()).Select(MatchSpec.Parse).ToArray(),
            WithDependencies = withDependencies,
        };
    }
}

/// <summary>One archive a publish considers: its source record, and whether the destination has it already.</summary>
public sealed class PublishItem
{
    internal PublishItem(RepoDataRecord record, string subdir, bool present)
    {
        Record = record;
        Subdir = subdir;
        Present = present;
    }

    /// <summary>The source record (its URL is where the archive is fetched from).</summary>
    public RepoDataRecord Record { get; }

    /// <summary>The subdir it is published in.</summary>
    public string Subdir { get; }

    /// <summary>The destination has this archive already (it is skipped).</summary>
    public bool Present { get; }

    /// <summary>The archive's file name.</summary>
    public string FileName => Record.FileName;

    /// <inheritdoc />
    public override string ToString() => $"{Subdir}/{FileName}";
}

/// <summary>One package a publish copied or skipped (an output object: flat, JSON-friendly).</summary>
public sealed class PublishedPackage
{
    /// <summary>The package name.</summary>
    public required string Name { get; init; }

    /// <summary>The version.</summary>
    public required string Version { get; init; }

    /// <summary>The build string.</summary>
    public required string Build { get; init; }

    /// <summary>The subdir.</summary>
    public required string Subdir { get; init; }

    /// <summary>The archive's file name.</summary>
    public required string FileName { get; init; }

    /// <summary>Copied or Skipped.</summary>
    public required PublishAction Action { get; init; }

    /// <summary>Bytes written to the destination (0 when skipped).</summary>
    public required long Bytes { get; init; }

    /// <summary>The archive's size.</summary>
    public long? Size { get; init; }

    /// <summary>The archive's sha256 (verified when copied).</summary>
    public string? Sha256 { get; init; }

    /// <summary>The destination (a folder, or a URL without credentials).</summary>
    public required string Destination { get; init; }
}

/// <summary>What one publish did, all packages together (an output object: flat, JSON-friendly).</summary>
public sealed class PublishSummary
{
    /// <summary>The source channel (without credentials).</summary>
    public required string Source { get; init; }

    /// <summary>The destination (a folder, or a URL without credentials).</summary>
    public required string Destination { get; init; }

    /// <summary>The subdirs published.</summary>
    public required string[] Subdirs { get; init; }

    /// <summary>Archives copied.</summary>
    public int Copied { get; init; }

    /// <summary>Archives the destination had already.</summary>
    public int Skipped { get; init; }

    /// <summary>Archives not published (a checksum mismatch, a failed download).</summary>
    public int Failed { get; init; }

    /// <summary>Archive bytes written to the destination.</summary>
    public long Bytes { get; init; }

    /// <summary>Subdirs whose repodata was written (json and zst).</summary>
    public string[] RepodataWritten { get; init; } = Array.Empty<string>();

    /// <summary>Subdirs whose repodata was left as it was (nothing changed).</summary>
    public string[] RepodataUnchanged { get; init; } = Array.Empty<string>();
}

/// <summary>A package that could not be published, and why (a checksum mismatch, a failed download).</summary>
/// <param name="Item">The package.</param>
/// <param name="Error">The failure (an <see cref="EnvToolsException"/> naming the archive).</param>
public sealed record PublishFailure(PublishItem Item, EnvToolsException Error);

/// <summary>What <see cref="ChannelPublisher.PublishAsync"/> did.</summary>
/// <param name="Packages">Each package copied or skipped.</param>
/// <param name="Failures">Each package not published.</param>
/// <param name="Summary">The totals.</param>
public sealed record PublishResult(IReadOnlyList<PublishedPackage> Packages, IReadOnlyList<PublishFailure> Failures, PublishSummary Summary);
