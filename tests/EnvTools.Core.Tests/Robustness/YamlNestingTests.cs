using EnvTools.Config;
using EnvTools.Environments;
using Xunit;

namespace EnvTools.Tests.Robustness;

/// <summary>
/// Deeply nested YAML used to overflow YamlDotNet's stack and kill the process (issue 16, item 11).
/// Every YAML reader bounds the nesting before the document model is built and reports the file.
/// </summary>
public class YamlNestingTests
{
    private static string Nested(int depth, string open = "[", string close = "]") =>
        string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));

    [Theory]
    [InlineData(20_000)]
    [InlineData(200)]
    public void Condarc(int depth)
    {
        var ex = Assert.Throws<InvalidConfigurationException>(() => CondarcReader.Parse("channels: " + Nested(depth) + "\n", "/x/.condarc"));
        Assert.Equal("InvalidConfiguration", ex.ErrorId);
        Assert.Contains("/x/.condarc", ex.Message);
        Assert.Contains("nest", ex.Message);
    }

    [Fact]
    public void CondarcUnclosed() =>
        Assert.Throws<InvalidConfigurationException>(() => CondarcReader.Parse(new string('[', 20_000), "/x/.condarc"));

    [Fact]
    public void CondarcBlockMappings()
    {
        // block style nests by indentation: 'a:\n b:\n  c:' …
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < 5_000; i++)
        {
            sb.Append(' ', i).Append("k:\n");
        }

        Assert.Throws<InvalidConfigurationException>(() => CondarcReader.Parse(sb.ToString(), "/x/.condarc"));
    }

    [Fact]
    public void EnvironmentFile50000()
    {
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFile.Parse("dependencies: " + new string('[', 50_000) + "\n", "env.yml"));
        Assert.Equal("InvalidEnvironmentFile", ex.ErrorId);
        Assert.Contains("env.yml", ex.Message);
    }

    [Fact]
    public void EnvironmentFileNestedMappings()
    {
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFile.Parse("dependencies: " + Nested(20_000, "{a: ", "}") + "\n", "env.yml"));
        Assert.Contains("nest", ex.Message);
    }

    [Fact]
    public void CondaLock()
    {
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => CondaLockFile.Parse("version: 1\nmetadata: " + Nested(30_000) + "\n", "conda-lock.yml"));
        Assert.Contains("conda-lock.yml", ex.Message);
    }

    [Fact]
    public void PixiLock()
    {
        var ex = Assert.Throws<InvalidEnvironmentFileException>(() => PixiLockFile.Parse("version: 6\nenvironments: " + Nested(30_000) + "\n", "pixi.lock"));
        Assert.Contains("pixi.lock", ex.Message);
    }

    [Fact]
    public void AliasExpansionIsBounded()
    {
        // a "billion laughs": 10 aliases per level, 9 levels, about 10^9 values for a reader that walks it
        var sb = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++)
        {
            sb.Append($"a{i}: &a{i} [").AppendJoin(", ", Enumerable.Repeat($"*a{i - 1}", 10)).Append("]\n");
        }

        var ex = Assert.Throws<InvalidConfigurationException>(() => CondarcReader.Parse(sb.ToString(), "/x/.condarc"));
        Assert.Contains("aliases", ex.Message);
        Assert.Throws<InvalidEnvironmentFileException>(() => EnvironmentFile.Parse(sb.ToString().Replace("a9:", "dependencies:"), "env.yml"));
    }

    [Fact]
    public void ModestNestingStillReads()
    {
        RawLayer layer = CondarcReader.Parse("x: " + Nested(20) + "\n", "/x/.condarc");
        Assert.Single(layer.Entries);
    }
}
