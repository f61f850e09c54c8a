using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Shows what an installed package needs, or what needs it (mamba repoquery depends/whoneeds, pixi
/// tree), as objects that print as a tree.</para>
/// <para type="description">Get-EnvDependency walks the installed packages of an environment from -Package: by default
/// its dependencies (each depends entry of its record, matched to the installed package of that name), with
/// -Dependents the installed packages whose depends name it ("why is this installed?"). One level, or with -Recurse
/// the whole tree, depth first. It returns one EnvTools.DependencyNode per line, the root first: Name, Version, Build,
/// Spec (the depends entry that links the node to its parent), Depth (0 for the root), Parent, Path (the names from the
/// root), Direction, IsRepeated (shown and expanded earlier, not expanded again, so cycles end), IsMissing (the spec
/// is not met by what is installed: an environment left inconsistent by -Force or -NoDeps) and IsVirtual (__glibc,
/// __cuda …). The default view indents by Depth, so the output reads as a tree. It reads only conda-meta: no channel,
/// offline. The environment is -Name, -Prefix (bound from Get-Env output), or the active one.</para>
/// </summary>
/// <example><code>Get-EnvDependency app -Name web -Recurse</code>
/// <para>Shows everything app needs, level by level, with the depends entry that links each package to its parent
/// (mamba repoquery depends --tree app).</para>
/// <output>
/// Name                                     Version          Build                Spec                           Note
/// ----                                     -------          -----                ----                           ----
/// app                                      2.0              0
/// └─ libdemo                               2.0              0                    libdemo &gt;=2
///    └─ zlib                               1.3.1            0                    zlib &gt;=1.2
/// </output></example>
/// <example><code>Get-EnvDependency zlib -Name web -Dependents -Recurse</code>
/// <para>Answers "why is zlib installed?": the packages that need it, and what needs those, up to the ones requested
/// (mamba repoquery whoneeds zlib).</para>
/// <output>
/// Name                                     Version          Build                Spec                           Note
/// ----                                     -------          -----                ----                           ----
/// zlib                                     1.3.1            0
/// └─ libdemo                               2.0              0                    zlib &gt;=1.2
///    └─ app                                2.0              0                    libdemo &gt;=2
/// └─ tool                                  1.0              0                    zlib
/// </output></example>
/// <example><code>Get-EnvDependency app -Name web -Recurse | Where-Object IsMissing</code>
/// <para>Lists the dependencies of app that the environment lacks or does not satisfy, here after
/// Uninstall-EnvPackage libdemo -Force.</para>
/// <output>
/// Name                                     Version          Build                Spec                           Note
/// ----                                     -------          -----                ----                           ----
/// └─ libdemo                                                                     libdemo &gt;=2                    missing
/// </output></example>
/// <seealso cref="GetEnvPackageCommand"/>
/// <seealso cref="UninstallEnvPackageCommand"/>
[Cmdlet(VerbsCommon.Get, "EnvDependency", DefaultParameterSetName = "Name")]
[OutputType(typeof(DependencyNode))]
public sealed class GetEnvDependencyCommand : EnvCmdlet
{
    #region Parameters

    /// <summary>The installed package the tree starts from.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(InstalledPackageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Package { get; set; } = string.Empty;

    /// <summary>The environment's name (or path); the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(ParameterSetName = "Name")]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder; bound from the Prefix property of piped objects (Get-Env output).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>Walks to the installed packages that need -Package (reverse dependencies) instead of what it needs.</summary>
    [Parameter]
    public SwitchParameter Dependents { get; set; }

    /// <summary>Walks the whole tree instead of one level.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            string prefix = EnvironmentArguments.ResolveTarget(this, EnvironmentArguments.Locator(this), Name, Prefix);
            var installed = PrefixState.ReadInstalled(prefix);
            var direction = Dependents ? DependencyDirection.Dependents : DependencyDirection.Dependencies;
            foreach (DependencyNode node in DependencyTree.Walk(installed, Package, direction, Recurse, prefix))
            {
                WriteObject(EnvironmentArguments.ToOutput(node, "EnvTools.DependencyNode"));
            }
        }, Package);
    }
}
