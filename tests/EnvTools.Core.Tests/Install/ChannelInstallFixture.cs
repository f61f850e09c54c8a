using EnvTools.Conda;
using EnvTools.Config;
using EnvTools.Install;
using EnvTools.Packages;
using EnvTools.Environments;

namespace EnvTools.Tests.Install;

/// <summary>
/// A local channel of real packages (built with <see cref="PackageBuilder"/>, indexed with <see cref="ChannelIndexer"/>),
/// an isolated home, package cache and envs folder, and an <see cref="EnvironmentInstaller"/> over them: plan and apply
/// whole requests as the cmdlets do. Deleted on dispose.
/// </summary>
public sealed class ChannelInstallFixture : IDisposable
{
    public ChannelInstallFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "envtools-chan-" + Guid.NewGuid().ToString("N")[..10]);
        Channel = Path.Combine(Root, "channel");
        Pkgs = Path.Combine(Root, "pkgs");
        Envs = Path.Combine(Root, "envs");
        Home = Path.Combine(Root, "home");
        foreach (string d in new[] { Channel, Pkgs, Envs, Home })
        {
            Directory.CreateDirectory(d);
        }

        var env = ConfigEnvironment.Create(Home, new Dictionary<string, string>(), Array.Empty<string>(), Root);
        Settings = Settings.Load(null, new Dictionary<string, object?>
        {
            ["pkgs_dirs"] = new[] { Pkgs },
            ["envs_dirs"] = new[] { Envs },
            ["local_repodata_ttl"] = 0,
        }, env);
    }

    public string Root { get; }

    public string Channel { get; }

    public string Pkgs { get; }

    public string Envs { get; }

    public string Home { get; }

    public Settings Settings { get; }

    public string EnvironmentsTxt => Path.Combine(Home, ".conda", "environments.txt");

    /// <summary>Builds name-version into the channel with the given files (path → text).</summary>
    public void Package(string name, string version, string[]? depends = null, params (string Path, string Text)[] files)
    {
        string src = Path.Combine(Root, "src-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(src);
        foreach (var (path, text) in files.Length > 0 ? files : new[] { ($"share/{name}/{name}.txt", $"{name} {version}\n") })
        {
            string full = Path.Combine(src, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        var def = new PackageDefinition
        {
            Name = name,
            Version = version,
            Build = "0",
            Subdir = Platform.Current.Name,
            Depends = depends ?? Array.Empty<string>(),
            Timestamp = 1700000000000,
        };
        PackageBuilder.Build(src, def, Path.Combine(Channel, def.Subdir), PackageFormats.Conda);
        Directory.Delete(src, true);
    }

    public void Index() => ChannelIndexer.Index(Channel);

    public EnvironmentInstaller Installer() => new(Settings, options: new InstallOptions
    {
        EnvironmentsFile = EnvironmentsTxt,
        LockTimeout = TimeSpan.FromSeconds(20),
        HistoryCommand = "envtools test",
    });

    public string PrefixOf(string name) => Path.Combine(Envs, name);

    public EnvironmentRequest Request(string prefix, EnvironmentAction action, params string[] specs) => new()
    {
        Prefix = prefix,
        Action = action,
        Specs = specs.Select(MatchSpec.Parse).ToArray(),
        Channels = new[] { EnvTools.Config.ChannelResolver.ParseChannel(Channel) },
        NoDefaultPackages = true,
    };

    public EnvironmentPlan Plan(string prefix, EnvironmentAction action, params string[] specs) =>
        Installer().Plan(Request(prefix, action, specs));

    public EnvironmentResult Run(string prefix, EnvironmentAction action, params string[] specs)
    {
        var installer = Installer();
        return installer.Apply(installer.Plan(Request(prefix, action, specs)));
    }

    /// <summary>name=version of each installed record, by name.</summary>
    public static string[] Installed(string prefix) =>
        PrefixState.ReadInstalled(prefix).Select(r => $"{r.Name}={r.Version}").ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
