namespace EnvTools.Config;

/// <summary>
/// Every configuration key conda 25.11.1 knows (<c>context.list_parameters()</c> of conda/base/context.py) and its public
/// aliases, with the sequence and map keys (<c>describe_parameter(...)['parameter_type']</c>). EnvTools reads and writes
/// them all; the ones it does not use itself (<see cref="ConfigKeys"/>) are kept as conda's, not reported as unknown.
/// </summary>
public static class CondaKeys
{
    private static readonly string[] Parameters =
    (
        "add_anaconda_token add_pip_as_python_dependency aggressive_update_packages allow_conda_downgrades allow_cycles " +
        "allow_non_channel_urls allow_softlinks allowlist_channels always_copy always_softlink always_yes anaconda_upload " +
        "auto_activate auto_stack auto_update_conda bld_path changeps1 channel_alias channel_priority channel_settings channels " +
        "client_ssl_cert client_ssl_cert_key clobber conda_build console create_default_packages croot custom_channels " +
        "custom_multichannels debug default_activation_env default_channels default_python default_threads denylist_channels " +
        "deps_modifier dev disallowed_packages download_only dry_run enable_private_envs env_prompt environment_specifier " +
        "envs_dirs envvars_force_uppercase error_upload_url execute_threads experimental export_platforms extra_safety_checks " +
        "fetch_threads force force_32bit force_reinstall force_remove ignore_pinned json list_fields local_repodata_ttl " +
        "migrated_channel_aliases migrated_custom_channels no_lock no_plugins non_admin_enabled notify_outdated_conda " +
        "number_channel_notices offline override_channels_enabled override_virtual_packages path_conflict pinned_packages " +
        "pkgs_dirs prefix_data_interoperability protect_frozen_envs proxy_servers quiet register_envs remote_backoff_factor " +
        "remote_connect_timeout_secs remote_max_retries remote_read_timeout_secs repodata_fns repodata_threads repodata_use_zst " +
        "report_errors rollback_enabled root_prefix safety_checks sat_solver separate_format_cache shortcuts shortcuts_only " +
        "show_channel_urls signing_metadata_url_base solver solver_ignore_timestamps ssl_verify subdir subdirs " +
        "target_prefix_override trace track_features unsatisfiable_hints unsatisfiable_hints_check_depth update_modifier " +
        "use_index_cache use_local use_only_tar_bz2 verbosity verify_threads"
    ).Split(' ');

    private static readonly Dictionary<string, string> AliasOf = new(StringComparer.Ordinal)
    {
        ["add_binstar_token"] = "add_anaconda_token", ["auto_activate_base"] = "auto_activate", ["binstar_upload"] = "anaconda_upload",
        ["channel"] = "channels", ["client_cert"] = "client_ssl_cert", ["client_cert_key"] = "client_ssl_cert_key",
        ["conda-build"] = "conda_build", ["copy"] = "always_copy", ["disallow"] = "disallowed_packages", ["env_spec"] = "environment_specifier",
        ["envs_path"] = "envs_dirs", ["experimental_solver"] = "solver", ["extra_platforms"] = "export_platforms", ["root_dir"] = "croot",
        ["self_update"] = "auto_update_conda", ["softlink"] = "always_softlink", ["verbose"] = "verbosity", ["verify_ssl"] = "ssl_verify",
        ["virtual_packages"] = "override_virtual_packages", ["whitelist_channels"] = "allowlist_channels", ["yes"] = "always_yes",
    };

    private static readonly HashSet<string> SequenceKeys = new(
        ("aggressive_update_packages allowlist_channels channel_settings channels create_default_packages default_channels " +
         "denylist_channels disallowed_packages envs_dirs experimental export_platforms list_fields migrated_channel_aliases " +
         "pinned_packages pkgs_dirs repodata_fns shortcuts_only subdirs track_features").Split(' '), StringComparer.Ordinal);

    private static readonly HashSet<string> MapKeys = new(
        "conda_build custom_channels custom_multichannels migrated_custom_channels override_virtual_packages proxy_servers".Split(' '),
        StringComparer.Ordinal);

    private static readonly HashSet<string> ParameterSet = new(Parameters, StringComparer.Ordinal);

    /// <summary>conda's parameter names, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = Parameters.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The parameter a name or alias denotes, or null when conda knows no such key.</summary>
    public static string? Canonical(string nameOrAlias) =>
        ParameterSet.Contains(nameOrAlias) ? nameOrAlias : AliasOf.GetValueOrDefault(nameOrAlias)
            ?? (ConfigKeys.Find(nameOrAlias) is { } k ? k.Name : null); // keys EnvTools knows beyond conda's (repodata_use_shards)

    /// <summary>Whether the key (a name or alias) holds a list.</summary>
    public static bool IsSequence(string key) => Canonical(key) is { } c && (SequenceKeys.Contains(c) || ConfigKeys.Find(c)?.Shape == KeyShape.Sequence);

    /// <summary>Whether the key (a name or alias) holds a map.</summary>
    public static bool IsMap(string key) => Canonical(key) is { } c && (MapKeys.Contains(c) || ConfigKeys.Find(c)?.Shape is KeyShape.Map or KeyShape.MapOfSequences or KeyShape.MapOfMaps);

    /// <summary>Whether EnvTools itself uses the key (the others are conda's, read and written but without effect here).</summary>
    public static bool IsUsedByEnvTools(string key) => ConfigKeys.Find(key) is not null;
}
