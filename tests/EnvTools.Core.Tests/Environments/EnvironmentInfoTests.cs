using EnvTools.Environments;
using Xunit;

namespace EnvTools.Tests.Environments;

public sealed class EnvironmentInfoTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Read_CountsPackages_FindsPythonAndCuda_AndTheLastRevision()
    {
        var p = new TestPrefix(_tmp.Sub("envs", "ml"));
        p.File("bin/python3.11", "#!python").Record("python", "3.11.9", "h932a869_0_cpython");
        p.Record("cuda-cudart", "12.4.127", "h99ab3db_0");
        p.Record("cuda-version", "12.4", "h3060b56_3");
        p.Record("libgcc-ng", "13.2.0", "h77fa898_7");
        File.WriteAllText(Path.Combine(p.Prefix, "conda-meta", "history"),
            "==> 2024-05-01 10:00:00 <==\n# cmd: conda create -n ml python\n+conda-forge/linux-64::python-3.11.9-h932a869_0_cpython\n" +
            "==> 2024-06-02 11:30:15 <==\n# cmd: conda install cuda-version=12.4\n+conda-forge/noarch::cuda-version-12.4-h3060b56_3\n");

        EnvironmentInfo info = EnvironmentInfo.Read(p.Prefix + Path.DirectorySeparatorChar, "ml", activePrefix: p.Prefix);
        Assert.Equal("ml", info.Name);
        Assert.Equal(p.Prefix, info.Prefix);
        Assert.True(info.IsActive);
        Assert.Equal(4, info.PackageCount);
        Assert.Equal("3.11.9", info.PythonVersion);
        Assert.Equal("12.4", info.CudaVersion);
        Assert.Equal(new DateTime(2024, 6, 2, 11, 30, 15), info.LastModified);
        long all = Directory.GetFiles(p.Prefix, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.Equal(all, info.SizeOnDisk);
        Assert.Equal(info.SizeOnDisk, info.ExclusiveSize);
        Assert.Equal("ml", info.ToString());
    }

    [Fact]
    public void Read_FallsBackToCudatoolkit_AndKnowsNothingOfAnEmptyEnvironment()
    {
        var p = new TestPrefix(_tmp.Sub("old"));
        p.Record("cudatoolkit", "11.8.0", "h4ba93d1_12");
        EnvironmentInfo info = EnvironmentInfo.Read(p.Prefix, activePrefix: _tmp.Sub("other"));
        Assert.Equal("11.8.0", info.CudaVersion);
        Assert.Null(info.PythonVersion);
        Assert.Null(info.LastModified);
        Assert.False(info.IsActive);
        Assert.Null(info.Name);
        Assert.Equal(p.Prefix, info.ToString());

        var empty = new TestPrefix(_tmp.Sub("empty"));
        Assert.Equal(0, EnvironmentInfo.Read(empty.Prefix).PackageCount);
    }

    [Fact]
    public void Locator_ResolvesTargets_AndHidesTrashFolders()
    {
        string envs = _tmp.Sub("envs");
        new TestPrefix(Path.Combine(envs, "ml")).Record("zlib", "1.3.1", "h4ab18f5_1");
        new TestPrefix(Path.Combine(envs, ".gone.envtools-trash-0123456789abcdef0123456789abcdef")).Record("zlib", "1.3.1", "h4ab18f5_1");
        var locator = new EnvironmentLocator(new[] { envs }, _tmp.Sub("environments.txt"));
        Assert.Equal(new[] { "ml" }, locator.List().Select(e => e.Name));
        Assert.Equal(Path.Combine(envs, "ml"), locator.ResolveTarget("ml", null));
        Assert.Equal(Path.Combine(envs, "ml"), locator.ResolveTarget(null, Path.Combine(envs, "ml") + "/"));
        Assert.Throws<NoActiveEnvironmentException>(() => locator.ResolveTarget(null, null));
        var nf = Assert.Throws<EnvironmentNotFoundException>(() => locator.ResolveTarget("ml2", null));
        Assert.Equal("EnvironmentNotFound", nf.ErrorId);
        Assert.Equal(new[] { "ml" }, nf.Suggestions);
        Assert.Throws<EnvironmentNotFoundException>(() => locator.ResolveTarget(null, envs));

        var active = new EnvironmentLocator(new[] { envs }, _tmp.Sub("environments.txt"), Path.Combine(envs, "ml") + "/");
        Assert.Equal(Path.Combine(envs, "ml"), active.ResolveTarget(null, null));
        Assert.True(active.IsActive(Path.Combine(envs, "ml")));
    }
}
