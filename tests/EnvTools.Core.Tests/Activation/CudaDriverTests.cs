using System.Diagnostics;
using EnvTools.Activation;
using EnvTools.Conda;
using Xunit;
using EnvTools.Platforms;

namespace EnvTools.Tests.Activation;

public class CudaDriverTests
{
    [Theory]
    [InlineData(12040, "12.4")]
    [InlineData(11080, "11.8")]
    [InlineData(12000, "12.0")]
    [InlineData(10010, "10.1")]
    public void FormatsTheDriverVersionAsConda(int version, string expected) =>
        Assert.Equal(expected, CudaDriver.FormatVersion(version));

    [Fact]
    public void ParsesNvidiaSmisHeader()
    {
        const string header = "| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |";
        Assert.Equal("12.4", CudaDriver.ParseNvidiaSmi(header));
        Assert.Null(CudaDriver.ParseNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."));
    }

    [Fact]
    public void SearchesTheWslDriverFolderOnLinux()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Assert.Contains("/usr/lib/wsl/lib/libcuda.so.1", CudaDriver.LibCudaCandidates());
        Assert.Contains("/usr/lib/wsl/lib/libnvidia-ml.so.1", CudaDriver.NvmlCandidates());
        Assert.Equal("libcuda.so.1", CudaDriver.LibCudaCandidates()[0]);
    }

    [DotnetHostFact]
    public void FindsADotnetHostToRunTheProbe()
    {
        string? host = CudaDriver.FindDotnetHost(_ => null);
        Assert.NotNull(host);
        Assert.True(File.Exists(host));
    }

    [Fact]
    public void ProbesAFakeLibcudaInAChildProcess()
    {
        string? lib = FakeDriver.Build("int cuInit(unsigned int f) { return 0; } int cuDriverGetVersion(int *v) { *v = 12040; return 0; }");
        if (lib is null)
        {
            return; // needs gcc on Linux
        }

        CudaDetection d = CudaDriver.DetectNow(Env((CudaDriver.LibraryVariable, lib)), TimeSpan.FromSeconds(30));
        Assert.Equal("12.4", d.Version);
        Assert.Equal($"cuDriverGetVersion in {lib}", d.Origin);
        Assert.Contains(d.Attempts, a => a == $"libcuda: {lib} answered 12040");
    }

    [Fact]
    public void AHangingDriverTimesOutWithoutHangingTheCaller()
    {
        string? lib = FakeDriver.Build("#include <unistd.h>\nint cuInit(unsigned int f) { sleep(600); return 0; } int cuDriverGetVersion(int *v) { *v = 12040; return 0; }");
        if (lib is null)
        {
            return;
        }

        var sw = Stopwatch.StartNew();
        CudaDetection d = CudaDriver.DetectNow(Env((CudaDriver.LibraryVariable, lib)), TimeSpan.FromSeconds(3));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"took {sw.Elapsed}");
        Assert.Null(d.Version);
        Assert.Contains(d.Attempts, a => a.Contains("did not answer within 3 s", StringComparison.Ordinal));
    }

    [DotnetHostFact]
    public void AMissingExplicitLibraryMeansNoCuda()
    {
        string missing = Path.Combine(Path.GetTempPath(), "envtools-no-such-dir", "libcuda.so.1");
        CudaDetection d = CudaDriver.DetectNow(Env((CudaDriver.LibraryVariable, missing)), TimeSpan.FromSeconds(30));
        Assert.Null(d.Version);
        Assert.Contains(d.Attempts, a => a == $"libcuda: {missing} not loadable");
    }

    [Fact]
    public void VirtualPackagesUseTheDetectedDriverAndLetOverridesWin()
    {
        string? lib = FakeDriver.Build("int cuInit(unsigned int f) { return 0; } int cuDriverGetVersion(int *v) { *v = 11080; return 0; }");
        if (lib is null || Platform.Current != Platform.Linux64)
        {
            return;
        }

        var detected = VirtualPackages.For(Platform.Current, Env((CudaDriver.LibraryVariable, lib))).Single(p => p.Name == "__cuda");
        Assert.Equal(("11.8", VirtualPackageSource.Detected), (detected.Version, detected.Source));

        var config = new Dictionary<string, string> { ["cuda"] = "12.6", ["glibc"] = "2.28" };
        var configured = VirtualPackages.For(Platform.Current, Env((CudaDriver.LibraryVariable, lib)), config);
        Assert.Equal(("12.6", VirtualPackageSource.Config), (configured.Single(p => p.Name == "__cuda").Version, configured.Single(p => p.Name == "__cuda").Source));
        Assert.Equal("2.28", configured.Single(p => p.Name == "__glibc").Version);

        var env = VirtualPackages.For(Platform.Current, Env((CudaDriver.LibraryVariable, lib), ("CONDA_OVERRIDE_CUDA", "12.1")), config);
        Assert.Equal(("12.1", VirtualPackageSource.Override), (env.Single(p => p.Name == "__cuda").Version, env.Single(p => p.Name == "__cuda").Source));

        var removed = VirtualPackages.For(Platform.Current, Env((CudaDriver.LibraryVariable, lib)), new Dictionary<string, string> { ["cuda"] = "" });
        Assert.DoesNotContain(removed, p => p.Name == "__cuda");
    }

    private static Func<string, string?> Env(params (string Key, string Value)[] vars)
    {
        var d = vars.ToDictionary(v => v.Key, v => v.Value);
        return k => d.TryGetValue(k, out string? v) ? v : null;
    }
}

/// <summary>Compiles a fake libcuda with gcc (Linux only); null when that is not possible here.</summary>
internal static class FakeDriver
{
    internal static string? Build(string source)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        string dir = Path.Combine(Path.GetTempPath(), "envtools-fakecuda-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string c = Path.Combine(dir, "fake.c");
        string so = Path.Combine(dir, "libcuda.so.1");
        File.WriteAllText(c, source);
        try
        {
            using Process? gcc = Process.Start(new ProcessStartInfo("gcc", new[] { "-shared", "-fPIC", "-o", so, c }) { RedirectStandardError = true });
            gcc!.WaitForExit();
            return gcc.ExitCode == 0 ? so : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
