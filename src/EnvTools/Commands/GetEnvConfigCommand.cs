using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Config;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Shows the effective configuration and where each value came from (conda config --show --show-sources).</para>
/// <para type="description">Get-EnvConfig merges the .condarc files (system, user, the environment's, $CONDARC), the CONDA_*
/// environment variables and conda's defaults as conda does, and returns one EnvTools.ConfigValue per key: Key, Value,
/// Source (file, env:NAME or default) and Line. Tokens and passwords in URLs are masked. Every key conda 25.11 knows is
/// accepted: one EnvTools does not use (auto_activate_base, solver …) is returned with its value where a file sets it
/// (else an empty Value) and a UsedByEnvTools property of $false, not as an error. Set-EnvConfig, Add-EnvConfig and
/// Remove-EnvConfig write the files. A malformed file is an
/// InvalidConfiguration error naming the file and line.</para>
/// </summary>
/// <example><code>Get-EnvConfig channel*</code>
/// <para>Shows the channel settings in effect and the file and line each comes from, like conda config --show-sources
/// for those keys: here channels and channel_priority from ~/.condarc, and channel_alias from conda's defaults.</para>
/// <output>
/// Key                          Value                                        Source                                    Line
/// ---                          -----                                        ------                                    ----
/// channel_alias                https://conda.anaconda.org                   default
/// channel_priority             strict                                       …/.condarc                                   4
/// channels                     [conda-forge]                                …/.condarc                                   1
/// </output></example>
/// <example><code>Get-EnvConfig -Prefix ./envs/ml env_prompt, pkgs_dirs</code>
/// <para>Shows two keys as the environment at ./envs/ml sees them, its own .condarc included: env_prompt from its
/// .condarc, pkgs_dirs from the CONDA_PKGS_DIRS environment variable.</para>
/// <output>
/// Key                          Value                                        Source                                    Line
/// ---                          -----                                        ------                                    ----
/// env_prompt                   [{name}]                                     …/envs/ml/.condarc                           1
/// pkgs_dirs                    […/pkgs]                                     env:CONDA_PKGS_DIRS
/// </output></example>
/// <seealso cref="SetEnvConfigCommand"/>
/// <seealso cref="AddEnvConfigCommand"/>
/// <seealso cref="RemoveEnvConfigCommand"/>
/// <seealso cref="GetEnvInfoCommand"/>
[Cmdlet(VerbsCommon.Get, "EnvConfig")]
[OutputType(typeof(ConfigValue))]
public sealed partial class GetEnvConfigCommand : EnvCmdlet
{
    private Settings? _settings;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            if (_settings is null)
            {
                string? prefix = string.IsNullOrEmpty(Prefix) ? null : GetUnresolvedProviderPathFromPSPath(Prefix);
                _settings = ChannelArguments.LoadSettings(this, prefix);
                foreach ((bool warning, string message) in ConfigQuery.UnknownKeyNotices(_settings))
                {
                    if (warning)
                    {
                        WriteWarning(message);
                    }
                    else
                    {
                        WriteVerbose(message);
                    }
                }
            }

            if (Key is not { Length: > 0 })
            {
                foreach (ConfigValue v in _settings.Values)
                {
                    WriteObject(ToOutput(v));
                }

                return;
            }

            foreach (string k in Key)
            {
                var pattern = WildcardPattern.Get(k, WildcardOptions.IgnoreCase);
                ConfigKeyMatch found = ConfigQuery.Find(_settings, k, pattern.IsMatch, WildcardPattern.ContainsWildcardCharacters(k));
                if (found.UnusedCondaKey is { } unused)
                {
                    WriteVerbose($"'{k}' is a conda configuration key that EnvTools does not use.");
                    var o = ToOutput(unused);
                    o.Properties.Add(new PSNoteProperty("UsedByEnvTools", false));
                    WriteObject(o);
                }
                else if (found.NotFound is { } message)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException(message), "ConfigKeyNotFound", ErrorCategory.ObjectNotFound, k));
                }

                foreach (ConfigValue v in found.Values)
                {
                    WriteObject(ToOutput(v));
                }
            }
        }, Prefix);
    }

    private static PSObject ToOutput(ConfigValue value)
    {
        var o = PSObject.AsPSObject(value);
        o.TypeNames.Insert(0, "EnvTools.ConfigValue");
        return o;
    }
}
