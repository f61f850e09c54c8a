using EnvTools.Activation;
using EnvTools.Config;
using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Host;

/// <summary>What <see cref="HostWorkflow.Run"/> saw at each step.</summary>
/// <param name="Resolved">What the spec to install resolves to on its own, before anything is created (name=version).</param>
/// <param name="Prefix">The environment created.</param>
/// <param name="Created">The packages after the create from the file (name=version).</param>
/// <param name="Installed">The packages after the install.</param>
/// <param name="Exported">The environment exported as environment.yml text.</param>
/// <param name="Activation">The variables an activation would set (name → value; null: unset).</param>
/// <param name="Removed">Whether the environment is gone after the removal.</param>
public sealed record HostReport(IReadOnlyList<string> Resolved, string Prefix, IReadOnlyList<string> Created, IReadOnlyList<string> Installed, string Exported,
    IReadOnlyDictionary<string, string?> Activation, bool Removed);

/// <summary>
/// The main job of EnvTools done by a plain .NET program: resolve a spec, create an environment from an environment.yml,
/// install a package into it, export it, compute its activation, remove it — through the engine's public API only.
/// </summary>
public static class HostWorkflow
{
    /// <summary>Runs the workflow with every conda folder under <paramref name="root"/> (nothing else on the machine is read).</summary>
    /// <param name="environmentFile">An environment.yml (its channels: the packages' channel).</param>
    /// <param name="install">A MatchSpec to install after the create.</param>
    /// <param name="root">A folder for HOME, the package cache and the environments.</param>
    public static HostReport Run(string environmentFile, string install, string root)
    {
        var variables = new Dictionary<string, string>
        {
            ["CONDA_PKGS_DIRS"] = Path.Combine(root, "pkgs"),
            ["CONDA_ENVS_DIRS"] = Path.Combine(root, "envs"),
            ["CONDARC"] = Path.Combine(root, "condarc"),
            ["CONDA_RESTRICT_RC_SEARCH_PATH"] = "1",
        };
        Directory.CreateDirectory(root);
        File.WriteAllText(variables["CONDARC"], "channels: []\n");
        IConfigEnvironment config = ConfigEnvironment.Create(Path.Combine(root, "home"), variables, workingDirectory: root);
        Settings settings = Settings.Load(null, null, config);
        var locator = new EnvironmentLocator(settings);

        // conda create --dry-run -c CHANNEL SPEC (Resolve-EnvPackage): the file's channels, nothing written
        EnvironmentSource source = EnvironmentSource.Load(environmentFile, Conda.Platform.Current, config.GetEnvironmentVariable);
        PackageResolution resolution = PackageResolver.Solve(settings, new[] { Conda.MatchSpec.Parse(install) },
            new EnvironmentChangeArguments { WorkingDirectory = root, Channels = source.Channels });
        IReadOnlyList<string> resolved = resolution.Result.Records.Select(r => $"{r.Name}={r.Version}").Order(StringComparer.Ordinal).ToList();

        // conda env create -f environment.yml
        string prefix = FileEnvironments.PrefixForCreate(source, locator, name: null, prefix: null);
        var create = new EnvironmentRequest { Prefix = prefix, Action = EnvironmentAction.Create, Platform = Conda.Platform.Current };
        create = FileEnvironments.Request(create, source, Array.Empty<Conda.MatchSpec>(), prune: false, settings, channels: null,
            overrideChannels: false, workingDirectory: root);
        var installer = new EnvironmentInstaller(settings);
        installer.Apply(installer.Plan(create));
        FileEnvironments.Finish(prefix, source, installPip: false);
        IReadOnlyList<string> created = Packages(prefix);

        // conda install -p PREFIX SPEC (the channels of the file again, as a user would give them)
        Settings forPrefix = Settings.Load(prefix, null, config);
        var add = new EnvironmentRequest
        {
            Prefix = prefix,
            Action = EnvironmentAction.Install,
            Platform = Conda.Platform.Current,
            Specs = new[] { Conda.MatchSpec.Parse(install) },
            Channels = RequestChannels.Resolve(forPrefix, source.Channels, overrideChannels: false, root),
        };
        var installer2 = new EnvironmentInstaller(forPrefix);
        installer2.Apply(installer2.Plan(add));
        IReadOnlyList<string> installed = Packages(prefix);

        // conda env export
        string exported = EnvironmentExport.ToEnvironmentFile(prefix, new EnvironmentExportOptions { Name = locator.NameInEnvsDirs(prefix) }).ToYaml();

        // conda activate (the plan: what it would set), without touching this process's environment
        var session = new EnvironmentVariableMap(new Dictionary<string, string> { ["PATH"] = "/usr/bin" });
        ActivationPlan plan = new EnvironmentActivator().Plan(prefix, locator.NameInEnvsDirs(prefix), session, new ActivationStack(), stacked: false);
        var activation = plan.Variables.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

        // conda env remove
        new EnvironmentRemover(locator).Remove(prefix);
        return new HostReport(resolved, prefix, created, installed, exported, activation, !Directory.Exists(prefix));
    }

    private static IReadOnlyList<string> Packages(string prefix) =>
        PrefixData.Load(prefix).GetPackages().Select(p => $"{p.Name}={p.Version}").ToList();
}
