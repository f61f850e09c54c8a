using System.Management.Automation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Sets a configuration key in a .condarc (conda config --set).</para>
/// <para type="description">Set-EnvConfig writes one key into a .condarc: the user's ~/.condarc by default, the system one
/// ($CONDA_ROOT/.condarc) with -Scope System, any file with -File, or an environment's own .condarc with -Prefix. Only
/// that key's lines change: comments, blank lines and the other keys stay as they are, in their order; a new key goes
/// at the end. The key is any key conda knows (its name or an alias; Tab completes them), including the ones EnvTools
/// does not use itself; a map key takes one entry as KEY.ENTRY (proxy_servers.https). An unknown key is
/// UnknownConfigKey, a list key is InvalidConfigOperation (use Add-EnvConfig/Remove-EnvConfig), and nothing is written
/// then. Supports -WhatIf.</para>
/// </summary>
/// <example><code>Set-EnvConfig channel_priority strict</code>
/// <para>Writes channel_priority: strict into ~/.condarc (conda config --set channel_priority strict), keeping the rest of
/// the file as it is, so that a package is taken from the highest-priority channel that has it. Prints nothing; check it
/// with Get-EnvConfig channel_priority.</para></example>
/// <example><code>Set-EnvConfig proxy_servers.https http://proxy.example:3128 -File ./project.condarc</code>
/// <para>Sets one entry of the proxy_servers map in ./project.condarc, a file a project can hand to CONDARC. Prints
/// nothing; the file then reads "proxy_servers:" with the line "  https: http://proxy.example:3128".</para></example>
/// <example><code>Set-EnvConfig env_prompt '[{name}] ' -Prefix ./envs/ml</code>
/// <para>Gives the environment at ./envs/ml its own prompt format, in its own .condarc (read while it is the active
/// environment, or with Get-EnvConfig -Prefix). Prints nothing.</para></example>
/// <seealso cref="GetEnvConfigCommand"/>
/// <seealso cref="AddEnvConfigCommand"/>
/// <seealso cref="RemoveEnvConfigCommand"/>
[Cmdlet(VerbsCommon.Set, "EnvConfig", DefaultParameterSetName = "Scope", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class SetEnvConfigCommand : ConfigWriteCmdlet
{
    /// <summary>The value (booleans as true/false; text as it is).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [AllowEmptyString]
    public string Value { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var editor = OpenTarget();
            editor.Set(Key, Value);
            SaveIfConfirmed(editor, $"Set {Key} = {Value}");
        }, Key);
    }
}
