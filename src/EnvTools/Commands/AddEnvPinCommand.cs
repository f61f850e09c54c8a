using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Pins packages of an environment (writes conda-meta/pinned).</para>
/// <para type="description">Add-EnvPin writes MatchSpecs into the environment's conda-meta/pinned, the file conda reads
/// its per-environment pins from: from then on every solve in the environment keeps those packages within the specs
/// (conda, mamba and EnvTools alike). A bare name pins the installed version (numpy becomes numpy==1.26.4); a name that
/// is not installed then is PackageNotInstalled. One line per name: a new pin of a pinned name replaces its line; the
/// other lines, comments included, stay as they are. It writes nothing to the pipeline unless -PassThru is given (the
/// pins written, as EnvTools.EnvironmentPin). Remove-EnvPin takes pins away.</para>
/// </summary>
/// <example><code>Add-EnvPin 'python 3.11.*' numpy -Name ml</code>
/// <para>Keeps python at 3.11 and numpy at its installed version in the environment ml.</para></example>
/// <example><code>Add-EnvPin python -Name ml -PassThru</code>
/// <para>Pins the installed python of ml to its exact version and returns the pin (Package python, Spec python==3.11.9).</para></example>
[Cmdlet(VerbsCommon.Add, "EnvPin", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(EnvironmentPin))]
public sealed class AddEnvPinCommand : PinCmdlet
{
    #region Parameters

    /// <summary>The MatchSpecs to pin; a bare name pins the installed version. Binds the Spec of piped Get-EnvPin output.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstalledPackageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>Returns the pins written.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            string prefix = ResolveTarget();
            foreach (string s in Spec)
            {
                Conda.MatchSpec.Parse(s); // bad specs fail before anything is written
            }

            if (ShouldProcess(prefix, $"Pin {string.Join(", ", Spec)}"))
            {
                IReadOnlyList<EnvironmentPin> pins = PrefixPins.Add(prefix, Spec, PrefixState.ReadInstalled(prefix));
                if (PassThru)
                {
                    WritePins(pins);
                }
            }
        }, Spec);
    }
}
