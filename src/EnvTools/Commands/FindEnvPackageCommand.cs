using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.RepoData;
using EnvTools.Solve;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Searches channels for the packages that match a spec (conda search).</para>
/// <para type="description">Find-EnvPackage returns every record matching the MatchSpec, newest first. The name may be
/// a glob (*numpy*). A .conda archive hides its .tar.bz2 twin.</para>
/// </summary>
/// <example><code>Find-EnvPackage "numpy>=1.20" -Channel ./channel -OverrideChannels | Select-Object -First 3</code>
/// <para>Searches the local channel folder ./channel, and no configured channel, for numpy 1.20 or newer, like conda
/// search -c ./channel --override-channels "numpy>=1.20", and keeps the newest three records.</para>
/// <output>
/// Name                 Version    Build                  Subdir         Size Channel
/// ----                 -------    -----                  ------         ---- -------
/// numpy                2.1.3      py310_0                linux-64    1.0 KiB file://…/channel/linux-64
/// numpy                2.1.3      py311_0                linux-64    1.0 KiB file://…/channel/linux-64
/// numpy                2.1.3      py312_0                linux-64    1.0 KiB file://…/channel/linux-64
/// </output></example>
/// <example><code>Find-EnvPackage 'numpy*' -Platform osx-arm64 | Select-Object Name, Version, Build -Unique</code>
/// <para>Searches the configured channels for the packages whose names start with numpy, for another platform than
/// this one (conda search --platform osx-arm64 "numpy*").</para>
/// <output>
/// Name  Version Build
/// ----  ------- -----
/// numpy 2.1.3   py311_0
/// </output></example>
/// <seealso cref="ResolveEnvPackageCommand"/>
/// <seealso cref="InstallEnvPackageCommand"/>
[Cmdlet(VerbsCommon.Find, "EnvPackage")]
[OutputType(typeof(RepoDataRecord))]
public sealed class FindEnvPackageCommand : ChannelCmdlet, IDisposable
{
    #region Parameters

    /// <summary>The MatchSpec to search for; the name may contain * wildcards.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Spec { get; set; } = string.Empty;

    #endregion

    private IReadOnlyList<SolverChannel>? _loaded;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            MatchSpec spec = MatchSpec.Parse(Spec);
            if (_loaded is null)
            {
                var settings = ChannelArguments.LoadSettings(this);
                Platform platform = RequestPlatform.Resolve(Platform, settings);
                _loaded = ChannelArguments.Load(ChannelArguments.ResolveChannels(this, settings, Channel, OverrideChannels), platform, settings, QueueProgress, CancellationToken);
                DrainProgress();
            }

            IReadOnlyList<RepoDataRecord> found = PackageSearch.Find(_loaded, spec, CancellationToken);
            foreach (RepoDataRecord r in found)
            {
                WriteObject(ChannelArguments.ToOutput(r));
            }

            // a mistyped name (one the channels do not have) gets the close names, as Resolve-EnvPackage's PackagesNotFound
            if (found.Count == 0 && spec.NameMatcher.ExactValue is { } name && PackageSearch.SimilarNames(_loaded, name) is { Count: > 0 } similar
                && !similar.Contains(name, StringComparer.Ordinal))
            {
                WriteWarning($"No package matches '{Spec}'; did you mean {string.Join(", ", similar)}?");
            }
        }, Spec);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Dispose();
        base.EndProcessing();
    }

    /// <summary>Releases the channels' repodata mappings (also when the pipeline is stopped or fails: PowerShell disposes the cmdlet).</summary>
    public void Dispose()
    {
        SolverChannel.DisposeAll(_loaded);
        _loaded = null;
    }
}
