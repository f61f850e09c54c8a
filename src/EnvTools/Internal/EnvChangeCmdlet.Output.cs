using EnvTools.Environments;
using EnvTools.Install;

namespace EnvTools.Commands.Internal;

/// <content>What an environment change writes: the changes, the transaction's warnings and messages, progress, timings.</content>
public abstract partial class EnvChangeCmdlet
{
    /// <summary>Writes the changes of an outcome of <see cref="Execute"/> (none when it is null).</summary>
    protected void WriteChanges((EnvironmentPlan Plan, EnvironmentResult? Result)? outcome)
    {
        if (outcome is { } o)
        {
            WriteChanges(o.Plan);
        }
    }

    /// <summary>Writes the changes as EnvTools.PackageChange objects.</summary>
    protected void WriteChanges(EnvironmentPlan plan)
    {
        foreach (PackageChange change in plan.Changes)
        {
            WriteObject(OutputObjects.Of(change, "EnvTools.PackageChange"));
        }
    }

    private T Timed<T>(string step, Func<T> work)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        T result = RunWithProgress(work);
        WriteVerbose($"{step}: {watch.ElapsedMilliseconds:N0} ms");
        return result;
    }

    private void WriteNotes(TransactionResult t)
    {
        foreach (ClobberWarning c in t.Clobbers)
        {
            WriteWarning(c.ToString());
        }

        foreach (string m in t.Messages)
        {
            WriteVerbose(m);
        }

        foreach (string w in t.Warnings)
        {
            WriteWarning(w);
        }
    }

    private void ReportStep(OperationProgress p)
    {
        if (p.Detail is { } detail)
        {
            QueueVerbose(detail);
        }

        QueueProgress(StepProgress.Record(p));
    }
}
