using EnvTools.Conda;
using EnvTools.Install;
using Xunit;

namespace EnvTools.Tests.Install;

public class NoarchPythonTests
{
    /// <summary>A python package of the given version with no files (the fake interpreter record).</summary>
    private static LinkPackage FakePython(InstallFixture fx, string version = "3.11.7", IEnumerable<FixtureFile>? files = null) =>
        fx.Build("python", version, files ?? Array.Empty<FixtureFile>(), build: "h_fake_0");

    [Fact]
    public void Site_packages_scripts_and_entry_points_go_where_python_expects_them()
    {
        using var fx = new InstallFixture();
        fx.Target = Platform.Linux64; // the Unix layout (lib/pythonX.Y, bin), on any host
        var python = FakePython(fx);
        var pkg = fx.Build("tool", "1.0", new[]
        {
            new FixtureFile("site-packages/tool/__init__.py", "def main():\n    return 0\n"),
            new FixtureFile("site-packages/tool-1.0.dist-info/METADATA", "Name: tool\n"),
            new FixtureFile("python-scripts/tool-helper", "#!/usr/bin/env python\nprint('x')\n") { Mode = (UnixFileMode)0b111_101_101 },
        }, noarch: "python", depends: new[] { "python" }, entryPoints: new[] { "tool = tool:main", "tool-cli = tool.cli:app.run" });
        var result = fx.Install(fx.Options(compile: false), python, pkg);

        Assert.Equal(new[] { "python", "tool" }, result.Linked.Select(r => r.Name));
        Assert.True(File.Exists(Path.Combine(fx.Prefix, "lib/python3.11/site-packages/tool/__init__.py")));
        Assert.True(File.Exists(Path.Combine(fx.Prefix, "lib/python3.11/site-packages/tool-1.0.dist-info/METADATA")));
        Assert.True(File.Exists(Path.Combine(fx.Prefix, "bin/tool-helper")));
        Assert.False(Directory.Exists(Path.Combine(fx.Prefix, "site-packages")));

        string script = fx.ReadText("bin/tool");
        Assert.Equal(
            $"#!{fx.Prefix}/bin/python3.11\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n\nfrom tool import main\n\n"
            + "if __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw?|\\.exe)?$', '', sys.argv[0])\n    sys.exit(main())\n",
            script);
        Assert.Contains("from tool.cli import app\n", fx.ReadText("bin/tool-cli"), StringComparison.Ordinal);
        Assert.Contains("sys.exit(app.run())", fx.ReadText("bin/tool-cli"), StringComparison.Ordinal);
        Assert.True(OperatingSystem.IsWindows() || InstallFixture.ModeOf(Path.Combine(fx.Prefix, "bin/tool")).HasFlag(UnixFileMode.UserExecute));

        var rec = fx.Record("tool");
        Assert.Equal("noarch_python", rec.PackageType);
        Assert.Equal(new[]
        {
            "lib/python3.11/site-packages/tool/__init__.py",
            "lib/python3.11/site-packages/tool-1.0.dist-info/METADATA",
            "bin/tool-helper",
            "bin/tool",
            "bin/tool-cli",
        }, rec.Files);
        var ep = rec.PathsData!.Paths.Single(p => p.Path == "bin/tool");
        Assert.Equal("unix_python_entry_point", ep.PathType);
        Assert.Equal(InstallFixture.Sha256(File.ReadAllBytes(Path.Combine(fx.Prefix, "bin/tool"))), ep.Sha256InPrefix);

        // removing the package removes the entry points and prunes the folders it made
        fx.Remove(fx.Options(), "tool");
        Assert.False(File.Exists(Path.Combine(fx.Prefix, "bin/tool")));
        Assert.False(Directory.Exists(Path.Combine(fx.Prefix, "lib/python3.11/site-packages/tool")));
        Assert.False(Directory.Exists(Path.Combine(fx.Prefix, "lib")));
    }

    [Fact]
    public void Python_version_comes_from_the_installed_python_record()
    {
        using var fx = new InstallFixture();
        fx.Target = Platform.Linux64; // the Unix layout (lib/pythonX.Y, bin), on any host
        fx.Install(FakePython(fx, "3.9.18"));
        var pkg = fx.Build("later", "1.0", new[] { new FixtureFile("site-packages/later.py", "x = 1\n") }, noarch: "python");
        var result = fx.Install(pkg);
        Assert.True(File.Exists(Path.Combine(fx.Prefix, "lib/python3.9/site-packages/later.py")));
        Assert.Contains(result.Messages, m => m.Contains("No python interpreter", StringComparison.Ordinal));
    }

    [Fact]
    public void Noarch_python_without_python_is_refused()
    {
        using var fx = new InstallFixture();
        var pkg = fx.Build("orphan", "1.0", new[] { new FixtureFile("site-packages/orphan.py", "x = 1\n") }, noarch: "python");
        var ex = Assert.Throws<EnvToolsException>(() => fx.Install(pkg));
        Assert.Equal("PythonNotInstalled", ex.ErrorId);
    }

    [Fact]
    public void Pyc_files_are_compiled_with_the_prefix_python_and_recorded()
    {
        string? real = RealPython();
        if (real is null || !OperatingSystem.IsLinux())
        {
            return;
        }

        var (_, ver) = InstallFixture.RunProcess(real, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])");
        ver = ver.Trim();
        string xy = string.Join('.', ver.Split('.').Take(2));
        using var fx = new InstallFixture();
        var python = FakePython(fx, ver, new[] { new FixtureFile($"bin/python{xy}", Array.Empty<byte>()) { LinkTarget = real } });
        var pkg = fx.Build("compiled", "1.0", new[]
        {
            new FixtureFile("site-packages/compiled/__init__.py", "VALUE = 42\n"),
            new FixtureFile("site-packages/compiled/util.py", "def f():\n    return 1\n"),
            new FixtureFile("site-packages/compiled/data.txt", "not python\n"),
        }, noarch: "python");
        var result = fx.Install(python, pkg);

        var rec = fx.Record("compiled");
        var pycs = rec.PathsData!.Paths.Where(p => p.PathType == "pyc_file").Select(p => p.Path).ToList();
        Assert.Equal(2, pycs.Count);
        Assert.All(pycs, p => Assert.True(File.Exists(Path.Combine(fx.Prefix, p)), p));
        Assert.Contains(pycs, p => p.StartsWith($"lib/python{xy}/site-packages/compiled/__pycache__/util.", StringComparison.Ordinal) && p.EndsWith(".pyc", StringComparison.Ordinal));
        Assert.All(pycs, p => Assert.Contains(p, rec.Files));
        Assert.DoesNotContain(result.Messages, m => m.Contains("pyc", StringComparison.OrdinalIgnoreCase));

        // and the package imports with that interpreter
        var run = InstallFixture.RunProcess(Path.Combine(fx.Prefix, $"bin/python{xy}"), "-c",
            $"import sys; sys.path.insert(0, '{fx.Prefix}/lib/python{xy}/site-packages'); import compiled; print(compiled.VALUE)");
        Assert.Equal("42", run.Output.Trim());

        // unlinking removes the pyc files and their __pycache__ folder
        fx.Remove(fx.Options(), "compiled");
        Assert.False(Directory.Exists(Path.Combine(fx.Prefix, $"lib/python{xy}/site-packages/compiled")));
    }

    [ConformanceFact]
    public void Real_moto_package_gets_its_entry_point_and_site_packages()
    {
        using var fx = new InstallFixture();
        fx.Target = Platform.Linux64; // the Unix layout (lib/pythonX.Y, bin), on any host
        var python = FakePython(fx, "3.10.4");
        var moto = fx.Extract(ConformanceData.PathOf("packages/conda-tests/moto-1.3.7-py_0.tar.bz2")!);
        fx.Install(fx.Options(compile: false), python, moto);
        var rec = fx.Record("moto");
        Assert.All(rec.Files.Where(f => !f.StartsWith("bin/", StringComparison.Ordinal)), f => Assert.StartsWith("lib/python3.10/site-packages/", f));
        var ep = Assert.Single(rec.PathsData!.Paths, p => p.PathType == "unix_python_entry_point");
        string text = fx.ReadText(ep.Path);
        Assert.StartsWith($"#!{fx.Prefix}/bin/python3.10\n", text, StringComparison.Ordinal);
        Assert.Contains("from moto.server import main", text, StringComparison.Ordinal);
    }

    private static string? RealPython()
    {
        foreach (string candidate in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                var (code, output) = InstallFixture.RunProcess(candidate, "-c", "import sys, os; print(os.path.realpath(sys.executable))");
                if (code == 0 && File.Exists(output.Trim()))
                {
                    return output.Trim();
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }

        return null;
    }
}
