using EnvTools.Conda;
using EnvTools.Host;
using EnvTools.Packages;
using Xunit;

namespace EnvTools.Tests.PublicApi;

/// <summary>
/// A plain .NET host does what the cmdlets do through the engine's public API alone: samples/EnvTools.Host compiles
/// without the engine's internals (EnvTools.Core grants them only to its tests and the benchmarks), and here its
/// workflow runs against a channel of real packages: resolve, create from an environment.yml, install, export, activate, remove.
/// </summary>
public sealed class HostWorkflowTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "envtools-host-" + Guid.NewGuid().ToString("N"));

    public HostWorkflowTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void CreatesInstallsExportsActivatesAndRemovesThroughThePublicApi()
    {
        string channel = Path.Combine(_root, "channel");
        Build(channel, "libhost", "1.0", Array.Empty<string>());
        Build(channel, "hostapp", "2.0", new[] { "libhost >=1" });
        Build(channel, "hosttool", "0.3", new[] { "hostapp" });
        ChannelIndexer.Index(channel);
        string yml = Path.Combine(_root, "environment.yml");
        File.WriteAllText(yml, $"name: hosted\nchannels:\n  - {new Uri(channel).AbsoluteUri}\ndependencies:\n  - hostapp\nvariables:\n  HOSTED: \"yes\"\n");

        HostReport report = HostWorkflow.Run(yml, "hosttool", Path.Combine(_root, "work"));

        Assert.Equal(new[] { "hostapp=2.0", "hosttool=0.3", "libhost=1.0" }, report.Resolved);
        Assert.Equal(Path.Combine(_root, "work", "envs", "hosted"), report.Prefix);
        Assert.Equal(new[] { "hostapp=2.0", "libhost=1.0" }, report.Created);
        Assert.Equal(new[] { "hostapp=2.0", "hosttool=0.3", "libhost=1.0" }, report.Installed);
        Assert.Contains("name: hosted", report.Exported, StringComparison.Ordinal);
        Assert.Contains("hosttool=0.3=0", report.Exported, StringComparison.Ordinal);
        Assert.Matches("(?m)^variables:\\n  HOSTED: .?yes.?$", report.Exported); // quoted: a bare yes is a YAML boolean
        Assert.Equal(report.Prefix, report.Activation["CONDA_PREFIX"]);
        Assert.Equal("yes", report.Activation["HOSTED"]);
        Assert.True(report.Removed);
    }

    private static void Build(string channel, string name, string version, string[] depends)
    {
        string src = Path.Combine(channel, "..", "src-" + name);
        Directory.CreateDirectory(Path.Combine(src, "share", name));
        File.WriteAllText(Path.Combine(src, "share", name, "README"), $"{name} {version}\n");
        var def = new PackageDefinition
        {
            Name = name,
            Version = version,
            Build = "0",
            Subdir = Platform.Current.Name,
            Depends = depends,
            Timestamp = 1700000000000,
        };
        PackageBuilder.Build(src, def, Path.Combine(channel, def.Subdir), PackageFormats.Conda);
    }
}
