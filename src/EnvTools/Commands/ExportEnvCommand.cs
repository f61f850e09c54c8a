using System.Collections;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using EnvTools.Commands.Internal;
using EnvTools.Conda;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>The file formats Export-Env writes.</summary>
public enum EnvExportFormat
{
    /// <summary>conda's environment.yml.</summary>
    Yaml,
    /// <summary>The environment.yml content as an object tree (or JSON text with -Path).</summary>
    Json,
    /// <summary>An @EXPLICIT file (CEP-23): one URL with #sha256 per package, in install order.</summary>
    Explicit,
    /// <summary>A conda-lock (v1) multi-platform lock file.</summary>
    Lock,
}

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
public sealed class ExportEnvCommand : EnvCmdlet
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    #region Parameters

    /// <summary>The environment: a name from the envs dirs, or a path; the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(Position = 0, ParameterSetName = "Name")]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder (binds from Get-Env output).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>Yaml (environment.yml, the default), Json, Explicit (@EXPLICIT) or Lock (conda-lock v1).</summary>
    [Parameter]
    public EnvExportFormat Format { get; set; } = EnvExportFormat.Yaml;

    /// <summary>The file to write; the text (or, for Json, the object tree) is returned when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>With -Path: returns the written file as a FileInfo.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>With -Path: fails (ErrorId FileExists) instead of replacing an existing file.</summary>
    [Parameter]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>With -Path: replaces the file even when it is read-only.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes name=version without the build string (Yaml and Json).</summary>
    [Parameter]
    public SwitchParameter NoBuilds { get; set; }

    /// <summary>Writes only the specs the user asked for (conda-meta/history), with their constraints and channels (Yaml and Json).</summary>
    [Parameter]
    public SwitchParameter FromHistory { get; set; }

    /// <summary>The platforms of a Lock export (linux-64, osx-arm64, win-64 …); the environment's own when omitted.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string[]? Platform { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            EnvironmentLocator locator = EnvironmentArguments.Locator(this);
            string prefix = EnvironmentArguments.ResolveTarget(this, locator, Name, Prefix);
            string name = locator.NameInEnvsDirs(prefix) ?? System.IO.Path.GetFileName(prefix);
            if (Platform is { Length: > 0 } && Format != EnvExportFormat.Lock)
            {
                throw new EnvToolsException("PlatformNeedsLock", ErrorKind.InvalidArgument,
                    "-Platform applies to -Format Lock only: an environment.yml is solved on each platform, and an explicit file holds one platform's packages.");
            }

            switch (Format)
            {
                case EnvExportFormat.Yaml:
                case EnvExportFormat.Json:
                    var settings = ChannelArguments.LoadSettings(this, prefix);
                    EnvironmentFile file = EnvironmentExport.ToEnvironmentFile(prefix,
                        new EnvironmentExportOptions { Name = name, NoBuilds = NoBuilds, FromHistory = FromHistory }, settings.Channels);
                    if (Format == EnvExportFormat.Yaml)
                    {
                        Emit(file.ToYaml());
                    }
                    else if (Path is null)
                    {
                        WriteObject(ToPSObject(file.ToTree()));
                    }
                    else
                    {
                        Emit(JsonSerializer.Serialize<object>(file.ToTree(), Indented) + "\n");
                    }

                    break;
                case EnvExportFormat.Explicit:
                    Emit(EnvironmentExport.ToExplicit(prefix));
                    break;
                case EnvExportFormat.Lock:
                    Conda.Platform[] platforms = (Platform ?? Array.Empty<string>())
                        .SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        .Select(p => ChannelArguments.ResolvePlatform(p)).ToArray();
                    var progress = new SyncProgress<string>(p => QueueProgress(new ProgressRecord(20, "Locking", p)));
                    string text = RunWithProgress(() => EnvironmentExport.ToLock(prefix, platforms, ChannelArguments.LoadSettings(this, prefix), name, progress, CancellationToken));
                    QueueProgress(new ProgressRecord(20, "Locking", "done") { RecordType = ProgressRecordType.Completed });
                    Emit(text);
                    break;
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
        var existing = new FileInfo(full);
        if (existing.Exists && NoClobber)
        {
            throw new EnvToolsException("FileExists", ErrorKind.ResourceExists, $"'{full}' exists and -NoClobber was given.", full);
        }

        if (!ShouldProcess(full, "Write environment file"))
        {
            return;
        }

        string? dir = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        if (existing.Exists && Force && existing.IsReadOnly)
        {
            existing.IsReadOnly = false;
        }

        File.WriteAllText(full, text, new UTF8Encoding(false));
        if (PassThru)
        {
            WriteObject(new FileInfo(full));
        }
    }

    private static object ToPSObject(object value) => value switch
    {
        IReadOnlyDictionary<string, object> map => Note(map),
        string s => s,
        IEnumerable list => list.Cast<object>().Select(ToPSObject).ToArray(),
        _ => value,
    };

    private static PSObject Note(IReadOnlyDictionary<string, object> map)
    {
        var o = new PSObject();
        foreach (KeyValuePair<string, object> e in map)
        {
            o.Properties.Add(new PSNoteProperty(e.Key, ToPSObject(e.Value)));
        }

        return o;
    }
}
