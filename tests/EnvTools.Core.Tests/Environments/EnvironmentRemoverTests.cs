using EnvTools.Environments;
using Xunit;

namespace EnvTools.Tests.Environments;

public sealed class EnvironmentRemoverTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public EnvironmentRemoverTests() => Envs = _tmp.Sub("envs");

    private string Envs { get; }

    private string Registry => _tmp.Sub("home", ".conda", "environments.txt");

    public void Dispose() => _tmp.Dispose();

    private EnvironmentLocator Locator(string? active = null) => new(new[] { Envs }, Registry, active);

    private TestPrefix Env(string name)
    {
        var p = new TestPrefix(Path.Combine(Envs, name));
        p.File("bin/tool", "tool").File("lib/deep/er/lib.so", "lib").Record("tool", "1.0", "0");
        new EnvironmentsFile(Registry).Add(p.Prefix);
        return p;
    }

    [Fact]
    public void Remove_DeletesTheTree_AndUnregisters_WithoutFollowingLinks()
    {
        TestPrefix keep = Env("keep");
        TestPrefix p = Env("old");
        string outside = _tmp.Sub("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "precious.txt"), "keep me");
        Directory.CreateSymbolicLink(p.Full("lib/outside-dir"), outside);
        File.CreateSymbolicLink(p.Full("lib/outside-file"), Path.Combine(outside, "precious.txt"));
        File.CreateSymbolicLink(p.Full("lib/dangling"), "nowhere");

        Locator().Remove(p.Prefix);

        Assert.False(Directory.Exists(p.Prefix));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(outside, "precious.txt")));
        Assert.Equal(new[] { keep.Prefix }, new EnvironmentsFile(Registry).Read());
        Assert.Equal(new[] { "keep" }, Locator().List().Select(e => e.Name));
        Assert.Equal(new[] { "keep" }, Directory.GetFileSystemEntries(Envs).Select(Path.GetFileName)); // no trash left
    }

    [Fact]
    public void Remove_CopesWithReadOnlyFilesAndFolders()
    {
        TestPrefix p = Env("ro");
        File.SetAttributes(p.Full("bin/tool"), FileAttributes.ReadOnly);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(p.Full("lib/deep"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        Locator().Remove(p.Prefix);
        Assert.False(Directory.Exists(p.Prefix));
    }

    [Fact]
    public void Remove_RefusesTheActiveEnvironment_AndOneHoldingOthers()
    {
        TestPrefix p = Env("active");
        var ex = Assert.Throws<EnvironmentActiveException>(() => Locator(active: p.Prefix + "/").Remove(p.Prefix));
        Assert.Equal("EnvironmentActive", ex.ErrorId);
        Assert.True(Directory.Exists(p.Prefix));

        var baseEnv = new TestPrefix(_tmp.Sub("base"));
        baseEnv.Record("conda", "24.1.0", "py312_0");
        var nested = new TestPrefix(_tmp.Sub("base", "envs", "inner"));
        nested.Record("zlib", "1.3.1", "0");
        var locator = new EnvironmentLocator(new[] { _tmp.Sub("base", "envs") }, Registry);
        var ex2 = Assert.Throws<EnvironmentContainsEnvironmentsException>(() => locator.Remove(baseEnv.Prefix));
        Assert.Equal(new[] { nested.Prefix }, ex2.Nested);
        Assert.True(Directory.Exists(nested.Prefix));

        Assert.Throws<EnvironmentNotFoundException>(() => Locator().Remove(_tmp.Sub("not-an-env")));
    }

    [Fact]
    public void InterruptedRemoval_LeavesAnUnlistedTrashFolder_ThatTheNextRemovalPurges()
    {
        TestPrefix a = Env("a");
        TestPrefix b = Env("b");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Locator().Remove(a.Prefix, cts.Token));

        Assert.False(Directory.Exists(a.Prefix));
        string trash = Assert.Single(Directory.GetDirectories(Envs), d => Path.GetFileName(d) != "b");
        Assert.True(EnvironmentRemover.IsTrashName(Path.GetFileName(trash)));
        Assert.False(EnvironmentLocator.IsEnvironment(trash)); // conda would not list it either
        Assert.True(File.Exists(Path.Combine(trash, "bin", "tool")));
        Assert.Equal(new[] { "b" }, Locator().List().Select(e => e.Name));
        Assert.Equal(new[] { b.Prefix }, new EnvironmentsFile(Registry).Read());

        Locator().Remove(b.Prefix);
        Assert.Empty(Directory.GetFileSystemEntries(Envs));
    }
}

internal static class RemoverExtensions
{
    public static void Remove(this EnvironmentLocator locator, string prefix, CancellationToken ct = default) =>
        new EnvironmentRemover(locator).Remove(prefix, ct);
}
