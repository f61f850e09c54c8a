using EnvTools.Environments;
using Xunit;

namespace EnvTools.Tests.Environments;

public sealed class EnvironmentsFileTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "envtools-envs-" + Guid.NewGuid().ToString("N")[..8]);

    public EnvironmentsFileTests() => Directory.CreateDirectory(_tmp);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_tmp, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string Env(string name) => Path.Combine(_tmp, "envs", name);

    [Fact]
    public void MissingFile_ReadsEmpty_AndAddCreatesIt()
    {
        var f = new EnvironmentsFile(Path.Combine(_tmp, ".conda", "environments.txt"));
        Assert.Empty(f.Read());
        Assert.True(f.Add(Env("a")));
        Assert.Equal(Env("a") + "\n", File.ReadAllText(f.FilePath));
    }

    [Fact]
    public void Add_Dedupes()
    {
        var f = new EnvironmentsFile(Path.Combine(_tmp, "environments.txt"));
        Assert.True(f.Add(Env("a")));
        Assert.True(f.Add(Env("b")));
        Assert.False(f.Add(Env("a")));
        Assert.False(f.Add(Env("a") + Path.DirectorySeparatorChar));
        Assert.Equal(new[] { Env("a"), Env("b") }, f.Read());
    }

    [Fact]
    public void Read_SkipsBlanksAndDuplicates()
    {
        string path = Path.Combine(_tmp, "environments.txt");
        File.WriteAllText(path, $"{Env("a")}\n\n  {Env("b")}  \r\n{Env("a")}\n");
        Assert.Equal(new[] { Env("a"), Env("b") }, new EnvironmentsFile(path).Read());
    }

    [Fact]
    public void Remove_DropsEveryListing_AndLeavesNoTempFiles()
    {
        string path = Path.Combine(_tmp, "environments.txt");
        File.WriteAllText(path, $"{Env("a")}\n{Env("b")}\n{Env("a")}\n{Env("c")}\n");
        var f = new EnvironmentsFile(path);
        Assert.True(f.Remove(Env("a")));
        Assert.False(f.Remove(Env("zzz")));
        Assert.Equal($"{Env("b")}\n{Env("c")}\n", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_tmp));
    }
}
