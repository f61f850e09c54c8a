using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Install;
using EnvTools.Solve;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Solves package specs against channels and returns the packages an environment would get.</para>
/// <para type="description">Resolve-EnvPackage runs the solver on MatchSpecs (numpy, "numpy>=1.21,&lt;2", conda-forge::numpy,
/// "pytorch=*=*cuda*") and returns the records, dependencies first. Nothing is installed.</para>
/// </summary>
/// <example><code>Resolve-EnvPackage python=3.10 -Channel ./channel -OverrideChannels -Platform linux-64</code>
/// <para>Solves python 3.10 against the local channel folder ./channel for linux-64 and returns the packages an
/// environment would get, dependencies first; nothing is installed (like conda create --dry-run).</para>
/// <output>
/// Name                 Version    Build                  Subdir         Size Channel
/// ----                 -------    -----                  ------         ---- -------
/// libffi               3.4.4      0                      linux-64      913 B file://…/channel/linux-64
/// zlib                 1.3.1      0                      linux-64      903 B file://…/channel/linux-64
/// python               3.10.14    0                      linux-64      969 B file://…/channel/linux-64
/// </output></example>
/// <example><code>Resolve-EnvPackage numpy 'python=3.11' -Platform win-64 | Format-Table Name, Version, Build, Subdir</code>
/// <para>Solves for another platform with the configured channels and that platform's default virtual packages, to
/// see what a Windows machine would get.</para>
/// <output>
/// Name        Version Build   Subdir
/// ----        ------- -----   ------
/// libffi      3.4.4   0       win-64
/// libopenblas 0.3.27  0       win-64
/// zlib        1.3.1   0       win-64
/// python      3.11.2  0       win-64
/// numpy       2.1.3   py311_0 win-64
/// </output></example>
/// <seealso cref="FindEnvPackageCommand"/>
/// <seealso cref="NewEnvCommand"/>
/// <seealso cref="InstallEnvPackageCommand"/>
/// <seealso cref="GetEnvVirtualPackageCommand"/>
[Cmdlet(VerbsDiagnostic.Resolve, "EnvPackage")]
[OutputType(typeof(RepoDataRecord))]
public sealed class ResolveEnvPackageCommand : SolveCmdlet
{
    /// <summary>The MatchSpecs to solve (several may follow each other, as with conda: numpy "python=3.11").</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ValueFromRemainingArguments = true)]
    [ValidateNotNullOrEmpty]
    public string[] Spec { get; set; } = Array.Empty<string>();

    private readonly List<string> _specs = new();

    /// <inheritdoc />
    protected override void ProcessRecord() => _specs.AddRange(Spec);

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        TryRun(() =>
        {
            var specs = _specs.Select(MatchSpec.Parse).ToArray();
            PackageResolution resolution = PackageResolver.Solve(ChannelArguments.LoadSettings(this), specs, SolveArguments,
                ChannelArguments.LoadProgress(QueueProgress), CancellationToken);
            QueueProgress(ChannelArguments.LoadCompleted());
            DrainProgress();
            SolveResult result = resolution.Result;
            WriteVerbose($"Solved {string.Join(", ", specs.Select(s => s.ToString()))} for {resolution.Platform.Name} against {string.Join(", ", resolution.Channels)}");
            WriteVerbose($"Solved in {result.SolveTime.TotalMilliseconds:F0} ms (load {result.LoadTime.TotalMilliseconds:F0} ms): " +
                         $"{result.Records.Count} packages, {result.Variables} variables, {result.Clauses} clauses, {result.Conflicts} conflicts");
            foreach (RepoDataRecord r in result.Records)
            {
                WriteObject(ChannelArguments.ToOutput(r));
            }
        }, _specs.ToArray());
        base.EndProcessing();
    }
}
