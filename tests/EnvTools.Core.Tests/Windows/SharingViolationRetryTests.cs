using EnvTools.Install;
using Xunit;
using EnvTools.IO;

namespace EnvTools.Tests.Windows;

/// <summary>Issue 17 behaviour 6: renames retry briefly while another process (antivirus, indexer) holds the file;
/// trash that cannot be deleted is covered by <c>UndeletableTrashTests</c>.</summary>
public class SharingViolationRetryTests
{
    // What .NET throws on Windows for ERROR_SHARING_VIOLATION (32) and ERROR_LOCK_VIOLATION (33).
    private static IOException Sharing() => new("The process cannot access the file because it is being used by another process.", unchecked((int)0x80070020));

    private static IOException Lock() => new("The process cannot access the file because another process has locked a portion of the file.", unchecked((int)0x80070021));

    [Fact]
    public void A_rename_held_for_a_moment_succeeds_after_short_pauses()
    {
        string dir = Directory.CreateTempSubdirectory("envtools-share-").FullName;
        try
        {
            string from = Path.Combine(dir, "a.dll"), to = Path.Combine(dir, "b.dll");
            File.WriteAllText(from, "x");
            int tries = 0;
            var pauses = new List<TimeSpan>();
            FileOps.RetryWhileShared(
                () =>
                {
                    if (++tries <= 3)
                    {
                        throw tries == 2 ? Lock() : tries == 3 ? new UnauthorizedAccessException("Access to the path is denied.") : Sharing();
                    }

                    File.Move(from, to);
                },
                windows: true,
                pauses.Add);
            Assert.Equal(4, tries);
            Assert.Equal(FileOps.SharingRetryDelays[..3], pauses);
            Assert.True(File.Exists(to));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_file_held_for_longer_fails_with_the_last_error_after_about_a_second()
    {
        int tries = 0;
        var pauses = new List<TimeSpan>();
        var ex = Assert.Throws<IOException>(() => FileOps.RetryWhileShared(() => { tries++; throw Sharing(); }, windows: true, pauses.Add));
        Assert.Equal(unchecked((int)0x80070020), ex.HResult);
        Assert.Equal(FileOps.SharingRetryDelays.Length + 1, tries);
        Assert.InRange(pauses.Sum(p => p.TotalMilliseconds), 500, 2000);
    }

    [Fact]
    public void Other_failures_and_other_systems_are_not_retried()
    {
        int tries = 0;
        Assert.Throws<IOException>(() => FileOps.RetryWhileShared(() => { tries++; throw new IOException("disk full", unchecked((int)0x80070070)); }, windows: true, _ => { }));
        Assert.Equal(1, tries);

        tries = 0;
        Assert.Throws<IOException>(() => FileOps.RetryWhileShared(() => { tries++; throw Sharing(); }, windows: false, _ => { }));
        Assert.Equal(1, tries); // EBUSY and friends are not transient holds on Linux
    }
}
