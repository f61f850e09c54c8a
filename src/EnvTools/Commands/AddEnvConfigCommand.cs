using System.Management.Automation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Adds values to a list key of a .condarc (conda config --add/--prepend/--append).</para>
/// <para type="description">Add-EnvConfig puts values into a list key (channels, pkgs_dirs, envs_dirs, pinned_packages,
/// default_channels …) of a .condarc: first by default, as conda config --add and --prepend do, or last with -Append
/// (--append). A value already in the list moves there (with a warning, as conda gives). The file is chosen as for
/// Set-EnvConfig (-Scope User or System, -File, -Prefix); only the key's lines change, comments and the other keys
/// stay. A key that is not a list is InvalidConfigOperation; an unknown one UnknownConfigKey.</para>
/// </summary>
/// <example><code>Add-EnvConfig channels conda-forge</code>
/// <para>Puts conda-forge first in the channels list of ~/.condarc, like conda config --add channels conda-forge, so that
/// installs look there first. It prints nothing; when conda-forge is in the list already, it moves it to the top with the
/// warning "'conda-forge' already in 'channels' list, moving to the top", as conda does. Get-EnvConfig channels shows the result.</para></example>
/// <example><code>Add-EnvConfig pkgs_dirs /data/pkgs -Append -File ./ci.condarc</code>
/// <para>Adds /data/pkgs as the last package cache in ./ci.condarc (conda config --append pkgs_dirs /data/pkgs --file
/// ./ci.condarc), for example to give a CI job a shared read-only cache after its own. Prints nothing; the other lines of
/// the file stay as they are.</para></example>
/// <seealso cref="GetEnvConfigCommand"/>
/// <seealso cref="SetEnvConfigCommand"/>
/// <seealso cref="RemoveEnvConfigCommand"/>
[Cmdlet(VerbsCommon.Add, "EnvConfig", DefaultParameterSetName = "Scope", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class AddEnvConfigCommand : ConfigWriteCmdlet
{
    /// <summary>The values to add, in the order they take in the list.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] Value { get; set; } = Array.Empty<string>();

    /// <summary>Adds at the end (conda config --append) instead of the front.</summary>
    [Parameter]
    public SwitchParameter Append { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var editor = OpenTarget();
            foreach (string moved in editor.Add(Key, Value, Append))
            {
                WriteWarning($"'{moved}' already in '{Key}' list, moving to the {(Append ? "bottom" : "top")}");
            }

            SaveIfConfirmed(editor, $"{(Append ? "Append" : "Prepend")} {string.Join(", ", Value)} to {Key}");
        }, Key);
    }
}
