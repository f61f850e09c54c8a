using System.Text.Json.Nodes;
using EnvTools.Activation;
using Xunit;
using EnvTools.Environments;

namespace EnvTools.Tests.Activation;

public class EnvironmentConfigVariablesTests
{
    [Fact]
    public void ReadsCondasStateFileInOrder()
    {
        using var env = new ActivationTestPrefix();
        // exactly what `conda env config vars set B=2 A=1` writes
        env.Write("conda-meta/state", """{"env_vars": {"B": "2", "A": "1"}}""");
        var vars = EnvironmentConfigVariables.Read(env.Prefix);
        Assert.Equal(new[] { ("B", "2"), ("A", "1") }, vars.Select(v => (v.Name, v.Value)));
        Assert.All(vars, v => Assert.Equal(EnvironmentConfigVariables.StatePath(env.Prefix), v.Source));
    }

    [Fact]
    public void NoFileMeansNoVariables()
    {
        using var env = new ActivationTestPrefix();
        Assert.Empty(EnvironmentConfigVariables.Read(env.Prefix));
        Assert.Empty(EnvironmentConfigVariables.Remove(env.Prefix, new[] { "X" }));
        Assert.False(File.Exists(EnvironmentConfigVariables.StatePath(env.Prefix)));
    }

    [Fact]
    public void SetKeepsOtherKeysAndVariablesAndRemoveTakesOnlyTheNamed()
    {
        using var env = new ActivationTestPrefix();
        env.Write("conda-meta/state", """{"env_vars": {"KEEP": "k"}, "other_key": [1, 2]}""");
        EnvironmentConfigVariables.Set(env.Prefix, new Dictionary<string, string> { ["NEW"] = "n", ["KEEP"] = "k2" });
        JsonObject state = JsonNode.Parse(File.ReadAllText(EnvironmentConfigVariables.StatePath(env.Prefix)))!.AsObject();
        Assert.Equal("[1,2]", state["other_key"]!.ToJsonString());
        Assert.Equal("k2", (string?)state["env_vars"]!["KEEP"]);
        Assert.Equal("n", (string?)state["env_vars"]!["NEW"]);

        Assert.Equal(new[] { "NEW" }, EnvironmentConfigVariables.Remove(env.Prefix, new[] { "NEW", "MISSING" }));
        Assert.Equal(new[] { "KEEP" }, EnvironmentConfigVariables.Read(env.Prefix).Select(v => v.Name));
    }

    [Fact]
    public void SetCreatesTheFile()
    {
        using var env = new ActivationTestPrefix();
        EnvironmentConfigVariables.Set(env.Prefix, new[] { KeyValuePair.Create("A", "1") });
        Assert.Equal("1", (string?)JsonNode.Parse(File.ReadAllText(EnvironmentConfigVariables.StatePath(env.Prefix)))!["env_vars"]!["A"]);
    }

    [Fact]
    public void RejectsNamesWithEquals()
    {
        using var env = new ActivationTestPrefix();
        var ex = Assert.Throws<InvalidSpecException>(() => EnvironmentConfigVariables.Set(env.Prefix, new[] { KeyValuePair.Create("A=B", "1") }));
        Assert.Equal("InvalidSpec", ex.ErrorId);
    }

    [Fact]
    public void PackageVariablesComeFirstAndTheStateFileWins()
    {
        using var env = new ActivationTestPrefix();
        env.Write("etc/conda/env_vars.d/b.json", """{"SHARED": "b", "FROM_B": "1"}""");
        env.Write("etc/conda/env_vars.d/a.json", """{"SHARED": "a", "FROM_A": "1"}""");
        env.Write("conda-meta/state", """{"env_vars": {"SHARED": "state"}}""");
        Assert.Equal(new[] { ("SHARED", "b"), ("FROM_A", "1"), ("FROM_B", "1") },
            EnvironmentConfigVariables.ReadPackageVariables(env.Prefix).Select(v => (v.Name, v.Value)));
        var merged = EnvironmentConfigVariables.ForActivation(env.Prefix);
        Assert.Equal("state", merged.Single(v => v.Name == "SHARED").Value);
        Assert.Equal(3, merged.Count);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    public void MalformedStateIsInvalidStateFile(string text)
    {
        using var env = new ActivationTestPrefix();
        env.Write("conda-meta/state", text);
        var ex = Assert.Throws<MalformedDataException>(() => EnvironmentConfigVariables.Read(env.Prefix));
        Assert.Equal("InvalidStateFile", ex.ErrorId);
    }
}
