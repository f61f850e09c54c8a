using System.Management.Automation;
using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands.Internal;

/// <summary>
/// Base of the cmdlets that change an existing environment (Install-, Update-, Uninstall-EnvPackage): the target is
/// -Name, -Prefix (bound by property name from Get-Env output), or the active environment.
/// </summary>
public abstract class ExistingEnvChangeCmdlet : EnvChangeCmdlet
{
    /// <summary>The environment's name; the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(ParameterSetName = "Name")]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder (binds from Get-Env output).</summary>
    [Parameter(ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>The prefix of the target environment.</summary>
    protected string ResolveTarget(Settings settings) => ResolveExisting(settings, Name, Prefix);

    /// <summary>The parameter set of packages piped from Get-EnvPackage.</summary>
    protected const string InputSet = "InputObject";

    private readonly List<InstalledPackage> _piped = new();

    /// <summary>Keeps packages piped from Get-EnvPackage; they are acted on together, one change per environment, at the end.</summary>
    protected void Collect(IEnumerable<InstalledPackage> packages) => _piped.AddRange(packages);

    /// <summary>
    /// Runs <paramref name="action"/> once per environment of the collected packages (in the order first seen) with their
    /// names as specs, then ends the cmdlet.
    /// </summary>
    protected void EndPiped(EnvironmentAction action, Func<EnvironmentRequest, EnvironmentRequest>? customize = null, bool downloadOnly = false)
    {
        foreach (IGrouping<string, InstalledPackage> g in _piped.GroupBy(p => p.Prefix, StringComparer.Ordinal))
        {
            TryRun(() =>
            {
                var specs = g.Select(p => p.Name).Distinct(StringComparer.Ordinal).Select(MatchSpec.Parse).ToArray();
                if (Execute(LoadSettings(g.Key), g.Key, action, specs, customize, downloadOnly) is { } o)
                {
                    WriteChanges(o.Plan);
                }
            }, g.Key);
        }
    }
}
