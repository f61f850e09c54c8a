using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Lists the variables an environment sets when activated (conda env config vars list).</para>
/// <para type="description">Get-EnvVariable reads the environment's conda-meta/state (what Set-EnvVariable and conda env
/// config vars set write) and, with -IncludePackage, the packages' etc/conda/env_vars.d/*.json. Each variable is an
/// EnvTools.EnvVariable: Name, Value, Source (the file). Without -Name or -Prefix the active environment is read.</para>
/// </summary>
/// <example><code>Get-EnvVariable -Name ml</code>
/// <para>Lists the variables the environment ml sets when activated (conda env config vars list -n ml) and the file
/// they are kept in.</para>
/// <output>
/// Name                     Value                                    Source
/// ----                     -----                                    ------
/// MY_TOKEN_FILE            ~/.token                                 …/envs/ml/conda-meta/state
/// OMP_NUM_THREADS          4                                        …/envs/ml/conda-meta/state
/// </output></example>
/// <example><code>Get-EnvVariable 'PROJ*' -Prefix ./envs/geo -IncludePackage</code>
/// <para>Lists the PROJ variables of the environment at ./envs/geo, including the one its proj package sets through
/// etc/conda/env_vars.d, to see what an activation will set and where it comes from.</para>
/// <output>
/// Name                     Value                                    Source
/// ----                     -----                                    ------
/// PROJ_DATA                …/envs/geo/share/proj                    …/envs/geo/etc/conda/env_vars.d/proj.json
/// PROJ_NETWORK             ON                                       …/envs/geo/conda-meta/state
/// </output></example>
/// <seealso cref="SetEnvVariableCommand"/>
/// <seealso cref="RemoveEnvVariableCommand"/>
/// <seealso cref="EnableEnvCommand"/>
[Cmdlet(VerbsCommon.Get, "EnvVariable", DefaultParameterSetName = EnvVariableArguments.NameSet)]
[OutputType(typeof(EnvironmentVariableEntry))]
public sealed class GetEnvVariableCommand : EnvCmdlet
{
    #region Parameters

    /// <summary>The variables to show (wildcards allowed); all when omitted.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string[]? Variable { get; set; }

    /// <summary>The environment's name; the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(ParameterSetName = EnvVariableArguments.NameSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EnvVariableArguments.PrefixSet, ValueFromPipelineByPropertyName = true)]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>Also lists the variables the packages set (etc/conda/env_vars.d/*.json), before the state file's.</summary>
    [Parameter]
    public SwitchParameter IncludePackage { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            string prefix = EnvVariableArguments.Prefix(this, Name, Prefix);
            IEnumerable<EnvironmentVariableEntry> entries = EnvironmentConfigVariables.Read(prefix);
            if (IncludePackage)
            {
                entries = EnvironmentConfigVariables.ReadPackageVariables(prefix).Concat(entries);
            }

            var patterns = (Variable ?? Array.Empty<string>()).Select(v => WildcardPattern.Get(v, WildcardOptions.IgnoreCase)).ToArray();
            foreach (EnvironmentVariableEntry e in entries)
            {
                if (patterns.Length == 0 || patterns.Any(p => p.IsMatch(e.Name)))
                {
                    WriteObject(EnvVariableArguments.ToOutput(e with { Prefix = prefix }));
                }
            }
        }, Prefix ?? Name);
    }
}

/// <summary>The environment arguments the Env*Variable cmdlets share.</summary>
internal static class EnvVariableArguments
{
    internal const string NameSet = "Name";
    internal const string PrefixSet = "Prefix";

    /// <summary>The prefix named by -Name/-Prefix, or the active environment's.</summary>
    internal static string Prefix(EnvCmdlet cmdlet, string? name, string? prefix)
    {
        var settings = ChannelArguments.LoadSettings(cmdlet);
        return ActivationSession.ResolveEnvironment(cmdlet, settings, name, prefix, activeByDefault: true).Prefix;
    }

    /// <summary>The output object of a variable, typed as <c>EnvTools.EnvVariable</c>.</summary>
    internal static PSObject ToOutput(EnvironmentVariableEntry entry)
    {
        var o = PSObject.AsPSObject(entry);
        o.TypeNames.Insert(0, "EnvTools.EnvVariable");
        return o;
    }

    /// <summary>Warns that the active environment must be re-activated to see a change.</summary>
    internal static void WarnIfActive(EnvCmdlet cmdlet, string prefix)
    {
        string? active = Environment.GetEnvironmentVariable("CONDA_PREFIX");
        if (!string.IsNullOrEmpty(active) && string.Equals(Path.GetFullPath(active), Path.GetFullPath(prefix),
                OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            cmdlet.WriteWarning("The environment is active: run Disable-Env and Enable-Env for the change to take effect in this session.");
        }
    }
}
