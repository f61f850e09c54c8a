using System.Diagnostics;
using EnvTools.Install;
using Xunit;
using EnvTools.Environments;

namespace EnvTools.Tests.Install;

/// <summary>
/// A failure after commit never fails the command or the next ones: on Windows a loaded DLL or a running exe can be
/// moved into the trash but not deleted. On Linux the test makes a trashed file immutable (<c>chattr +i</c>, which
/// stops root too) right after the commit.
/// </summary>
[Collection(TransactionHookCollection.Name)]
public class UndeletableTrashTests
{
    private static LinkPackage Lib(InstallFixture fx, string version) =>
        fx.Build("lib", version, new[] { new FixtureFile("lib/liblib.txt", $"lib {version}\n") });

    [ImmutableFilesFact]
    public void Trash_that_cannot_be_deleted_is_a_warning_and_is_retried_by_the_next_transaction()
    {
        using var fx = new InstallFixture();
        fx.Install(Lib(fx, "1.0"));
        var lib2 = Lib(fx, "2.0");
        string? locked = null;
        PrefixTransaction.TestHook = (p, _) =>
        {
            if (p == "committed")
            {
                locked = Directory.EnumerateFiles(Path.Combine(fx.Prefix, PrefixJournal.TrashDirectoryName), "liblib.txt", SearchOption.AllDirectories).Single();
                ImmutableFilesFactAttribute.Chattr("+i", locked);
            }
        };
        try
        {
            TransactionResult result;
            try
            {
                result = fx.Install(lib2);
            }
            finally
            {
                PrefixTransaction.TestHook = null;
            }

            Assert.NotNull(locked);
            Assert.Contains(result.Warnings, w => w.Contains(PrefixJournal.TrashDirectoryName, StringComparison.Ordinal));
            Assert.False(File.Exists(Path.Combine(fx.Prefix, "conda-meta", PrefixJournal.FileName)));
            Assert.Equal("2.0", Assert.Single(PrefixState.ReadInstalled(fx.Prefix)).Version);
            Assert.False(PrefixJournal.IsPending(fx.Prefix));

            // every later command works while the file is still in use, and warns again
            // (a version of its own: the trashed file is a hard link of the cache's lib 1.0, immutable too)
            var again = fx.Install(Lib(fx, "1.5"));
            Assert.Contains(again.Warnings, w => w.Contains(PrefixJournal.TrashDirectoryName, StringComparison.Ordinal));
            Assert.Equal("lib 1.5\n", fx.ReadText("lib/liblib.txt"));
            Assert.True(File.Exists(locked));
        }
        finally
        {
            if (locked is not null)
            {
                ImmutableFilesFactAttribute.Chattr("-i", locked);
            }
        }

        // once it can be deleted, the next transaction deletes it
        var last = fx.Install(Lib(fx, "2.0"));
        Assert.Empty(last.Warnings);
        Assert.False(Directory.Exists(Path.Combine(fx.Prefix, PrefixJournal.TrashDirectoryName)));
    }
}

/// <summary>A fact skipped where <c>chattr +i</c> cannot make a file in the temporary folder undeletable (not Linux, not
/// root, or a file system without the attribute).</summary>
public sealed class ImmutableFilesFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Available = new(() =>
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        string dir = Path.Combine(Path.GetTempPath(), "envtools-chattr-" + Guid.NewGuid().ToString("N")[..8]);
        string file = Path.Combine(dir, "f");
        Directory.CreateDirectory(dir);
        File.WriteAllText(file, "x");
        try
        {
            if (!Chattr("+i", file))
            {
                return false;
            }

            try
            {
                File.Delete(file);
                return false;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return true;
            }
            finally
            {
                Chattr("-i", file);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    });

    public ImmutableFilesFactAttribute()
    {
        if (!Available.Value)
        {
            Skip = "chattr +i cannot make a file undeletable here (not Linux, not root, or the file system lacks the attribute)";
        }
    }

    public static bool Chattr(string flag, string path)
    {
        try
        {
            var psi = new ProcessStartInfo("chattr") { RedirectStandardError = true, RedirectStandardOutput = true };
            psi.ArgumentList.Add(flag);
            psi.ArgumentList.Add(path);
            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
