using EnvTools.Environments;

namespace EnvTools.Install;

/// <summary>
/// Carries out a <see cref="TransactionPlan"/> on its prefix, atomically: under the <see cref="PrefixLock"/>, after
/// recovering any interrupted transaction (<see cref="PrefixJournal.RecoverIfNeeded"/>), with a journal written
/// before the first change. Packages are unlinked in the plan's order (files moved to a trash folder until commit),
/// linked in the plan's order (hard link where possible, copy where a prefix is rewritten or hard links fail, symbolic
/// links as the package says), noarch: python packages relocated into the prefix's site-packages with their entry
/// points and compiled <c>.pyc</c> files, and the conda-meta records written once every file is in place. Any
/// failure (a failing post-link script included) or cancellation rolls the prefix back to its old state and rethrows.
/// </summary>
public static class PrefixTransaction
{
    /// <summary>
    /// Test hook (documented, not for production): when the environment variable is set to N, the process ends
    /// abruptly (<see cref="Environment.FailFast(string)"/>) right after the Nth file is linked, leaving the prefix
    /// as a killed process would; the next transaction rolls it back.
    /// </summary>
    internal const string CrashAfterFilesVariable = "ENVTOOLS_TEST_CRASH_AFTER_FILES";

    /// <summary>
    /// Test hook (documented, not for production): <c>point:N</c> ends the process abruptly
    /// (<see cref="Environment.FailFast(string)"/>) at the first step <c>point</c> of the transaction whose count
    /// reaches N: <c>unlink</c> (packages unlinked), <c>link</c> (files linked), <c>records</c>, <c>post-link</c>,
    /// <c>commit</c> (before the commit mark) or <c>committed</c> (after it, before the clean-up). The kill-and-verify
    /// tests use it to kill a real process at chosen points inside the transaction.
    /// </summary>
    internal const string CrashAtVariable = "ENVTOOLS_TEST_CRASH_AT";

    /// <summary>In-process test hook: called at each step (<c>unlink</c>, <c>link</c> after each file with the running
    /// count, <c>records</c>, <c>commit</c>, <c>committed</c>; local to the calling flow); a <see cref="SimulatedCrashException"/> it throws leaves the prefix
    /// as it is, with no rollback, like a killed process.</summary>
    internal static Action<string, int>? TestHook { get => Hook.Value; set => Hook.Value = value; }

    private static readonly AsyncLocal<Action<string, int>?> Hook = new();

    /// <summary>Executes the plan.</summary>
    /// <param name="plan">What to unlink and link.</param>
    /// <param name="options">How to link and what to record.</param>
    /// <param name="progress">Receives progress per phase.</param>
    /// <param name="ct">Cancels the transaction (it is rolled back).</param>
    /// <returns>The records written and removed, clobbered paths and messages.</returns>
    /// <exception cref="PrefixLockedException">Another process holds the prefix.</exception>
    /// <exception cref="LinkScriptFailedException">A post-link or pre-link script failed (rolled back).</exception>
    /// <exception cref="PrefixTooLongException">A binary placeholder is shorter than the prefix (rolled back).</exception>
    public static TransactionResult Execute(TransactionPlan plan, InstallOptions options, IProgress<LinkProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        string prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(plan.Prefix));
        bool existed = Directory.Exists(prefix);
        bool metaExisted = Directory.Exists(Path.Combine(prefix, "conda-meta"));
        try
        {
            using var lk = PrefixLock.Acquire(prefix, options.LockTimeout, ct);
            return ExecuteLocked(prefix, plan, options, progress, ct);
        }
        catch (Exception ex) when (!metaExisted && ex is not SimulatedCrashException)
        {
            RemoveIfOnlyLock(prefix, removePrefix: !existed);
            throw;
        }
    }

    /// <summary>Recovers an interrupted transaction and runs the plan; the caller holds the prefix lock.</summary>
    internal static TransactionResult ExecuteLocked(string prefix, TransactionPlan plan, InstallOptions options, IProgress<LinkProgress>? progress, CancellationToken ct,
        List<string>? warnings = null)
    {
        warnings ??= new List<string>();
        PrefixJournal.RecoverLocked(prefix, warnings);
        return new TransactionRunner(prefix, plan, options, progress, ct, warnings).Run();
    }

    /// <summary>A prefix (or conda-meta folder) this transaction created and rolled back is left as it was: absent.</summary>
    internal static void RemoveIfOnlyLock(string prefix, bool removePrefix)
    {
        try
        {
            string meta = Path.Combine(prefix, "conda-meta");
            if (Directory.Exists(meta) && Directory.EnumerateFileSystemEntries(meta).All(e => Path.GetFileName(e) == PrefixLock.FileName))
            {
                Directory.Delete(meta, recursive: true);
            }

            if (removePrefix && Directory.Exists(prefix) && !Directory.EnumerateFileSystemEntries(prefix).Any())
            {
                Directory.Delete(prefix);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Thrown by <see cref="PrefixTransaction.TestHook"/> to stop a transaction as a killed process would (no rollback).</summary>
internal sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException(string point)
        : base($"simulated crash at {point}")
    {
    }
}
