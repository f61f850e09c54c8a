using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Config;
using EnvTools.Publish;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Copies a channel, or the packages a team needs from it, into a mirror: a folder, an OCI registry or an S3 bucket.</para>
/// <para type="description">Publish-EnvChannel reads the -Source channel (a folder, file://, http(s)://, oci:// or a name, as
/// -Channel of the other cmdlets) and copies its packages to -Destination: a folder (a path or file://), an OCI registry
/// (oci://HOST[:PORT]/NAMESPACE/CHANNEL in the conda-oci-mirror layout that rattler, mamba and pixi read; credentials from the
/// docker config.json, plain HTTP only for hosts in oci_insecure_registries) or an S3 bucket (s3://BUCKET/PREFIX; endpoint
/// from s3_options, credentials from the AWS variables or profile). Without -Spec it copies every package of the
/// subdirs; with -Spec every version and build the specs allow, and with -WithDependencies also everything those may depend
/// on, in the same platform or noarch (every version a solve could pick, so the mirror solves those specs as the source
/// does). -Platform picks the subdirs (default: those of a folder source; the host's platform for a remote one); noarch is
/// always published. Each archive is fetched, checked against the source's sha256 (else md5) and size, and written whole
/// (a folder: a temporary name, then a rename); an archive the destination has already (its repodata lists it with the same
/// sha256, or its content shows it: a hash, a registry digest, an S3 ETag) is skipped. Only after every archive is written does it write each subdir's
/// repodata.json and repodata.json.zst: the destination's records with the published ones added, so publishing a subset
/// adds to what is there, and a reader never sees a record whose archive is missing. A re-run copies only what changed and
/// leaves unchanged repodata untouched. No conditional write is needed. An archive that fails its checksum (or cannot be
/// downloaded) is not published and is reported as an error (ChecksumMismatch, PackageDownloadFailed) naming it; the rest
/// goes on. A destination that cannot be written stops the command (PublishDestinationUnavailable; a registry's refusal is
/// OciRegistryRequestFailed or S3RequestFailed with its code, such as DENIED or AccessDenied). -WhatIf lists the archives it would copy and the repodata it
/// would write, and writes nothing. It returns one EnvTools.PublishedPackage per archive (Name, Version, Build, Subdir,
/// FileName, Action Copied or Skipped, Bytes written, Size, Sha256, Destination), or with -Summary one
/// EnvTools.PublishSummary (Copied, Skipped, Failed, Bytes, Subdirs, RepodataWritten, RepodataUnchanged).</para>
/// </summary>
/// <example><code>Publish-EnvChannel ./docs/demo/channel ./mirror -Platform linux-64 -Spec 'numpy=2.0.0=py312*' -WithDependencies</code>
/// <para>Copies that numpy build and everything it may need on linux-64 (every version a solve could pick: both openssl
/// builds) into the folder ./mirror, which is then a channel with repodata for linux-64 and noarch.</para>
/// <output>
/// Action  Name               Version    Build                Subdir          Size
/// ------  ----               -------    -----                ------          ----
/// Copied  numpy              2.0.0      py312h1234567_0      linux-64     1.1 KiB
/// Copied  openssl            3.2.1      hd590300_0           linux-64     1.4 KiB
/// Copied  openssl            3.3.0      hd590300_0           linux-64     1.4 KiB
/// Copied  python             3.12.3     hab00c5b_0_cpython   linux-64     1.2 KiB
/// Copied  python_abi         3.12       4_cp312              linux-64     1.1 KiB
/// Copied  zlib               1.3.1      h4ab18f5_1           linux-64     1.4 KiB
/// </output></example>
/// <example><code>Publish-EnvChannel ./docs/demo/channel ./mirror -Platform linux-64 -Summary</code>
/// <para>Publishes the rest of the channel's linux-64 and noarch packages; what the mirror has is skipped. -Summary returns
/// the totals.</para>
/// <output>
/// Copied Skipped Failed      Bytes RepodataWritten    Destination
/// ------ ------- ------      ----- ---------------    -----------
///     23       6      0   26.3 KiB linux-64, noarch   /home/me/mirror
/// </output></example>
/// <example><code>Publish-EnvChannel ./docs/demo/channel ./mirror -Platform linux-64 -Spec zlib, openssl -WhatIf</code>
/// <para>Lists what publishing zlib and openssl would copy and write, and writes nothing. With an oci:// or s3://
/// destination (Publish-EnvChannel conda-forge oci://registry.example.com/team/conda-forge …) the same lines name the
/// registry or bucket.</para>
/// <output>
/// What if: Performing the operation "Copy package" on target "linux-64/openssl-3.2.1-hd590300_0.conda (1,412 bytes) to /home/me/mirror".
/// What if: Performing the operation "Copy package" on target "linux-64/openssl-3.3.0-hd590300_0.conda (1,407 bytes) to /home/me/mirror".
/// What if: Performing the operation "Copy package" on target "linux-64/zlib-1.3.1-h4ab18f5_1.conda (1,392 bytes) to /home/me/mirror".
/// What if: Performing the operation "Write repodata" on target "/home/me/mirror/linux-64/repodata.json (and repodata.json.zst)".
/// What if: Performing the operation "Write repodata" on target "/home/me/mirror/noarch/repodata.json (and repodata.json.zst)".
/// </output></example>
/// <seealso cref="FindEnvPackageCommand"/>
/// <seealso cref="NewEnvCommand"/>
/// <seealso cref="AddEnvConfigCommand"/>
[Cmdlet(VerbsData.Publish, "EnvChannel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PublishedPackage), typeof(PublishSummary))]
public sealed partial class PublishEnvChannelCommand : EnvCmdlet
{
    private const int ActivityId = 1;

    private IProgress<PublishProgress> Progress => new SyncProgress<PublishProgress>(p => QueueProgress(new ProgressRecord(ActivityId, $"Publishing ({p.Phase})", p.Status) { PercentComplete = p.PercentComplete }));

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (WithDependencies && Spec is not { Length: > 0 })
        {
            WriteWarning("-WithDependencies has no effect without -Spec: the whole channel is published.");
        }

        PublishPlan? plan = null;
        try
        {
            if (TryRun(() => plan = Plan(), Source) && plan is not null && plan.Approve(ShouldProcess)) // else all of it was declined (-WhatIf): nothing is written
            {
                TryRun(() => Publish(plan), Destination);
            }
        }
        finally
        {
            plan?.Dispose();
        }
    }

    private PublishPlan Plan()
    {
        Settings settings = ChannelArguments.LoadSettings(this);
        string cwd = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        PublishRequest request = PublishRequest.Create(settings, Source, cwd, Platform, Spec, WithDependencies);
        var publisher = new ChannelPublisher(settings, ChannelDestinations.Open(Destination, settings, cwd));
        PublishPlan plan = RunWithProgress(() => publisher.PlanAsync(request, Progress, CancellationToken).GetAwaiter().GetResult());
        WriteVerbose(plan.Describe());
        return plan;
    }

    private void Publish(PublishPlan plan)
    {
        var order = new PublishOutputOrder(plan);
        PublishResult result = RunWithProgress(() => plan.PublishAsync(Progress, order.Add, order.Add, CancellationToken).GetAwaiter().GetResult(),
            () => order.TakeReady(Summary ? null : p => WriteObject(OutputObjects.Of(p, "EnvTools.PublishedPackage")), (item, f) => WriteError(ErrorRecords.From(f.Error, item))),
            new ProgressRecord(ActivityId, "Publishing", "done") { RecordType = ProgressRecordType.Completed });
        if (Summary)
        {
            WriteObject(OutputObjects.Of(result.Summary, "EnvTools.PublishSummary"));
        }
    }
}
