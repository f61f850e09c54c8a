using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Lists the pinned specs of an environment (conda-meta/pinned and pinned_packages).</para>
/// <para type="description">Get-EnvPin returns one EnvTools.EnvironmentPin (Package, Spec, Source, Prefix) per pin that
/// constrains the environment's solves, as conda reads them: the lines of the environment's conda-meta/pinned (Source
/// File; blank lines and # comments skipped) and the pinned_packages configuration key (Source Configuration). Every
/// install, update and removal keeps pinned packages within their pins (a request that conflicts with a pin is
/// Unsatisfiable, naming the pin). Get-EnvPackage shows IsPinned on each package. The environment is -Name, -Prefix,
/// or the active one.</para>
/// </summary>
/// <example><code>Get-EnvPin -Name ml</code>
/// <para>Lists the pins of the environment ml: the lines of its conda-meta/pinned (Source File) and the configured
/// pinned_packages (Source Configuration).</para>
/// <output>
/// Package                Spec                             Source        Prefix
/// -------                ----                             ------        ------
/// python                 python==3.11.2                   File          …/envs/ml
/// numpy                  numpy==2.1.3                     File          …/envs/ml
/// libopenblas            libopenblas 0.3.*                Configuration …/envs/ml
/// </output></example>
/// <example><code>Get-EnvPackage -Name ml | Where-Object IsPinned</code>
/// <para>Lists the installed packages that a pin constrains, from the pin file or the configuration.</para>
/// <output>
/// Name                     Version      Build                    Channel               Size RequestedSpec
/// ----                     -------      -----                    -------               ---- -------------
/// libopenblas              0.3.27       0                        conda-forge            9 B
/// numpy                    2.1.3        py311_0                  conda-forge           22 B numpy
/// python                   3.11.2       0                        conda-forge        6.5 MiB python=3.11
/// </output></example>
/// <seealso cref="AddEnvPinCommand"/>
/// <seealso cref="RemoveEnvPinCommand"/>
/// <seealso cref="GetEnvPackageCommand"/>
[Cmdlet(VerbsCommon.Get, "EnvPin", DefaultParameterSetName = "Name")]
[OutputType(typeof(EnvironmentPin))]
public sealed class GetEnvPinCommand : PinCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            string prefix = ResolveTarget();
            WritePins(PrefixPins.Read(prefix));
            foreach (string spec in ChannelArguments.LoadSettings(this, prefix).PinnedPackages)
            {
                if (Conda.MatchSpec.TryParse(spec, out Conda.MatchSpec? parsed) && parsed is not null)
                {
                    WritePins(new[] { new EnvironmentPin { Package = parsed.Name, Spec = spec, Source = PinSource.Configuration, Prefix = prefix } });
                }
            }
        }, (object?)Name ?? Prefix);
    }
}
