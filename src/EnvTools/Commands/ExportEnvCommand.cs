using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;
using EnvTools.IO;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Exports an environment to a file that re-creates it: environment.yml, an @EXPLICIT file or a conda-lock file.</para>
/// <para type="description">Export-Env writes the environment as -Format Yaml (the default: conda's environment.yml with
/// the name, the channels in priority order, every package as name=version=build, a pip: list of the packages pip
/// installed, and the variables of conda-meta/state), Json (the same as an object tree, or JSON text with -Path),
/// Explicit (an @EXPLICIT file with one URL and #sha256 per package, in install order: New-Env -File installs exactly
/// these, no solve) or Lock (a conda-lock v1 file for every -Platform: the environment's own platform locks the installed
/// packages, each other platform is solved from the requested specs with that platform's own virtual packages).
/// -NoBuilds writes name=version; -FromHistory writes only the specs the user asked for, keeping their version
/// constraints and channels (and, unlike conda, the pip section). Tokens and passwords are stripped from every URL.
/// Without -Path the text is returned; with -Path the file is written and nothing is returned unless -PassThru (as
/// Export-Csv): -NoClobber refuses to replace an existing file, -Force replaces a read-only one, -WhatIf writes nothing.</para>
/// </summary>
/// <example><code>Export-Env ml -Path environment.yml</code>
/// <para>Writes the environment ml to environment.yml (conda env export -n ml > environment.yml), every package as
/// name=version=build, to re-create it elsewhere with New-Env -File. Prints nothing; -PassThru returns the file.</para></example>
/// <example><code>Export-Env ml -Format Explicit -Path ml.linux-64.txt</code>
/// <para>Writes an @EXPLICIT file (conda list --explicit --md5 > ml.linux-64.txt, with sha256): one package URL per
/// line, which New-Env -File installs exactly, without a solve. Prints nothing.</para></example>
/// <example><code>Export-Env ml -Format Lock -Platform linux-64, osx-arm64, win-64 -Path conda-lock.yml</code>
/// <para>Writes a conda-lock file that locks ml for three platforms: this one's installed packages, the others solved
/// from the specs ml was created with. Prints nothing; the file starts with version: 1 and the content hash of each
/// platform.</para></example>
/// <example><code>Export-Env -FromHistory</code>
/// <para>Returns the active environment as an environment.yml with only the specs the user asked for (conda env export
/// --from-history), the portable form to share across platforms.</para>
/// <output>
/// name: ml
/// channels:
///   - conda-forge
/// dependencies:
///   - python=3.11
///   - numpy
///   - 'scipy[version=''&gt;=1.11'']'
/// prefix: …/envs/ml
/// </output></example>
/// <returns type="System.String">Without -Path, for -Format Yaml, Explicit and Lock: the file's text.</returns>
/// <returns type="System.IO.FileInfo">With -Path and -PassThru: the file written. With -Path alone nothing is written
/// to the pipeline.</returns>
/// <returns type="System.Management.Automation.PSObject">Without -Path, for -Format Json: the environment.yml content
/// as an object tree (name, channels, dependencies, variables, prefix).</returns>
/// <seealso cref="NewEnvCommand"/>
/// <seealso cref="UpdateEnvCommand"/>
/// <seealso cref="GetEnvHistoryCommand"/>
[Cmdlet(VerbsData.Export, "Env", DefaultParameterSetName = "Name", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(string), typeof(FileInfo), typeof(PSObject))]
public sealed partial class ExportEnvCommand : EnvCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            EnvironmentLocator locator = EnvironmentArguments.Locator(this);
            string prefix = EnvironmentArguments.ResolveTarget(this, locator, Name, Prefix);
            var request = new EnvironmentExportRequest
            {
                Prefix = prefix,
                Name = locator.NameInEnvsDirs(prefix) ?? System.IO.Path.GetFileName(prefix),
                Format = (EnvironmentExportFormat)Format,
                NoBuilds = NoBuilds,
                FromHistory = FromHistory,
                Platforms = Platform,
                AsTree = Path is null,
            };
            var progress = new SyncProgress<string>(p => QueueProgress(new ProgressRecord(20, "Locking", p)));
            object result = RunWithProgress(() => request.Export(() => ChannelArguments.LoadSettings(this, prefix), progress, CancellationToken));
            if (Format == EnvExportFormat.Lock)
            {
                QueueProgress(new ProgressRecord(20, "Locking", "done") { RecordType = ProgressRecordType.Completed });
            }

            if (result is string text)
            {
                Emit(text);
            }
            else
            {
                WriteObject(OutputObjects.Tree(result));
            }
        }, (object?)Name ?? Prefix);
    }

    private void Emit(string text)
    {
        if (Path is null)
        {
            WriteObject(text);
            return;
        }

        string full = GetUnresolvedProviderPathFromPSPath(Path);
        TextFileOutput.ThrowIfClobbering(full, NoClobber);
        if (ShouldProcess(full, "Write environment file"))
        {
            TextFileOutput.Write(full, text, Force);
            if (PassThru)
            {
                WriteObject(new FileInfo(full));
            }
        }
    }
}
