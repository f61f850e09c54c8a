using Xunit;

namespace EnvTools.Tests;

public class SmokeTests
{
    [ConformanceFact]
    public void ConformanceDataHasManifest()
    {
        Assert.True(File.Exists(ConformanceData.PathOf("MANIFEST.md")));
    }
}
