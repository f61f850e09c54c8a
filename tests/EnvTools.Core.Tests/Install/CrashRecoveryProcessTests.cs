using System.Diagnostics;
using EnvTools.Install;
using Xunit;
using EnvTools.Environments;

namespace EnvTools.Tests.Install;

/// <summary>
/// Kills a real process mid-link (<see cref="PrefixTransaction.CrashAfterFilesVariable"/> makes it call
/// Environment.FailFast after N files) and shows that the next command restores the old environment. The child is
/// a pwsh (the repository's local dotnet tool) that loads EnvTools.Core.dll and calls the engine.
/// </summary>
public class CrashRecoveryProcessTests
{
    private const string Script = """
        param($Dll, $Dir, $Prefix, $EnvFile)
        $ErrorActionPreference = 'Stop'
        Add-Type -Path $Dll
        $idx = [EnvTools.Packages.PackageArchive]::ReadIndexJson($Dir)
        $rec = [EnvTools.Conda.RepoDataRecord]@{ Name = $idx.Name; Version = $idx.Version; Build = $idx.Build; Subdir = 'linux-64'; FileName = 'lib-2.0-0.tar.bz2' }
        $sol = [System.Collections.Generic.List[EnvTools.Conda.RepoDataRecord]]::new()
        $sol.Add($rec)
        $installed = [EnvTools.Environments.PrefixState]::ReadInstalled($Prefix)
        $plan = [EnvTools.Install.TransactionPlan]::Create($Prefix, $installed, $sol, [Func[EnvTools.Conda.RepoDataRecord,string]]{ param($r) $Dir }, $null, $false)
        $opt = [EnvTools.Install.InstallOptions]@{ EnvironmentsFile = $EnvFile }
        $null = [EnvTools.Install.PrefixTransaction]::Execute($plan, $opt, $null, [System.Threading.CancellationToken]::None)
        'linked'
        """;

    [PwshFact]
    public void Process_killed_mid_link_is_rolled_back_by_the_next_command()
    {
        using var fx = new InstallFixture();
        var files = Enumerable.Range(0, 6).Select(i => new FixtureFile($"share/lib/f{i}.txt", $"v1 {i}\n")).ToArray();
        fx.Install(fx.Build("lib", "1.0", files));
        var before = InstallFixture.Snapshot(fx.Prefix);
        string dir = fx.Build("lib", "2.0", Enumerable.Range(0, 6).Select(i => new FixtureFile($"share/lib/f{i}.txt", $"v2 {i}\n"))
            .Append(new FixtureFile("share/lib/new.txt", "new\n")).ToArray()).ExtractedDirectory;
        string script = Path.Combine(fx.Root, "link.ps1");
        File.WriteAllText(script, Script);

        foreach (int n in new[] { 1, 7 })
        {
            var (code, output) = RunChild(script, dir, fx, n);
            Assert.NotEqual(0, code);
            Assert.DoesNotContain("linked", output, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(fx.Prefix, "conda-meta", PrefixJournal.FileName)), output);
            Assert.NotEqual(before, InstallFixture.Snapshot(fx.Prefix));
            Assert.True(PrefixJournal.RecoverIfNeeded(fx.Prefix));
            Assert.Equal(before, InstallFixture.Snapshot(fx.Prefix));
        }

        // a killed run, then a normal one: the normal one recovers first and then links
        RunChild(script, dir, fx, 4);
        var (ok, text) = RunChild(script, dir, fx, 0);
        Assert.True(ok == 0, text);
        Assert.Equal("v2 5\n", fx.ReadText("share/lib/f5.txt"));
        Assert.Equal("2.0", Assert.Single(PrefixState.ReadInstalled(fx.Prefix)).Version);
    }

    private static (int Code, string Output) RunChild(string script, string dir, InstallFixture fx, int crashAfter)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = PwshFactAttribute.RepoRoot! };
        foreach (string a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-File", script, "-Dll", typeof(PrefixTransaction).Assembly.Location, "-Dir", dir, "-Prefix", fx.Prefix, "-EnvFile", fx.EnvironmentsTxt })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment[PrefixTransaction.CrashAfterFilesVariable] = crashAfter > 0 ? crashAfter.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty;
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        using var p = Process.Start(psi)!;
        var so = p.StandardOutput.ReadToEndAsync();
        string se = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, so.Result + se);
    }
}

/// <summary>A fact skipped when the repository's local pwsh tool (<c>dotnet pwsh</c>) cannot run here.</summary>
public sealed class PwshFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "EnvTools.sln")))
        {
            d = d.Parent;
        }

        return d?.FullName;
    });

    private static readonly Lazy<bool> Available = new(() =>
    {
        if (Root.Value is null || OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            var psi = new ProcessStartInfo("dotnet", new[] { "pwsh", "-NoProfile", "-Command", "1" }) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root.Value };
            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            return p.WaitForExit(60_000) && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public PwshFactAttribute()
    {
        if (!Available.Value)
        {
            Skip = "the local pwsh tool is not available (run 'dotnet tool restore'), or this is Windows";
        }
    }

    public static string? RepoRoot => Root.Value;
}
