using EnvTools.Config;

namespace EnvTools.Tests.Config;

/// <summary>A fake machine in a temp folder: home, system folders, variables; files written on demand.</summary>
internal sealed class ConfigFixture : IDisposable
{
    public ConfigFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "envtools-config-" + Guid.NewGuid().ToString("N"));
        Home = Path.Combine(Root, "home");
        Etc = Path.Combine(Root, "etc", "conda");
        VarLib = Path.Combine(Root, "var", "lib", "conda");
        Directory.CreateDirectory(Home);
    }

    public string Root { get; }

    public string Home { get; }

    public string Etc { get; }

    public string VarLib { get; }

    public Dictionary<string, string> Variables { get; } = new();

    public IConfigEnvironment Environment => ConfigEnvironment.Create(Home, Variables, new[] { Etc, VarLib }, Root, isWindows: false);

    /// <summary>Writes a file below the root (relative path) and returns its full path.</summary>
    public string Write(string relative, string text)
    {
        string path = Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("\r\n", "\n"));
        return path;
    }

    /// <summary>An absolute path of a .condarc as the engine reads it on this machine: <c>/x</c> here, <c>C:\x</c> on Windows.</summary>
    public string Abs(string path) => Path.GetFullPath(path, Root);

    public Settings Load(string? prefix = null, IReadOnlyDictionary<string, object?>? options = null) => Settings.Load(prefix, options, Environment);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
