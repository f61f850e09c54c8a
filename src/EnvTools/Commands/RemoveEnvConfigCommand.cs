using System.Management.Automation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Removes values from a list key, or a whole key, of a .condarc (conda config --remove/--remove-key).</para>
/// <para type="description">Remove-EnvConfig with -Value removes those values from a list key (conda config --remove); a
/// value the file's list lacks is ConfigValueNotFound and nothing is written. Without -Value it removes the key and its
/// value (conda config --remove-key); a key the file does not set is ConfigKeyNotFound. The file is chosen as for
/// Set-EnvConfig (-Scope User or System, -File, -Prefix); comments and the other keys stay as they are.</para>
/// </summary>
/// <example><code>Remove-EnvConfig channels defaults</code>
/// <para>Takes defaults out of the channels list of ~/.condarc (conda config --remove channels defaults), for example to
/// use conda-forge alone. Prints nothing; a value the list does not have is a ConfigValueNotFound error.</para></example>
/// <example><code>Remove-EnvConfig channel_priority -File ./ci.condarc</code>
/// <para>Removes the channel_priority key from ./ci.condarc (conda config --remove-key channel_priority --file
/// ./ci.condarc), so that the value of the other files, or the default, applies again. Prints nothing.</para></example>
/// <seealso cref="GetEnvConfigCommand"/>
/// <seealso cref="SetEnvConfigCommand"/>
/// <seealso cref="AddEnvConfigCommand"/>
[Cmdlet(VerbsCommon.Remove, "EnvConfig", DefaultParameterSetName = "Scope", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class RemoveEnvConfigCommand : ConfigWriteCmdlet
{
    /// <summary>The values to remove from the list; the whole key when omitted.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[]? Value { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var editor = OpenTarget();
            if (Value is { Length: > 0 })
            {
                editor.Remove(Key, Value);
                SaveIfConfirmed(editor, $"Remove {string.Join(", ", Value)} from {Key}");
            }
            else
            {
                editor.RemoveKey(Key);
                SaveIfConfirmed(editor, $"Remove key {Key}");
            }
        }, Key);
    }
}
