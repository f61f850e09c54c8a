namespace EnvTools.Tests.Activation;

/// <summary>A temporary folder laid out as a conda environment, deleted on dispose.</summary>
internal sealed class ActivationTestPrefix : IDisposable
{
    internal ActivationTestPrefix(string name = "env")
    {
        Root = Path.Combine(Path.GetTempPath(), "envtools-act-" + Guid.NewGuid().ToString("N"));
        Prefix = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.Combine(Prefix, "conda-meta"));
    }

    internal string Root { get; }

    internal string Prefix { get; }

    internal string Write(string relative, string text)
    {
        string path = Path.Combine(Prefix, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    internal void Record(string name, string version, string build) =>
        Write(Path.Combine("conda-meta", $"{name}-{version}-{build}.json"),
            $$"""{"name": "{{name}}", "version": "{{version}}", "build": "{{build}}", "build_number": 0, "depends": [], "subdir": "noarch", "channel": "https://conda.anaconda.org/conda-forge/noarch", "fn": "{{name}}-{{version}}-{{build}}.conda", "files": []}""");

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
