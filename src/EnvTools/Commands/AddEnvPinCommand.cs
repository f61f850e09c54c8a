using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;

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
/// <example><code>Add-EnvPin 'python 3.11.*', numpy -Name ml</code>
/// <para>Keeps python at 3.11 and numpy at its installed version in the environment ml, whatever is installed or updated
/// later (like adding the lines to conda-meta/pinned by hand). The specs are one comma-separated list. Prints nothing;
/// Get-EnvPin shows the pins.</para></example>
/// <example><code>Add-EnvPin python -Name ml -PassThru</code>
/// <para>Pins the installed python of ml to its exact version and returns the pin written.</para>
/// <output>
/// Package                Spec                             Source        Prefix
/// -------                ----                             ------        ------
/// python                 python==3.11.2                   File          …/envs/ml
/// </output></example>
/// <example><code>Get-EnvPackage num* -Name ml | Add-EnvPin</code>
/// <para>Pins each piped package to its installed version in its own environment, for example before an update -All
/// that must leave them alone. Prints nothing.</para></example>
/// <returns type="EnvTools.Environments.EnvironmentPin">With -PassThru: the pins written (EnvTools.EnvironmentPin:
/// Package, Spec, Source, Prefix); else nothing.</returns>
/// <seealso cref="GetEnvPinCommand"/>
/// <seealso cref="RemoveEnvPinCommand"/>
/// <seealso cref="GetEnvPackageCommand"/>
[Cmdlet(VerbsCommon.Add, "EnvPin", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(EnvironmentPin))]
public sealed class AddEnvPinCommand : PinCmdlet
{
    #region Parameters

    /// <summary>The MatchSpecs to pin; a bare name pins the installed version. Binds the Spec of piped Get-EnvPin output.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromRemainingArguments = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Name")]
    [Parameter(Mandatory = true, Position = 0, ValueFromRemainingArguments = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Prefix")]
    [ArgumentCompleter(typeof(InstalledPackageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Spec { get; set; } = Array.Empty<string>();

    /// <summary>Installed packages piped from Get-EnvPackage: each is pinned to its installed version in its own environment.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "InputObject")]
    public InstalledPackage[] InputObject { get; set; } = Array.Empty<InstalledPackage>();

    /// <summary>Returns the pins written.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == "InputObject")
        {
            foreach (IGrouping<string, InstalledPackage> g in InputObject.GroupBy(p => p.Prefix, StringComparer.Ordinal))
            {
                string[] names = g.Select(p => p.Name).Distinct(StringComparer.Ordinal).ToArray();
                TryRun(() => Pin(g.Key, names), g.Key);
            }

            return;
        }

        TryRun(() => Pin(ResolveTarget(), Spec), Spec);
    }

    private void Pin(string prefix, string[] specs)
    {
        foreach (string s in specs)
        {
            Conda.MatchSpec.Parse(s); // bad specs fail before anything is written
        }

        if (ShouldProcess(prefix, $"Pin {string.Join(", ", specs)}"))
        {
            IReadOnlyList<EnvironmentPin> pins = PrefixPins.Add(prefix, specs, PrefixState.ReadInstalled(prefix));
            if (PassThru)
            {
                WritePins(pins);
            }
        }
    }
}
