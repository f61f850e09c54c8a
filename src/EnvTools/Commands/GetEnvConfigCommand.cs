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
public sealed class GetEnvConfigCommand : EnvCmdlet
{
    #region Parameters

    /// <summary>The keys to show (conda names, wildcards allowed); all when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ConfigKeyCompleter))]
    public string[]? Key { get; set; }

    /// <summary>The environment whose .condarc is read (instead of the active one's, $CONDA_PREFIX).</summary>
    [Parameter]
    [Alias("p")]
    public string? Prefix { get; set; }

    #endregion

    private Settings? _settings;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            if (_settings is null)
            {
                string cwd = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
                string? prefix = string.IsNullOrEmpty(Prefix) ? null : GetUnresolvedProviderPathFromPSPath(Prefix);
                _settings = Settings.Load(prefix, null, ConfigEnvironment.FromProcess(cwd));
                foreach (ConfigValue unknown in _settings.UnknownKeys)
                {
                    if (CondaKeys.Canonical(unknown.Key) is null)
                    {
                        WriteWarning($"Unknown configuration key '{unknown.Key}' in {unknown.SourceInfo} is ignored.");
                    }
                    else
                    {
                        WriteVerbose($"'{unknown.Key}' in {unknown.SourceInfo} is a conda key that EnvTools does not use.");
                    }
                }
            }

            IReadOnlyList<ConfigValue> values = _settings.Values;
            if (Key is not { Length: > 0 })
            {
                foreach (ConfigValue v in values)
                {
                    WriteObject(ToOutput(v));
                }

                return;
            }

            foreach (string k in Key)
            {
                var pattern = WildcardPattern.Get(k, WildcardOptions.IgnoreCase);
                ConfigValue[] matched = values.Where(v => pattern.IsMatch(v.Key)).ToArray();
                if (matched.Length == 0 && _settings.GetValue(k) is ConfigValue alias)
                {
                    matched = new[] { alias };
                }

                if (matched.Length == 0 && !WildcardPattern.ContainsWildcardCharacters(k) && CondaKeys.Canonical(k) is { } condaKey)
                {
                    // a key conda knows and EnvTools does not use: its value where a file sets it, reported as such
                    ConfigValue? set = _settings.UnknownKeys.LastOrDefault(u => CondaKeys.Canonical(u.Key) == condaKey);
                    WriteVerbose($"'{k}' is a conda configuration key that EnvTools does not use.");
                    var o = ToOutput(set ?? ConfigValue.Unset(condaKey));
                    o.Properties.Add(new PSNoteProperty("UsedByEnvTools", false));
                    WriteObject(o);
                    continue;
                }

                if (matched.Length == 0 && !WildcardPattern.ContainsWildcardCharacters(k))
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException($"'{k}' is not a configuration key EnvTools knows; known keys: {string.Join(", ", Settings.KnownKeys)}"),
                        "ConfigKeyNotFound", ErrorCategory.ObjectNotFound, k));
                }

                foreach (ConfigValue v in matched)
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

/// <summary>Completes configuration key names.</summary>
public sealed class ConfigKeyCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters) =>
        Settings.KnownKeys.Union(CondaKeys.Names).Order(StringComparer.Ordinal).Where(k => k.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            .Select(k => new CompletionResult(k, k, CompletionResultType.ParameterValue, k));
}
