using EnvTools.Conda;

namespace EnvTools.Install;

/// <summary>What <see cref="PrefixTransaction.Execute"/> did.</summary>
/// <param name="Linked">The records written to conda-meta for the packages linked, in link order.</param>
/// <param name="Unlinked">The records of the packages unlinked, in unlink order.</param>
/// <param name="Clobbers">Paths shipped by several packages that this transaction touched.</param>
/// <param name="Messages">Notes for the user: link script messages (<c>$PREFIX/.messages.txt</c>), skipped pyc compilation, untracked files replaced.</param>
public sealed record TransactionResult(
    IReadOnlyList<PrefixRecord> Linked,
    IReadOnlyList<PrefixRecord> Unlinked,
    IReadOnlyList<ClobberWarning> Clobbers,
    IReadOnlyList<string> Messages)
{
    /// <summary>Problems that did not fail the transaction: clean-up after the commit that could not be finished
    /// (a file in use in the trash); the next transaction retries it.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
}
