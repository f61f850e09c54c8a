using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Removes pins from an environment (conda-meta/pinned).</para>
/// <para type="description">Remove-EnvPin deletes the lines of the environment's conda-meta/pinned that pin the named
/// packages, and keeps every other line, comments included. A name that is not pinned there is a PinNotFound error
/// (pins of the pinned_packages configuration are changed with the configuration, not here). It writes nothing unless
/// -PassThru is given (the pins removed). Names complete from the environment's pins.</para>
/// </summary>
/// <example><code>Remove-EnvPin numpy -Name ml</code>
/// <para>Deletes numpy's line from the pin file of the environment ml, so that numpy can move again on the next install
/// or update. Prints nothing; -PassThru returns the pins removed.</para></example>
/// <example><code>Get-EnvPin -Name ml | Where-Object Source -eq File | Remove-EnvPin</code>
/// <para>Removes every pin of the pin file of ml (Package and Prefix bind from the pins); the pins of the pinned_packages
/// configuration stay. Prints nothing.</para></example>
/// <returns type="EnvTools.Environments.EnvironmentPin">With -PassThru: the pins removed (EnvTools.EnvironmentPin);
/// else nothing.</returns>
/// <seealso cref="GetEnvPinCommand"/>
/// <seealso cref="AddEnvPinCommand"/>
[Cmdlet(VerbsCommon.Remove, "EnvPin", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(EnvironmentPin))]
public sealed class RemoveEnvPinCommand : PinCmdlet
{
    #region Parameters

    /// <summary>The package names whose pins are removed. Binds the Package of piped Get-EnvPin output.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromRemainingArguments = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PinnedPackageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Package { get; set; } = Array.Empty<string>();

    /// <summary>Returns the pins removed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            string prefix = ResolveTarget();
            var pinned = PrefixPins.Read(prefix);
            foreach (string name in Package.Where(n => !pinned.Any(p => p.Package == n)))
            {
                WriteError(ErrorRecords.From(new EnvToolsException("PinNotFound", ErrorKind.ObjectNotFound,
                    $"'{name}' is not pinned in {PrefixPins.PathFor(prefix)}" + (pinned.Count > 0 ? $" (pinned: {string.Join(", ", pinned.Select(p => p.Package))})." : "."), name), name));
            }

            string[] names = Package.Where(n => pinned.Any(p => p.Package == n)).ToArray();
            if (names.Length > 0 && ShouldProcess(prefix, $"Unpin {string.Join(", ", names)}"))
            {
                IReadOnlyList<EnvironmentPin> removed = PrefixPins.Remove(prefix, names);
                if (PassThru)
                {
                    WritePins(removed);
                }
            }
        }, Package);
    }
}
