using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Deletes conda environments (conda env remove).</para>
/// <para type="description">Remove-Env deletes each environment's prefix and removes it from ~/.conda/environments.txt.
/// It asks for confirmation (ConfirmImpact High; -Confirm:$false or $ConfirmPreference skip it) and supports -WhatIf.
/// The prefix is first renamed to a hidden trash name, so that an interrupted removal never leaves a half-deleted
/// environment that is listed; symbolic links are removed, never followed; read-only files are deleted too. The active
/// environment is refused (EnvironmentActive), and so is one that holds other environments
/// (EnvironmentContainsEnvironments). Environments can be piped in from Get-Env (bound by Prefix) or named.</para>
/// </summary>
/// <example><code>Remove-Env old-ml</code>
/// <para>Deletes the environment old-ml after asking (conda env remove -n old-ml); nothing else is printed.</para>
/// <output>
/// Confirm
/// Are you sure you want to perform this action?
/// Performing the operation "Remove environment" on target "old-ml (…/envs/old-ml)".
/// [Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is "Y"): Y
/// </output></example>
/// <example><code>Get-Env scratch-* | Remove-Env -Confirm:$false</code>
/// <para>Deletes every environment whose name starts with scratch-, without asking. Prints nothing.</para></example>
/// <example><code>Remove-Env -Prefix ./envs/tmp -WhatIf</code>
/// <para>Says which environment would be deleted, after checking that it may be (not active, holding no other
/// environment), and deletes nothing.</para>
/// <output>
/// What if: Performing the operation "Remove environment" on target "tmp (…/envs/tmp)".
/// </output></example>
/// <seealso cref="GetEnvCommand"/>
/// <seealso cref="NewEnvCommand"/>
/// <seealso cref="RenameEnvCommand"/>
[Cmdlet(VerbsCommon.Remove, "Env", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NameSet)]
[OutputType(typeof(void))]
public sealed class RemoveEnvCommand : EnvCmdlet
{
    private const string NameSet = "Name";
    private const string PrefixSet = "Prefix";

    #region Parameters

    /// <summary>The names of the environments to remove (no wildcards: pipe Get-Env output for patterns).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [ValidateNotNullOrEmpty]
    [Alias("n")]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>The prefixes of the environments to remove; bound from the Prefix property of piped objects.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PrefixSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string[] Prefix { get; set; } = Array.Empty<string>();

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        EnvironmentLocator? locator = null;
        if (!TryRun(() => locator = EnvironmentArguments.Locator(this)))
        {
            return;
        }

        var remover = new EnvironmentRemover(locator!);
        bool byName = ParameterSetName == NameSet;
        foreach (string target in byName ? Name : Prefix)
        {
            TryRun(() =>
            {
                string prefix = byName ? locator!.Find(target) : EnvironmentArguments.ResolveTarget(this, locator!, null, target);
                remover.CheckRemovable(prefix); // an environment that cannot be removed fails before any confirmation or -WhatIf
                string display = locator!.NameInEnvsDirs(prefix) is { } n ? $"{n} ({prefix})" : prefix;
                if (ShouldProcess(display, "Remove environment"))
                {
                    remover.Remove(prefix, CancellationToken);
                    WriteVerbose($"Removed {display}.");
                }
            }, target);
        }
    }
}
